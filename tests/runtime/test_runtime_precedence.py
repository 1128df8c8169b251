"""Resolution precedence (contract section 5): one test per adjacent pair, then each quirk."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from runtime_fixtures import variables

from dpm_policy_runtime import MAX_HEADER_LENGTH, PRECEDENCE, PolicyHeaderError, PolicyRuntime


@pytest.fixture(scope="module")
def runtime() -> PolicyRuntime:
    return PolicyRuntime.from_mapping(variables())


def test_precedence_order_is_the_engines() -> None:
    assert PRECEDENCE == ("REQUEST", "TENANT_DEFAULT", "GLOBAL_DEFAULT")


def test_precedence_disabled_over_request() -> None:
    runtime = PolicyRuntime.from_mapping(variables(DPM_POLICY_PACKS_ENABLED="false"))
    resolution = runtime.resolve(policy_pack_id="dpm_standard_v1", tenant_id="tenant_001")
    assert (resolution.enabled, resolution.selected_policy_pack_id, resolution.source) == (
        False,
        None,
        "DISABLED",
    )
    assert resolution.policy_pack is None
    assert resolution.present is False


def test_precedence_request_over_tenant(runtime: PolicyRuntime) -> None:
    resolution = runtime.resolve(
        policy_pack_id="dpm_conservative_v1",
        tenant_policy_pack_id="dpm_standard_v1",
        tenant_id="tenant_001",
    )
    assert (resolution.source, resolution.selected_policy_pack_id) == (
        "REQUEST",
        "dpm_conservative_v1",
    )
    assert resolution.passed_over == ()


def test_precedence_tenant_header_over_tenant_map(runtime: PolicyRuntime) -> None:
    resolution = runtime.resolve(tenant_policy_pack_id="dpm_global_v1", tenant_id="tenant_001")
    assert (resolution.source, resolution.selected_policy_pack_id) == (
        "TENANT_DEFAULT",
        "dpm_global_v1",
    )


def test_precedence_tenant_over_global(runtime: PolicyRuntime) -> None:
    resolution = runtime.resolve(tenant_id="tenant_002")
    assert (resolution.source, resolution.selected_policy_pack_id) == (
        "TENANT_DEFAULT",
        "dpm_conservative_v1",
    )
    assert [p.source for p in resolution.passed_over] == ["REQUEST"]


def test_precedence_global_over_none(runtime: PolicyRuntime) -> None:
    resolution = runtime.resolve()
    assert (resolution.source, resolution.selected_policy_pack_id) == (
        "GLOBAL_DEFAULT",
        "dpm_global_v1",
    )
    assert [p.source for p in resolution.passed_over] == ["REQUEST", "TENANT_DEFAULT"]


def test_precedence_none_when_nothing_applies() -> None:
    runtime = PolicyRuntime.from_mapping(variables(DPM_DEFAULT_POLICY_PACK_ID=None))
    resolution = runtime.resolve()
    assert (resolution.enabled, resolution.selected_policy_pack_id, resolution.source) == (
        True,
        None,
        "NONE",
    )
    assert [p.source for p in resolution.passed_over] == list(PRECEDENCE)


# -- quirks ------------------------------------------------------------------------------------


def test_quirk_blank_tenant_pack_header_suppresses_map_lookup(runtime: PolicyRuntime) -> None:
    resolution = runtime.resolve(tenant_policy_pack_id="  ", tenant_id="tenant_001")
    assert resolution.source == "GLOBAL_DEFAULT"
    assert "tenant map is not consulted" in resolution.passed_over[1].reason


def test_quirk_blank_request_header_is_ignored(runtime: PolicyRuntime) -> None:
    resolution = runtime.resolve(policy_pack_id=" \t", tenant_id="tenant_001")
    assert resolution.source == "TENANT_DEFAULT"
    assert resolution.passed_over[0].reason == "X-Policy-Pack-Id header blank"


def test_quirk_unknown_id_is_selected_but_not_present(runtime: PolicyRuntime) -> None:
    resolution = runtime.resolve(policy_pack_id="dpm_missing")
    assert (resolution.source, resolution.selected_policy_pack_id) == ("REQUEST", "dpm_missing")
    assert resolution.present is False
    assert resolution.policy_pack is None
    assert runtime.option_updates(resolution) == {}


def test_quirk_selected_id_is_returned_stripped(runtime: PolicyRuntime) -> None:
    resolution = runtime.resolve(policy_pack_id="  dpm_standard_v1\n")
    assert resolution.selected_policy_pack_id == "dpm_standard_v1"
    assert resolution.present is True


def test_quirk_tenant_lookup_strips_then_matches_exactly(runtime: PolicyRuntime) -> None:
    assert runtime.resolve(tenant_id="  tenant_001 ").source == "TENANT_DEFAULT"
    upper = runtime.resolve(tenant_id="TENANT_001")
    assert upper.source == "GLOBAL_DEFAULT"
    assert "'TENANT_001' is not in the tenant map" in upper.passed_over[1].reason


def test_quirk_map_ignored_when_tenant_resolution_disabled() -> None:
    runtime = PolicyRuntime.from_mapping(
        variables(DPM_TENANT_POLICY_PACK_RESOLUTION_ENABLED="false")
    )
    resolution = runtime.resolve(tenant_id="tenant_001")
    assert resolution.source == "GLOBAL_DEFAULT"
    assert "tenant map resolution is disabled" in resolution.passed_over[1].reason
    # The tenant header still counts: it does not need the map.
    assert runtime.resolve(tenant_policy_pack_id="dpm_standard_v1").source == "TENANT_DEFAULT"


_MISREAD = [
    ("x" * (MAX_HEADER_LENGTH + 1), "longer than"),
    ("dpm\x00standard", "control characters"),
    ("dpm_std\x1b[31m", "control characters"),
    ("dpm\u0085x", "control characters"),
    ("dpm_standard_v1\tx", "control characters"),
]


@pytest.mark.parametrize(("header", "defect"), _MISREAD)
def test_lenient_uses_any_request_header_as_the_engine_does(header: str, defect: str) -> None:
    """Whatever its length or content, the stripped value is an explicit REQUEST."""
    lenient = PolicyRuntime.from_mapping(variables(), strict=False)
    resolution = lenient.resolve(policy_pack_id=header, tenant_id="tenant_001")
    assert (resolution.source, resolution.selected_policy_pack_id) == ("REQUEST", header.strip())
    assert (resolution.present, resolution.policy_pack) == (False, None)


@pytest.mark.parametrize(("header", "defect"), _MISREAD)
@pytest.mark.parametrize("name", ["policy_pack_id", "tenant_policy_pack_id", "tenant_id"])
def test_strict_refuses_a_header_the_engine_would_misread_and_does_not_echo_it(
    runtime: PolicyRuntime, name: str, header: str, defect: str
) -> None:
    with pytest.raises(PolicyHeaderError) as caught:
        runtime.resolve(**{name: header})
    message = str(caught.value)
    assert defect in message
    assert defect in caught.value.reason
    assert caught.value.header in message
    assert header not in message
    assert all(ch.isprintable() for ch in message)
    assert len(message) < 300


def test_lenient_tenant_pack_header_with_a_control_character_is_the_tenants_choice() -> None:
    lenient = PolicyRuntime.from_mapping(variables(), strict=False)
    resolution = lenient.resolve(tenant_policy_pack_id="bad\x07", tenant_id="tenant_001")
    assert (resolution.source, resolution.selected_policy_pack_id) == ("TENANT_DEFAULT", "bad\x07")


def test_lenient_tenant_id_with_a_control_character_is_looked_up_as_written() -> None:
    lenient = PolicyRuntime.from_mapping(variables(), strict=False)
    resolution = lenient.resolve(tenant_id="tenant_001\n\x00")
    assert resolution.source == "GLOBAL_DEFAULT"
    reason = resolution.passed_over[1].reason
    assert "is not in the tenant map" in reason
    assert all(ch.isprintable() for ch in reason)


def test_surrounding_whitespace_controls_are_stripped_not_rejected(runtime: PolicyRuntime) -> None:
    assert runtime.resolve(policy_pack_id="\tdpm_standard_v1\r\n").present is True


def test_resolution_is_hashable_and_immutable(runtime: PolicyRuntime) -> None:
    resolution = runtime.resolve(policy_pack_id="dpm_standard_v1")
    assert resolution == runtime.resolve(policy_pack_id="dpm_standard_v1")
    assert hash(resolution) == hash(runtime.resolve(policy_pack_id="dpm_standard_v1"))
    with pytest.raises(AttributeError):
        resolution.source = "NONE"  # type: ignore[misc]


# -- property: against a plain statement of the rule ---------------------------------------------

_IDS = ["dpm_standard_v1", "dpm_conservative_v1", "dpm_global_v1", "dpm_unknown", "Dpm_Standard_V1"]
_TENANTS = ["tenant_001", "tenant_002", "tenant_003", "TENANT_001"]


def _padded(words: list[str]) -> st.SearchStrategy[str | None]:
    space = st.sampled_from(["", " ", "\t", "  \n"])
    word = st.builds(lambda a, w, b: a + w + b, space, st.sampled_from(words), space)
    # Around the strict limit: the engine has none, so lenient uses each as written.
    long = st.sampled_from(
        ["x" * 256, "x" * 257, "x" * 4096, " " * 300, "\t" * 257, "dpm_standard_v1" + " " * 250]
    )
    return st.one_of(st.none(), space, word, st.text(max_size=6), long)


def _misread(value: str | None) -> bool:
    """Strict mode's refusal, stated plainly: too long, or a control character inside."""
    if value is None:
        return False
    return len(value) > MAX_HEADER_LENGTH or any(
        ord(c) < 32 or 127 <= ord(c) < 160 for c in value.strip()
    )


def _plain_rule(
    env: dict[str, str],
    request: str | None,
    tenant_pack: str | None,
    tenant: str | None,
) -> tuple[bool, str | None, str]:
    """The precedence, stated plainly and independently of the implementation."""
    if env["DPM_POLICY_PACKS_ENABLED"] != "true":
        return (False, None, "DISABLED")
    if request is not None and request.strip():
        return (True, request.strip(), "REQUEST")
    if tenant_pack is not None:
        tenant_choice = tenant_pack.strip() or None  # blank: no map lookup at all
    elif env["DPM_TENANT_POLICY_PACK_RESOLUTION_ENABLED"] == "true":
        tenant_map = {"tenant_001": "dpm_standard_v1", "tenant_002": "dpm_conservative_v1"}
        tenant_choice = tenant_map.get(tenant.strip()) if tenant is not None else None
    else:
        tenant_choice = None
    if tenant_choice is not None:
        return (True, tenant_choice, "TENANT_DEFAULT")
    if env.get("DPM_DEFAULT_POLICY_PACK_ID"):
        return (True, env["DPM_DEFAULT_POLICY_PACK_ID"], "GLOBAL_DEFAULT")
    return (True, None, "NONE")


@settings(max_examples=400, deadline=None)
@given(
    strict=st.booleans(),
    enabled=st.booleans(),
    tenant_enabled=st.booleans(),
    with_default=st.booleans(),
    request=_padded(_IDS),
    tenant_pack=_padded(_IDS),
    tenant=_padded(_TENANTS),
)
def test_resolve_matches_plain_rule(
    strict: bool,
    enabled: bool,
    tenant_enabled: bool,
    with_default: bool,
    request: str | None,
    tenant_pack: str | None,
    tenant: str | None,
) -> None:
    env = variables(
        DPM_POLICY_PACKS_ENABLED=str(enabled).lower(),
        DPM_TENANT_POLICY_PACK_RESOLUTION_ENABLED=str(tenant_enabled).lower(),
        DPM_DEFAULT_POLICY_PACK_ID="dpm_global_v1" if with_default else None,
    )
    runtime = PolicyRuntime.from_mapping(env, strict=strict)
    if strict and any(_misread(value) for value in (request, tenant_pack, tenant)):
        with pytest.raises(PolicyHeaderError):
            runtime.resolve(
                policy_pack_id=request, tenant_policy_pack_id=tenant_pack, tenant_id=tenant
            )
        return
    resolution = runtime.resolve(
        policy_pack_id=request, tenant_policy_pack_id=tenant_pack, tenant_id=tenant
    )
    expected = _plain_rule(env, request, tenant_pack, tenant)
    assert (resolution.enabled, resolution.selected_policy_pack_id, resolution.source) == expected
    assert resolution.present == (resolution.selected_policy_pack_id in runtime.catalog)
    assert resolution.policy_pack is runtime.catalog.get(resolution.selected_policy_pack_id or "")
    # Every source above the deciding one explains itself; none below does.
    if resolution.source in PRECEDENCE:
        assert [p.source for p in resolution.passed_over] == list(
            PRECEDENCE[: PRECEDENCE.index(resolution.source)]
        )
    assert all(p.reason for p in resolution.passed_over)

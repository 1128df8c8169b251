"""Lenient means the engine; strict refuses what the engine would misread (contract 2, 3, 5).

Each case runs in both modes against the pydantic look-alike of the engine, for the three
things a request observes: which pack it resolves to, the options it runs with, and the bodies
of the two read endpoints. Lenient must equal the engine and never raise at request time;
strict must refuse the configuration at load or the request's header with a typed error.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
import runtime_engine_lookalike as engine
from runtime_fixtures import CATALOG, TENANT_MAP, catalog_json, variables

from dpm_policy_runtime import PolicyConfigError, PolicyHeaderError, PolicyRuntime

EngineOptions = engine.EngineOptions

# A pack the engine keeps although its EngineOptions would refuse a value of it: the pack
# model does not check the bound or the key, and model_copy does not validate.
# (case id, pack "odd", the unchecked paths under it, strict's problem code)
UNCHECKED_CASES: list[tuple[str, dict[str, object], list[str], str]] = [
    (
        "turnover-15",
        {"turnover_policy": {"max_turnover_pct": "15"}},
        ["turnover_policy.max_turnover_pct"],
        "range",
    ),
    (
        "turnover-negative",
        {"turnover_policy": {"max_turnover_pct": "-0.5"}},
        ["turnover_policy.max_turnover_pct"],
        "range",
    ),
    (
        "turnover-json-number-2",
        {"turnover_policy": {"max_turnover_pct": 2}},
        ["turnover_policy.max_turnover_pct"],
        "type",
    ),
    (
        "group-key-without-colon",
        {"constraint_policy": {"group_constraints": {"sector": {"max_weight": "0.2"}}}},
        ["constraint_policy.group_constraints.sector"],
        "group-key",
    ),
    (
        "group-key-two-colons",
        {"constraint_policy": {"group_constraints": {"a:b:c": {"max_weight": "0.2"}}}},
        ["constraint_policy.group_constraints.a:b:c"],
        "group-key",
    ),
    (
        "group-key-empty-sides",
        {
            "constraint_policy": {
                "group_constraints": {
                    ":TECH": {"max_weight": "0.2"},
                    "sector:": {"max_weight": "0.3"},
                    "region:EU": {"max_weight": "0.4"},
                }
            }
        },
        [
            "constraint_policy.group_constraints.:TECH",
            "constraint_policy.group_constraints.sector:",
        ],
        "group-key",
    ),
    (
        "both",
        {
            "turnover_policy": {"max_turnover_pct": "1.5"},
            "settlement_policy": {"settlement_horizon_days": 4},
            "constraint_policy": {"group_constraints": {"TECH": {"max_weight": "0.1"}}},
        },
        ["turnover_policy.max_turnover_pct", "constraint_policy.group_constraints.TECH"],
        "range",
    ),
]

# Header values the engine uses as written (stripped), which strict mode refuses.
MISREAD_HEADERS: list[tuple[str, str]] = [
    ("tab-inside", "dpm_standard_v1\tx"),
    ("nul", "dpm\x00standard_v1"),
    ("escape-sequence", "dpm_std\x1b[31m"),
    ("newline-inside", "dpm_standard_v1\nX-Admin: 1"),
    ("c1-control", "dpm\x85x"),
    ("257-chars", "p" * 257),
    ("4096-chars", "dpm_standard_v1" + "x" * 4081),
    ("known-id-padded-to-257", "dpm_standard_v1" + " " * 242),
]
HEADERS = ("policy_pack_id", "tenant_policy_pack_id", "tenant_id")
HEADER_NAMES = {
    "policy_pack_id": "X-Policy-Pack-Id",
    "tenant_policy_pack_id": "X-Tenant-Policy-Pack-Id",
    "tenant_id": "X-Tenant-Id",
}
REQUEST_OPTIONS = [
    {},
    {"max_turnover_pct": "0.5", "group_constraints": {"region:EU": {"max_weight": "0.4"}}},
]


def _env_with(pack: dict[str, object]) -> dict[str, str]:
    """The fixture's variables with pack "odd" added, and tenant_003 mapped to it."""
    return variables(
        DPM_POLICY_PACK_CATALOG_JSON=catalog_json({**CATALOG, "odd": pack}),
        DPM_TENANT_POLICY_PACK_MAP_JSON=catalog_json({**TENANT_MAP, "tenant_003": "odd"}),
    )


def _headers(name: str, value: str) -> dict[str, str | None]:
    """One header set to ``value``; a mapped tenant so a fall-through would show."""
    headers: dict[str, str | None] = dict.fromkeys(HEADERS)
    headers["tenant_id"] = "tenant_001"
    headers[name] = value
    return headers


def _assert_engine_exact(
    runtime: PolicyRuntime, env: dict[str, str], headers: dict[str, str | None]
) -> None:
    """Resolution, applied options and both bodies equal the engine's for these headers."""
    request, tenant_pack, tenant = (headers[name] for name in HEADERS)
    resolution = runtime.resolve(
        policy_pack_id=request, tenant_policy_pack_id=tenant_pack, tenant_id=tenant
    )
    assert (
        resolution.enabled,
        resolution.selected_policy_pack_id,
        resolution.source,
    ) == engine.resolve(env, request, tenant_pack, tenant)
    for raw in REQUEST_OPTIONS:
        options = EngineOptions.model_validate(raw)
        applied = runtime.apply_to_options(options, resolution)
        expected = engine.applied_options(env, options, request, tenant_pack, tenant)
        assert applied == expected
        assert applied.model_dump() == expected.model_dump()
        for constraint in applied.group_constraints.values():
            assert type(constraint) is engine.GroupConstraint
    keywords = {
        "policy_pack_id": request,
        "tenant_policy_pack_id": tenant_pack,
        "tenant_id": tenant,
    }
    assert runtime.effective_response(**keywords) == engine.effective_response(
        env, request, tenant_pack, tenant
    )
    assert runtime.catalog_response(**keywords) == engine.catalog_response(
        env, request, tenant_pack, tenant
    )


# -- values the engine applies unchecked ------------------------------------------------------


@pytest.mark.parametrize(
    ("pack", "paths"),
    [(pack, paths) for _, pack, paths, _ in UNCHECKED_CASES],
    ids=[case for case, *_ in UNCHECKED_CASES],
)
@pytest.mark.parametrize(
    "headers",
    [
        {"policy_pack_id": "odd", "tenant_policy_pack_id": None, "tenant_id": None},
        {"policy_pack_id": None, "tenant_policy_pack_id": " odd ", "tenant_id": None},
        {"policy_pack_id": None, "tenant_policy_pack_id": None, "tenant_id": " tenant_003"},
    ],
    ids=["request", "tenant-header", "tenant-map"],
)
def test_lenient_applies_unchecked_values_as_the_engine_does(
    pack: dict[str, object], paths: list[str], headers: dict[str, str | None]
) -> None:
    env = _env_with(pack)
    runtime = PolicyRuntime.from_mapping(env, strict=False)
    assert "odd" in runtime.catalog
    assert runtime.catalog["odd"].to_item() == engine.item(
        engine.parse_catalog(env["DPM_POLICY_PACK_CATALOG_JSON"])["odd"]
    )
    _assert_engine_exact(runtime, env, headers)


@pytest.mark.parametrize(
    ("pack", "paths"),
    [(pack, paths) for _, pack, paths, _ in UNCHECKED_CASES],
    ids=[case for case, *_ in UNCHECKED_CASES],
)
def test_lenient_reports_each_unchecked_value_once_per_load(
    pack: dict[str, object], paths: list[str]
) -> None:
    runtime = PolicyRuntime.from_mapping(_env_with(pack), strict=False)
    assert [item.path for item in runtime.unchecked] == [f"odd.{path}" for path in paths]
    for item in runtime.unchecked:
        assert item.variable == "DPM_POLICY_PACK_CATALOG_JSON"
        assert str(item).startswith(f"DPM_POLICY_PACK_CATALOG_JSON: {item.path}: unchecked: ")
        assert "as written" in item.reason
    # Applied, not lost: nothing about them in dropped.
    assert not [item for item in runtime.dropped if item.path.startswith("odd")]
    # Once per load, not per request.
    for _ in range(3):
        runtime.apply_to_options(EngineOptions(), runtime.resolve(policy_pack_id="odd"))
    assert len(runtime.unchecked) == len(paths)


def test_unchecked_reasons_name_the_value_and_the_consequence() -> None:
    runtime = PolicyRuntime.from_mapping(
        _env_with(
            {
                "turnover_policy": {"max_turnover_pct": "15"},
                "constraint_policy": {"group_constraints": {"sector": {"max_weight": "0.2"}}},
            }
        ),
        strict=False,
    )
    turnover, group = runtime.unchecked
    assert turnover.reason.startswith("15 is outside 0 to 1; the engine applies it as written")
    assert "'sector' is not 'attribute:value'" in group.reason
    assert "SOLVER raises" in group.reason


def test_lenient_apply_never_raises_and_passes_the_value_on() -> None:
    runtime = PolicyRuntime.from_mapping(
        _env_with(
            {
                "turnover_policy": {"max_turnover_pct": "15"},
                "constraint_policy": {"group_constraints": {"sector": {"max_weight": "0.2"}}},
            }
        ),
        strict=False,
    )
    applied = runtime.apply_to_options(EngineOptions(), runtime.resolve(policy_pack_id="odd"))
    assert applied.max_turnover_pct == Decimal("15")
    assert list(applied.group_constraints) == ["sector"]
    assert applied.group_constraints["sector"].max_weight == Decimal("0.2")


def test_a_superseded_pack_reports_nothing_unchecked() -> None:
    text = '{"odd":{"turnover_policy":{"max_turnover_pct":"15"}},"odd ":{"version":"2"}}'
    runtime = PolicyRuntime.from_mapping(
        variables(DPM_POLICY_PACK_CATALOG_JSON=text, DPM_TENANT_POLICY_PACK_MAP_JSON="{}"),
        strict=False,
    )
    assert runtime.unchecked == ()
    assert runtime.catalog["odd"].version == "2"


@pytest.mark.parametrize(
    ("pack", "paths", "code"),
    [(pack, paths, code) for _, pack, paths, code in UNCHECKED_CASES],
    ids=[case for case, *_ in UNCHECKED_CASES],
)
def test_strict_refuses_unchecked_values_at_load(
    pack: dict[str, object], paths: list[str], code: str
) -> None:
    with pytest.raises(PolicyConfigError) as caught:
        PolicyRuntime.from_mapping(_env_with(pack))
    found = {(problem.path, problem.code) for problem in caught.value.problems}
    assert (f"odd.{paths[0]}", code) in found
    assert all(problem.path.startswith("odd.") for problem in caught.value.problems)


def test_strict_snapshot_has_nothing_unchecked() -> None:
    assert PolicyRuntime.from_mapping(variables()).unchecked == ()


# -- headers the engine uses as written ---------------------------------------------------------


@pytest.mark.parametrize(
    "value", [value for _, value in MISREAD_HEADERS], ids=[case for case, _ in MISREAD_HEADERS]
)
@pytest.mark.parametrize("name", HEADERS)
def test_lenient_uses_headers_as_the_engine_does(name: str, value: str) -> None:
    env = variables()
    runtime = PolicyRuntime.from_mapping(env, strict=False)
    _assert_engine_exact(runtime, env, _headers(name, value))


@pytest.mark.parametrize("value", ["p" * 257, "p" * 4096, "x\ty"], ids=["257", "4096", "tab"])
def test_lenient_request_header_is_an_explicit_request_never_a_fall_through(value: str) -> None:
    runtime = PolicyRuntime.from_mapping(variables(), strict=False)
    resolution = runtime.resolve(policy_pack_id=value, tenant_id="tenant_001")
    assert (resolution.source, resolution.selected_policy_pack_id) == ("REQUEST", value)
    assert (resolution.present, resolution.policy_pack) == (False, None)
    assert runtime.apply_to_options(EngineOptions(), resolution) == EngineOptions()


def test_lenient_selects_a_long_catalog_id_with_a_long_header() -> None:
    """The engine limits no id's length: a 300-character pack is reachable by its id."""
    long_id = "dpm_" + "x" * 296
    env = variables(
        DPM_POLICY_PACK_CATALOG_JSON=catalog_json(
            {**CATALOG, long_id: {"version": "1", "turnover_policy": {"max_turnover_pct": "0.3"}}}
        )
    )
    runtime = PolicyRuntime.from_mapping(env, strict=False)
    _assert_engine_exact(runtime, env, _headers("policy_pack_id", long_id))
    assert runtime.resolve(policy_pack_id=long_id).present is True
    with pytest.raises(PolicyConfigError) as caught:
        PolicyRuntime.from_mapping(env)
    assert {problem.code for problem in caught.value.problems} == {"header-unsafe"}


@pytest.mark.parametrize(
    "value", [value for _, value in MISREAD_HEADERS], ids=[case for case, _ in MISREAD_HEADERS]
)
@pytest.mark.parametrize("name", HEADERS)
def test_strict_refuses_headers_the_engine_would_misread(name: str, value: str) -> None:
    runtime = PolicyRuntime.from_mapping(variables())
    headers = _headers(name, value)
    for call in (runtime.resolve, runtime.effective_response, runtime.catalog_response):
        with pytest.raises(PolicyHeaderError) as caught:
            call(**headers)
        assert caught.value.header == HEADER_NAMES[name]
        message = str(caught.value)
        assert value not in message
        assert all(ch.isprintable() for ch in message)


def test_strict_refuses_a_misread_header_even_when_packs_are_disabled() -> None:
    runtime = PolicyRuntime.from_mapping(variables(DPM_POLICY_PACKS_ENABLED="false"))
    with pytest.raises(PolicyHeaderError):
        runtime.resolve(policy_pack_id="p" * 257)


@pytest.mark.parametrize(
    "value",
    ["p" * 256, "\tdpm_standard_v1\r\n", "  dpm_standard_v1  ", ""],
    ids=["256-chars", "surrounding-controls", "surrounding-spaces", "blank"],
)
@pytest.mark.parametrize("name", HEADERS)
def test_strict_accepts_what_the_engine_reads_plainly_and_equals_it(name: str, value: str) -> None:
    env = variables()
    _assert_engine_exact(PolicyRuntime.from_mapping(env), env, _headers(name, value))


@pytest.mark.parametrize(
    ("pack", "paths"),
    [(pack, paths) for _, pack, paths, _ in UNCHECKED_CASES],
    ids=[case for case, *_ in UNCHECKED_CASES],
)
@pytest.mark.parametrize("value", [value for _, value in MISREAD_HEADERS[::3]])
def test_lenient_unchecked_pack_and_misread_header_together(
    pack: dict[str, object], paths: list[str], value: str
) -> None:
    env = _env_with(pack)
    runtime = PolicyRuntime.from_mapping(env, strict=False)
    _assert_engine_exact(
        runtime, env, {"policy_pack_id": None, "tenant_policy_pack_id": "odd", "tenant_id": value}
    )
    _assert_engine_exact(runtime, env, _headers("tenant_id", value))

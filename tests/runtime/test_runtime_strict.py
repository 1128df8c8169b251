"""Strict loading: every malformed input of contract sections 2 and 4 is refused, all at once."""

from __future__ import annotations

from typing import Any

import pytest
from runtime_fixtures import CATALOG, catalog_json, variables

from dpm_policy_runtime import PolicyConfigError, PolicyRuntime

CAT = "DPM_POLICY_PACK_CATALOG_JSON"
MAP = "DPM_TENANT_POLICY_PACK_MAP_JSON"


def _problems(**overrides: str | None) -> set[tuple[str, str]]:
    with pytest.raises(PolicyConfigError) as caught:
        PolicyRuntime.from_mapping(variables(**overrides))
    assert isinstance(caught.value, ValueError)
    return {(p.code, p.location) for p in caught.value.problems}


def _with_pack(pack: dict[str, Any], pack_id: str = "dpm_x") -> str:
    return catalog_json({**CATALOG, pack_id: pack})


def _field(section: str, name: str, value: object) -> str:
    return _with_pack({"version": "1", section: {name: value}})


# (case id, overrides, one expected (code, location))
CASES: list[tuple[str, dict[str, str | None], tuple[str, str]]] = [
    ("catalog-blank", {CAT: " "}, ("blank", CAT)),
    ("catalog-bad-json", {CAT: '{"a":'}, ("json", CAT)),
    ("catalog-nan-literal", {CAT: '{"a":NaN}'}, ("json", CAT)),
    ("catalog-array", {CAT: "[]"}, ("type", CAT)),
    ("pack-not-object", {CAT: _with_pack([])}, ("type", f"{CAT}: dpm_x")),  # type: ignore[arg-type]
    (
        "id-whitespace",
        {CAT: _with_pack({"version": "1"}, " dpm_x")},
        ("whitespace", f"{CAT}: ' dpm_x'"),
    ),
    ("id-blank", {CAT: _with_pack({"version": "1"}, "  ")}, ("blank-id", f"{CAT}: '  '")),
    (
        "id-collision",
        {CAT: catalog_json({**CATALOG, "dpm_x": {"version": "1"}, "dpm_x ": {"version": "1"}})},
        ("collision", f"{CAT}: 'dpm_x '"),
    ),
    (
        "id-duplicate-key",
        {CAT: catalog_json(CATALOG)[:-1] + ',"dpm_global_v1":{"version":"1"}}'},
        ("duplicate", f"{CAT}: dpm_global_v1"),
    ),
    (
        "id-too-long",
        {CAT: _with_pack({"version": "1"}, "p" * 300)},
        ("header-unsafe", f"{CAT}: " + repr("p" * 64) + "...(+236 chars)"),
    ),
    ("version-missing", {CAT: _with_pack({})}, ("version", f"{CAT}: dpm_x.version")),
    ("version-int", {CAT: _with_pack({"version": 1})}, ("version", f"{CAT}: dpm_x.version")),
    ("version-null", {CAT: _with_pack({"version": None})}, ("version", f"{CAT}: dpm_x.version")),
    ("version-empty", {CAT: _with_pack({"version": ""})}, ("version", f"{CAT}: dpm_x.version")),
    (
        "unknown-entry-key",
        {CAT: _with_pack({"version": "1", "policy_pack_id": "dpm_x"})},
        ("unknown-key", f"{CAT}: dpm_x.policy_pack_id"),
    ),
    (
        "unknown-section",
        {CAT: _with_pack({"version": "1", "turnover": {}})},
        ("unknown-key", f"{CAT}: dpm_x.turnover"),
    ),
    (
        "section-null",
        {CAT: _with_pack({"version": "1", "tax_policy": None})},
        ("type", f"{CAT}: dpm_x.tax_policy"),
    ),
    (
        "section-array",
        {CAT: _with_pack({"version": "1", "tax_policy": []})},
        ("type", f"{CAT}: dpm_x.tax_policy"),
    ),
    (
        "unknown-field",
        {CAT: _field("tax_policy", "enable_tax", True)},
        ("unknown-key", f"{CAT}: dpm_x.tax_policy.enable_tax"),
    ),
    (
        "renamed-field",
        {CAT: _field("workflow_policy", "workflow_requires_client_consent", True)},
        ("renamed", f"{CAT}: dpm_x.workflow_policy.workflow_requires_client_consent"),
    ),
    (
        "null-field",
        {CAT: _field("turnover_policy", "max_turnover_pct", None)},
        ("null", f"{CAT}: dpm_x.turnover_policy.max_turnover_pct"),
    ),
    (
        "decimal-json-number",
        {CAT: _field("turnover_policy", "max_turnover_pct", 0.1)},
        ("type", f"{CAT}: dpm_x.turnover_policy.max_turnover_pct"),
    ),
    (
        "decimal-json-int",
        {CAT: _field("tax_policy", "max_realized_capital_gains", 100)},
        ("type", f"{CAT}: dpm_x.tax_policy.max_realized_capital_gains"),
    ),
    (
        "decimal-exponent",
        {CAT: _field("tax_policy", "max_realized_capital_gains", "1e3")},
        ("decimal", f"{CAT}: dpm_x.tax_policy.max_realized_capital_gains"),
    ),
    (
        "decimal-nan-text",
        {CAT: _field("turnover_policy", "max_turnover_pct", "NaN")},
        ("decimal", f"{CAT}: dpm_x.turnover_policy.max_turnover_pct"),
    ),
    (
        "decimal-spaces",
        {CAT: _field("turnover_policy", "max_turnover_pct", " 0.1")},
        ("decimal", f"{CAT}: dpm_x.turnover_policy.max_turnover_pct"),
    ),
    (
        "decimal-leading-dot",
        {CAT: _field("turnover_policy", "max_turnover_pct", ".1")},
        ("decimal", f"{CAT}: dpm_x.turnover_policy.max_turnover_pct"),
    ),
    (
        "turnover-over-one",
        {CAT: _field("turnover_policy", "max_turnover_pct", "15")},
        ("range", f"{CAT}: dpm_x.turnover_policy.max_turnover_pct"),
    ),
    (
        "capital-gains-negative",
        {CAT: _field("tax_policy", "max_realized_capital_gains", "-1")},
        ("range", f"{CAT}: dpm_x.tax_policy.max_realized_capital_gains"),
    ),
    (
        "single-position-over-one",
        {CAT: _field("constraint_policy", "single_position_max_weight", "1.01")},
        ("range", f"{CAT}: dpm_x.constraint_policy.single_position_max_weight"),
    ),
    (
        "bool-string",
        {CAT: _field("tax_policy", "enable_tax_awareness", "true")},
        ("type", f"{CAT}: dpm_x.tax_policy.enable_tax_awareness"),
    ),
    (
        "bool-int",
        {CAT: _field("tax_policy", "enable_tax_awareness", 1)},
        ("type", f"{CAT}: dpm_x.tax_policy.enable_tax_awareness"),
    ),
    (
        "int-string",
        {CAT: _field("settlement_policy", "settlement_horizon_days", "3")},
        ("type", f"{CAT}: dpm_x.settlement_policy.settlement_horizon_days"),
    ),
    (
        "int-float",
        {CAT: _field("settlement_policy", "settlement_horizon_days", 3.0)},
        ("type", f"{CAT}: dpm_x.settlement_policy.settlement_horizon_days"),
    ),
    (
        "int-bool",
        {CAT: _field("settlement_policy", "settlement_horizon_days", True)},
        ("type", f"{CAT}: dpm_x.settlement_policy.settlement_horizon_days"),
    ),
    (
        "int-over-ten",
        {CAT: _field("settlement_policy", "settlement_horizon_days", 11)},
        ("range", f"{CAT}: dpm_x.settlement_policy.settlement_horizon_days"),
    ),
    (
        "groups-null",
        {CAT: _field("constraint_policy", "group_constraints", None)},
        ("null", f"{CAT}: dpm_x.constraint_policy.group_constraints"),
    ),
    (
        "groups-array",
        {CAT: _field("constraint_policy", "group_constraints", [])},
        ("type", f"{CAT}: dpm_x.constraint_policy.group_constraints"),
    ),
    (
        "group-key-no-colon",
        {CAT: _field("constraint_policy", "group_constraints", {"sector": {"max_weight": "0.2"}})},
        ("group-key", f"{CAT}: dpm_x.constraint_policy.group_constraints.sector"),
    ),
    (
        "group-key-two-colons",
        {CAT: _field("constraint_policy", "group_constraints", {"a:b:c": {"max_weight": "0.2"}})},
        ("group-key", f"{CAT}: dpm_x.constraint_policy.group_constraints.a:b:c"),
    ),
    (
        "group-key-empty-side",
        {CAT: _field("constraint_policy", "group_constraints", {"sector:": {"max_weight": "0.2"}})},
        ("group-key", f"{CAT}: dpm_x.constraint_policy.group_constraints.sector:"),
    ),
    (
        "group-weight-missing",
        {CAT: _field("constraint_policy", "group_constraints", {"a:b": {}})},
        ("missing", f"{CAT}: dpm_x.constraint_policy.group_constraints.a:b.max_weight"),
    ),
    (
        "group-weight-number",
        {CAT: _field("constraint_policy", "group_constraints", {"a:b": {"max_weight": 0.2}})},
        ("type", f"{CAT}: dpm_x.constraint_policy.group_constraints.a:b.max_weight"),
    ),
    (
        "group-weight-over-one",
        {CAT: _field("constraint_policy", "group_constraints", {"a:b": {"max_weight": "1.5"}})},
        ("range", f"{CAT}: dpm_x.constraint_policy.group_constraints.a:b.max_weight"),
    ),
    (
        "group-extra-key",
        {
            CAT: _field(
                "constraint_policy",
                "group_constraints",
                {"a:b": {"max_weight": "0.5", "min_weight": "0"}},
            )
        },
        ("unknown-key", f"{CAT}: dpm_x.constraint_policy.group_constraints.a:b.min_weight"),
    ),
    ("map-blank", {MAP: ""}, ("blank", MAP)),
    ("map-bad-json", {MAP: "{"}, ("json", MAP)),
    ("map-array", {MAP: '["a"]'}, ("type", MAP)),
    ("map-non-string-value", {MAP: '{"t1":1}'}, ("type", f"{MAP}: t1")),
    ("map-key-whitespace", {MAP: '{" t1":"dpm_global_v1"}'}, ("whitespace", f"{MAP}: ' t1'")),
    ("map-value-whitespace", {MAP: '{"t1":" dpm_global_v1"}'}, ("whitespace", f"{MAP}: t1")),
    ("map-value-blank", {MAP: '{"t1":" "}'}, ("blank-id", f"{MAP}: t1")),
    (
        "map-collision",
        {MAP: '{"t1":"dpm_global_v1","t1 ":"dpm_global_v1"}'},
        ("collision", f"{MAP}: 't1 '"),
    ),
    (
        "map-case-near-duplicate",
        {MAP: '{"T1":"dpm_global_v1","t1":"dpm_global_v1"}'},
        ("collision", f"{MAP}: t1"),
    ),
    ("map-dangling", {MAP: '{"t1":"dpm_nowhere"}'}, ("reference", f"{MAP}: t1")),
    (
        "default-dangling",
        {"DPM_DEFAULT_POLICY_PACK_ID": "dpm_nowhere"},
        ("reference", "DPM_DEFAULT_POLICY_PACK_ID"),
    ),
    ("default-blank", {"DPM_DEFAULT_POLICY_PACK_ID": " "}, ("blank", "DPM_DEFAULT_POLICY_PACK_ID")),
    (
        "default-whitespace",
        {"DPM_DEFAULT_POLICY_PACK_ID": " dpm_global_v1"},
        ("whitespace", "DPM_DEFAULT_POLICY_PACK_ID"),
    ),
    ("flag-yes", {"DPM_POLICY_PACKS_ENABLED": "yes"}, ("flag", "DPM_POLICY_PACKS_ENABLED")),
    (
        "flag-capital",
        {"DPM_IDEMPOTENCY_REPLAY_ENABLED": "True"},
        ("flag", "DPM_IDEMPOTENCY_REPLAY_ENABLED"),
    ),
    (
        "flag-empty",
        {"DPM_TENANT_POLICY_PACK_RESOLUTION_ENABLED": ""},
        ("flag", "DPM_TENANT_POLICY_PACK_RESOLUTION_ENABLED"),
    ),
]


@pytest.mark.parametrize(
    ("overrides", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_strict_rejects(overrides: dict[str, str | None], expected: tuple[str, str]) -> None:
    assert expected in _problems(**overrides)


def test_every_problem_is_reported_in_one_error() -> None:
    bad_pack = {
        "turnover_policy": {"max_turnover_pct": 0.15},
        "settlement_policy": {"settlement_horizon_days": "3"},
        "workflow_policy": {"client_consent_already_obtained": True},
    }
    found = _problems(
        DPM_POLICY_PACKS_ENABLED="on",
        DPM_POLICY_PACK_CATALOG_JSON=_with_pack(bad_pack),
        DPM_TENANT_POLICY_PACK_MAP_JSON='{"t1":"dpm_missing"}',
    )
    assert {code for code, _ in found} == {"flag", "version", "type", "renamed", "reference"}
    assert len(found) == 6


def test_an_invalid_pack_is_not_also_reported_as_a_dangling_reference() -> None:
    found = _problems(
        DPM_POLICY_PACK_CATALOG_JSON=_with_pack({"version": ""}),
        DPM_TENANT_POLICY_PACK_MAP_JSON='{"t1":"dpm_x"}',
    )
    assert found == {("version", f"{CAT}: dpm_x.version")}


def test_a_broken_catalog_is_reported_once_not_per_reference() -> None:
    assert _problems(DPM_POLICY_PACK_CATALOG_JSON="{") == {("json", CAT)}


def test_messages_end_with_a_fix_and_never_echo_control_characters() -> None:
    with pytest.raises(PolicyConfigError) as caught:
        PolicyRuntime.from_mapping(
            variables(
                DPM_POLICY_PACK_CATALOG_JSON=_with_pack({"version": "1"}, "evil\x1b[2J"),
                DPM_DEFAULT_POLICY_PACK_ID="dpm_global_v1",
            )
        )
    text = str(caught.value)
    assert "\x1b" not in text
    assert "'evil\\x1b[2J'" in text
    renamed = _field("workflow_policy", "workflow_requires_client_consent", True)
    with pytest.raises(PolicyConfigError) as caught:
        PolicyRuntime.from_mapping(variables(DPM_POLICY_PACK_CATALOG_JSON=renamed))
    assert "write workflow_policy.workflow_requires_mandate_approval" in str(caught.value)


def test_percent_hint_for_turnover() -> None:
    with pytest.raises(PolicyConfigError) as caught:
        PolicyRuntime.from_mapping(
            variables(
                DPM_POLICY_PACK_CATALOG_JSON=_field("turnover_policy", "max_turnover_pct", "15")
            )
        )
    assert "must be between 0 and 1 (got 15); write 0.15 for 15%" in str(caught.value)


def test_unknown_key_suggests_the_nearest() -> None:
    with pytest.raises(PolicyConfigError) as caught:
        PolicyRuntime.from_mapping(
            variables(
                DPM_POLICY_PACK_CATALOG_JSON=_field("tax_policy", "enable_tax_awarenes", True)
            )
        )
    assert "did you mean enable_tax_awareness?" in str(caught.value)


def test_valid_configuration_loads_with_nothing_dropped() -> None:
    runtime = PolicyRuntime.from_mapping(variables())
    assert runtime.strict is True
    assert runtime.dropped == ()
    assert list(runtime.catalog) == list(CATALOG)
    assert dict(runtime.tenant_map) == {
        "tenant_001": "dpm_standard_v1",
        "tenant_002": "dpm_conservative_v1",
    }


def test_unset_variables_take_the_engine_defaults() -> None:
    runtime = PolicyRuntime.from_mapping({})
    assert (
        runtime.enabled,
        runtime.tenant_resolution_enabled,
        runtime.replay_default,
        runtime.default_policy_pack_id,
        dict(runtime.catalog),
        dict(runtime.tenant_map),
    ) == (False, False, True, None, {}, {})


def test_strict_and_lenient_agree_on_valid_input() -> None:
    strict = PolicyRuntime.from_mapping(variables())
    lenient = PolicyRuntime.from_mapping(variables(), strict=False)
    assert strict.fingerprint == lenient.fingerprint
    assert dict(strict.catalog) == dict(lenient.catalog)

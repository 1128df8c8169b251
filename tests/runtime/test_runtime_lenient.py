"""Lenient loading reproduces the engine's parse exactly (contract sections 1, 2 and 4).

Each case is checked twice: against the pydantic look-alike of the engine, and against the
outcome the contract states, so a mistake in either shows.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import runtime_engine_lookalike as engine
from hypothesis import given, settings
from hypothesis import strategies as st
from runtime_fixtures import catalog_json, variables

from dpm_policy_runtime import PolicyRuntime


def _lenient(**overrides: str | None) -> PolicyRuntime:
    return PolicyRuntime.from_mapping(variables(**overrides), strict=False)


def _assert_catalog_matches_engine(text: str | None) -> PolicyRuntime:
    runtime = _lenient(DPM_POLICY_PACK_CATALOG_JSON=text)
    expected = engine.parse_catalog(text)
    assert list(runtime.catalog) == list(expected)
    for pack_id, pack in expected.items():
        assert runtime.catalog[pack_id].to_item() == engine.item(pack)
    return runtime


def _pack(**sections: Any) -> str:
    return catalog_json({"p": {"version": "1", **sections}})


# (case id, catalog text, the pack ids the engine keeps, a check on pack "p" or None)
CATALOG_CASES: list[tuple[str, str | None, list[str], dict[str, Any] | None]] = [
    ("unset", None, [], None),
    ("blank", "   ", [], None),
    ("syntax-error-loses-everything", '{"p":{"version":"1"},', [], None),
    ("array", "[1,2]", [], None),
    ("string", '"x"', [], None),
    ("entry-not-object", '{"p":[],"q":{"version":"1"}}', ["q"], None),
    ("blank-id", '{"  ":{"version":"1"}}', [], None),
    ("id-stripped", '{" p ":{"version":"1"}}', ["p"], {"policy_pack_id": "p"}),
    ("inner-id-ignored", '{"p":{"policy_pack_id":"zzz"}}', ["p"], {"policy_pack_id": "p"}),
    ("collision-last-wins", '{"p":{"version":"1"}," p":{"version":"2"}}', ["p"], {"version": "2"}),
    (
        "collision-invalid-last-keeps-first",
        '{"p":{"version":"1"},"p ":{"tax_policy":{"max_realized_capital_gains":"-1"}}}',
        ["p"],
        {"version": "1"},
    ),
    (
        "duplicate-key-last-wins",
        '{"p":{"version":"1"},"p":{"version":"3"}}',
        ["p"],
        {"version": "3"},
    ),
    ("version-default", '{"p":{}}', ["p"], {"version": "1"}),
    ("version-int", '{"p":{"version":2}}', ["p"], {"version": "2"}),
    ("version-float", '{"p":{"version":1.0}}', ["p"], {"version": "1.0"}),
    ("version-null", '{"p":{"version":null}}', ["p"], {"version": "None"}),
    ("version-true", '{"p":{"version":true}}', ["p"], {"version": "True"}),
    ("version-object", '{"p":{"version":{"a":[1]}}}', ["p"], {"version": "{'a': [1]}"}),
    ("falsy-section-null", _pack(tax_policy=None), ["p"], None),
    ("falsy-section-list", _pack(tax_policy=[]), ["p"], None),
    ("falsy-section-zero", _pack(tax_policy=0), ["p"], None),
    ("falsy-section-empty-string", _pack(tax_policy=""), ["p"], None),
    ("truthy-section-list-drops", _pack(tax_policy=[1]), [], None),
    ("truthy-section-string-drops", _pack(tax_policy="x"), [], None),
    ("unknown-section-ignored", _pack(risk_policy={"x": 1}), ["p"], None),
    ("unknown-field-ignored", _pack(tax_policy={"typo": 1}), ["p"], None),
    (
        "old-workflow-name-ignored",
        _pack(workflow_policy={"workflow_requires_client_consent": True}),
        ["p"],
        {
            "workflow_policy": {
                "enable_workflow_gates": None,
                "workflow_requires_mandate_approval": None,
                "mandate_approval_already_obtained": None,
            }
        },
    ),
    (
        "decimal-string-exact",
        _pack(turnover_policy={"max_turnover_pct": "0.10"}),
        ["p"],
        {"turnover_policy": {"max_turnover_pct": "0.10"}},
    ),
    (
        "decimal-json-number-via-float",
        '{"p":{"turnover_policy":{"max_turnover_pct":0.30000000000000004}}}',
        ["p"],
        {"turnover_policy": {"max_turnover_pct": "0.30000000000000004"}},
    ),
    (
        "decimal-sum-float",
        json.dumps({"p": {"turnover_policy": {"max_turnover_pct": 0.1 + 0.2}}}),
        ["p"],
        {"turnover_policy": {"max_turnover_pct": "0.30000000000000004"}},
    ),
    (
        "decimal-json-int",
        '{"p":{"tax_policy":{"max_realized_capital_gains":100}}}',
        ["p"],
        {"tax_policy": {"enable_tax_awareness": None, "max_realized_capital_gains": "100"}},
    ),
    ("decimal-nan-literal-drops", '{"p":{"turnover_policy":{"max_turnover_pct":NaN}}}', [], None),
    (
        "decimal-infinity-literal-drops",
        '{"p":{"turnover_policy":{"max_turnover_pct":Infinity}}}',
        [],
        None,
    ),
    (
        "decimal-1e400-number-drops",
        '{"p":{"turnover_policy":{"max_turnover_pct":1e400}}}',
        [],
        None,
    ),
    (
        "decimal-1e400-string-passes",
        _pack(turnover_policy={"max_turnover_pct": "1e400"}),
        ["p"],
        {"turnover_policy": {"max_turnover_pct": "1E+400"}},
    ),
    ("decimal-nan-string-drops", _pack(turnover_policy={"max_turnover_pct": "NaN"}), [], None),
    ("decimal-bool-drops", _pack(turnover_policy={"max_turnover_pct": True}), [], None),
    (
        "turnover-15-kept-pack-model-has-no-bound",
        _pack(turnover_policy={"max_turnover_pct": "15"}),
        ["p"],
        None,
    ),
    (
        "capital-gains-negative-drops",
        _pack(tax_policy={"max_realized_capital_gains": "-1"}),
        [],
        None,
    ),
    (
        "single-position-over-one-drops",
        _pack(constraint_policy={"single_position_max_weight": "1.5"}),
        [],
        None,
    ),
    (
        "bool-strings",
        _pack(
            workflow_policy={
                "enable_workflow_gates": "off",
                "workflow_requires_mandate_approval": "YES",
                "mandate_approval_already_obtained": "t",
            }
        ),
        ["p"],
        {
            "workflow_policy": {
                "enable_workflow_gates": False,
                "workflow_requires_mandate_approval": True,
                "mandate_approval_already_obtained": True,
            }
        },
    ),
    (
        "bool-0-1",
        _pack(tax_policy={"enable_tax_awareness": 1}),
        ["p"],
        {"tax_policy": {"enable_tax_awareness": True, "max_realized_capital_gains": None}},
    ),
    ("bool-2-drops", _pack(tax_policy={"enable_tax_awareness": 2}), [], None),
    ("bool-enabled-drops", _pack(tax_policy={"enable_tax_awareness": "enabled"}), [], None),
    (
        "int-string",
        _pack(settlement_policy={"settlement_horizon_days": "3"}),
        ["p"],
        {"settlement_policy": {"enable_settlement_awareness": None, "settlement_horizon_days": 3}},
    ),
    (
        "int-float",
        '{"p":{"settlement_policy":{"settlement_horizon_days":3.0}}}',
        ["p"],
        {"settlement_policy": {"enable_settlement_awareness": None, "settlement_horizon_days": 3}},
    ),
    (
        "int-true",
        _pack(settlement_policy={"settlement_horizon_days": True}),
        ["p"],
        {"settlement_policy": {"enable_settlement_awareness": None, "settlement_horizon_days": 1}},
    ),
    ("int-3.5-drops", '{"p":{"settlement_policy":{"settlement_horizon_days":3.5}}}', [], None),
    ("int-11-drops", _pack(settlement_policy={"settlement_horizon_days": 11}), [], None),
    (
        "null-field-no-override",
        _pack(turnover_policy={"max_turnover_pct": None}),
        ["p"],
        {"turnover_policy": {"max_turnover_pct": None}},
    ),
    ("group-null-drops", _pack(constraint_policy={"group_constraints": None}), [], None),
    ("group-list-drops", _pack(constraint_policy={"group_constraints": []}), [], None),
    (
        "group-key-without-colon-kept",
        _pack(constraint_policy={"group_constraints": {"sector": {"max_weight": "0.2"}}}),
        ["p"],
        None,
    ),
    (
        "group-weight-missing-drops",
        _pack(constraint_policy={"group_constraints": {"a:b": {}}}),
        [],
        None,
    ),
    (
        "group-weight-null-drops",
        _pack(constraint_policy={"group_constraints": {"a:b": {"max_weight": None}}}),
        [],
        None,
    ),
    (
        "group-weight-over-one-drops",
        _pack(constraint_policy={"group_constraints": {"a:b": {"max_weight": "1.01"}}}),
        [],
        None,
    ),
    (
        "group-value-not-object-drops",
        _pack(constraint_policy={"group_constraints": {"a:b": "0.2"}}),
        [],
        None,
    ),
    (
        "group-extra-key-ignored",
        _pack(constraint_policy={"group_constraints": {"a:b": {"max_weight": 0.2, "x": 1}}}),
        ["p"],
        {
            "constraint_policy": {
                "single_position_max_weight": None,
                "group_constraints": {"a:b": {"max_weight": "0.2"}},
            }
        },
    ),
    ("deep-nesting", "[" * 100_000 + "]" * 100_000, [], None),
]


@pytest.mark.parametrize(
    ("text", "kept", "expected"),
    [case[1:] for case in CATALOG_CASES],
    ids=[case[0] for case in CATALOG_CASES],
)
def test_catalog_case(text: str | None, kept: list[str], expected: dict[str, Any] | None) -> None:
    if text is not None and text.startswith("[" * 100):
        # The engine would raise RecursionError (a 500); we drop the variable instead.
        runtime = _lenient(DPM_POLICY_PACK_CATALOG_JSON=text)
    else:
        runtime = _assert_catalog_matches_engine(text)
    assert list(runtime.catalog) == kept
    if expected is not None:
        item = runtime.catalog["p"].to_item()
        for key, value in expected.items():
            assert item[key] == value


def test_dropped_reports_what_the_engine_loses_silently() -> None:
    text = catalog_json(
        {
            "ok": {"version": "1", "tax_policy": {"typo": 1}},
            "bad": {"tax_policy": {"max_realized_capital_gains": "-1"}},
            " ok": {"version": "2"},
            "old": {"workflow_policy": {"client_consent_already_obtained": True}},
        }
    )
    runtime = _lenient(DPM_POLICY_PACK_CATALOG_JSON=text, DPM_POLICY_PACKS_ENABLED="yes")
    seen = {(d.location, d.kind) for d in runtime.dropped}
    assert ("DPM_POLICY_PACKS_ENABLED", "coerced") in seen
    assert ("DPM_POLICY_PACK_CATALOG_JSON: ok.tax_policy.typo", "ignored") in seen
    assert ("DPM_POLICY_PACK_CATALOG_JSON: bad", "invalid") in seen
    assert ("DPM_POLICY_PACK_CATALOG_JSON: ok", "superseded") in seen
    old = [d for d in runtime.dropped if "client_consent" in d.path]
    assert old[0].reason == "old name of mandate_approval_already_obtained"
    assert runtime.catalog["ok"].version == "2"


def test_whole_catalog_lost_is_reported_once() -> None:
    runtime = _lenient(DPM_POLICY_PACK_CATALOG_JSON="{oops", DPM_DEFAULT_POLICY_PACK_ID=None)
    catalog_drops = [d for d in runtime.dropped if d.variable == "DPM_POLICY_PACK_CATALOG_JSON"]
    assert [d.kind for d in catalog_drops] == ["invalid"]
    assert "whole catalog lost" in catalog_drops[0].reason


# -- tenant map (section 4) ---------------------------------------------------------------------

MAP_CASES: list[tuple[str, str | None, dict[str, str]]] = [
    ("unset", None, {}),
    ("blank", " ", {}),
    ("invalid", "{", {}),
    ("array", '["a"]', {}),
    ("non-string-values-skipped", '{"a":1,"b":null,"c":["x"],"d":"p"}', {"d": "p"}),
    ("stripped", '{" a ":" p "}', {"a": "p"}),
    ("blank-key-skipped", '{" ":"p"}', {}),
    ("blank-value-skipped", '{"a":"  "}', {}),
    ("collision-last-wins", '{"a":"p"," a":"q"}', {"a": "q"}),
    ("collision-with-skipped-last-keeps-first", '{"a":"p"," a":5}', {"a": "p"}),
    ("case-kept", '{"T1":"p","t1":"q"}', {"T1": "p", "t1": "q"}),
    ("values-not-checked", '{"a":"no_such_pack"}', {"a": "no_such_pack"}),
]


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in MAP_CASES], ids=[c[0] for c in MAP_CASES]
)
def test_tenant_map_case(text: str | None, expected: dict[str, str]) -> None:
    runtime = _lenient(DPM_TENANT_POLICY_PACK_MAP_JSON=text)
    assert dict(runtime.tenant_map) == expected == engine.parse_tenant_map(text)
    assert list(runtime.tenant_map) == list(engine.parse_tenant_map(text))


@pytest.mark.parametrize(
    ("text", "expected"), [("  dpm_global_v1 ", "dpm_global_v1"), ("  ", None), (None, None)]
)
def test_global_default_stripped_blank_is_unset(text: str | None, expected: str | None) -> None:
    assert _lenient(DPM_DEFAULT_POLICY_PACK_ID=text).default_policy_pack_id == expected


# -- random catalogs against the look-alike -------------------------------------------------------

_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=12),
    st.sampled_from([0.1, 0.25, 1.0, 3.0, 1e400, float("nan"), 0.1 + 0.2]),
    st.sampled_from(
        [
            "0.1",
            "0.10",
            "1",
            "-1",
            "1e400",
            "NaN",
            "yes",
            "off",
            "3",
            " 3 ",
            "3.0",
            "",
            "x",
            "1.5",
            "0",
        ]
    ),
)
_group = st.dictionaries(
    st.sampled_from(["sector:TECH", "region", "a:b:c", ":x"]),
    st.one_of(_scalar, st.fixed_dictionaries({"max_weight": _scalar})),
    max_size=2,
)


def _section(section: str) -> st.SearchStrategy[object]:
    names = [*_FIELD_NAMES[section], "typo"]
    body = st.dictionaries(st.sampled_from(names), _scalar, max_size=3)
    if section == "constraint_policy":
        body = st.builds(
            lambda b, g, with_g: {**b, "group_constraints": g} if with_g else b,
            body,
            st.one_of(st.none(), _group),
            st.booleans(),
        )
    return st.one_of(body, st.sampled_from([None, [], 0, "", [1], "x"]))


_FIELD_NAMES = {name: list(model.model_fields) for name, model in engine.SECTION_MODELS.items()}
_entry = st.fixed_dictionaries(
    {},
    optional={
        "version": _scalar,
        **{section: _section(section) for section in _FIELD_NAMES},
    },
)
_catalog = st.dictionaries(
    st.sampled_from(["a", " a", "b", " ", "c "]), st.one_of(_entry, _scalar), max_size=4
)


@settings(max_examples=300, deadline=None)
@given(catalog=_catalog)
def test_random_catalogs_match_the_engine(catalog: dict[str, object]) -> None:
    _assert_catalog_matches_engine(json.dumps(catalog))


_header = st.one_of(
    st.none(), st.sampled_from(["", " ", "dpm_standard_v1", " dpm_conservative_v1 ", "zz"])
)


@settings(max_examples=200, deadline=None)
@given(
    enabled=st.sampled_from(["true", "false", "yes", "1", " ON ", "y", "", "enabled"]),
    tenant_enabled=st.sampled_from([None, "true", "false", "on", "t"]),
    default=st.sampled_from([None, "", "  ", "dpm_global_v1", " x "]),
    request=_header,
    tenant_pack=_header,
    tenant=st.one_of(st.none(), st.sampled_from(["", " tenant_001", "tenant_002", "TENANT_001"])),
)
def test_random_lenient_resolution_matches_the_engine(
    enabled: str,
    tenant_enabled: str | None,
    default: str | None,
    request: str | None,
    tenant_pack: str | None,
    tenant: str | None,
) -> None:
    env = variables(
        DPM_POLICY_PACKS_ENABLED=enabled,
        DPM_TENANT_POLICY_PACK_RESOLUTION_ENABLED=tenant_enabled,
        DPM_DEFAULT_POLICY_PACK_ID=default,
    )
    runtime = PolicyRuntime.from_mapping(env, strict=False)
    got = runtime.resolve(
        policy_pack_id=request, tenant_policy_pack_id=tenant_pack, tenant_id=tenant
    )
    assert (got.enabled, got.selected_policy_pack_id, got.source) == engine.resolve(
        env, request, tenant_pack, tenant
    )

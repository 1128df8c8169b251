"""The read endpoints' bodies match the contract's examples (section 6) byte for byte."""

from __future__ import annotations

import json

import runtime_engine_lookalike as engine
from runtime_fixtures import CONSERVATIVE, STANDARD, catalog_json, variables

from dpm_policy_runtime import PolicyRuntime, metric_labels

CATALOG_EXAMPLE = """
{"enabled":true,"total":2,"selected_policy_pack_id":"dpm_standard_v1",
 "selected_policy_pack_present":true,"selected_policy_pack_source":"TENANT_DEFAULT",
 "items":[
  {"policy_pack_id":"dpm_conservative_v1","version":"1",
   "turnover_policy":{"max_turnover_pct":"0.05"},
   "tax_policy":{"enable_tax_awareness":null,"max_realized_capital_gains":null},
   "settlement_policy":{"enable_settlement_awareness":null,"settlement_horizon_days":null},
   "constraint_policy":{"single_position_max_weight":null,"group_constraints":{}},
   "workflow_policy":{"enable_workflow_gates":null,"workflow_requires_mandate_approval":null,
     "mandate_approval_already_obtained":null},
   "idempotency_policy":{"replay_enabled":null}},
  {"policy_pack_id":"dpm_standard_v1","version":"2",
   "turnover_policy":{"max_turnover_pct":"0.10"},
   "tax_policy":{"enable_tax_awareness":true,"max_realized_capital_gains":"100"},
   "settlement_policy":{"enable_settlement_awareness":true,"settlement_horizon_days":3},
   "constraint_policy":{"single_position_max_weight":"0.25",
     "group_constraints":{"sector:TECH":{"max_weight":"0.20"}}},
   "workflow_policy":{"enable_workflow_gates":false,"workflow_requires_mandate_approval":true,
     "mandate_approval_already_obtained":true},
   "idempotency_policy":{"replay_enabled":false}}]}
"""


def _compact(text: str) -> str:
    return json.dumps(json.loads(text), separators=(",", ":"))


def _example_runtime(**overrides: str | None) -> PolicyRuntime:
    catalog = {"dpm_standard_v1": STANDARD, "dpm_conservative_v1": CONSERVATIVE}
    return PolicyRuntime.from_mapping(
        variables(
            DPM_POLICY_PACK_CATALOG_JSON=catalog_json(catalog),
            DPM_DEFAULT_POLICY_PACK_ID=None,
            **overrides,
        )
    )


def test_catalog_body_is_the_contract_example_byte_for_byte() -> None:
    body = _example_runtime().catalog_response(tenant_id="tenant_001")
    assert json.dumps(body, separators=(",", ":")) == _compact(CATALOG_EXAMPLE)


def test_effective_body_examples() -> None:
    runtime = _example_runtime()
    body = runtime.effective_response(policy_pack_id="dpm_standard_v1")
    assert json.dumps(body, separators=(",", ":")) == _compact(
        '{"enabled":true,"selected_policy_pack_id":"dpm_standard_v1","source":"REQUEST"}'
    )
    disabled = _example_runtime(DPM_POLICY_PACKS_ENABLED="false")
    assert json.dumps(disabled.effective_response(policy_pack_id="x"), separators=(",", ":")) == (
        '{"enabled":false,"selected_policy_pack_id":null,"source":"DISABLED"}'
    )


def test_catalog_is_listed_even_when_disabled() -> None:
    body = _example_runtime(DPM_POLICY_PACKS_ENABLED="false").catalog_response()
    assert body["total"] == 2
    assert body["selected_policy_pack_present"] is False
    assert body["selected_policy_pack_source"] == "DISABLED"


def test_unknown_selection_is_revealed_only_by_the_catalog() -> None:
    runtime = _example_runtime()
    assert runtime.effective_response(policy_pack_id="dpm_nope")["source"] == "REQUEST"
    body = runtime.catalog_response(policy_pack_id="dpm_nope")
    assert (body["selected_policy_pack_id"], body["selected_policy_pack_present"]) == (
        "dpm_nope",
        False,
    )


def test_items_equal_the_engines_serialisation() -> None:
    text = variables()["DPM_POLICY_PACK_CATALOG_JSON"]
    body = PolicyRuntime.from_mapping(variables()).catalog_response()
    expected = [engine.item(p) for _, p in sorted(engine.parse_catalog(text).items())]
    assert body["items"] == expected


def test_metric_labels() -> None:
    runtime = _example_runtime()
    assert metric_labels(runtime.resolve(policy_pack_id="dpm_nope")) == {
        "surface": "api",
        "enabled": "true",
        "source": "request",
        "selected": "true",
    }
    none = metric_labels(runtime.resolve(), surface="simulate")
    assert (none["source"], none["selected"], none["surface"]) == ("none", "false", "simulate")

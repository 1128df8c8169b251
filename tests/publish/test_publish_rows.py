"""definition_json carries the engine's bytes for the same pack."""

from __future__ import annotations

import json

import pytest
from publish_items import CONSERVATIVE, STANDARD, engine_bytes, expanded_item

from dpm_policy.publish import desired_row, desired_rows, encode_definition

# docs/engine-contract.md section 6: the engine's expanded item for dpm_standard_v1.
CONTRACT_ITEM = (
    '{"policy_pack_id":"dpm_standard_v1","version":"2",'
    '"turnover_policy":{"max_turnover_pct":"0.10"},'
    '"tax_policy":{"enable_tax_awareness":true,"max_realized_capital_gains":"100"},'
    '"settlement_policy":{"enable_settlement_awareness":true,"settlement_horizon_days":3},'
    '"constraint_policy":{"single_position_max_weight":"0.25",'
    '"group_constraints":{"sector:TECH":{"max_weight":"0.20"}}},'
    '"workflow_policy":{"enable_workflow_gates":false,"workflow_requires_mandate_approval":true,'
    '"mandate_approval_already_obtained":true},'
    '"idempotency_policy":{"replay_enabled":false}}'
)


@pytest.mark.parametrize(
    "item",
    [
        STANDARD,
        CONSERVATIVE,
        expanded_item("bare"),
        expanded_item("ünïcode_pack", "v1.0-β", {"turnover_policy.max_turnover_pct": "1"}),
        expanded_item(
            "groups",
            values={
                "constraint_policy.group_constraints": {
                    "sector:TECH": {"max_weight": "0.2"},
                    "region:EMEA": {"max_weight": "0"},
                }
            },
        ),
    ],
    ids=lambda item: str(item["policy_pack_id"]),
)
def test_definition_json_is_the_engines_bytes(item: dict[str, object]) -> None:
    assert encode_definition(item) == engine_bytes(item)


def test_the_contract_example_encodes_as_the_engine_does() -> None:
    item = json.loads(CONTRACT_ITEM)
    assert encode_definition(item) == engine_bytes(item)
    assert encode_definition(item).startswith('{"constraint_policy":{"group_constraints":')


def test_sizes_match_the_contracts_measurements() -> None:
    # docs/engine-contract.md section 8: 500 + id length all-null; 554 fully set, one group,
    # id of 15.
    assert len(encode_definition(expanded_item("a" * 15))) == 515
    full = expanded_item(
        "b" * 15,
        "1",
        {
            "turnover_policy.max_turnover_pct": "0.15",
            "tax_policy.enable_tax_awareness": True,
            "tax_policy.max_realized_capital_gains": "100",
            "settlement_policy.enable_settlement_awareness": True,
            "settlement_policy.settlement_horizon_days": 3,
            "constraint_policy.single_position_max_weight": "0.25",
            "constraint_policy.group_constraints": {"sector:TECH": {"max_weight": "0.20"}},
            "workflow_policy.enable_workflow_gates": False,
            "workflow_policy.workflow_requires_mandate_approval": True,
            "workflow_policy.mandate_approval_already_obtained": True,
            "idempotency_policy.replay_enabled": False,
        },
    )
    assert len(encode_definition(full)) == 554


def test_rows_are_sorted_and_unique() -> None:
    rows = desired_rows([STANDARD, CONSERVATIVE])
    assert [row.policy_pack_id for row in rows] == ["dpm_conservative_v1", "dpm_standard_v1"]
    with pytest.raises(ValueError, match="appears twice"):
        desired_rows([STANDARD, STANDARD])


def test_row_needs_string_id_and_version() -> None:
    with pytest.raises(ValueError, match="string policy_pack_id"):
        desired_row({"policy_pack_id": "x", "version": 2})

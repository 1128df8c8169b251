"""The strict row check refuses what the engine's catalog read would refuse or misread."""

from __future__ import annotations

import json

import pytest
from publish_items import STANDARD, expanded_item

from dpm_policy.publish import check_row, encode_definition


def _problems(item: dict[str, object]) -> list[tuple[str, bool]]:
    found = check_row(str(item["policy_pack_id"]), str(item["version"]), encode_definition(item))
    return [(problem.path, problem.engine_fails) for problem in found]


def test_a_sound_pack_has_no_problems() -> None:
    assert _problems(STANDARD) == []
    assert _problems(expanded_item("bare")) == []


@pytest.mark.parametrize(
    ("path", "value", "engine_fails"),
    [
        ("settlement_policy.settlement_horizon_days", 11, True),
        ("settlement_policy.settlement_horizon_days", -1, True),
        ("settlement_policy.settlement_horizon_days", "3", False),
        ("constraint_policy.single_position_max_weight", "1.5", True),
        ("tax_policy.max_realized_capital_gains", "-1", True),
        ("turnover_policy.max_turnover_pct", "15", False),  # passes the read, reaches the solver
        ("turnover_policy.max_turnover_pct", 0.1, False),
        ("turnover_policy.max_turnover_pct", "1e-1", False),
        ("turnover_policy.max_turnover_pct", "abc", True),
        ("tax_policy.enable_tax_awareness", "yes", False),
        ("tax_policy.enable_tax_awareness", "maybe", True),
        ("constraint_policy.group_constraints", None, True),
        ("workflow_policy.workflow_requires_client_consent", True, False),
    ],
)
def test_field_problems(path: str, value: object, engine_fails: bool) -> None:
    assert _problems(expanded_item("p", values={path: value})) == [(path, engine_fails)]


def test_group_constraint_problems() -> None:
    groups = {
        "sector": {"max_weight": "0.2"},
        "sector:TECH": {"max_weight": "2"},
        "region:EU": {},
    }
    found = _problems(expanded_item("p", values={"constraint_policy.group_constraints": groups}))
    # One bad max_weight makes the engine refuse the whole row.
    assert sorted(found) == [
        ("constraint_policy.group_constraints.region:EU.max_weight", True),
        ("constraint_policy.group_constraints.sector", True),
        ("constraint_policy.group_constraints.sector:TECH.max_weight", True),
    ]


def test_a_bad_group_key_alone_passes_the_read_but_is_refused() -> None:
    groups = {"sector": {"max_weight": "0.2"}}
    found = _problems(expanded_item("p", values={"constraint_policy.group_constraints": groups}))
    assert found == [("constraint_policy.group_constraints.sector", False)]


def test_renamed_field_names_its_successor() -> None:
    item = expanded_item("p", values={"workflow_policy.client_consent_already_obtained": True})
    (problem,) = check_row("p", "1", encode_definition(item))
    assert "renamed to mandate_approval_already_obtained" in problem.message


def test_broken_definitions() -> None:
    assert [p.engine_fails for p in check_row("p", "1", "{not json")] == [True]
    assert [p.engine_fails for p in check_row("p", "1", "[]")] == [True]
    assert [p.engine_fails for p in check_row("p", "1", '{"x": NaN}')] == [False]
    null_section = json.dumps({"tax_policy": None})
    assert [(p.path, p.engine_fails) for p in check_row("p", "1", null_section)] == [
        ("tax_policy", True)
    ]


def test_columns_are_checked() -> None:
    found = check_row(" p", "", "{}")
    assert [(p.path, p.engine_fails) for p in found] == [("", False), ("version", False)]
    assert "surrounding whitespace" in found[0].message

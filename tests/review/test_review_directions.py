"""Every field of the pack-field table has a direction rule, and each reads as the engine
applies a pack: unset leaves the request's own option (the engine's default when it sets none)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dpm_policy.review.direction import direction_of
from dpm_policy_runtime.fields import FIELDS, FIELDS_BY_PATH

# The rule of every field, as the review applies it.
RULES = {
    "turnover_policy.max_turnover_pct": "lower",
    "tax_policy.enable_tax_awareness": "enable",
    "tax_policy.max_realized_capital_gains": "lower",
    "settlement_policy.enable_settlement_awareness": "enable",
    "settlement_policy.settlement_horizon_days": "neutral",
    "constraint_policy.single_position_max_weight": "lower",
    "constraint_policy.group_constraints": "lower",
    "workflow_policy.enable_workflow_gates": "enable",
    "workflow_policy.workflow_requires_mandate_approval": "enable",
    "workflow_policy.mandate_approval_already_obtained": "disable",
    "idempotency_policy.replay_enabled": "neutral",
}


def test_every_field_has_its_rule() -> None:
    assert {spec.path: spec.tightening for spec in FIELDS} == RULES


D = Decimal


@pytest.mark.parametrize(
    ("path", "old", "new", "expected"),
    [
        # A cap raised or removed loosens; unset is no cap unless the request sets one.
        ("turnover_policy.max_turnover_pct", D("0.10"), D("0.15"), "loosened"),
        ("turnover_policy.max_turnover_pct", D("0.10"), None, "loosened"),
        ("turnover_policy.max_turnover_pct", None, D("0.10"), "tightened"),
        ("tax_policy.max_realized_capital_gains", D("100"), D("50"), "tightened"),
        ("constraint_policy.group_constraints", D("0.15"), None, "loosened"),
        ("constraint_policy.single_position_max_weight", D("0.25"), D("0.20"), "tightened"),
        # A check or gate turned off loosens; unset is the engine's default.
        ("tax_policy.enable_tax_awareness", True, False, "loosened"),
        ("tax_policy.enable_tax_awareness", True, None, "loosened"),
        ("tax_policy.enable_tax_awareness", False, None, None),
        ("workflow_policy.enable_workflow_gates", True, False, "loosened"),
        ("workflow_policy.enable_workflow_gates", False, None, "tightened"),
        ("workflow_policy.enable_workflow_gates", True, None, None),
        # An approval no longer required, or treated as obtained, loosens.
        ("workflow_policy.workflow_requires_mandate_approval", True, False, "loosened"),
        ("workflow_policy.workflow_requires_mandate_approval", True, None, "loosened"),
        ("workflow_policy.mandate_approval_already_obtained", False, True, "loosened"),
        ("workflow_policy.mandate_approval_already_obtained", None, True, "loosened"),
        # Shown, without a direction.
        ("settlement_policy.settlement_horizon_days", 3, 5, None),
        ("settlement_policy.settlement_horizon_days", 3, None, None),
        ("idempotency_policy.replay_enabled", True, False, None),
    ],
)
def test_direction(path: str, old: object, new: object, expected: str | None) -> None:
    assert direction_of(FIELDS_BY_PATH[path], old, new) == expected

"""The engine's policy-pack fields: one table that every other module reads.

Each row is one knob of docs/engine-contract.md section 3: the section it lives in, its type, the
bounds to enforce (the stricter of the engine's pack model and its ``EngineOptions``), the
``EngineOptions`` field it overrides, and which direction of change makes the rule stricter.
The pydantic models, the JSON Schemas, the compiler, the runtime resolver and the review report
all take their field lists and bounds from here, so they cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

__all__ = [
    "FIELDS",
    "FIELDS_BY_PATH",
    "GROUP_MAX_WEIGHT",
    "RENAMED_FIELDS",
    "SECTIONS",
    "FieldKind",
    "FieldSpec",
    "Tightening",
    "fields_of",
    "is_group_key",
]

FieldKind = Literal["decimal", "bool", "int", "group_constraints"]

# The direction rule of a field: which change of the value the engine applies makes a client's
# rebalancing stricter. "lower": a cap, stricter as it shrinks and loosest when absent (the
# request's own option, no cap by default); "higher": the reverse; "enable": a check or a
# requirement, stricter when on; "disable": stricter when off (an approval treated as already
# obtained); "neutral": a change is shown, with no direction (the settlement horizon, the
# simulate replay switch). The review (``dpm_policy.review.direction``) applies these rules.
Tightening = Literal["lower", "higher", "enable", "disable", "neutral"]

SECTIONS: tuple[str, ...] = (
    "turnover_policy",
    "tax_policy",
    "settlement_policy",
    "constraint_policy",
    "workflow_policy",
    "idempotency_policy",
)


@dataclass(frozen=True)
class FieldSpec:
    """One policy knob, as the engine reads it."""

    section: str
    name: str
    kind: FieldKind
    description: str
    example: object
    minimum: Decimal | int | None = None
    maximum: Decimal | int | None = None
    # The EngineOptions field the knob overrides; None for the simulate replay switch.
    option: str | None = None
    # The engine's default for that option when no pack and no request sets it.
    engine_default: object = None
    # Required of every row, so no field can be added without saying how a change reads.
    tightening: Tightening = field(kw_only=True)

    @property
    def path(self) -> str:
        """The dotted YAML path, e.g. ``turnover_policy.max_turnover_pct``."""
        return f"{self.section}.{self.name}"


_ZERO = Decimal("0")
_ONE = Decimal("1")

FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "turnover_policy",
        "max_turnover_pct",
        "decimal",
        "Cap on portfolio turnover per rebalance, as a fraction of portfolio value "
        "(0.15 means 15 %).",
        "0.15",
        minimum=_ZERO,
        maximum=_ONE,
        option="max_turnover_pct",
        tightening="lower",
    ),
    FieldSpec(
        "tax_policy",
        "enable_tax_awareness",
        "bool",
        "Allocate sells so as to limit realised capital gains.",
        True,
        option="enable_tax_awareness",
        engine_default=False,
        tightening="enable",
    ),
    FieldSpec(
        "tax_policy",
        "max_realized_capital_gains",
        "decimal",
        "Budget of realised capital gains per rebalance, in the portfolio's base currency.",
        "10000",
        minimum=_ZERO,
        option="max_realized_capital_gains",
        tightening="lower",
    ),
    FieldSpec(
        "settlement_policy",
        "enable_settlement_awareness",
        "bool",
        "Check the settlement ladder so that no day's cash goes negative.",
        True,
        option="enable_settlement_awareness",
        engine_default=False,
        tightening="enable",
    ),
    FieldSpec(
        "settlement_policy",
        "settlement_horizon_days",
        "int",
        "How many settlement days ahead the ladder checks (0 to 10).",
        3,
        minimum=0,
        maximum=10,
        option="settlement_horizon_days",
        engine_default=5,
        # Longer is neither safer nor riskier for the client: how far ahead cash is checked.
        tightening="neutral",
    ),
    FieldSpec(
        "constraint_policy",
        "single_position_max_weight",
        "decimal",
        "Largest weight any one position may reach, as a fraction (0.25 means 25 %).",
        "0.25",
        minimum=_ZERO,
        maximum=_ONE,
        option="single_position_max_weight",
        tightening="lower",
    ),
    FieldSpec(
        "constraint_policy",
        "group_constraints",
        "group_constraints",
        "Caps on the total weight of a group of positions, keyed 'attribute:value' "
        "(e.g. 'sector:TECH'). A non-empty map replaces the request's map; it is not merged.",
        {"sector:TECH": {"max_weight": "0.20"}},
        option="group_constraints",
        engine_default={},
        tightening="lower",
    ),
    FieldSpec(
        "workflow_policy",
        "enable_workflow_gates",
        "bool",
        "Produce workflow gates (review, approval) with each rebalance proposal.",
        True,
        option="enable_workflow_gates",
        engine_default=True,
        tightening="enable",
    ),
    FieldSpec(
        "workflow_policy",
        "workflow_requires_mandate_approval",
        "bool",
        "Require the client's mandate approval before execution.",
        True,
        option="workflow_requires_mandate_approval",
        engine_default=False,
        tightening="enable",
    ),
    FieldSpec(
        "workflow_policy",
        "mandate_approval_already_obtained",
        "bool",
        "Treat the mandate approval as already obtained when gates are evaluated.",
        False,
        option="mandate_approval_already_obtained",
        engine_default=False,
        tightening="disable",
    ),
    FieldSpec(
        "idempotency_policy",
        "replay_enabled",
        "bool",
        "Replay the stored result of a repeated simulate request (simulate only).",
        True,
        option=None,
        engine_default=True,
        tightening="neutral",
    ),
)

FIELDS_BY_PATH: dict[str, FieldSpec] = {spec.path: spec for spec in FIELDS}

# Bounds of ``group_constraints.<key>.max_weight``.
GROUP_MAX_WEIGHT: tuple[Decimal, Decimal] = (_ZERO, _ONE)

# Fields renamed on 2026-05-01 (engine commit 6f15670) with no alias: the old names are
# silently ignored by the engine, so we reject them and name the new field.
RENAMED_FIELDS: dict[tuple[str, str], str] = {
    ("workflow_policy", "workflow_requires_client_consent"): "workflow_requires_mandate_approval",
    ("workflow_policy", "client_consent_already_obtained"): "mandate_approval_already_obtained",
}


def fields_of(section: str) -> tuple[FieldSpec, ...]:
    """The fields of one section, in the engine's order."""
    return tuple(spec for spec in FIELDS if spec.section == section)


def is_group_key(key: str) -> bool:
    """Whether ``key`` is ``attribute:value``: one colon, text on both sides, as the engine's
    ``EngineOptions`` requires (its pack model takes any key)."""
    attribute, _, tag = key.partition(":")
    return key.count(":") == 1 and bool(attribute) and bool(tag)

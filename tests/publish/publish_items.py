"""Fully expanded catalog items for tests, built from the field table (not from the runtime)."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field, create_model

from dpm_policy_runtime.fields import SECTIONS, fields_of


def expanded_item(
    policy_pack_id: str, version: str = "1", values: Mapping[str, object] | None = None
) -> dict[str, object]:
    """The engine's expanded item: every field, unset ``None``, group constraints ``{}``.

    ``values`` is keyed by dotted path (``turnover_policy.max_turnover_pct``); a path outside
    the field table is added as given, to build items the engine would refuse or ignore.
    """
    item: dict[str, object] = {"policy_pack_id": policy_pack_id, "version": version}
    for section in SECTIONS:
        item[section] = {
            spec.name: ({} if spec.kind == "group_constraints" else None)
            for spec in fields_of(section)
        }
    for path, value in (values or {}).items():
        section, _, name = path.partition(".")
        target = item.setdefault(section, {})
        assert isinstance(target, dict)
        target[name] = copy.deepcopy(value)
    return item


STANDARD = expanded_item(
    "dpm_standard_v1",
    "2",
    {
        "turnover_policy.max_turnover_pct": "0.1",
        "tax_policy.enable_tax_awareness": True,
        "tax_policy.max_realized_capital_gains": "100",
        "settlement_policy.enable_settlement_awareness": True,
        "settlement_policy.settlement_horizon_days": 3,
        "constraint_policy.single_position_max_weight": "0.25",
        "constraint_policy.group_constraints": {"sector:TECH": {"max_weight": "0.2"}},
        "workflow_policy.enable_workflow_gates": False,
        "workflow_policy.workflow_requires_mandate_approval": True,
        "workflow_policy.mandate_approval_already_obtained": True,
        "idempotency_policy.replay_enabled": False,
    },
)

CONSERVATIVE = expanded_item(
    "dpm_conservative_v1", "1", {"turnover_policy.max_turnover_pct": "0.05"}
)


class _Group(BaseModel):
    max_weight: Decimal


def _engine_model() -> type[BaseModel]:
    """A pydantic pack model with the engine's shape, built from our field table.

    Its ``model_dump(mode="json")`` is what the engine's repository encodes; the only thing
    that matters for the bytes is the shape (names, optional scalars, the group map).
    """
    sections: dict[str, Any] = {}
    for section in SECTIONS:
        fields: dict[str, Any] = {}
        for spec in fields_of(section):
            if spec.kind == "group_constraints":
                fields[spec.name] = (dict[str, _Group], Field(default_factory=dict))
            else:
                kind = {"decimal": Decimal, "bool": bool, "int": int}[spec.kind]
                fields[spec.name] = (kind | None, None)
        model = create_model(f"Engine_{section}", **fields)
        sections[section] = (model, Field(default_factory=model))
    return create_model(
        "EngineDefinition", policy_pack_id=(str, ...), version=(str, ...), **sections
    )


ENGINE = _engine_model()


def engine_bytes(payload: dict[str, object]) -> str:
    """What the engine's repository stores for this pack: its model's JSON dump, encoded."""
    dumped = ENGINE.model_validate(payload).model_dump(mode="json")
    return json.dumps(dumped, separators=(",", ":"), sort_keys=True)

"""Shared inputs for the runtime tests: the contract's example catalog and variable sets."""

from __future__ import annotations

import json

STANDARD = {
    "version": "2",
    "turnover_policy": {"max_turnover_pct": "0.10"},
    "tax_policy": {"enable_tax_awareness": True, "max_realized_capital_gains": "100"},
    "settlement_policy": {"enable_settlement_awareness": True, "settlement_horizon_days": 3},
    "constraint_policy": {
        "single_position_max_weight": "0.25",
        "group_constraints": {"sector:TECH": {"max_weight": "0.20"}},
    },
    "workflow_policy": {
        "enable_workflow_gates": False,
        "workflow_requires_mandate_approval": True,
        "mandate_approval_already_obtained": True,
    },
    "idempotency_policy": {"replay_enabled": False},
}
CONSERVATIVE = {"version": "1", "turnover_policy": {"max_turnover_pct": "0.05"}}
GLOBAL_PACK = {"version": "1", "settlement_policy": {"settlement_horizon_days": 2}}

# Written out of order on purpose: responses sort by id.
CATALOG = {
    "dpm_standard_v1": STANDARD,
    "dpm_conservative_v1": CONSERVATIVE,
    "dpm_global_v1": GLOBAL_PACK,
}
TENANT_MAP = {"tenant_001": "dpm_standard_v1", "tenant_002": "dpm_conservative_v1"}


def variables(**overrides: str | None) -> dict[str, str]:
    """A valid, fully enabled variable set; ``NAME=None`` removes a variable."""
    base: dict[str, str | None] = {
        "DPM_POLICY_PACKS_ENABLED": "true",
        "DPM_DEFAULT_POLICY_PACK_ID": "dpm_global_v1",
        "DPM_POLICY_PACK_CATALOG_JSON": json.dumps(CATALOG, separators=(",", ":")),
        "DPM_TENANT_POLICY_PACK_RESOLUTION_ENABLED": "true",
        "DPM_TENANT_POLICY_PACK_MAP_JSON": json.dumps(TENANT_MAP, separators=(",", ":")),
        "DPM_IDEMPOTENCY_REPLAY_ENABLED": "true",
    }
    base.update(overrides)
    return {name: value for name, value in base.items() if value is not None}


def catalog_json(catalog: object) -> str:
    return json.dumps(catalog, separators=(",", ":"))

"""The environment variables the resolver reads, with the engine's defaults (contract section 1)."""

from __future__ import annotations

__all__ = [
    "CATALOG_JSON",
    "DEFAULT_POLICY_PACK_ID",
    "POLICY_PACKS_ENABLED",
    "POSTGRES_DSN",
    "REPLAY_ENABLED",
    "TENANT_MAP_JSON",
    "TENANT_RESOLUTION_ENABLED",
    "VARIABLES",
]

POLICY_PACKS_ENABLED = "DPM_POLICY_PACKS_ENABLED"
DEFAULT_POLICY_PACK_ID = "DPM_DEFAULT_POLICY_PACK_ID"
CATALOG_JSON = "DPM_POLICY_PACK_CATALOG_JSON"
TENANT_RESOLUTION_ENABLED = "DPM_TENANT_POLICY_PACK_RESOLUTION_ENABLED"
TENANT_MAP_JSON = "DPM_TENANT_POLICY_PACK_MAP_JSON"
REPLAY_ENABLED = "DPM_IDEMPOTENCY_REPLAY_ENABLED"

# Every variable the compiled output holds, in the order the compiler writes them.
VARIABLES: tuple[str, ...] = (
    POLICY_PACKS_ENABLED,
    DEFAULT_POLICY_PACK_ID,
    CATALOG_JSON,
    TENANT_RESOLUTION_ENABLED,
    TENANT_MAP_JSON,
    REPLAY_ENABLED,
)

# Not read by the resolver: the engine's catalog database (contract section 7), which
# ``dpm-policy publish`` writes to.
POSTGRES_DSN = "DPM_POLICY_PACK_POSTGRES_DSN"

"""The engine's environment variables for one environment (docs/engine-contract.md section 1)."""

from __future__ import annotations

from collections.abc import Mapping

from dpm_policy.compile.encode import canonical_json
from dpm_policy.model import EnvironmentFile
from dpm_policy_runtime.variables import (
    CATALOG_JSON,
    DEFAULT_POLICY_PACK_ID,
    POLICY_PACKS_ENABLED,
    REPLAY_ENABLED,
    TENANT_MAP_JSON,
    TENANT_RESOLUTION_ENABLED,
    VARIABLES,
)

__all__ = ["build_variables", "flag"]


def flag(value: bool) -> str:
    """``true`` or ``false``: the only spellings the engine's ``env_flag`` and people agree on."""
    return "true" if value else "false"


def build_variables(
    environment: EnvironmentFile,
    catalog: Mapping[str, object],
    tenant_map: Mapping[str, str],
) -> dict[str, str]:
    """Variable name -> value, in the runtime's order; the default pack only when set."""
    values = {
        POLICY_PACKS_ENABLED: flag(environment.policy_packs_enabled),
        CATALOG_JSON: canonical_json(catalog),
        TENANT_RESOLUTION_ENABLED: flag(environment.tenant_resolution_enabled),
        TENANT_MAP_JSON: canonical_json(tenant_map),
        REPLAY_ENABLED: flag(environment.idempotency_replay_enabled),
    }
    if environment.default_policy_pack is not None:
        values[DEFAULT_POLICY_PACK_ID] = environment.default_policy_pack
    return {name: values[name] for name in VARIABLES if name in values}

"""The engine's environment variables for one environment (docs/engine-contract.md section 1)."""

from __future__ import annotations

from collections.abc import Mapping

from dpm_policy.compile.encode import canonical_json
from dpm_policy.model import EnvironmentFile
from dpm_policy_runtime.switches import ENGINE_SWITCHES, switch_text
from dpm_policy_runtime.variables import CATALOG_JSON, TENANT_MAP_JSON, VARIABLES

__all__ = ["build_variables"]


def build_variables(
    environment: EnvironmentFile,
    catalog: Mapping[str, object],
    tenant_map: Mapping[str, str],
) -> dict[str, str]:
    """Variable name -> value, in the runtime's order: each engine switch of the switch table
    as it is written (a default pack only when set), the catalog and the tenant map."""
    values = {CATALOG_JSON: canonical_json(catalog), TENANT_MAP_JSON: canonical_json(tenant_map)}
    for spec in ENGINE_SWITCHES:
        assert spec.variable is not None
        text = switch_text(spec, getattr(environment, spec.key))
        if text is not None:
            values[spec.variable] = text
    return {name: values[name] for name in VARIABLES if name in values}

"""How the catalog reaches the engine: with the other variables, or through ``publish``.

An environment's ``catalog_delivery`` decides. With ``environment`` (the default) every compiled
variable goes into ``dpm-policy.env`` and the ConfigMap, the files delivered into the engine's
process environment. With ``postgres``, the catalog's variable (``CATALOG_JSON``) is left out of
both:
``dpm-policy publish`` writes the catalog to the engine's Postgres table, the only place the
engine at HEAD reads packs from (docs/engine-contract.md sections 7 and 9.1), so the kernel's limit
on one variable no longer applies to it. ``env.json`` and ``catalog.json`` hold the catalog
either way: they are the compiled configuration that publish, diff, explain and the runtime
read.

An environment's ``tenant_map_delivery`` does the same for the tenant map: with ``file`` or
``postgres``, ``DPM_TENANT_POLICY_PACK_MAP_JSON`` is left out of both files, and a service that
resolves through ``dpm_policy_runtime`` reads it from a mounted ``env.json`` (``file``, one
ConfigMap of at most 1 MiB) or from the ``dpm_policy_tenant_packs`` table that ``publish``
writes beside the catalog (``postgres``). The engine reads its tenant map only from the
variable, so an engine that reads only its variables can use neither.
"""

from __future__ import annotations

from collections.abc import Mapping

from dpm_policy.model.types import CatalogDeliveryName, TenantMapDeliveryName
from dpm_policy_runtime.variables import CATALOG_JSON, TENANT_MAP_JSON

__all__ = [
    "RUNTIME_ONLY",
    "catalog_note",
    "delivered_variables",
    "postgres_fix",
    "tenant_map_fix",
    "tenant_map_note",
    "tenant_map_summary",
]

# Said wherever a tenant map leaves the variables: the engine itself cannot follow it there.
RUNTIME_ONLY = (
    "an engine that reads only its variables cannot use it; only services that resolve "
    "through dpm_policy_runtime can"
)


def delivered_variables(
    variables: Mapping[str, str],
    delivery: CatalogDeliveryName,
    tenant_map_delivery: TenantMapDeliveryName = "environment",
) -> dict[str, str]:
    """The variables ``dpm-policy.env`` and the ConfigMap hold, in the given order."""
    left_out: set[str] = set()
    if delivery == "postgres":
        left_out.add(CATALOG_JSON)
    if tenant_map_delivery != "environment":
        left_out.add(TENANT_MAP_JSON)
    return {name: value for name, value in variables.items() if name not in left_out}


def tenant_map_note(environment: str, delivery: TenantMapDeliveryName) -> str | None:
    """The header line on where the tenant map went, when it is not among the variables."""
    if delivery == "file":
        return (
            f"{TENANT_MAP_JSON} is left out (tenant_map_delivery: file): mount env.json as a "
            f"ConfigMap volume and resolve through dpm_policy_runtime; {RUNTIME_ONLY}."
        )
    if delivery == "postgres":
        return (
            f"{TENANT_MAP_JSON} is left out (tenant_map_delivery: postgres): write it to "
            f"Postgres with dpm-policy publish --env {environment} --apply and resolve through "
            f"dpm_policy_runtime; {RUNTIME_ONLY}."
        )
    return None


def tenant_map_summary(environment: str, delivery: TenantMapDeliveryName) -> str | None:
    """The compile summary's line on a tenant map delivered outside the variables."""
    if delivery == "file":
        where = "as a file: mount env.json from a ConfigMap volume"
    elif delivery == "postgres":
        where = f"through Postgres: publish it with dpm-policy publish --env {environment} --apply"
    else:
        return None
    return f"tenant map delivered {where}; {RUNTIME_ONLY}"


def tenant_map_fix(environment: str, delivery: TenantMapDeliveryName) -> str:
    """What to do when the tenant map outgrows how it is delivered now."""
    postgres = (
        f"set tenant_map_delivery: postgres in environments/{environment}.yaml and publish with "
        f"dpm-policy publish --env {environment} --apply ({RUNTIME_ONLY})"
    )
    if delivery == "environment":
        return (
            "serve fewer tenants from this environment, or deliver the tenant map outside the "
            f"variables: {postgres}"
        )
    return f"deliver the tenant map through Postgres instead: {postgres}"


def catalog_note(environment: str, delivery: CatalogDeliveryName) -> str:
    """The header line of ``dpm-policy.env`` and ``configmap.yaml`` on where packs come from."""
    if delivery == "postgres":
        return (
            f"{CATALOG_JSON} is left out (catalog_delivery: postgres): the engine reads pack "
            f"definitions from its Postgres catalog; write them there with dpm-policy publish "
            f"--env {environment} --apply."
        )
    return (
        "The engine reads pack definitions from its Postgres catalog: also run "
        f"dpm-policy publish --env {environment}."
    )


def postgres_fix(environment: str) -> str:
    """What to do when the catalog outgrows what environment variables can deliver."""
    return (
        "deliver the catalog through the engine's Postgres catalog instead: set "
        f"catalog_delivery: postgres in environments/{environment}.yaml and publish with "
        f"dpm-policy publish --env {environment} --apply"
    )

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
"""

from __future__ import annotations

from collections.abc import Mapping

from dpm_policy.model.types import CatalogDeliveryName
from dpm_policy_runtime.variables import CATALOG_JSON

__all__ = ["catalog_note", "delivered_variables", "postgres_fix"]


def delivered_variables(
    variables: Mapping[str, str], delivery: CatalogDeliveryName
) -> dict[str, str]:
    """The variables ``dpm-policy.env`` and the ConfigMap hold, in the given order."""
    if delivery == "postgres":
        return {name: value for name, value in variables.items() if name != CATALOG_JSON}
    return dict(variables)


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

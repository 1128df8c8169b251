"""The order rules between the two roads to the engine: the Postgres catalog and the bundle.

The engine selects packs by id and says nothing when an id is unknown: the request is served
with its options unchanged (docs/engine-contract.md section 5). So every moment between the two
deliveries must leave every named pack in the catalog:

1. packs reach Postgres before a delivered bundle names them: for an environment with
   ``catalog_delivery: postgres``, ``deliver`` reads the table and refuses a bundle naming a
   pack missing from it (``publish --apply``, which only upserts, comes first);
2. a row leaves Postgres only once the delivered bundle no longer names it: ``publish --prune``
   reads the bundle on the GitOps branch and refuses to delete a row it still names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from dpm_policy.deliver.compiled import named_packs
from dpm_policy.deliver.delivered import DeliveredBundle
from dpm_policy.deliver.errors import DeliveryRefused
from dpm_policy.publish.db import connect, driver_errors, read_rows, table_exists
from dpm_policy.publish.dsn import Dsn
from dpm_policy.publish.plan import Plan

__all__ = ["missing_from_catalog", "prune_guard", "refuse_missing_packs"]


def missing_from_catalog(dsn: Dsn, named: Iterable[str]) -> list[str]:
    """The named packs that have no row in the catalog table, sorted. Read-only."""
    connection = connect(dsn)
    try:
        with driver_errors(dsn, f"cannot read the catalog at {dsn.describe()}"):
            connection.read_only = True
            with connection.transaction():
                stored = read_rows(connection) if table_exists(connection) else {}
    finally:
        connection.close()
    return sorted(set(named) - stored.keys())


def refuse_missing_packs(dsn: Dsn, named: Iterable[str], environment: str) -> None:
    """Raise DeliveryRefused when a named pack is not in the catalog table."""
    missing = missing_from_catalog(dsn, named)
    if missing:
        raise DeliveryRefused(
            f"refusing to deliver {environment}: the bundle names pack(s) missing from the "
            f"engine's catalog at {dsn.describe()}: {', '.join(missing)}; publish them first "
            f"with dpm-policy publish --env {environment} --apply"
        )


def prune_guard(delivered: DeliveredBundle, environment: str) -> Callable[[Plan], None]:
    """A check of a publish plan: it raises DeliveryRefused when the plan deletes a row that
    the bundle delivered for ``environment`` still names, or when nothing is delivered."""
    if delivered.bundle is None:
        raise DeliveryRefused(
            f"refusing to prune {environment}: nothing is delivered for it on "
            f"{delivered.describe()}, so prune cannot tell which rows the engine still needs; "
            "check --delivered-to and --branch, or deliver first"
        )
    bundle = delivered.bundle
    named = named_packs(bundle.files)

    def guard(plan: Plan) -> None:
        blocked = sorted(
            change.policy_pack_id
            for change in plan.changes
            if change.action == "delete" and change.policy_pack_id in named
        )
        if blocked:
            raise DeliveryRefused(
                f"refusing to prune {environment}: the bundle delivered on "
                f"{delivered.describe()} (from source commit {bundle.source_commit}) still "
                f"names {', '.join(blocked)}; nothing was deleted. Deliver the change first "
                f"(dpm-policy deliver --env {environment}), then prune"
            )

    return guard

"""Read the table as it stands and plan against it, without writing or locking anything."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from dpm_policy.publish.db import connect, driver_errors, read_rows, table_exists
from dpm_policy.publish.dsn import Dsn
from dpm_policy.publish.plan import Plan, build_plan
from dpm_policy.publish.rows import DesiredRow
from dpm_policy.publish.tenant_db import read_tenants, tenant_tables_exist
from dpm_policy.publish.tenant_plan import build_tenant_plan

__all__ = ["plan_catalog"]


def plan_catalog(
    dsn: Dsn,
    desired: Sequence[DesiredRow],
    *,
    prune: bool,
    tenants: Mapping[str, str] | None = None,
) -> Plan:
    """The plan an apply would carry out now. Read-only: a missing table is not created.

    ``tenants`` is the compiled tenant map of an environment that delivers it through Postgres
    (None otherwise): the plan then covers the tenant rows too, read in the same snapshot.

    Raises ConnectionFailed when the database cannot be read.
    """
    connection = connect(dsn)
    try:
        with driver_errors(dsn, f"cannot read the catalog at {dsn.describe()}"):
            # A read-only transaction: one consistent snapshot, and a guarantee of no writes.
            connection.read_only = True
            with connection.transaction():
                exists = table_exists(connection)
                stored = read_rows(connection) if exists else {}
                tenant_tables = tenants is not None and tenant_tables_exist(connection)
                stored_tenants = read_tenants(connection) if tenant_tables else {}
    finally:
        connection.close()
    plan = build_plan(desired, stored, table_exists=exists, prune=prune)
    if tenants is None:
        return plan
    return replace(
        plan,
        tenants=build_tenant_plan(tenants, stored_tenants, tables_exist=tenant_tables, prune=prune),
    )

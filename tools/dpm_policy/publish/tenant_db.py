"""The SQL of the tenant map's tables: the migration, reads, bulk writes and the revision.

The tables are this project's (``migrations/0001_tenant_map.sql``); their names are the
runtime's, which reads them (:mod:`dpm_policy_runtime.postgres`). Writes are one statement per
kind of change, whatever the number of tenants, so 50,000 rows cost three round trips.
"""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING

from dpm_policy.publish.tenant_plan import TenantPlan
from dpm_policy_runtime.postgres import REVISION_TABLE, TENANT_TABLE

if TYPE_CHECKING:
    from dpm_policy.publish.db import Connection

__all__ = [
    "MIGRATION",
    "apply_migration",
    "bump_revision",
    "migration_sql",
    "read_tenants",
    "revision_exists",
    "tenant_tables_exist",
    "write_tenants",
]

MIGRATION = "0001_tenant_map.sql"

_UPSERT = (
    f"INSERT INTO {TENANT_TABLE} (tenant_id, policy_pack_id, created_at, updated_at) "
    "SELECT t.tenant_id, t.policy_pack_id, %s, %s "
    "FROM unnest(%s::text[], %s::text[]) AS t(tenant_id, policy_pack_id) "
    "ON CONFLICT (tenant_id) DO UPDATE SET policy_pack_id = excluded.policy_pack_id, "
    "updated_at = excluded.updated_at"
)
_DELETE = f"DELETE FROM {TENANT_TABLE} WHERE tenant_id = ANY(%s::text[])"
_BUMP = f"UPDATE {REVISION_TABLE} SET revision = revision + 1, updated_at = %s"


def migration_sql() -> str:
    """The migration's text, as shipped in the package."""
    return (
        resources.files("dpm_policy.publish")
        .joinpath("migrations", MIGRATION)
        .read_text(encoding="utf-8")
    )


def tenant_tables_exist(connection: Connection) -> bool:
    """Whether both of the migration's tables are visible on the search path."""
    row = connection.execute(
        "SELECT to_regclass(%s) IS NOT NULL AND to_regclass(%s) IS NOT NULL",
        (TENANT_TABLE, REVISION_TABLE),
    ).fetchone()
    return bool(row and row[0])


def revision_exists(connection: Connection) -> bool:
    """Whether the revision table is there to be raised."""
    row = connection.execute("SELECT to_regclass(%s) IS NOT NULL", (REVISION_TABLE,)).fetchone()
    return bool(row and row[0])


def apply_migration(connection: Connection) -> None:
    """Create the tables and the revision row; harmless when they exist."""
    connection.execute(migration_sql())


def read_tenants(connection: Connection) -> dict[str, str]:
    """Every stored tenant row: tenant id -> pack id."""
    records = connection.execute(
        f"SELECT tenant_id, policy_pack_id FROM {TENANT_TABLE} ORDER BY tenant_id"
    ).fetchall()
    return {str(tenant): str(pack) for tenant, pack in records}


def write_tenants(connection: Connection, plan: TenantPlan, now: str) -> None:
    """Carry out the plan's tenant changes; an update keeps ``created_at``."""
    upserts = [change for change in plan.changes if change.action != "delete"]
    deletes = [change.tenant_id for change in plan.changes if change.action == "delete"]
    if upserts:
        connection.execute(
            _UPSERT,
            (
                now,
                now,
                [change.tenant_id for change in upserts],
                [change.after for change in upserts],
            ),
        )
    if deletes:
        connection.execute(_DELETE, (deletes,))


def bump_revision(connection: Connection, now: str) -> None:
    """Tell readers that something changed: raise the revision, in the writing transaction."""
    connection.execute(_BUMP, (now,))

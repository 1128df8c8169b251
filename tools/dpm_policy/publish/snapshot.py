"""Read the table as it stands and plan against it, without writing or locking anything."""

from __future__ import annotations

from collections.abc import Sequence

from dpm_policy.publish.db import connect, driver_errors, read_rows, table_exists
from dpm_policy.publish.dsn import Dsn
from dpm_policy.publish.plan import Plan, build_plan
from dpm_policy.publish.rows import DesiredRow

__all__ = ["plan_catalog"]


def plan_catalog(dsn: Dsn, desired: Sequence[DesiredRow], *, prune: bool) -> Plan:
    """The plan an apply would carry out now. Read-only: a missing table is not created.

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
    finally:
        connection.close()
    return build_plan(desired, stored, table_exists=exists, prune=prune)

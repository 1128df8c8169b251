"""Apply a plan in one transaction: all rows written and verified, or nothing at all.

The order inside the transaction:
1. take the publish advisory lock (a second publisher waits here), so the plan is computed
   from a state nobody else is changing;
2. create the table when it is missing, exactly as the engine's migration does;
3. read the table (and, for ``tenant_map_delivery: postgres``, the tenant rows) and plan; a
   caller's ``guard`` sees the whole plan here and may refuse it by raising (``publish
   --prune`` refuses to delete a row the delivered bundle still names); when nothing differs,
   stop without writing (a second apply is a no-op: no row is touched and every
   ``updated_at`` stays as it was);
4. with a tenant map: run the tenant migration when its tables are missing, then write the
   tenant rows (one statement per kind of change);
5. insert, update and delete packs, one statement per row, all with the same ``updated_at``;
6. raise the revision, when its table exists, so readers see that something changed;
7. read every written row back and check it as the engine's strict read would, and the tenant
   rows against the map; any mismatch rolls the transaction back, and the result says why.
The catalog and the tenant map are therefore committed together, or neither is.
A broken connection at any point also rolls back: the server discards an unfinished
transaction, so the table is wholly old or wholly new.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from dpm_policy.findings import from_row_problems
from dpm_policy.problems import Problem
from dpm_policy.publish.db import (
    Connection,
    acquire_lock,
    connect,
    create_table,
    delete_row,
    driver_errors,
    read_rows,
    table_exists,
    upsert_row,
)
from dpm_policy.publish.dsn import Dsn
from dpm_policy.publish.plan import Plan, RowChange, build_plan
from dpm_policy.publish.rows import TABLE, DesiredRow, StoredRow
from dpm_policy.publish.strict import RowProblem, check_row
from dpm_policy.publish.tenant_db import (
    apply_migration,
    bump_revision,
    read_tenants,
    revision_exists,
    tenant_tables_exist,
    write_tenants,
)
from dpm_policy.publish.tenant_plan import TenantPlan, build_tenant_plan

__all__ = ["AfterWrite", "ApplyResult", "PlanGuard", "apply_catalog", "bad_rows"]

# Called after each row is written, inside the transaction; a seam for fault-injection tests.
AfterWrite = Callable[[Connection, RowChange], None]
# Called with the plan computed under the lock, before anything is written; raises to refuse.
PlanGuard = Callable[[Plan], None]


@dataclass(frozen=True)
class ApplyResult:
    """What an apply did: the plan it carried out (computed under the lock), or, when rows
    were refused, why, with nothing written."""

    plan: Plan | None
    applied: bool
    # The ``updated_at`` stamped on every written row; None when nothing was written.
    updated_at: str | None = None
    # Rows the engine's strict read would refuse, or rows that did not read back as written;
    # the transaction was rolled back (or never begun) and ``plan`` is None.
    refused: tuple[RowProblem, ...] = ()
    # One sentence for people: what was refused, and that nothing was written.
    refusal: str | None = None

    @property
    def problems(self) -> list[Problem]:
        """The refused rows as the problems every command prints."""
        return from_row_problems(self.refused, file=TABLE)


class _Refused(Exception):
    """Rows refused inside the transaction: raised to roll it back, turned into the result."""

    def __init__(self, message: str, rows: Sequence[RowProblem]) -> None:
        super().__init__(message)
        self.message = message
        self.rows = tuple(rows)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def bad_rows(desired: Sequence[DesiredRow]) -> list[RowProblem]:
    """What the engine's strict catalog read would refuse in the desired rows."""
    return [
        problem
        for row in desired
        for problem in check_row(row.policy_pack_id, row.version, row.definition_json)
    ]


def apply_catalog(
    dsn: Dsn,
    desired: Sequence[DesiredRow],
    *,
    prune: bool,
    tenants: Mapping[str, str] | None = None,
    after_write: AfterWrite | None = None,
    clock: Callable[[], datetime] = _utc_now,
    guard: PlanGuard | None = None,
) -> ApplyResult:
    """Make the table hold exactly ``desired`` (plus unmanaged rows unless ``prune``).

    ``tenants``: the compiled tenant map of an environment with ``tenant_map_delivery:
    postgres``, written to its table in the same transaction (None: tenant rows untouched).

    When a row fails the strict check, before writing or in the read-back after it, the result
    says so (``refused``) and nothing is written. Raises ConnectionFailed (nothing written)
    when the database fails, and what ``guard`` raises to refuse the plan.
    """
    refused = bad_rows(desired)
    if refused:
        packs = sorted({problem.policy_pack_id for problem in refused})
        return ApplyResult(
            None,
            applied=False,
            refused=tuple(refused),
            refusal=f"refused {len(packs)} pack(s) the engine's strict catalog read would "
            f"reject ({', '.join(packs)}); nothing was written",
        )
    connection = connect(dsn)
    try:
        with (
            driver_errors(dsn, "apply failed and was rolled back; nothing was written"),
            connection.transaction(),
        ):
            return _apply_locked(connection, desired, tenants, prune, after_write, clock, guard)
    except _Refused as refusal:
        return ApplyResult(None, applied=False, refused=refusal.rows, refusal=refusal.message)
    finally:
        connection.close()


def _apply_locked(
    connection: Connection,
    desired: Sequence[DesiredRow],
    tenants: Mapping[str, str] | None,
    prune: bool,
    after_write: AfterWrite | None,
    clock: Callable[[], datetime],
    guard: PlanGuard | None,
) -> ApplyResult:
    """Steps 1 to 7 of the module docstring, inside the caller's transaction."""
    acquire_lock(connection)
    exists = table_exists(connection)
    if not exists:
        create_table(connection)
    stored = read_rows(connection) if exists else {}
    plan = build_plan(desired, stored, table_exists=exists, prune=prune)
    stored_tenants: dict[str, str] = {}
    if tenants is not None:
        tenant_tables = tenant_tables_exist(connection)
        stored_tenants = read_tenants(connection) if tenant_tables else {}
        plan = replace(
            plan,
            tenants=build_tenant_plan(
                tenants, stored_tenants, tables_exist=tenant_tables, prune=prune
            ),
        )
    if guard is not None:
        guard(plan)
    if plan.is_noop:
        return ApplyResult(plan, applied=False)
    wanted = {row.policy_pack_id: row for row in desired}
    now = clock().astimezone(UTC).isoformat()
    if plan.tenants is not None:
        if plan.tenants.creates_tables:
            apply_migration(connection)
        write_tenants(connection, plan.tenants, now)
    for change in plan.changes:
        if change.action == "delete":
            delete_row(connection, change.policy_pack_id)
        else:
            upsert_row(connection, wanted[change.policy_pack_id], now)
        if after_write is not None:
            after_write(connection, change)
    if revision_exists(connection):
        bump_revision(connection, now)
    readback = read_rows(connection)
    _verify(readback, plan, wanted, stored, now)
    if tenants is not None and plan.tenants is not None:
        _verify_tenants(read_tenants(connection), tenants, stored_tenants, plan.tenants, readback)
    return ApplyResult(plan, applied=True, updated_at=now)


def _verify_tenants(
    readback: Mapping[str, str],
    tenants: Mapping[str, str],
    before: Mapping[str, str],
    plan: TenantPlan,
    catalog: Mapping[str, StoredRow],
) -> None:
    """Raise _Refused unless the tenant rows are the map (plus kept ones), and every pack
    they name is in the catalog table."""
    expected = {tenant: before[tenant] for tenant in plan.unmanaged}
    expected.update(tenants)
    problems: list[RowProblem] = []
    for tenant in sorted(set(expected) | set(readback)):
        found, wanted = readback.get(tenant), expected.get(tenant)
        if found != wanted:
            problems.append(
                _mismatch(
                    f"tenant {tenant}",
                    "policy_pack_id",
                    f"reads back {found!r} where {wanted!r} was meant",
                )
            )
        elif found is not None and found not in catalog:
            problems.append(
                _mismatch(
                    f"tenant {tenant}",
                    "policy_pack_id",
                    f"names pack {found!r}, which is not in the catalog table",
                )
            )
    if problems:
        raise _Refused(
            "the tenant rows read back after writing failed verification; the transaction was "
            "rolled back and nothing was written",
            problems,
        )


def _verify(
    readback: dict[str, StoredRow],
    plan: Plan,
    wanted: dict[str, DesiredRow],
    before: dict[str, StoredRow],
    now: str,
) -> None:
    """Raise _Refused unless every change reads back exactly as intended."""
    problems: list[RowProblem] = []
    for change in plan.changes:
        pack_id = change.policy_pack_id
        row = readback.get(pack_id)
        if change.action == "delete":
            if row is not None:
                problems.append(_mismatch(pack_id, "", "is still in the table after its delete"))
            continue
        if row is None:
            problems.append(_mismatch(pack_id, "", "is missing after being written"))
            continue
        problems.extend(check_row(row.policy_pack_id, row.version, row.definition_json))
        intended = wanted[pack_id]
        if row.version != intended.version:
            problems.append(_mismatch(pack_id, "version", "reads back a different version"))
        if row.definition_json != intended.definition_json:
            problems.append(_mismatch(pack_id, "definition_json", "reads back different bytes"))
        if row.updated_at != now:
            problems.append(_mismatch(pack_id, "updated_at", "was not stamped by this apply"))
        old = before.get(pack_id)
        if old is not None and row.created_at != old.created_at:
            problems.append(_mismatch(pack_id, "created_at", "changed on update"))
    if problems:
        raise _Refused(
            "the rows read back after writing failed verification; the transaction was rolled "
            "back and nothing was written",
            problems,
        )


def _mismatch(pack_id: str, path: str, message: str) -> RowProblem:
    return RowProblem(pack_id, path, message, engine_fails=False)

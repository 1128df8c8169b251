"""Drift: whether the table differs from the compiled catalog, and how."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from dpm_policy.publish.dsn import Dsn
from dpm_policy.publish.plan import Plan
from dpm_policy.publish.rows import DesiredRow
from dpm_policy.publish.snapshot import plan_catalog

__all__ = ["check_catalog", "has_drift"]


def has_drift(plan: Plan) -> bool:
    """True when an apply would write anything, or a kept row fails the strict check.

    Kept unmanaged rows are not drift by themselves (a publish without ``--prune`` leaves them
    on purpose), but one the strict check refuses is: the engine's whole catalog read may fail
    on it.
    """
    if not plan.is_noop:
        return True
    return any(row.problems for row in plan.unmanaged)


def check_catalog(
    dsn: Dsn,
    desired: Sequence[DesiredRow],
    *,
    prune: bool,
    tenants: Mapping[str, str] | None = None,
) -> tuple[Plan, bool]:
    """Read the tables and report ``(plan, drifted)``; writes nothing.

    With ``tenants``, a tenant row that differs from the compiled map, or is missing, is drift
    too; a kept row of a tenant the map does not hold is not (as for unmanaged packs).
    """
    plan = plan_catalog(dsn, desired, prune=prune, tenants=tenants)
    return plan, has_drift(plan)

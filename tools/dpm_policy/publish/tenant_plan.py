"""The tenant map's part of a plan: which ``dpm_policy_tenant_packs`` rows to change.

Only for an environment with ``tenant_map_delivery: postgres``. A value computed from two
snapshots (the compiled map, the stored rows), like the catalog's plan; rows of tenants the
map does not hold are kept unless pruning is asked for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

__all__ = ["TenantChange", "TenantPlan", "build_tenant_plan"]

TenantAction = Literal["insert", "update", "delete"]


@dataclass(frozen=True)
class TenantChange:
    """One tenant row to insert, update or delete, with its pack before and after."""

    tenant_id: str
    action: TenantAction
    before: str | None = None
    after: str | None = None


@dataclass(frozen=True)
class TenantPlan:
    """Everything an apply would do to the tenant rows, and what it would leave alone."""

    # The tenant table and the revision row exist (else the migration creates them).
    tables_exist: bool
    changes: tuple[TenantChange, ...]
    unchanged: int
    # Stored tenants the compiled map does not hold, kept (always empty when pruning).
    unmanaged: tuple[str, ...]

    @property
    def creates_tables(self) -> bool:
        """The tables are missing and an apply would create them."""
        return not self.tables_exist

    @property
    def is_noop(self) -> bool:
        """An apply would write nothing to the tenant rows."""
        return self.tables_exist and not self.changes

    def count(self, action: TenantAction) -> int:
        """How many tenant rows an apply would insert, update or delete."""
        return sum(1 for change in self.changes if change.action == action)


def build_tenant_plan(
    desired: Mapping[str, str],
    stored: Mapping[str, str],
    *,
    tables_exist: bool,
    prune: bool,
) -> TenantPlan:
    """Diff the compiled tenant map against the stored rows, tenant by tenant."""
    changes: list[TenantChange] = []
    unchanged = 0
    unmanaged: list[str] = []
    for tenant_id in sorted(set(desired) | set(stored)):
        after = desired.get(tenant_id)
        before = stored.get(tenant_id)
        if after is not None and before is None:
            changes.append(TenantChange(tenant_id, "insert", None, after))
        elif after is not None and before is not None:
            if after == before:
                unchanged += 1
            else:
                changes.append(TenantChange(tenant_id, "update", before, after))
        elif prune:
            changes.append(TenantChange(tenant_id, "delete", before, None))
        else:
            unmanaged.append(tenant_id)
    return TenantPlan(tables_exist, tuple(changes), unchanged, tuple(unmanaged))

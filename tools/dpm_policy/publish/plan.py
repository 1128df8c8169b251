"""The plan: what must change in the table so that it holds exactly the desired catalog.

A plan is a value computed from two snapshots (desired rows, stored rows); it touches no
database. Rows we do not publish ("unmanaged") are kept unless pruning is asked for, so that a
publish never deletes a pack someone added by other means without saying so.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from dpm_policy.publish.rows import DesiredRow, StoredRow
from dpm_policy.publish.strict import RowProblem, check_row
from dpm_policy.publish.tenant_plan import TenantPlan
from dpm_policy_runtime.fields import SECTIONS

__all__ = ["FieldChange", "Plan", "RowChange", "UnmanagedRow", "build_plan"]

RowAction = Literal["insert", "update", "delete"]
ChangeKind = Literal["changed", "added", "removed", "encoding"]

_ORDER = ("policy_pack_id", "version", *SECTIONS)
# Keys stored both as columns and inside definition_json; the engine's read takes the column.
_COLUMNS = ("policy_pack_id", "version")


@dataclass(frozen=True)
class FieldChange:
    """One differing value, by its dotted path (``version`` is the column).

    ``added``: only the desired row has it; ``removed``: only the stored row has it (e.g. a
    pre-2026-05 workflow field name); ``encoding``: same values, different bytes.
    """

    path: str
    kind: ChangeKind
    before: object = None
    after: object = None


@dataclass(frozen=True)
class RowChange:
    """One row to insert, update or delete, with its field-by-field differences."""

    policy_pack_id: str
    action: RowAction
    fields: tuple[FieldChange, ...] = ()


@dataclass(frozen=True)
class UnmanagedRow:
    """A stored row that the desired catalog does not hold, and its strict-read problems."""

    policy_pack_id: str
    problems: tuple[RowProblem, ...] = ()


@dataclass(frozen=True)
class Plan:
    """Everything an apply would do, and what it would leave alone."""

    table_exists: bool
    prune: bool
    changes: tuple[RowChange, ...]
    unchanged: tuple[str, ...]
    # Stored rows not in the desired catalog that are kept (always empty when pruning:
    # they are deletes then).
    unmanaged: tuple[UnmanagedRow, ...]
    # The tenant rows' part, for an environment with tenant_map_delivery: postgres; else None.
    tenants: TenantPlan | None = None

    @property
    def creates_table(self) -> bool:
        """The table is missing and an apply would create it."""
        return not self.table_exists

    @property
    def is_noop(self) -> bool:
        """An apply would write nothing at all."""
        catalog_noop = self.table_exists and not self.changes
        return catalog_noop and (self.tenants is None or self.tenants.is_noop)

    def count(self, action: RowAction) -> int:
        """How many rows an apply would insert, update or delete."""
        return sum(1 for change in self.changes if change.action == action)


def build_plan(
    desired: Sequence[DesiredRow],
    stored: Mapping[str, StoredRow],
    *,
    table_exists: bool,
    prune: bool,
) -> Plan:
    """Diff the desired rows against the stored ones, field by field."""
    wanted = {row.policy_pack_id: row for row in desired}
    changes: list[RowChange] = []
    unchanged: list[str] = []
    unmanaged: list[UnmanagedRow] = []
    for pack_id in sorted(set(wanted) | set(stored)):
        row = wanted.get(pack_id)
        current = stored.get(pack_id)
        if row is not None and current is None:
            changes.append(RowChange(pack_id, "insert", _added(row)))
        elif row is not None and current is not None:
            fields = diff_row(row, current)
            if fields:
                changes.append(RowChange(pack_id, "update", fields))
            else:
                unchanged.append(pack_id)
        elif current is not None and prune:
            changes.append(RowChange(pack_id, "delete"))
        elif current is not None:
            problems = check_row(current.policy_pack_id, current.version, current.definition_json)
            unmanaged.append(UnmanagedRow(pack_id, problems))
    return Plan(table_exists, prune, tuple(changes), tuple(unchanged), tuple(unmanaged))


def diff_row(desired: DesiredRow, stored: StoredRow) -> tuple[FieldChange, ...]:
    """The differences between a desired and a stored row; empty when byte-identical."""
    if desired.version == stored.version and desired.definition_json == stored.definition_json:
        return ()
    changes: list[FieldChange] = []
    if desired.version != stored.version:
        changes.append(FieldChange("version", "changed", stored.version, desired.version))
    if desired.definition_json == stored.definition_json:
        return tuple(changes)
    after = json.loads(desired.definition_json)
    try:
        before = json.loads(stored.definition_json)
    except ValueError:
        before = None
    if not isinstance(before, dict):
        # Not a JSON object: nothing to compare field by field; show the stored text whole.
        changes.append(FieldChange("definition_json", "changed", stored.definition_json, after))
        return tuple(changes)
    old = dict(_flatten(before))
    new = dict(_flatten(after))
    for path in sorted(set(old) | set(new), key=_path_order):
        if (
            path in _COLUMNS
            and old.get(path) == getattr(stored, path)
            and new.get(path) == getattr(desired, path)
        ):
            # The JSON copy agrees with its column on both sides; the column change says it all.
            continue
        # A JSON copy of a column is named apart from the column it shadows.
        shown = f"definition_json.{path}" if path in _COLUMNS else path
        if path not in old:
            changes.append(FieldChange(shown, "added", None, new[path]))
        elif path not in new:
            changes.append(FieldChange(shown, "removed", old[path], None))
        elif not _same(old[path], new[path]):
            changes.append(FieldChange(shown, "changed", old[path], new[path]))
    if not changes:
        # Equal values, other bytes (key order, spacing, escapes): the engine reads the same
        # pack, but rewriting keeps the table byte-identical to what the engine writes.
        changes.append(FieldChange("definition_json", "encoding"))
    return tuple(changes)


def _added(row: DesiredRow) -> tuple[FieldChange, ...]:
    return (FieldChange("version", "added", None, row.version),)


def _flatten(value: object, prefix: str = "") -> Iterator[tuple[str, object]]:
    """Leaves of a JSON value by dotted path; an empty object is a leaf (``{}``)."""
    if isinstance(value, dict) and value:
        for key, child in value.items():
            yield from _flatten(child, f"{prefix}.{key}" if prefix else str(key))
    else:
        yield prefix, value


def _same(left: object, right: object) -> bool:
    # JSON's 1 and true are different values here even though Python says 1 == True.
    return type(left) is type(right) and left == right


def _path_order(path: str) -> tuple[int, str]:
    # Id and version first, then sections in the engine's order.
    head = path.split(".", 1)[0]
    return (_ORDER.index(head) if head in _ORDER else len(_ORDER), path)

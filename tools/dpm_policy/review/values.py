"""Setting values as reviewers read them, and the field-by-field difference of two packs."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from dpm_policy.review.direction import direction_of
from dpm_policy.review.model import FieldChange
from dpm_policy_runtime.fields import FIELDS
from dpm_policy_runtime.switches import flag_text

__all__ = ["field_changes", "shown"]


def shown(value: object) -> str:
    """``true``, ``0.1``, ``3``: the value as an author would write it in YAML."""
    if isinstance(value, bool):
        return flag_text(value)
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text if value != 0 else "0"
    return str(value)


def _groups(value: object) -> Mapping[str, object]:
    return value if isinstance(value, Mapping) else {}


def field_changes(old: Mapping[str, object], new: Mapping[str, object]) -> tuple[FieldChange, ...]:
    """Every setting that differs between two packs' values (keyed by dotted path), in the
    engine's field order; group constraints are compared group by group."""
    changes: list[FieldChange] = []
    for spec in FIELDS:
        before, after = old.get(spec.path), new.get(spec.path)
        if spec.kind == "group_constraints":
            old_groups, new_groups = _groups(before), _groups(after)
            for key in sorted(set(old_groups) | set(new_groups)):
                a, b = old_groups.get(key), new_groups.get(key)
                if a != b:
                    changes.append(
                        FieldChange(
                            f"{spec.path}['{key}'].max_weight",
                            None if a is None else shown(a),
                            None if b is None else shown(b),
                            direction_of(spec, a, b),
                        )
                    )
            continue
        if before == after and type(before) is type(after):
            continue
        changes.append(
            FieldChange(
                spec.path,
                None if before is None else shown(before),
                None if after is None else shown(after),
                direction_of(spec, before, after),
            )
        )
    return tuple(changes)

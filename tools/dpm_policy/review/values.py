"""Setting values as reviewers read them, and the field-by-field difference of two packs."""

from __future__ import annotations

from collections.abc import Mapping

from dpm_policy.review.direction import direction_of
from dpm_policy.review.model import FieldChange
from dpm_policy.shown import setting_text
from dpm_policy_runtime.fields import FIELDS

__all__ = ["field_changes"]


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
                            None if a is None else setting_text(a),
                            None if b is None else setting_text(b),
                            direction_of(spec, a, b),
                        )
                    )
            continue
        if before == after and type(before) is type(after):
            continue
        changes.append(
            FieldChange(
                spec.path,
                None if before is None else setting_text(before),
                None if after is None else setting_text(after),
                direction_of(spec, before, after),
            )
        )
    return tuple(changes)

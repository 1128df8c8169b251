"""One policy pack as the engine holds it after validation: an immutable, hashable record."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from dpm_policy_runtime.fields import FIELDS, FIELDS_BY_PATH, SECTIONS, FieldSpec, fields_of
from dpm_policy_runtime.frozen import FrozenMap

__all__ = ["FieldValue", "GroupConstraints", "PolicyPack"]

# Group constraints: "attr:value" key -> max_weight, in the order the catalog lists them.
GroupConstraints = FrozenMap[str, Decimal]
FieldValue = Decimal | bool | int | GroupConstraints

_EMPTY_GROUPS: GroupConstraints = FrozenMap()


@dataclass(frozen=True)
class PolicyPack:
    """A validated pack: its id, its version and the fields it sets.

    ``values`` is keyed by dotted path (``turnover_policy.max_turnover_pct``) and holds only
    the fields the pack sets; an unset field means "no override". Group constraints are kept
    only when non-empty, because the engine treats an empty map exactly like an unset one.
    """

    policy_pack_id: str
    version: str
    values: FrozenMap[str, FieldValue] = field(default_factory=FrozenMap)

    def __post_init__(self) -> None:
        unknown = [path for path in self.values if path not in FIELDS_BY_PATH]
        if unknown:
            raise KeyError(f"unknown policy-pack field(s): {', '.join(sorted(unknown))}")
        # Canonical order (the field table's) and no empty group map, so equal packs compare
        # and hash equal however they were built.
        ordered = FrozenMap(
            (spec.path, self.values[spec.path])
            for spec in FIELDS
            if spec.path in self.values
            and not (spec.kind == "group_constraints" and not self.values[spec.path])
        )
        object.__setattr__(self, "values", ordered)

    def value(self, path: str) -> FieldValue | None:
        """The value at ``section.field``; None when unset (group constraints: an empty map)."""
        spec = _spec(path)
        found = self.values.get(path)
        if found is None and spec.kind == "group_constraints":
            return _EMPTY_GROUPS
        return found

    def section(self, name: str) -> Mapping[str, FieldValue | None]:
        """Every field of one section, unset ones as None (group constraints as ``{}``)."""
        if name not in SECTIONS:
            raise KeyError(f"unknown policy-pack section {name!r}; sections: {', '.join(SECTIONS)}")
        return FrozenMap((spec.name, self.value(spec.path)) for spec in fields_of(name))

    @property
    def group_constraints(self) -> GroupConstraints:
        """Shortcut for ``value("constraint_policy.group_constraints")``."""
        found = self.values.get("constraint_policy.group_constraints")
        return found if isinstance(found, FrozenMap) else _EMPTY_GROUPS

    def to_item(self) -> dict[str, object]:
        """The engine's fully expanded catalog item (contract section 6).

        Every section with every field, unset fields ``None`` (JSON ``null``), Decimals as
        ``str(Decimal)`` (what pydantic writes) and group constraints ``{}`` when unset.
        """
        item: dict[str, object] = {"policy_pack_id": self.policy_pack_id, "version": self.version}
        for section in SECTIONS:
            item[section] = {
                spec.name: _item_value(spec, self.values.get(spec.path))
                for spec in fields_of(section)
            }
        return item


def _spec(path: str) -> FieldSpec:
    try:
        return FIELDS_BY_PATH[path]
    except KeyError:
        known = ", ".join(FIELDS_BY_PATH)
        raise KeyError(f"unknown policy-pack field {path!r}; fields: {known}") from None


def _item_value(spec: FieldSpec, value: FieldValue | None) -> object:
    if spec.kind == "group_constraints":
        groups = value if isinstance(value, FrozenMap) else _EMPTY_GROUPS
        return {key: {"max_weight": str(weight)} for key, weight in groups.items()}
    if isinstance(value, Decimal):
        return str(value)
    return value

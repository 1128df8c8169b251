"""Lenient reading of ``DPM_POLICY_PACK_CATALOG_JSON``: exactly the engine's parse.

Mirrors ``parse_policy_pack_catalog`` and the ``DpmPolicyPackDefinition`` model of
lotus-manage (contract section 2): what the engine keeps, this keeps with the same values;
what it drops, this drops too, and also reports in ``dropped`` (the engine says nothing).
A kept value that only ``EngineOptions`` would refuse (its ``model_copy`` does not validate)
is kept as written and reported by :func:`unchecked_values`.
"""

from __future__ import annotations

from decimal import Decimal

from dpm_policy_runtime.fields import (
    FIELDS_BY_PATH,
    GROUP_MAX_WEIGHT,
    RENAMED_FIELDS,
    SECTIONS,
    is_group_key,
)
from dpm_policy_runtime.frozen import FrozenMap
from dpm_policy_runtime.json_text import (
    JsonObject,
    engine_object,
)
from dpm_policy_runtime.lax import LaxError, lax_bool, lax_decimal, lax_int
from dpm_policy_runtime.pack import FieldValue, PolicyPack
from dpm_policy_runtime.problems import Dropped, Unchecked
from dpm_policy_runtime.safe_text import display_key, safe_repr
from dpm_policy_runtime.variables import CATALOG_JSON

__all__ = ["OPTIONS_ONLY_BOUNDS", "parse_catalog_lenient", "unchecked_values"]

# Fields whose bounds in fields.py come from EngineOptions alone: the pack model does not
# check them, so the engine keeps such a pack and passes the value on unchecked (model_copy).
OPTIONS_ONLY_BOUNDS: tuple[str, ...] = ("turnover_policy.max_turnover_pct",)

_ENTRY_KEYS = frozenset(("version", *SECTIONS))


def parse_catalog_lenient(text: str | None, dropped: list[Dropped]) -> dict[str, PolicyPack]:
    """The packs the engine would keep, in the engine's order."""
    raw = engine_object(
        CATALOG_JSON, text, whole="catalog", repeated="id written more than once", dropped=dropped
    )
    if raw is None:
        return {}
    catalog: dict[str, PolicyPack] = {}
    for key, definition in raw.items():
        where = display_key(key)
        if not isinstance(definition, JsonObject):
            dropped.append(Dropped(CATALOG_JSON, where, "invalid", "pack is not an object"))
            continue
        pack_id = key.strip()
        if not pack_id:
            dropped.append(Dropped(CATALOG_JSON, where, "invalid", "pack id is blank"))
            continue
        reasons: list[str] = []
        pack = _pack(pack_id, definition, where, reasons, dropped)
        if pack is None:
            dropped.append(
                Dropped(CATALOG_JSON, where, "invalid", "pack dropped: " + "; ".join(reasons))
            )
            continue
        if pack_id in catalog:
            dropped.append(
                Dropped(
                    CATALOG_JSON,
                    display_key(pack_id),
                    "superseded",
                    f"replaced by the later entry {safe_repr(key)} (equal after stripping)",
                )
            )
        # Assigning to an existing key keeps its first position, as the engine's dict does.
        catalog[pack_id] = pack
    return catalog


def unchecked_values(catalog: dict[str, PolicyPack]) -> list[Unchecked]:
    """The values of the kept packs that the engine applies unchecked, in catalog order.

    ``max_turnover_pct`` outside 0 to 1 and group keys that are not ``attribute:value``: the
    engine's pack model accepts them and its ``EngineOptions`` would not, but ``model_copy``
    skips validation, so they reach the solver as written (docs/engine-contract.md 3 and 5).
    """
    found: list[Unchecked] = []
    for pack_id, pack in catalog.items():
        where = display_key(pack_id)
        for path in OPTIONS_ONLY_BOUNDS:
            value = pack.values.get(path)
            spec = FIELDS_BY_PATH[path]
            if isinstance(value, Decimal) and not (
                (spec.minimum is None or value >= spec.minimum)
                and (spec.maximum is None or value <= spec.maximum)
            ):
                found.append(
                    Unchecked(
                        CATALOG_JSON,
                        f"{where}.{path}",
                        f"{value} is outside {spec.minimum} to {spec.maximum}; the engine "
                        "applies it as written (its EngineOptions bound is not checked)",
                    )
                )
        for key in pack.group_constraints:
            if not is_group_key(key):
                found.append(
                    Unchecked(
                        CATALOG_JSON,
                        f"{where}.constraint_policy.group_constraints.{display_key(key)}",
                        f"key {safe_repr(key)} is not 'attribute:value'; the engine applies "
                        "it as written: its SOLVER raises on it, its HEURISTIC only warns",
                    )
                )
    return found


def _pack(
    pack_id: str, definition: JsonObject, where: str, reasons: list[str], dropped: list[Dropped]
) -> PolicyPack | None:
    for key in definition:
        if key not in _ENTRY_KEYS:
            dropped.append(
                Dropped(CATALOG_JSON, f"{where}.{display_key(key)}", "ignored", "unknown key")
            )
    # str() of whatever JSON gave: 2 -> "2", 1.0 -> "1.0", null -> "None".
    version = str(definition.get("version", "1"))
    values: dict[str, FieldValue] = {}
    for section in SECTIONS:
        # A falsy section (null, [], 0, "", false) reads as {}.
        body = definition.get(section) or {}
        if not isinstance(body, dict):
            reasons.append(f"{section} is not an object")
            continue
        for name, value in body.items():
            path = f"{section}.{name}"
            spec = FIELDS_BY_PATH.get(path)
            if spec is None:
                renamed = RENAMED_FIELDS.get((section, name))
                note = f"old name of {renamed}" if renamed else "unknown field"
                dropped.append(
                    Dropped(CATALOG_JSON, f"{where}.{section}.{display_key(name)}", "ignored", note)
                )
                continue
            if value is None:
                if spec.kind == "group_constraints":
                    reasons.append(f"{path} is null")
                continue
            try:
                values[path] = _coerce(spec.kind, value, path)
            except LaxError as exc:
                reasons.append(f"{path}: {exc}")
    if reasons:
        return None
    return PolicyPack(pack_id, version, FrozenMap(values))


def _coerce(kind: str, value: object, path: str) -> FieldValue:
    spec = FIELDS_BY_PATH[path]
    if kind == "group_constraints":
        return _groups(value)
    coerced: Decimal | bool | int
    if kind == "decimal":
        coerced = lax_decimal(value)
    elif kind == "bool":
        return lax_bool(value)
    else:
        coerced = lax_int(value)
    if path not in OPTIONS_ONLY_BOUNDS:
        if spec.minimum is not None and coerced < spec.minimum:
            raise LaxError(f"less than {spec.minimum}")
        if spec.maximum is not None and coerced > spec.maximum:
            raise LaxError(f"greater than {spec.maximum}")
    return coerced


def _groups(value: object) -> FrozenMap[str, Decimal]:
    if not isinstance(value, dict):
        raise LaxError("group_constraints is not an object")
    low, high = GROUP_MAX_WEIGHT
    groups: dict[str, Decimal] = {}
    for key, constraint in value.items():
        if not isinstance(constraint, dict):
            raise LaxError(f"group {safe_repr(key)} is not an object")
        if "max_weight" not in constraint:
            raise LaxError(f"group {safe_repr(key)} has no max_weight")
        weight = lax_decimal(constraint["max_weight"])
        if weight < low or weight > high:
            raise LaxError(f"group {safe_repr(key)} max_weight is not between {low} and {high}")
        groups[key] = weight
    return FrozenMap(groups)

"""Strict reading of ``DPM_POLICY_PACK_CATALOG_JSON``: the wire shape our compiler emits.

Every problem is collected (never just the first): unknown keys, nulls, wrong JSON types,
decimals not written as plain-notation strings, values out of the bounds of
:mod:`fields`, malformed group keys, bad versions and unclean ids.
"""

from __future__ import annotations

import difflib
from decimal import Decimal

from dpm_policy_runtime.decimals import PLAIN_DECIMAL
from dpm_policy_runtime.fields import (
    FIELDS_BY_PATH,
    GROUP_MAX_WEIGHT,
    RENAMED_FIELDS,
    SECTIONS,
    FieldSpec,
    fields_of,
    is_group_key,
)
from dpm_policy_runtime.frozen import FrozenMap
from dpm_policy_runtime.ids import check_keys
from dpm_policy_runtime.json_text import JsonObject, JsonTextError, strict_json
from dpm_policy_runtime.pack import FieldValue, PolicyPack
from dpm_policy_runtime.problems import ConfigProblem
from dpm_policy_runtime.safe_text import display_key, safe_repr
from dpm_policy_runtime.variables import CATALOG_JSON

__all__ = ["ENTRY_KEYS", "parse_catalog_strict"]

ENTRY_KEYS: tuple[str, ...] = ("version", *SECTIONS)


class _Problems:
    """Collects problems located under one pack."""

    def __init__(self, sink: list[ConfigProblem], base: str) -> None:
        self.sink = sink
        self.base = base
        self.count = 0

    def add(self, path: str, code: str, message: str) -> None:
        where = f"{self.base}.{path}" if path else self.base
        self.sink.append(ConfigProblem(CATALOG_JSON, where, code, message))
        self.count += 1


def parse_catalog_strict(
    text: str | None, problems: list[ConfigProblem]
) -> tuple[dict[str, PolicyPack], frozenset[str] | None]:
    """The valid packs, plus the ids written (None when the text is not a JSON object).

    The ids let the caller check references without also reporting every reference to a pack
    that is merely invalid.
    """
    if text is None:
        return {}, frozenset()
    if not text.strip():
        problems.append(
            ConfigProblem(CATALOG_JSON, "", "blank", "is blank; write {} for an empty catalog")
        )
        return {}, None
    try:
        raw = strict_json(text)
    except JsonTextError as exc:
        problems.append(ConfigProblem(CATALOG_JSON, "", "json", str(exc)))
        return {}, None
    if not isinstance(raw, JsonObject):
        problems.append(
            ConfigProblem(CATALOG_JSON, "", "type", "must be a JSON object keyed by policy-pack id")
        )
        return {}, None
    problems.extend(check_keys(CATALOG_JSON, raw.keys(), raw.duplicates, noun="policy-pack id"))
    catalog: dict[str, PolicyPack] = {}
    for pack_id, entry in raw.items():
        pack = _pack(pack_id, entry, _Problems(problems, display_key(pack_id)))
        if pack is not None:
            catalog[pack_id] = pack
    return catalog, frozenset(raw)


def _pack(pack_id: str, entry: object, out: _Problems) -> PolicyPack | None:
    if not isinstance(entry, JsonObject):
        out.add("", "type", "must be an object with a 'version' and the sections it sets")
        return None
    _duplicates(entry, "", out)
    for key in entry:
        if key not in ENTRY_KEYS:
            out.add(
                key if key.isprintable() else safe_repr(key),
                "unknown-key",
                _unknown(key, ENTRY_KEYS, "key"),
            )
    version = entry.get("version")
    if "version" not in entry:
        out.add("version", "version", 'is missing; add a version string such as "1"')
    elif not isinstance(version, str) or not version.strip():
        out.add(
            "version",
            "version",
            f'must be a non-empty string (got {_json_type(version)}); quote it, e.g. "1"',
        )
    values: dict[str, FieldValue] = {}
    for section in SECTIONS:
        if section in entry:
            _section(section, entry[section], values, out)
    if out.count or not isinstance(version, str):
        return None
    return PolicyPack(pack_id, version, FrozenMap(values))


def _section(section: str, body: object, values: dict[str, FieldValue], out: _Problems) -> None:
    if not isinstance(body, JsonObject):
        fix = "omit the section" if body is None else "write an object of fields"
        out.add(section, "type", f"must be an object (got {_json_type(body)}); {fix}")
        return
    _duplicates(body, section, out)
    names = tuple(spec.name for spec in fields_of(section))
    for name, value in body.items():
        path = f"{section}.{name}"
        spec = FIELDS_BY_PATH.get(path)
        if spec is None:
            renamed = RENAMED_FIELDS.get((section, name))
            if renamed is not None:
                out.add(
                    path,
                    "renamed",
                    f"was renamed to {renamed} on 2026-05-01; the engine ignores the old "
                    f"name; write {section}.{renamed}",
                )
            else:
                out.add(
                    path if name.isprintable() else f"{section}.{safe_repr(name)}",
                    "unknown-key",
                    _unknown(name, names, "field"),
                )
            continue
        checked = _value(spec, value, path, out)
        if checked is not None:
            values[path] = checked


def _value(spec: FieldSpec, value: object, path: str, out: _Problems) -> FieldValue | None:
    if value is None:
        out.add(path, "null", "is null; omit the field for no override")
        return None
    if spec.kind == "decimal":
        return _decimal(value, spec.minimum, spec.maximum, path, out)
    if spec.kind == "bool":
        if isinstance(value, bool):
            return value
        hint = "; write true or false without quotes" if isinstance(value, str) else ""
        out.add(path, "type", f"must be a JSON boolean (got {_json_type(value)}){hint}")
        return None
    if spec.kind == "int":
        if not isinstance(value, int) or isinstance(value, bool):
            out.add(path, "type", f"must be a JSON integer (got {_json_type(value)})")
            return None
        return value if _within(value, spec.minimum, spec.maximum, path, out) else None
    return _groups(value, path, out)


def _groups(value: object, path: str, out: _Problems) -> FrozenMap[str, Decimal] | None:
    if not isinstance(value, JsonObject):
        out.add(
            path, "type", f"must be an object keyed 'attribute:value' (got {_json_type(value)})"
        )
        return None
    _duplicates(value, path, out)
    groups: dict[str, Decimal] = {}
    low, high = GROUP_MAX_WEIGHT
    for key, constraint in value.items():
        where = f"{path}.{key if key.isprintable() else safe_repr(key)}"
        if not is_group_key(key):
            out.add(
                where,
                "group-key",
                f"key {safe_repr(key)} must be 'attribute:value' with exactly one ':' and "
                "text on both sides, e.g. 'sector:TECH'",
            )
        if not isinstance(constraint, JsonObject):
            out.add(
                where,
                "type",
                f'must be an object {{"max_weight": "..."}} (got {_json_type(constraint)})',
            )
            continue
        _duplicates(constraint, where, out)
        for extra in constraint:
            if extra != "max_weight":
                out.add(
                    f"{where}.{display_key(extra)}",
                    "unknown-key",
                    _unknown(extra, ("max_weight",), "key"),
                )
        if "max_weight" not in constraint:
            out.add(f"{where}.max_weight", "missing", 'is required, e.g. "0.20"')
            continue
        weight = _decimal(constraint["max_weight"], low, high, f"{where}.max_weight", out)
        if weight is not None:
            groups[key] = weight
    return FrozenMap(groups)


def _decimal(
    value: object, low: Decimal | int | None, high: Decimal | int | None, path: str, out: _Problems
) -> Decimal | None:
    if value is None:
        out.add(path, "null", "is null; omit the field for no override")
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        out.add(
            path,
            "type",
            f'is the JSON number {value!r}; write decimals as strings ("{value}") so they '
            "are not read through a float",
        )
        return None
    if not isinstance(value, str):
        out.add(path, "type", f"must be a decimal string (got {_json_type(value)})")
        return None
    if PLAIN_DECIMAL.fullmatch(value) is None:
        out.add(
            path,
            "decimal",
            f"{safe_repr(value)} is not a plain-notation decimal (digits with an optional "
            'fraction, no exponent, no spaces); e.g. "0.15"',
        )
        return None
    number = Decimal(value)
    return number if _within(number, low, high, path, out) else None


def _within(
    value: Decimal | int,
    low: Decimal | int | None,
    high: Decimal | int | None,
    path: str,
    out: _Problems,
) -> bool:
    if (low is None or value >= low) and (high is None or value <= high):
        return True
    if low is not None and high is not None:
        message = f"must be between {low} and {high} (got {value})"
        if high == 1 and isinstance(value, Decimal) and 1 < value <= 100:
            message += f"; write {value / 100} for {value}%"
    elif low is not None:
        message = f"must be at least {low} (got {value})"
    else:
        message = f"must be at most {high} (got {value})"
    out.add(path, "range", message)
    return False


def _duplicates(obj: JsonObject, path: str, out: _Problems) -> None:
    for key in obj.duplicates:
        where = f"{path}.{display_key(key)}" if path else display_key(key)
        out.add(where, "duplicate", "appears more than once; keep one")


def _unknown(key: str, known: tuple[str, ...], noun: str) -> str:
    close = difflib.get_close_matches(key, known, n=1)
    hint = f"; did you mean {close[0]}?" if close else f"; known: {', '.join(known)}"
    return f"unknown {noun} {safe_repr(key)} (the engine ignores it){hint}"


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"

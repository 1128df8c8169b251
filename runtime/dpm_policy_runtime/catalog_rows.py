"""Rows of the engine's ``dpm_policy_packs`` table as entries of the catalog's wire shape.

The engine reads a row by loading ``definition_json``, letting the ``policy_pack_id`` and
``version`` columns override the JSON, and validating the result with its pack model
(docs/engine-contract.md section 7). Stored rows spell "no override" as ``null``; the wire shape
leaves such a field out. What the Postgres read refuses where the variable's parse would not
(a null or non-object section, a null ``group_constraints``) is a fault: the engine's whole
catalog read raises on it. Everything else is left to the catalog parsers, so a row and a
variable entry are judged by the same rules.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from dpm_policy_runtime.fields import SECTIONS
from dpm_policy_runtime.json_text import JsonObject, JsonTextError, engine_json

__all__ = ["RowFault", "row_entry"]

_GROUPS = "group_constraints"


@dataclass(frozen=True)
class RowFault:
    """A reason the engine's read of one row raises, at a dotted path of the row."""

    path: str
    message: str


def row_entry(
    policy_pack_id: str, version: str, definition_json: str
) -> tuple[dict[str, object] | None, tuple[RowFault, ...]]:
    """The row as a wire entry (None when ``definition_json`` is no JSON object), and its faults.

    The entry is returned even with faults, so that a caller can report every problem of the
    row at once.
    """
    del policy_pack_id  # the entry's key; the engine takes the column as it is
    try:
        payload = engine_json(definition_json)
    except JsonTextError as error:
        return None, (RowFault("definition_json", str(error)),)
    if not isinstance(payload, JsonObject):
        return None, (RowFault("definition_json", "must be a JSON object"),)
    faults: list[RowFault] = []
    # The version column overrides the JSON's; the id is the entry's key.
    entry: dict[str, object] = {"version": version}
    for key, value in payload.items():
        if key in ("policy_pack_id", "version"):
            continue
        if key not in SECTIONS:
            entry[key] = value  # the strict parser names it and suggests the nearest key
        elif not isinstance(value, dict):
            faults.append(RowFault(key, f"must be an object (got {json.dumps(value)})"))
        else:
            entry[key] = _without_nulls(key, value, faults)
    return entry, tuple(faults)


def _without_nulls(
    section: str, fields: dict[str, object], faults: list[RowFault]
) -> dict[str, object]:
    """A stored section in the wire shape: ``null`` (no override) and ``{}`` groups omitted."""
    kept: dict[str, object] = {}
    for name, value in fields.items():
        if section == "constraint_policy" and name == _GROUPS and value is None:
            # The pack model's group map is not optional: null fails the read.
            faults.append(
                RowFault(f"{section}.{name}", "is null; write {} for no group constraints")
            )
        elif value is not None and not (name == _GROUPS and value == {}):
            kept[name] = value
    return kept

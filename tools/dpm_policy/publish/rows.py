"""Rows of the engine's ``dpm_policy_packs`` table: the ones we want and the ones stored.

``definition_json`` is the engine's own encoding of a pack (docs/engine-contract.md section 7):
``json.dumps`` of the fully expanded item, compact separators, ``sort_keys=True`` and the
default ``ensure_ascii=True``. The expanded item is what ``model_dump(mode="json")`` gives
(every field present, unset ``null``, Decimals as strings), so encoding it with the same call
yields the same bytes the engine's admin PUT would store for the same pack.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = [
    "TABLE",
    "DesiredRow",
    "StoredRow",
    "desired_row",
    "desired_rows",
    "encode_definition",
]

TABLE = "dpm_policy_packs"


@dataclass(frozen=True)
class DesiredRow:
    """One pack as it must be stored: the id and version columns and the definition bytes."""

    policy_pack_id: str
    version: str
    definition_json: str


@dataclass(frozen=True)
class StoredRow:
    """One row as read from the table."""

    policy_pack_id: str
    version: str
    definition_json: str
    created_at: str
    updated_at: str


def encode_definition(item: Mapping[str, object]) -> str:
    """The engine's bytes for an expanded catalog item."""
    return json.dumps(item, separators=(",", ":"), sort_keys=True)


def desired_row(item: Mapping[str, object]) -> DesiredRow:
    """The row for one fully expanded catalog item (``PolicyPack.to_item()``).

    Raises ValueError when the item has no string ``policy_pack_id`` or ``version``: those two
    become the table's key and version columns.
    """
    pack_id = item.get("policy_pack_id")
    version = item.get("version")
    if not isinstance(pack_id, str) or not isinstance(version, str):
        raise ValueError("a catalog item needs a string policy_pack_id and a string version")
    return DesiredRow(pack_id, version, encode_definition(item))


def desired_rows(items: Iterable[Mapping[str, object]]) -> tuple[DesiredRow, ...]:
    """Rows for a whole catalog, sorted by id (the order the engine lists them in).

    Raises ValueError on two items with the same id: the table's key would keep only one.
    """
    rows: dict[str, DesiredRow] = {}
    for item in items:
        row = desired_row(item)
        if row.policy_pack_id in rows:
            raise ValueError(f"pack {row.policy_pack_id!r} appears twice in the catalog")
        rows[row.policy_pack_id] = row
    return tuple(rows[key] for key in sorted(rows))

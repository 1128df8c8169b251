"""Flattened packs to the catalog's wire entries (docs/engine-contract.md section 2).

An entry holds the pack's version and only the settings it ends up with after inheritance:
no nulls, no empty sections, decimals as canonical plain-notation strings, group constraints as
``{"attr:value": {"max_weight": "0.2"}}``. Key order is left to the encoder, which sorts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from dpm_policy.inheritance import FlatPack, SettingValue
from dpm_policy_runtime.decimals import canonical_decimal
from dpm_policy_runtime.fields import FIELDS

__all__ = ["WireEntry", "build_catalog", "wire_entry", "wire_value"]

WireEntry = dict[str, object]


def wire_value(value: SettingValue) -> object:
    """One setting as the engine's JSON reads it exactly (decimals never as JSON numbers)."""
    if isinstance(value, bool | int):
        return value
    if isinstance(value, Decimal):
        return canonical_decimal(value)
    return {key: {"max_weight": canonical_decimal(weight)} for key, weight in value.items()}


def wire_entry(pack: FlatPack) -> WireEntry:
    """The catalog entry of one flattened pack."""
    entry: WireEntry = {"version": pack.version}
    for spec in FIELDS:
        setting = pack.settings.get(spec.path)
        if setting is None:
            continue
        section = entry.setdefault(spec.section, {})
        assert isinstance(section, dict)
        section[spec.name] = wire_value(setting.value)
    return entry


def build_catalog(flat: Mapping[str, FlatPack], pack_ids: Iterable[str]) -> dict[str, WireEntry]:
    """The entries of the listed packs, by id in sorted order."""
    return {pack_id: wire_entry(flat[pack_id]) for pack_id in sorted(set(pack_ids))}

"""Canonical key order, read from the models: the order their fields are declared in.

A pack's header fields come first, then the six sections in the engine's order, each with its
fields in the engine's order (``runtime.fields``); tenants and environments follow their models.
Keys a model does not know keep their place after the known ones, so the validator, not the
formatter, is the one to complain about them.
"""

from __future__ import annotations

import functools
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from dpm_policy.model.annotations import type_parts

__all__ = ["KeyOrder", "key_order"]


@dataclass(frozen=True)
class KeyOrder:
    """The order of one mapping's keys, and the order of the mappings below each key.

    ``children`` holds, for a key whose value is a model, that model's order; ``entries`` holds,
    for a key whose value maps free keys (group constraints, per-environment overrides), the
    order of each entry's own mapping.
    """

    keys: tuple[str, ...]
    children: dict[str, KeyOrder]
    entries: dict[str, KeyOrder]

    def rank(self, key: object) -> int:
        return self.keys.index(key) if key in self.keys else len(self.keys)

    def keys_with_children(self) -> tuple[str, ...]:
        """The keys whose value is a model's mapping: a pack's six sections, at the top."""
        return tuple(key for key in self.keys if key in self.children)


def _is_model(candidate: Any) -> bool:
    return isinstance(candidate, type) and issubclass(candidate, BaseModel)


@functools.cache
def key_order(model: type[BaseModel]) -> KeyOrder:
    """The canonical order of a document of ``model`` (and of every mapping inside it)."""
    children: dict[str, KeyOrder] = {}
    entries: dict[str, KeyOrder] = {}
    for name, field in model.model_fields.items():
        for candidate in type_parts(field.annotation):
            if _is_model(candidate):
                children[name] = key_order(candidate)
            elif typing.get_origin(candidate) is dict:
                value = type_parts(typing.get_args(candidate)[-1])[0]
                if _is_model(value):
                    entries[name] = key_order(value)
    return KeyOrder(tuple(model.model_fields), children, entries)

"""Applying a resolved pack to the engine's options (contract section 3)."""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol, TypeVar

from dpm_policy_runtime.fields import FIELDS
from dpm_policy_runtime.frozen import FrozenMap
from dpm_policy_runtime.pack import PolicyPack
from dpm_policy_runtime.resolution import Resolution

__all__ = ["OptionsModel", "apply_to_options", "option_updates", "replay_enabled"]

_M = TypeVar("_M", bound="OptionsModel")


class OptionsModel(Protocol):
    """What :func:`apply_to_options` needs of a pydantic v2 model, without importing pydantic."""

    def model_copy(self: _M, *, update: dict[str, object] | None = ..., deep: bool = ...) -> _M:
        """pydantic's shallow copy with updates (no validation)."""
        ...

    def model_dump(self, *, warnings: bool = ...) -> dict[str, object]:
        """pydantic's dump to Python objects."""
        ...

    @classmethod
    def model_validate(cls: type[_M], obj: object) -> _M:
        """pydantic's validation of Python objects."""
        ...


def option_updates(policy_pack: PolicyPack | None) -> dict[str, object]:
    """Exactly the engine's ``policy_pack_engine_option_updates``.

    Every set field that maps to an ``EngineOptions`` field, in the table's order; Decimals
    stay Decimals; group constraints become ``{key: {"max_weight": Decimal}}`` and only when
    non-empty (a pack cannot clear the request's map, and a non-empty one replaces it whole).
    ``idempotency_policy.replay_enabled`` is not an option: see :func:`replay_enabled`.
    """
    if policy_pack is None:
        return {}
    updates: dict[str, object] = {}
    values = policy_pack.values
    for spec in FIELDS:
        if spec.option is None or spec.path not in values:
            continue
        value = values[spec.path]
        if isinstance(value, FrozenMap):
            groups: FrozenMap[str, Decimal] = value
            updates[spec.option] = {key: {"max_weight": weight} for key, weight in groups.items()}
        else:
            updates[spec.option] = value
    return updates


def apply_to_options(options: _M, resolution: Resolution) -> _M:
    """The request's options with the selected pack applied.

    Like the engine, returns ``options`` itself when there is nothing to apply, and a pack
    beats the request. Unlike the engine, which stops at ``model_copy(update=...)`` and so
    lets an invalid value reach the solver unchecked, the copy is dumped and validated again
    through ``type(options).model_validate``: group constraints become the model's own type,
    the result equals the engine's for every valid pack, and a bad value raises pydantic's
    ``ValidationError`` here instead of failing later.
    """
    updates = option_updates(resolution.policy_pack)
    if not updates:
        return options
    copied = options.model_copy(update=updates)
    # warnings=False: the copy holds plain dicts where the model declares GroupConstraint,
    # which is exactly what the validation below fixes; pydantic would warn about it.
    return type(options).model_validate(copied.model_dump(warnings=False))


def replay_enabled(resolution: Resolution, default: bool) -> bool:
    """The simulate replay switch: the pack's override if it sets one, else ``default``."""
    pack = resolution.policy_pack
    if pack is None:
        return default
    value = pack.values.get("idempotency_policy.replay_enabled")
    return value if isinstance(value, bool) else default

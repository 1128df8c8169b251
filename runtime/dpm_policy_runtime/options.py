"""Applying a resolved pack to the engine's options (contract section 3)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Protocol, TypeVar, get_args, get_origin

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


class _Constructs(Protocol):
    """A pydantic model class: ``model_construct`` builds an instance without validation."""

    def model_construct(self, **values: object) -> object:
        """pydantic's construction from trusted values."""
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
    """The request's options with the selected pack applied, exactly as the engine applies it.

    ``options.model_copy(update=...)`` and nothing more: ``options`` itself when there is
    nothing to apply, a pack's value beats the request's, and nothing is validated, so a
    value that the engine passes on unchecked (a lenient ``max_turnover_pct`` of 15, a group
    key without a colon; see :attr:`PolicyRuntime.unchecked`) is passed on here too and never
    raises. Group constraints become instances of the model's own group-constraint type, as
    the engine's pack holds them (built with ``model_construct``: their ``max_weight`` was
    checked at load); a model whose map holds something else gets plain dicts.
    """
    updates = option_updates(resolution.policy_pack)
    if not updates:
        return options
    groups = updates.get("group_constraints")
    element = _group_type(type(options)) if isinstance(groups, dict) else None
    if isinstance(groups, dict) and element is not None:
        updates["group_constraints"] = {
            key: element.model_construct(**value) for key, value in groups.items()
        }
    return options.model_copy(update=updates)


def _group_type(model: type) -> _Constructs | None:
    """The value type of ``model``'s ``group_constraints`` mapping, when it is a pydantic
    model (``dict[str, GroupConstraint]``, optional or not)."""
    fields = getattr(model, "model_fields", None)
    field = fields.get("group_constraints") if isinstance(fields, dict) else None
    pending = [getattr(field, "annotation", None)]
    while pending:
        annotation = pending.pop()
        arguments = get_args(annotation)
        origin = get_origin(annotation)
        if isinstance(origin, type) and issubclass(origin, Mapping) and len(arguments) == 2:
            value_type = arguments[1]
            return value_type if hasattr(value_type, "model_construct") else None
        # A union (``X | None``, ``Optional[X]``): look through its members.
        pending.extend(arguments if origin is not None else ())
    return None


def replay_enabled(resolution: Resolution, default: bool) -> bool:
    """The simulate replay switch: the pack's override if it sets one, else ``default``."""
    pack = resolution.policy_pack
    if pack is None:
        return default
    value = pack.values.get("idempotency_policy.replay_enabled")
    return value if isinstance(value, bool) else default

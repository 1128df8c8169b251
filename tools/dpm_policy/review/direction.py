"""Whether a change of one setting makes a client's rebalancing stricter or looser.

The rule of each field is its row of the field table (``dpm_policy_runtime.fields``:
``tightening``); this module only applies it. Values are compared as the engine applies them
(docs/engine-contract.md sections 3 and 5): a field a pack leaves unset leaves the request's own
option in force, which is the ``EngineOptions`` default when the request sets none. So an unset
cap counts as no cap, an unset switch as the engine's default, and a group key a pack's map does
not hold as uncapped (a non-empty map replaces the request's map whole).
"""

from __future__ import annotations

from decimal import Decimal

from dpm_policy.review.model import Direction
from dpm_policy_runtime.fields import FieldSpec
from dpm_policy_runtime.switches import flag_text

__all__ = ["direction_of", "unset_meaning"]

_NO_CAP = Decimal("Infinity")


def _effective(spec: FieldSpec, value: object) -> object:
    if value is not None:
        return value
    # An absent group is uncapped, as is a cap the engine has no default for.
    if spec.kind == "group_constraints" or (
        spec.tightening in ("lower", "higher") and spec.engine_default is None
    ):
        return _NO_CAP if spec.tightening == "lower" else Decimal("-Infinity")
    return spec.engine_default


def direction_of(spec: FieldSpec, old: object, new: object) -> Direction:
    """``tightened``, ``loosened`` or ``None`` (a neutral field, or no change).

    ``None`` stands for "not set by the pack". For group constraints pass one group's
    ``max_weight`` (``None`` when the pack's map does not hold the group).
    """
    if spec.tightening == "neutral":
        return None
    before, after = _effective(spec, old), _effective(spec, new)
    if before == after or before is None or after is None:
        return None
    if spec.tightening in ("enable", "disable"):
        stricter = bool(after) if spec.tightening == "enable" else not bool(after)
        return "tightened" if stricter else "loosened"
    assert isinstance(before, int | Decimal)
    assert isinstance(after, int | Decimal)
    lower = Decimal(after) < Decimal(before)
    stricter = lower if spec.tightening == "lower" else not lower
    return "tightened" if stricter else "loosened"


def unset_meaning(spec: FieldSpec) -> str:
    """What the engine applies when no pack sets the field, in a reviewer's words."""
    if spec.kind == "group_constraints":
        return "no cap unless the request sets one"
    if spec.engine_default is None:
        return "the request's own, no cap by default"
    default = spec.engine_default
    text = flag_text(default) if isinstance(default, bool) else str(default)
    return f"the request's own, {text} by default"

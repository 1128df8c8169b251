"""Whether a change of one setting makes the engine stricter (tightened) or looser (loosened).

The direction comes from the field table (``runtime.fields``: ``tightening``). An unset setting
is compared as the engine would run without it: no cap for a limit, the engine's default for a
switch or the settlement horizon.
"""

from __future__ import annotations

from decimal import Decimal

from dpm_policy.review.model import Direction
from dpm_policy_runtime.fields import FieldSpec

__all__ = ["direction_of"]

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
    """``tightened``, ``loosened`` or ``None`` (no meaningful direction, or no change).

    For group constraints pass one group's ``max_weight`` (``None`` when the group is absent).
    """
    if spec.tightening is None:
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

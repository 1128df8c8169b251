"""What one audience gets before and after: the resolver's two answers turned into the
settings that move, each with its direction, and one verdict.

Settings are compared as the engine applies them (docs/engine-contract.md sections 3 and 5):
no pack applied (packs disabled, no source naming one, or an id the catalog lacks) leaves every
request option in force, exactly as a pack that sets nothing does.
"""

from __future__ import annotations

from collections.abc import Sequence

from dpm_policy.review.model import AudienceChange, AudienceKind, FieldChange, Served, Verdict
from dpm_policy.review.values import field_changes
from dpm_policy_runtime import FieldValue, FrozenMap, PolicyPack, Resolution

__all__ = ["Deltas", "audience_change", "served", "verdict_of"]

_NOTHING: FrozenMap[str, FieldValue] = FrozenMap()


def served(resolution: Resolution) -> Served:
    """The resolver's answer as a report shows it."""
    pack = resolution.policy_pack
    return Served(
        resolution.source, resolution.selected_policy_pack_id, pack.version if pack else None
    )


def verdict_of(deltas: Sequence[FieldChange]) -> Verdict:
    """``loosened``, ``tightened`` or ``mixed`` by the deltas' directions; ``neutral`` when
    settings move but none has a direction; ``unchanged`` when none moves."""
    directions = {delta.direction for delta in deltas}
    if {"loosened", "tightened"} <= directions:
        return "mixed"
    if "loosened" in directions:
        return "loosened"
    if "tightened" in directions:
        return "tightened"
    return "neutral" if deltas else "unchanged"


class Deltas:
    """Field deltas between two applied packs, computed once per pair of packs.

    One instance serves one environment's comparison, where a pack id names one pack on each
    side, so the pair of ids (None: nothing applied) is the key.
    """

    __slots__ = ("_cache",)

    def __init__(self) -> None:
        self._cache: dict[tuple[str | None, str | None], tuple[FieldChange, ...]] = {}

    def between(
        self, before: PolicyPack | None, after: PolicyPack | None
    ) -> tuple[FieldChange, ...]:
        key = (
            before.policy_pack_id if before else None,
            after.policy_pack_id if after else None,
        )
        found = self._cache.get(key)
        if found is None:
            found = field_changes(
                before.values if before else _NOTHING, after.values if after else _NOTHING
            )
            self._cache[key] = found
        return found


def audience_change(
    audience: AudienceKind,
    subject: str | None,
    before: Resolution,
    after: Resolution,
    deltas: Deltas,
) -> AudienceChange | None:
    """The audience's change, or None when the engine serves it exactly as before."""
    old, new = served(before), served(after)
    moved = deltas.between(before.policy_pack, after.policy_pack)
    if old == new and not moved:
        return None
    return AudienceChange(audience, subject, old, new, moved, verdict_of(moved))

"""Mapped tenants grouped into cohorts: those with the same effective settings before and the
same after share one verdict and one list of deltas, however many they are.

Every tenant of either side's tenant map is resolved on both sides as a request with only
``X-Tenant-Id`` (a tenant the map lacks on one side gets the unmapped traffic's answer there).
What a side answers such a request depends on the tenant only through what the side's map
holds for it, a pack id or nothing: the resolver strips the header and looks it up, and these
ids are the maps' own keys, stripped already. So tenants are first grouped by that pair of
entries (tens of thousands of tenants share a few thousand pairs), and each pair is resolved
once on each side, for one of its tenants; deltas are computed once per pair of packs.
"""

from __future__ import annotations

from collections import Counter

from dpm_policy.review.impact import Deltas, served, verdict_of
from dpm_policy.review.model import VERDICTS, Cohort, FieldChange, PackMove, Served, TenantImpact
from dpm_policy_runtime import FieldValue, FrozenMap, PolicyPack, PolicyRuntime

__all__ = ["tenant_impact"]

_NOTHING: FrozenMap[str, FieldValue] = FrozenMap()

# What puts two tenants in one cohort: the settings applied before and after.
_Key = tuple[FrozenMap[str, FieldValue], FrozenMap[str, FieldValue]]


def _values(pack: PolicyPack | None) -> FrozenMap[str, FieldValue]:
    return pack.values if pack is not None else _NOTHING


class _Group:
    __slots__ = ("deltas", "moves", "tenants")

    def __init__(self, deltas: tuple[FieldChange, ...]) -> None:
        self.deltas = deltas
        self.tenants: list[str] = []
        self.moves: Counter[tuple[Served, Served]] = Counter()


def tenant_impact(old: PolicyRuntime, new: PolicyRuntime, deltas: Deltas) -> TenantImpact:
    """The cohorts of tenants whose resolution changes (pack, source, version or settings)."""
    old_map, new_map = old.tenant_map, new.tenant_map
    ids = sorted(old_map.keys() | new_map.keys())
    # (old entry, new entry) -> its tenants, in id order.
    entries: dict[tuple[str | None, str | None], list[str]] = {}
    for tenant in ids:
        entries.setdefault((old_map.get(tenant), new_map.get(tenant)), []).append(tenant)
    groups: dict[_Key, _Group] = {}
    for members in entries.values():
        before = old.resolve(tenant_id=members[0])
        after = new.resolve(tenant_id=members[0])
        pair = (served(before), served(after))
        key = (_values(before.policy_pack), _values(after.policy_pack))
        group = groups.get(key)
        if group is None:
            moved = deltas.between(before.policy_pack, after.policy_pack)
            group = groups[key] = _Group(moved)
        if pair[0] == pair[1] and not group.deltas:
            continue
        group.tenants.extend(members)
        group.moves[pair] += len(members)
    for group in groups.values():
        group.tenants.sort()
    cohorts = [
        Cohort(
            verdict_of(group.deltas),
            group.deltas,
            tuple(group.tenants),
            tuple(
                PackMove(before, after, count)
                for (before, after), count in sorted(
                    group.moves.items(), key=lambda item: (-item[1], repr(item[0]))
                )
            ),
        )
        for group in groups.values()
        if group.tenants
    ]
    cohorts.sort(key=lambda c: (VERDICTS.index(c.verdict), -c.tenant_count, c.tenant_ids[0]))
    return TenantImpact(len(ids), tuple(cohorts))

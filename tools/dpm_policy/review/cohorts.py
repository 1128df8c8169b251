"""Mapped tenants grouped into cohorts: those with the same effective settings before and the
same after share one verdict and one list of deltas, however many they are.

Every tenant of either side's tenant map is resolved on both sides as a request with only
``X-Tenant-Id`` (a tenant the map lacks on one side gets the unmapped traffic's answer there).
The cost is two dict lookups per tenant; deltas are computed once per pair of packs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

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


def tenant_impact(
    old: PolicyRuntime, new: PolicyRuntime, deltas: Deltas, tenants: Iterable[str] | None = None
) -> TenantImpact:
    """The cohorts of tenants whose resolution changes (pack, source, version or settings)."""
    ids = sorted(set(old.tenant_map) | set(new.tenant_map)) if tenants is None else list(tenants)
    groups: dict[_Key, _Group] = {}
    # Per pair of answers, the cohort key: hashing the settings once per pair, not per tenant.
    keys: dict[tuple[Served, Served], _Key] = {}
    for tenant in ids:
        before = old.resolve(tenant_id=tenant)
        after = new.resolve(tenant_id=tenant)
        pair = (served(before), served(after))
        key = keys.get(pair)
        if key is None:
            key = (_values(before.policy_pack), _values(after.policy_pack))
            keys[pair] = key
        group = groups.get(key)
        if group is None:
            moved = deltas.between(before.policy_pack, after.policy_pack)
            group = groups[key] = _Group(moved)
        if pair[0] == pair[1] and not group.deltas:
            continue
        group.tenants.append(tenant)
        group.moves[pair] += 1
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

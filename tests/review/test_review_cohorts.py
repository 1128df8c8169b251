"""Tenant cohorts resolve each pair of tenant-map entries once: the cohorts are exactly those
of resolving every tenant on both sides, whatever the maps, catalogs and switches."""

from __future__ import annotations

import json
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from dpm_policy.review.cohorts import tenant_impact
from dpm_policy.review.impact import Deltas, served, verdict_of
from dpm_policy.review.model import FieldChange, Served, TenantImpact
from dpm_policy_runtime import PolicyRuntime

PACKS = ("calm_v1", "bold_v1", "gone_v1")
CAPS = ("0.05", "0.1", "0.2")
# Plain ids, and ids that only the engine's lenient read keeps: padded, blank, repeated.
TENANTS = ("t1", "t2", "t3", "T1", " t4", "t5 ", "", "t6", "t7")


def _runtime(
    catalog: dict[str, str], tenants: dict[str, str], default: str | None, flags: tuple[bool, bool]
) -> PolicyRuntime:
    wire = {
        pack: {"version": "1", "turnover_policy": {"max_turnover_pct": cap}}
        for pack, cap in catalog.items()
    }
    variables = {
        "DPM_POLICY_PACKS_ENABLED": "true" if flags[0] else "false",
        "DPM_TENANT_POLICY_PACK_RESOLUTION_ENABLED": "true" if flags[1] else "false",
        "DPM_POLICY_PACK_CATALOG_JSON": json.dumps(wire),
        "DPM_TENANT_POLICY_PACK_MAP_JSON": json.dumps(tenants),
    }
    if default is not None:
        variables["DPM_DEFAULT_POLICY_PACK_ID"] = default
    return PolicyRuntime.from_mapping(variables, strict=False)


sides = st.builds(
    _runtime,
    st.dictionaries(st.sampled_from(PACKS[:2]), st.sampled_from(CAPS)),
    st.dictionaries(st.sampled_from(TENANTS), st.sampled_from(PACKS), max_size=len(TENANTS)),
    st.none() | st.sampled_from(PACKS),
    st.tuples(st.booleans(), st.booleans()),
)


# A cohort as compared: its deltas, its tenants, and how many of them make each move.
_Normal = tuple[tuple[FieldChange, ...], tuple[str, ...], frozenset[tuple[Served, Served, int]]]


def _every_tenant_resolved(old: PolicyRuntime, new: PolicyRuntime) -> set[_Normal]:
    """The cohorts by their definition: every tenant resolved on both sides, one by one, and
    those with the same settings before and the same after put together."""
    deltas = Deltas()
    groups: dict[object, tuple[tuple[FieldChange, ...], list[str], Counter[tuple[Served, Served]]]]
    groups = {}
    for tenant in sorted(set(old.tenant_map) | set(new.tenant_map)):
        before, after = old.resolve(tenant_id=tenant), new.resolve(tenant_id=tenant)
        key = tuple(
            pack.values if pack else None for pack in (before.policy_pack, after.policy_pack)
        )
        moved = deltas.between(before.policy_pack, after.policy_pack)
        pair = (served(before), served(after))
        if pair[0] == pair[1] and not moved:
            continue
        group = groups.setdefault(key, (moved, [], Counter()))
        group[1].append(tenant)
        group[2][pair] += 1
    return {
        (moved, tuple(members), frozenset((*pair, count) for pair, count in moves.items()))
        for moved, members, moves in groups.values()
    }


def _normal(impact: TenantImpact) -> set[_Normal]:
    return {
        (
            cohort.deltas,
            cohort.tenant_ids,
            frozenset((move.before, move.after, move.tenant_count) for move in cohort.moves),
        )
        for cohort in impact.cohorts
    }


@settings(max_examples=300, deadline=None)
@given(sides, sides)
def test_cohorts_equal_every_tenant_resolved_one_by_one(
    old: PolicyRuntime, new: PolicyRuntime
) -> None:
    impact = tenant_impact(old, new, Deltas())
    assert _normal(impact) == _every_tenant_resolved(old, new)
    assert impact.total == len(set(old.tenant_map) | set(new.tenant_map))
    assert all(cohort.verdict == verdict_of(cohort.deltas) for cohort in impact.cohorts)


def test_tenants_sharing_their_entries_share_one_cohort() -> None:
    old = _runtime({"calm_v1": "0.05"}, {"a": "calm_v1", "b": "calm_v1"}, None, (True, True))
    new = _runtime({"calm_v1": "0.1"}, {"a": "calm_v1", "b": "calm_v1"}, None, (True, True))
    [cohort] = tenant_impact(old, new, Deltas()).cohorts
    assert cohort.tenant_ids == ("a", "b")
    assert cohort.verdict == "loosened"

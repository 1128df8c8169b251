"""The difference of one environment between two compiled trees, read through the resolver:
catalog entries, switches, and what every audience gets before and after."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from dpm_policy.review.cohorts import tenant_impact
from dpm_policy.review.compiled import CompiledEnvironment
from dpm_policy.review.impact import Deltas, audience_change
from dpm_policy.review.model import (
    AudienceChange,
    EnvironmentDiff,
    EnvironmentStatus,
    PackChange,
    SettingChange,
    SizeChange,
)
from dpm_policy.review.values import field_changes
from dpm_policy_runtime import PolicyRuntime
from dpm_policy_runtime.switches import SWITCHES
from dpm_policy_runtime.variables import CATALOG_JSON, TENANT_MAP_JSON

__all__ = ["compare_environment"]

_EMPTY = PolicyRuntime.from_mapping({})


def _packs(old: PolicyRuntime, new: PolicyRuntime) -> tuple[PackChange, ...]:
    changes: list[PackChange] = []
    for pack_id in sorted(set(old.catalog) | set(new.catalog)):
        before, after = old.catalog.get(pack_id), new.catalog.get(pack_id)
        if before is None and after is not None:
            # What a new pack sets, without a direction: the catalog itself loosens nothing;
            # what it does to the requests naming it is in the request audiences.
            fields = tuple(
                dataclasses.replace(change, direction=None)
                for change in field_changes({}, after.values)
            )
            changes.append(PackChange(pack_id, "added", None, after.version, fields))
        elif after is None and before is not None:
            changes.append(PackChange(pack_id, "removed", before.version, None))
        elif before is not None and after is not None and before != after:
            fields = field_changes(before.values, after.values)
            changes.append(PackChange(pack_id, "changed", before.version, after.version, fields))
    return tuple(changes)


def _requests(
    old: PolicyRuntime, new: PolicyRuntime, packs: tuple[PackChange, ...], deltas: Deltas
) -> tuple[AudienceChange, ...]:
    """The requests naming a pack of the base catalog whose answer changes.

    A pack new to the catalog has no such audience yet: requests naming it were naming an
    unknown id, which no client relies on; what it sets is in its ``PackChange``.
    """
    status = {pack.pack_id: pack.status for pack in packs}
    changes = []
    for pack_id in sorted(old.catalog):
        change = audience_change(
            "request",
            pack_id,
            old.resolve(policy_pack_id=pack_id),
            new.resolve(policy_pack_id=pack_id),
            deltas,
        )
        if change is not None:
            changes.append(dataclasses.replace(change, catalog=status.get(pack_id)))
    return tuple(changes)


def _default_effect(new: PolicyRuntime) -> str:
    target = new.default_policy_pack_id
    return (
        f"unmapped traffic gets '{target}'"
        if target is not None
        else "unmapped traffic gets no pack: the request's own options apply"
    )


def _packs_effect(new: PolicyRuntime) -> str:
    if new.enabled:
        return "policy packs apply again: every audience gets its pack"
    return "every request gets no pack: the request's own options apply to every audience"


def _tenants_effect(new: PolicyRuntime) -> str:
    if new.tenant_resolution_enabled:
        return "mapped tenants get their own pack again"
    return "every mapped tenant falls to the default: " + _default_effect(new)


# What a change of each switch of the switch table does to the audiences, given the new side.
_EFFECTS: dict[str, Callable[[PolicyRuntime], str]] = {
    "policy_packs_enabled": _packs_effect,
    "tenant_resolution_enabled": _tenants_effect,
    "idempotency_replay_enabled": lambda new: (
        "simulate's replay default for packs that do not set it"
    ),
    "default_policy_pack": _default_effect,
    "catalog_delivery": lambda new: (
        "how the catalog reaches the engine; no audience's settings change by it"
    ),
}


def _no_audience_effect(new: PolicyRuntime) -> str:
    return "how this reaches the engine; no audience's settings change by it"


def _settings(
    old_env: CompiledEnvironment, new_env: CompiledEnvironment
) -> tuple[SettingChange, ...]:
    """Each switch of the switch table whose value differs, with its effect."""
    changes = []
    for spec in SWITCHES:
        before, after = old_env.switch(spec), new_env.switch(spec)
        if before != after:
            effect = _EFFECTS.get(spec.key, _no_audience_effect)(new_env.runtime)
            changes.append(
                SettingChange(spec.label, spec.variable or spec.key, before, after, effect)
            )
    return tuple(changes)


def _sizes(
    old: CompiledEnvironment | None, new: CompiledEnvironment | None
) -> tuple[SizeChange, ...]:
    sizes = []
    for variable in (CATALOG_JSON, TENANT_MAP_JSON):
        before = old.sizes.get(variable) if old else None
        after = new.sizes.get(variable) if new else None
        if before is None and after is None:
            continue
        # The catalog is always shown against its limit; the tenant map only when it moves.
        if variable != CATALOG_JSON and before == after:
            continue
        limit = (after or before or (0, 0))[1]
        sizes.append(
            SizeChange(
                variable,
                before[0] if before else None,
                after[0] if after else None,
                limit,
            )
        )
    return tuple(sizes)


def compare_environment(
    name: str, old: CompiledEnvironment | None, new: CompiledEnvironment | None
) -> EnvironmentDiff:
    """What changes for environment ``name`` (``None``: it does not exist on that side)."""
    before = old.runtime if old else _EMPTY
    after = new.runtime if new else _EMPTY
    deltas = Deltas()
    packs = _packs(before, after)
    tenants = tenant_impact(before, after, deltas)
    unmapped = audience_change("unmapped", None, before.resolve(), after.resolve(), deltas)
    requests = _requests(before, after, packs, deltas)
    settings = _settings(old, new) if old and new else ()
    sizes = _sizes(old, new)
    status: EnvironmentStatus
    if old is None:
        status = "added"
    elif new is None:
        status = "removed"
    elif (
        packs
        or tenants.count
        or settings
        or unmapped
        or requests
        or before.fingerprint != after.fingerprint
    ):
        status = "changed"
    else:
        status = "unchanged"
    return EnvironmentDiff(name, status, packs, tenants, settings, sizes, unmapped, requests)

"""The difference of one environment between two compiled trees, read through the resolver."""

from __future__ import annotations

import dataclasses

from dpm_policy.review.compiled import CompiledEnvironment
from dpm_policy.review.model import (
    EnvironmentDiff,
    EnvironmentStatus,
    PackChange,
    SettingChange,
    SizeChange,
    TenantChanges,
)
from dpm_policy.review.values import field_changes
from dpm_policy_runtime import PolicyPack, PolicyRuntime
from dpm_policy_runtime.variables import CATALOG_JSON, TENANT_MAP_JSON

__all__ = ["compare_environment"]

_EMPTY = PolicyRuntime.from_mapping({})


def _packs(old: PolicyRuntime, new: PolicyRuntime) -> tuple[PackChange, ...]:
    changes: list[PackChange] = []
    for pack_id in sorted(set(old.catalog) | set(new.catalog)):
        before, after = old.catalog.get(pack_id), new.catalog.get(pack_id)
        if before is None and after is not None:
            # What a new pack sets, without a direction: nothing was loosened or tightened.
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


def _effective(runtime: PolicyRuntime, tenant: str) -> tuple[str | None, PolicyPack | None]:
    resolution = runtime.resolve(tenant_id=tenant)
    return resolution.selected_policy_pack_id, resolution.policy_pack


def _tenants(old: PolicyRuntime, new: PolicyRuntime) -> TenantChanges:
    remapped: list[tuple[str, str | None, str | None]] = []
    content: list[tuple[str, str]] = []
    for tenant in sorted(set(old.tenant_map) | set(new.tenant_map)):
        old_id, old_pack = _effective(old, tenant)
        new_id, new_pack = _effective(new, tenant)
        if old_id != new_id:
            remapped.append((tenant, old_id, new_id))
        elif new_id is not None and old_pack != new_pack:
            content.append((tenant, new_id))
    return TenantChanges(tuple(remapped), tuple(content))


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _settings(
    old_env: CompiledEnvironment, new_env: CompiledEnvironment
) -> tuple[SettingChange, ...]:
    old, new = old_env.runtime, new_env.runtime
    pairs = (
        ("packs enabled", "DPM_POLICY_PACKS_ENABLED", _flag(old.enabled), _flag(new.enabled)),
        (
            "tenant resolution enabled",
            "DPM_TENANT_POLICY_PACK_RESOLUTION_ENABLED",
            _flag(old.tenant_resolution_enabled),
            _flag(new.tenant_resolution_enabled),
        ),
        (
            "idempotency replay enabled",
            "DPM_IDEMPOTENCY_REPLAY_ENABLED",
            _flag(old.replay_default),
            _flag(new.replay_default),
        ),
        (
            "default pack",
            "DPM_DEFAULT_POLICY_PACK_ID",
            old.default_policy_pack_id,
            new.default_policy_pack_id,
        ),
        (
            "catalog delivery",
            "catalog_delivery",
            old_env.catalog_delivery,
            new_env.catalog_delivery,
        ),
    )
    return tuple(SettingChange(*pair) for pair in pairs if pair[2] != pair[3])


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
    packs = _packs(before, after)
    tenants = _tenants(before, after)
    settings = _settings(old, new) if old and new else ()
    sizes = _sizes(old, new)
    status: EnvironmentStatus
    if old is None:
        status = "added"
    elif new is None:
        status = "removed"
    elif packs or tenants.count or settings or before.fingerprint != after.fingerprint:
        status = "changed"
    else:
        status = "unchanged"
    return EnvironmentDiff(name, status, packs, tenants, settings, sizes)

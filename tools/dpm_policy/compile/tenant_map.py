"""The tenant map of one environment: every tenant and its effective default pack there."""

from __future__ import annotations

from collections.abc import Iterable

from dpm_policy.model import TenantFile
from dpm_policy.repository import Entry

__all__ = ["build_tenant_map", "effective_pack"]


def effective_pack_path(tenant: TenantFile, environment: str) -> tuple[str, ...]:
    """Where the tenant's pack for ``environment`` is written: its override there, if any."""
    if environment in (tenant.environments or {}):
        return ("environments", environment, "default_policy_pack")
    return ("default_policy_pack",)


def effective_pack(tenant: TenantFile, environment: str) -> str:
    """The tenant's ``environments.<env>.default_policy_pack``, else its ``default_policy_pack``."""
    override = (tenant.environments or {}).get(environment)
    return override.default_policy_pack if override is not None else tenant.default_policy_pack


def build_tenant_map(tenants: Iterable[Entry[TenantFile]], environment: str) -> dict[str, str]:
    """Tenant id -> pack id, sorted by tenant id."""
    pairs = ((t.model.tenant_id, effective_pack(t.model, environment)) for t in tenants)
    return dict(sorted(pairs))

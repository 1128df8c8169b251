"""The tenant map of one environment: every tenant and its effective default pack there."""

from __future__ import annotations

from collections.abc import Iterable

from dpm_policy.model import TenantFile
from dpm_policy.model.tenant import effective_pack, effective_pack_path
from dpm_policy.repository import Entry

__all__ = ["build_tenant_map", "effective_pack", "effective_pack_path"]


def build_tenant_map(tenants: Iterable[Entry[TenantFile]], environment: str) -> dict[str, str]:
    """Tenant id -> pack id, sorted by tenant id."""
    pairs = ((t.model.tenant_id, effective_pack(t.model, environment)) for t in tenants)
    return dict(sorted(pairs))

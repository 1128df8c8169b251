"""The tenant file, ``tenants/**/<tenant_id>.yaml``: one file per tenant.

One small file per tenant keeps a change to one tenant a one-file diff with its own owners,
and keeps merges of unrelated tenant changes free of conflicts, at any number of tenants.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from dpm_policy.model.base import StrictModel
from dpm_policy.model.types import EnvName, NotNull, OwnerList, PolicyId, Text

__all__ = ["TenantEnvironment", "TenantFile", "effective_pack", "effective_pack_path"]


class TenantEnvironment(StrictModel):
    """What differs for the tenant in one environment."""

    default_policy_pack: PolicyId = Field(
        description="The tenant's default pack in this environment, replacing the general one.",
        examples=["dpm_standard_v2"],
    )


class TenantFile(StrictModel):
    """A client tenant of the engine and the pack it uses by default."""

    tenant_id: PolicyId = Field(
        description=(
            "The tenant id exactly as the engine receives it in X-Tenant-Id (matching is "
            "case-sensitive); the file must be named <tenant_id>.yaml."
        ),
        examples=["tenant_001"],
    )
    display_name: Text = Field(description="The tenant's name, for reviewers.")
    owners: OwnerList = Field(
        description="Who approves changes to this tenant: GitHub users or teams.",
        examples=[["@bank/dpm-operations"]],
    )
    default_policy_pack: PolicyId = Field(
        description="The pack the engine applies to this tenant's requests by default.",
        examples=["dpm_standard_v1"],
    )
    environments: Annotated[dict[EnvName, TenantEnvironment] | None, NotNull] = Field(
        default=None,
        min_length=1,
        description="Per-environment overrides, keyed by environment name.",
        examples=[{"dev": {"default_policy_pack": "dpm_standard_v2"}}],
    )


def effective_pack_path(tenant: TenantFile, environment: str) -> tuple[str, ...]:
    """Where the tenant's pack for ``environment`` is written: its override there, if any."""
    if environment in (tenant.environments or {}):
        return ("environments", environment, "default_policy_pack")
    return ("default_policy_pack",)


def effective_pack(tenant: TenantFile, environment: str) -> str:
    """The tenant's ``environments.<env>.default_policy_pack``, else its ``default_policy_pack``."""
    override = (tenant.environments or {}).get(environment)
    return override.default_policy_pack if override is not None else tenant.default_policy_pack

"""The tenant file, ``tenants/**/<tenant_id>.yaml``: one file per tenant.

One small file per tenant keeps a change to one tenant a one-file diff with its own owners,
and keeps merges of unrelated tenant changes free of conflicts, at any number of tenants.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from dpm_policy.model.base import StrictModel
from dpm_policy.model.types import EnvName, NotNull, OwnerList, PolicyId, Text

__all__ = ["TenantEnvironment", "TenantFile"]


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

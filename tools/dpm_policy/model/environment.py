"""The environment file, ``environments/<name>.yaml``: what one deployment of the engine gets."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from dpm_policy.model.base import StrictModel
from dpm_policy.model.types import (
    DEFAULT_CATALOG_DELIVERY,
    CatalogDelivery,
    EnvName,
    NotNull,
    OwnerList,
    PolicyBool,
    PolicyId,
    Text,
)

__all__ = ["EnvironmentFile"]


class EnvironmentFile(StrictModel):
    """One engine deployment (dev, uat, prod): its switches and the packs that ship to it."""

    environment: EnvName = Field(
        description="The environment's name; the file must be named <environment>.yaml.",
        examples=["prod"],
    )
    description: Text = Field(description="What this environment serves, for reviewers.")
    owners: OwnerList = Field(
        description="Who approves changes to this environment: GitHub users or teams.",
        examples=[["@bank/dpm-platform"]],
    )
    promotes_from: Annotated[EnvName | None, NotNull] = Field(
        default=None,
        description=(
            "The environment a pack must ship to before it may ship here (promotion: "
            "dev -> uat -> prod)."
        ),
        examples=["uat"],
    )
    policy_packs_enabled: PolicyBool = Field(
        description="DPM_POLICY_PACKS_ENABLED: whether the engine applies policy packs at all.",
    )
    tenant_resolution_enabled: PolicyBool = Field(
        description=(
            "DPM_TENANT_POLICY_PACK_RESOLUTION_ENABLED: whether tenants' default packs are "
            "looked up from X-Tenant-Id."
        ),
    )
    idempotency_replay_enabled: PolicyBool = Field(
        description=(
            "DPM_IDEMPOTENCY_REPLAY_ENABLED: whether repeated simulate requests replay their "
            "stored result (a pack may override it)."
        ),
    )
    default_policy_pack: Annotated[PolicyId | None, NotNull] = Field(
        default=None,
        description="DPM_DEFAULT_POLICY_PACK_ID: the pack for requests that select none.",
        examples=["dpm_standard_v1"],
    )
    catalog_delivery: CatalogDelivery = Field(
        default=DEFAULT_CATALOG_DELIVERY,
        description=(
            "How the catalog reaches the engine. environment (the default): "
            "DPM_POLICY_PACK_CATALOG_JSON goes into dpm-policy.env and the ConfigMap with the "
            "other variables, where Linux allows it at most 131,042 bytes. postgres: it is left "
            "out of them, and dpm-policy publish --env <environment> --apply writes it to the "
            "engine's Postgres catalog, the only place the engine reads packs from since "
            "2026-02-25. env.json and catalog.json hold the catalog either way."
        ),
        examples=["postgres"],
    )
    packs: list[PolicyId] = Field(
        description="The packs that ship to this environment, by id.",
        examples=[["dpm_standard_v1", "dpm_conservative_v1"]],
    )

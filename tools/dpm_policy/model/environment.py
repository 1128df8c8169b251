"""The environment file, ``environments/<name>.yaml``: what one deployment of the engine gets."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from dpm_policy.model.approvals import ApprovalTiers
from dpm_policy.model.base import StrictModel
from dpm_policy.model.guardrails import Guardrails
from dpm_policy.model.types import (
    DEFAULT_CATALOG_DELIVERY,
    DEFAULT_TENANT_MAP_DELIVERY,
    CatalogDelivery,
    EnvName,
    KubernetesName,
    NotNull,
    OwnerList,
    PolicyBool,
    PolicyId,
    TenantMapDelivery,
    Text,
)
from dpm_policy_runtime.switches import SWITCHES_BY_KEY

__all__ = ["EngineWorkload", "EnvironmentFile"]


class EngineWorkload(StrictModel):
    """Where the engine runs in Kubernetes: what the compiled bundle wires its variables into."""

    namespace: KubernetesName = Field(
        description="The namespace of the engine's Deployment; the bundle's ConfigMaps go there.",
        examples=["dpm-prod"],
    )
    deployment: KubernetesName = Field(
        description="The engine's Deployment, whose pods get the variables and env.json.",
        examples=["dpm-engine"],
    )
    container: KubernetesName = Field(
        description="The engine's container in that Deployment.",
        examples=["engine"],
    )


# The switches' descriptions come from their table, like every other use of them.
_SWITCHES = SWITCHES_BY_KEY


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
        description=_SWITCHES["policy_packs_enabled"].description,
    )
    tenant_resolution_enabled: PolicyBool = Field(
        description=_SWITCHES["tenant_resolution_enabled"].description,
    )
    idempotency_replay_enabled: PolicyBool = Field(
        description=_SWITCHES["idempotency_replay_enabled"].description,
    )
    default_policy_pack: Annotated[PolicyId | None, NotNull] = Field(
        default=None,
        description=_SWITCHES["default_policy_pack"].description,
        examples=["dpm_standard_v1"],
    )
    catalog_delivery: CatalogDelivery = Field(
        default=DEFAULT_CATALOG_DELIVERY,
        description=_SWITCHES["catalog_delivery"].description,
        examples=["postgres"],
    )
    tenant_map_delivery: TenantMapDelivery = Field(
        default=DEFAULT_TENANT_MAP_DELIVERY,
        description=_SWITCHES["tenant_map_delivery"].description,
        examples=["postgres"],
    )
    kubernetes: Annotated[EngineWorkload | None, NotNull] = Field(
        default=None,
        description=(
            "The engine's Deployment, container and namespace. When set, compile writes "
            "dist/<environment>/ as a Kustomize base (kustomization.yaml) with a component "
            "(engine/) that wires the variables into that container and mounts env.json at "
            "/etc/dpm-policy (not with tenant_map_delivery: postgres, whose runtime reads "
            "Postgres), and dpm-policy deliver can push it to a GitOps branch."
        ),
        examples=[{"namespace": "dpm-prod", "deployment": "dpm-engine", "container": "engine"}],
    )
    packs: list[PolicyId] = Field(
        description="The packs that ship to this environment, by id.",
        examples=[["dpm_standard_v1", "dpm_conservative_v1"]],
    )
    guardrails: Annotated[Guardrails | None, NotNull] = Field(
        default=None,
        description=(
            "Limits no pack, tenant or switch may cross in this environment (validate checks "
            "them; waivers/ may let one breach pass until a date)."
        ),
        examples=[{"settings": {"turnover_policy.max_turnover_pct": {"max": "0.25"}}}],
    )
    approvals: ApprovalTiers = Field(
        default=None,
        min_length=1,
        description=(
            "Which kinds of change to this environment need which owners' approval on the pull "
            "request, keyed by the review's kinds of change (loosening, tightening, "
            "switch-changed, default-moved, pack-added, pack-removed, pack-changed-in-place, "
            "tenant-moved, neutral-change). diff --check verifies them against the pull "
            "request's reviews; pack-changed-in-place replaces the rule that a protected "
            "environment's packs never change in place."
        ),
        examples=[{"loosening": ["@bank/dpm-risk"], "switch-changed": ["@bank/dpm-platform"]}],
    )

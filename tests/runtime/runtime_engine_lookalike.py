"""An independent model of the engine, written from docs/engine-contract.md with pydantic.

The lenient loader must agree with the engine, whose validation is pydantic's; so the tests
compare it with this look-alike, which *uses* pydantic, over tables and random inputs.
Nothing here is imported by the runtime package.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field, ValidationError, field_validator


class GroupConstraint(BaseModel):
    max_weight: Decimal

    @field_validator("max_weight")
    @classmethod
    def _between_zero_and_one(cls, value: Decimal) -> Decimal:
        if value < Decimal("0") or value > Decimal("1"):
            raise ValueError("max_weight must be between 0 and 1 inclusive")
        return value


class Turnover(BaseModel):
    max_turnover_pct: Decimal | None = None


class Tax(BaseModel):
    enable_tax_awareness: bool | None = None
    max_realized_capital_gains: Decimal | None = Field(default=None, ge=0)


class Settlement(BaseModel):
    enable_settlement_awareness: bool | None = None
    settlement_horizon_days: int | None = Field(default=None, ge=0, le=10)


class Constraint(BaseModel):
    single_position_max_weight: Decimal | None = Field(default=None, ge=0, le=1)
    group_constraints: dict[str, GroupConstraint] = Field(default_factory=dict)


class Workflow(BaseModel):
    enable_workflow_gates: bool | None = None
    workflow_requires_mandate_approval: bool | None = None
    mandate_approval_already_obtained: bool | None = None


class Idempotency(BaseModel):
    replay_enabled: bool | None = None


SECTION_MODELS: dict[str, type[BaseModel]] = {
    "turnover_policy": Turnover,
    "tax_policy": Tax,
    "settlement_policy": Settlement,
    "constraint_policy": Constraint,
    "workflow_policy": Workflow,
    "idempotency_policy": Idempotency,
}


class PackDefinition(BaseModel):
    policy_pack_id: str
    version: str
    turnover_policy: Turnover = Field(default_factory=Turnover)
    tax_policy: Tax = Field(default_factory=Tax)
    settlement_policy: Settlement = Field(default_factory=Settlement)
    constraint_policy: Constraint = Field(default_factory=Constraint)
    workflow_policy: Workflow = Field(default_factory=Workflow)
    idempotency_policy: Idempotency = Field(default_factory=Idempotency)


def _object_or_nothing(text: str | None) -> dict[str, object]:
    cleaned = (text or "").strip()
    if not cleaned:
        return {}
    try:
        loaded = json.loads(cleaned)
    except json.JSONDecodeError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def parse_catalog(text: str | None) -> dict[str, PackDefinition]:
    """Contract section 2, step by step."""
    catalog: dict[str, PackDefinition] = {}
    for key, entry in _object_or_nothing(text).items():
        if not isinstance(entry, dict):
            continue
        pack_id = key.strip()
        if not pack_id:
            continue
        payload: dict[str, object] = {
            "policy_pack_id": pack_id,
            "version": str(entry.get("version", "1")),
        }
        for section in SECTION_MODELS:
            payload[section] = entry.get(section) or {}
        try:
            catalog[pack_id] = PackDefinition.model_validate(payload)
        except ValidationError:
            continue
    return catalog


def parse_tenant_map(text: str | None) -> dict[str, str]:
    """Contract section 4."""
    mapping: dict[str, str] = {}
    for key, value in _object_or_nothing(text).items():
        if not isinstance(value, str):
            continue
        tenant, pack = key.strip(), value.strip()
        if tenant and pack:
            mapping[tenant] = pack
    return mapping


def env_flag(value: str | None, default: bool) -> bool:
    """Contract section 1."""
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


Source = Literal["DISABLED", "REQUEST", "TENANT_DEFAULT", "GLOBAL_DEFAULT", "NONE"]


def resolve(
    env: dict[str, str],
    request: str | None,
    tenant_pack: str | None,
    tenant: str | None,
) -> tuple[bool, str | None, Source]:
    """Contract section 5, re-read from the environment on every call as the engine does."""
    candidate = tenant_pack
    map_enabled = env_flag(env.get("DPM_TENANT_POLICY_PACK_RESOLUTION_ENABLED"), False)
    if candidate is None and map_enabled:
        mapping = parse_tenant_map(env.get("DPM_TENANT_POLICY_PACK_MAP_JSON"))
        key = (tenant or "").strip()
        candidate = mapping.get(key) if key else None
    if not env_flag(env.get("DPM_POLICY_PACKS_ENABLED"), False):
        return False, None, "DISABLED"

    def clean(value: str | None) -> str | None:
        return (value or "").strip() or None

    for source, value in (
        ("REQUEST", request),
        ("TENANT_DEFAULT", candidate),
        ("GLOBAL_DEFAULT", env.get("DPM_DEFAULT_POLICY_PACK_ID")),
    ):
        if clean(value) is not None:
            return True, clean(value), source  # type: ignore[return-value]
    return True, None, "NONE"


def item(pack: PackDefinition) -> dict[str, object]:
    """The catalog item as the engine's response model serialises it."""
    return json.loads(pack.model_dump_json())


class EngineOptions(BaseModel):
    """The option fields a pack overrides, with the engine's defaults and validators (§3)."""

    target_method: Literal["HEURISTIC", "SOLVER"] = "HEURISTIC"
    max_turnover_pct: Decimal | None = None
    enable_tax_awareness: bool = False
    max_realized_capital_gains: Decimal | None = Field(default=None, ge=0)
    enable_settlement_awareness: bool = False
    settlement_horizon_days: int = Field(default=5, ge=0, le=10)
    single_position_max_weight: Decimal | None = None
    group_constraints: dict[str, GroupConstraint] = Field(default_factory=dict)
    enable_workflow_gates: bool = True
    workflow_requires_mandate_approval: bool = False
    mandate_approval_already_obtained: bool = False

    @field_validator("max_turnover_pct")
    @classmethod
    def _turnover_ratio(cls, value: Decimal | None) -> Decimal | None:
        if value is not None and (value < 0 or value > 1):
            raise ValueError("max_turnover_pct must be between 0 and 1 inclusive")
        return value

    @field_validator("group_constraints")
    @classmethod
    def _group_keys(cls, value: dict[str, GroupConstraint]) -> dict[str, GroupConstraint]:
        for key in value:
            attribute, _, tag = key.partition(":")
            if key.count(":") != 1 or not attribute or not tag:
                raise ValueError("group_constraints keys must use format '<attribute>:<value>'")
        return value


def engine_option_updates(pack: PackDefinition | None) -> dict[str, object]:
    """Contract section 3: every set option; group constraints only when non-empty."""
    if pack is None:
        return {}
    updates: dict[str, object] = {}
    for section in SECTION_MODELS:
        if section == "idempotency_policy":
            continue
        body = getattr(pack, section)
        for name in type(body).model_fields:
            value = getattr(body, name)
            if name == "group_constraints":
                if value:
                    updates[name] = value
            elif value is not None:
                updates[name] = value
    return updates


def engine_apply(options: EngineOptions, pack: PackDefinition | None) -> EngineOptions:
    updates = engine_option_updates(pack)
    return options.model_copy(update=updates) if updates else options


def effective_response(
    env: dict[str, str], request: str | None, tenant_pack: str | None, tenant: str | None
) -> dict[str, object]:
    """``GET /rebalance/policies/effective`` (contract section 6): never reads the catalog."""
    enabled, selected, source = resolve(env, request, tenant_pack, tenant)
    return {"enabled": enabled, "selected_policy_pack_id": selected, "source": source}


def catalog_response(
    env: dict[str, str], request: str | None, tenant_pack: str | None, tenant: str | None
) -> dict[str, object]:
    """``GET /rebalance/policies/catalog`` (contract section 6): items sorted by id."""
    enabled, selected, source = resolve(env, request, tenant_pack, tenant)
    catalog = parse_catalog(env.get("DPM_POLICY_PACK_CATALOG_JSON"))
    return {
        "enabled": enabled,
        "total": len(catalog),
        "selected_policy_pack_id": selected,
        "selected_policy_pack_present": selected is not None and selected in catalog,
        "selected_policy_pack_source": source,
        "items": [item(catalog[pack_id]) for pack_id in sorted(catalog)],
    }


def applied_options(
    env: dict[str, str],
    options: EngineOptions,
    request: str | None,
    tenant_pack: str | None,
    tenant: str | None,
) -> EngineOptions:
    """The options a simulate request runs with: resolve, look the id up, apply (section 3)."""
    _, selected, _ = resolve(env, request, tenant_pack, tenant)
    catalog = parse_catalog(env.get("DPM_POLICY_PACK_CATALOG_JSON"))
    return engine_apply(options, catalog.get(selected) if selected is not None else None)

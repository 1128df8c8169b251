"""Example: serving the engine's policy-pack surface from a compiled file with FastAPI.

Run with ``DPM_POLICY_FILE=dist/prod/env.json uvicorn --factory fastapi_app:app_from_environment``
(from this folder, with ``tools/`` on ``PYTHONPATH`` or the package installed).
Documented in docs/runtime.md; exercised by tests/runtime/test_runtime_fastapi_example.py.
"""

from __future__ import annotations

import os
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Request
from pydantic import BaseModel, Field, field_validator

from dpm_policy_runtime import (
    PolicyHeaderError,
    PolicyRuntime,
    Reloader,
    Resolution,
    catalog_body,
    effective_body,
    metric_labels,
)


class GroupConstraint(BaseModel):
    max_weight: Decimal

    @field_validator("max_weight")
    @classmethod
    def _ratio(cls, value: Decimal) -> Decimal:
        if not Decimal(0) <= value <= Decimal(1):
            raise ValueError("max_weight must be between 0 and 1 inclusive")
        return value


class EngineOptions(BaseModel):
    """The options a pack overrides (a subset of the engine's EngineOptions)."""

    target_method: Literal["HEURISTIC", "SOLVER"] = "HEURISTIC"
    max_turnover_pct: Decimal | None = Field(default=None, ge=0, le=1)
    enable_tax_awareness: bool = False
    max_realized_capital_gains: Decimal | None = Field(default=None, ge=0)
    enable_settlement_awareness: bool = False
    settlement_horizon_days: int = Field(default=5, ge=0, le=10)
    single_position_max_weight: Decimal | None = None
    group_constraints: dict[str, GroupConstraint] = Field(default_factory=dict)
    enable_workflow_gates: bool = True
    workflow_requires_mandate_approval: bool = False
    mandate_approval_already_obtained: bool = False


class SimulateRequest(BaseModel):
    options: EngineOptions = Field(default_factory=EngineOptions)


class SimulateResponse(BaseModel):
    policy_pack_id: str | None
    source: str
    replay_enabled: bool
    options: EngineOptions


def get_runtime(request: Request) -> PolicyRuntime:
    """The active snapshot; the reloader looks at the file at most every ``interval`` s."""
    reloader: Reloader = request.app.state.policy_reloader
    return reloader.current()


def get_resolution(
    request: Request,
    runtime: Annotated[PolicyRuntime, Depends(get_runtime)],
    x_policy_pack_id: Annotated[str | None, Header()] = None,
    x_tenant_policy_pack_id: Annotated[str | None, Header()] = None,
    x_tenant_id: Annotated[str | None, Header()] = None,
) -> Resolution:
    """Resolve the three headers once per request; a header the engine would misread is a 400."""
    unexpected = sorted(request.query_params)
    if unexpected:  # the engine rejects any query parameter on these routes
        raise HTTPException(
            status_code=422,
            detail="UNSUPPORTED_QUERY_PARAMETER: "
            + ", ".join(unexpected)
            + " not supported for this endpoint",
        )
    # Headers pass through unchanged: None when absent, "" when present but blank, which
    # matters for X-Tenant-Policy-Pack-Id (a blank one suppresses the tenant map).
    try:
        return runtime.resolve(
            policy_pack_id=x_policy_pack_id,
            tenant_policy_pack_id=x_tenant_policy_pack_id,
            tenant_id=x_tenant_id,
        )
    except PolicyHeaderError as error:
        # Strict snapshots only: longer than 256 characters, or a control character inside.
        # The message shows the value escaped and truncated, so it is safe to send back.
        raise HTTPException(status_code=400, detail=str(error)) from None


RuntimeDep = Annotated[PolicyRuntime, Depends(get_runtime)]
ResolutionDep = Annotated[Resolution, Depends(get_resolution)]

router = APIRouter(prefix="/api/v1")


@router.get("/rebalance/policies/effective")
def effective(resolution: ResolutionDep) -> dict[str, object]:
    return effective_body(resolution)


@router.get("/rebalance/policies/catalog")
def catalog(runtime: RuntimeDep, resolution: ResolutionDep) -> dict[str, object]:
    return catalog_body(runtime.catalog, resolution)


@router.post("/rebalance/simulate")
def simulate(
    body: SimulateRequest, runtime: RuntimeDep, resolution: ResolutionDep
) -> SimulateResponse:
    # Applied as the engine applies it (model_copy); a strict snapshot holds only values
    # within the engine's bounds.
    options = runtime.apply_to_options(body.options, resolution)
    labels = metric_labels(resolution, surface="simulate")  # e.g. counter.labels(**labels).inc()
    del labels
    return SimulateResponse(
        policy_pack_id=resolution.selected_policy_pack_id,
        source=resolution.source,
        replay_enabled=runtime.replay_enabled(resolution),
        options=options,
    )


@router.get("/health/policy-packs", include_in_schema=False)
def health(request: Request) -> dict[str, object]:
    status = request.app.state.policy_reloader.status
    return {
        "fingerprint": status.fingerprint,
        "reason": status.reason,
        "last_error": status.last_error,
    }


def create_app(reloader: Reloader) -> FastAPI:
    """One app per reloader (tests build their own)."""
    app = FastAPI(title="policy-pack runtime example")
    app.state.policy_reloader = reloader
    app.include_router(router)
    return app


def app_from_environment() -> FastAPI:
    return create_app(Reloader(os.environ["DPM_POLICY_FILE"], interval=5.0))

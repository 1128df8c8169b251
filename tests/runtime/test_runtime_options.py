"""Applying a pack to the request's options (contract section 3) against an EngineOptions
look-alike with the engine's fields, defaults and validators."""

from __future__ import annotations

from decimal import Decimal

import pytest
import runtime_engine_lookalike as engine
from pydantic import BaseModel, model_validator
from runtime_fixtures import variables

from dpm_policy_runtime import PolicyRuntime
from dpm_policy_runtime.options import option_updates

EngineOptions = engine.EngineOptions
GroupConstraint = engine.GroupConstraint


@pytest.fixture(scope="module")
def runtime() -> PolicyRuntime:
    return PolicyRuntime.from_mapping(variables())


def _plain(updates: dict[str, object]) -> dict[str, object]:
    """The engine's updates with GroupConstraint models written as plain dicts."""
    out = dict(updates)
    if "group_constraints" in out:
        groups = out["group_constraints"]
        assert isinstance(groups, dict)
        out["group_constraints"] = {k: {"max_weight": v.max_weight} for k, v in groups.items()}
    return out


@pytest.mark.parametrize("pack_id", ["dpm_standard_v1", "dpm_conservative_v1", "dpm_global_v1"])
def test_option_updates_equal_the_engines(runtime: PolicyRuntime, pack_id: str) -> None:
    resolution = runtime.resolve(policy_pack_id=pack_id)
    engine_pack = engine.parse_catalog(variables()["DPM_POLICY_PACK_CATALOG_JSON"])[pack_id]
    ours = runtime.option_updates(resolution)
    assert ours == _plain(engine.engine_option_updates(engine_pack))
    assert list(ours) == list(engine.engine_option_updates(engine_pack))


def test_option_updates_of_the_standard_pack(runtime: PolicyRuntime) -> None:
    updates = runtime.option_updates(runtime.resolve(policy_pack_id="dpm_standard_v1"))
    assert updates == {
        "max_turnover_pct": Decimal("0.10"),
        "enable_tax_awareness": True,
        "max_realized_capital_gains": Decimal("100"),
        "enable_settlement_awareness": True,
        "settlement_horizon_days": 3,
        "single_position_max_weight": Decimal("0.25"),
        "group_constraints": {"sector:TECH": {"max_weight": Decimal("0.20")}},
        "enable_workflow_gates": False,
        "workflow_requires_mandate_approval": True,
        "mandate_approval_already_obtained": True,
    }
    assert "replay_enabled" not in updates


@pytest.mark.parametrize("pack_id", ["dpm_standard_v1", "dpm_conservative_v1", "dpm_missing", None])
@pytest.mark.parametrize(
    "request_options",
    [
        {},
        {"max_turnover_pct": "0.5", "settlement_horizon_days": 9, "target_method": "SOLVER"},
        {"group_constraints": {"region:EU": {"max_weight": "0.4"}}, "enable_workflow_gates": False},
    ],
)
def test_apply_equals_the_engine(
    runtime: PolicyRuntime, pack_id: str | None, request_options: dict[str, object]
) -> None:
    options = EngineOptions.model_validate(request_options)
    resolution = runtime.resolve(policy_pack_id=pack_id)
    engine_catalog = engine.parse_catalog(variables()["DPM_POLICY_PACK_CATALOG_JSON"])
    expected = engine.engine_apply(
        options, engine_catalog.get(resolution.selected_policy_pack_id or "")
    )
    applied = runtime.apply_to_options(options, resolution)
    assert applied == expected
    assert type(applied) is EngineOptions
    for constraint in applied.group_constraints.values():
        assert type(constraint) is GroupConstraint


def test_nothing_to_apply_returns_the_same_object(runtime: PolicyRuntime) -> None:
    options = EngineOptions()
    assert runtime.apply_to_options(options, runtime.resolve(policy_pack_id="nope")) is options
    disabled = PolicyRuntime.from_mapping(variables(DPM_POLICY_PACKS_ENABLED="false"))
    resolution = disabled.resolve(policy_pack_id="dpm_standard_v1")
    assert disabled.apply_to_options(options, resolution) is options


def test_pack_beats_request_and_groups_replace_not_merge(runtime: PolicyRuntime) -> None:
    options = EngineOptions.model_validate(
        {"max_turnover_pct": "0.9", "group_constraints": {"region:EU": {"max_weight": "0.4"}}}
    )
    applied = runtime.apply_to_options(options, runtime.resolve(policy_pack_id="dpm_standard_v1"))
    assert applied.max_turnover_pct == Decimal("0.10")
    assert list(applied.group_constraints) == ["sector:TECH"]


def test_a_pack_without_groups_cannot_clear_the_requests(runtime: PolicyRuntime) -> None:
    options = EngineOptions.model_validate(
        {"group_constraints": {"region:EU": {"max_weight": "0.4"}}}
    )
    applied = runtime.apply_to_options(
        options, runtime.resolve(policy_pack_id="dpm_conservative_v1")
    )
    assert list(applied.group_constraints) == ["region:EU"]


def test_apply_does_not_validate_as_the_engine_does_not() -> None:
    """``model_copy`` only: the caller's own validators are not run (values the engine passes
    on unchecked are specified in test_runtime_engine_exact.py)."""

    class Refusing(EngineOptions):
        @model_validator(mode="after")
        def _never(self) -> Refusing:
            raise ValueError("validation ran")

    options = Refusing.model_construct()
    runtime = PolicyRuntime.from_mapping(variables())
    applied = runtime.apply_to_options(options, runtime.resolve(policy_pack_id="dpm_standard_v1"))
    assert applied.max_turnover_pct == Decimal("0.10")


def test_groups_are_plain_dicts_for_a_model_whose_map_holds_no_model() -> None:
    class Plain(BaseModel):
        group_constraints: dict[str, dict[str, Decimal]] = {}

    runtime = PolicyRuntime.from_mapping(variables())
    applied = runtime.apply_to_options(Plain(), runtime.resolve(policy_pack_id="dpm_standard_v1"))
    assert applied.group_constraints == {"sector:TECH": {"max_weight": Decimal("0.20")}}


def test_replay_enabled(runtime: PolicyRuntime) -> None:
    standard = runtime.resolve(policy_pack_id="dpm_standard_v1")  # sets replay_enabled false
    conservative = runtime.resolve(policy_pack_id="dpm_conservative_v1")  # does not
    assert runtime.replay_enabled(standard) is False
    assert runtime.replay_enabled(standard, default=True) is False
    assert runtime.replay_enabled(conservative) is True
    assert runtime.replay_enabled(conservative, default=False) is False
    no_replay = PolicyRuntime.from_mapping(variables(DPM_IDEMPOTENCY_REPLAY_ENABLED="false"))
    assert no_replay.replay_enabled(no_replay.resolve(policy_pack_id="nope")) is False


def test_module_level_option_updates_of_no_pack() -> None:
    assert option_updates(None) == {}

"""The table of environment switches, and everything that is derived from it.

Adding a switch is a row of ``dpm_policy_runtime.switches.SWITCHES`` plus the environment model's
field of the same key (its description comes from the row); the compiler's variables, the
verification views, the review's settings section, explain's provenance and the runtime's flag
defaults follow. ``test_adding_a_switch`` below shows it with an example row.
"""

from __future__ import annotations

import dataclasses

import pytest

from dpm_policy.compile import variables as compiled_variables
from dpm_policy.model import EnvironmentFile
from dpm_policy.review import compare
from dpm_policy.review.compiled import CompiledEnvironment
from dpm_policy_runtime import PolicyRuntime
from dpm_policy_runtime.flags import FLAG_DEFAULTS
from dpm_policy_runtime.switches import (
    ENGINE_SWITCHES,
    SWITCHES,
    SWITCHES_BY_KEY,
    SwitchSpec,
    deciding_switch,
    switch_text,
)
from dpm_policy_runtime.variables import VARIABLES

# Keys of an environment file that are not switches.
NOT_SWITCHES = {"environment", "description", "owners", "promotes_from", "packs"}


def _environment(**switches: object) -> EnvironmentFile:
    return EnvironmentFile.model_validate(
        {
            "environment": "dev",
            "description": "d",
            "owners": ["@bank/x"],
            "policy_packs_enabled": True,
            "tenant_resolution_enabled": False,
            "idempotency_replay_enabled": True,
            "packs": [],
            **switches,
        }
    )


def test_every_switch_is_a_field_of_the_environment_file_described_by_its_row() -> None:
    fields = EnvironmentFile.model_fields
    for spec in SWITCHES:
        assert spec.key in fields
        assert fields[spec.key].description == spec.description
    flags = {name for name, info in fields.items() if info.annotation is bool}
    deliveries = {name for name in fields if name.endswith("_delivery")}
    assert flags | deliveries <= set(SWITCHES_BY_KEY)
    assert not NOT_SWITCHES & set(SWITCHES_BY_KEY)


def test_engine_switches_are_variables_the_runtime_reads_with_the_engine_defaults() -> None:
    for spec in ENGINE_SWITCHES:
        assert spec.variable in VARIABLES
        assert spec.snapshot is not None
        assert hasattr(PolicyRuntime, spec.snapshot)
        unset = getattr(PolicyRuntime.from_mapping({}), spec.snapshot)
        assert unset == spec.engine_default
    flags = {spec.variable: spec.engine_default for spec in SWITCHES if spec.kind == "flag"}
    assert dict(FLAG_DEFAULTS) == flags


def test_compiled_variables_hold_each_engine_switch_as_its_row_writes_it() -> None:
    env = _environment(default_policy_pack="dpm_a")
    written = compiled_variables.build_variables(env, {}, {})
    for spec in ENGINE_SWITCHES:
        assert spec.variable is not None
        assert written[spec.variable] == switch_text(spec, getattr(env, spec.key))
    unset = compiled_variables.build_variables(_environment(), {}, {})
    assert SWITCHES_BY_KEY["default_policy_pack"].variable not in unset


def test_the_runtime_reads_back_what_the_compiler_writes() -> None:
    env = _environment(default_policy_pack="dpm_a")
    catalog = {"dpm_a": {"version": "1"}}
    runtime = PolicyRuntime.from_mapping(compiled_variables.build_variables(env, catalog, {}))
    for spec in ENGINE_SWITCHES:
        assert spec.snapshot is not None
        assert getattr(runtime, spec.snapshot) == getattr(env, spec.key)


def test_explain_provenance_names_the_deciding_switch() -> None:
    assert deciding_switch("DISABLED") is SWITCHES_BY_KEY["policy_packs_enabled"]
    assert deciding_switch("GLOBAL_DEFAULT") is SWITCHES_BY_KEY["default_policy_pack"]
    assert deciding_switch("REQUEST") is None


def _compiled(variables: dict[str, str], deliveries: dict[str, str]) -> CompiledEnvironment:
    return CompiledEnvironment("dev", PolicyRuntime.from_mapping(variables), {}, deliveries)


def test_the_review_lists_each_changed_switch_from_the_table() -> None:
    before = _compiled({"DPM_POLICY_PACKS_ENABLED": "true"}, {})
    after = _compiled({"DPM_POLICY_PACKS_ENABLED": "false"}, {"catalog_delivery": "postgres"})
    settings = compare._settings(before, after)
    assert [(s.name, s.variable, s.old, s.new) for s in settings] == [
        ("packs enabled", "DPM_POLICY_PACKS_ENABLED", "true", "false"),
        ("catalog delivery", "catalog_delivery", "environment", "postgres"),
    ]


def test_adding_a_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    """A new delivery switch is one row: the review shows its change with no other edit (an
    engine switch also needs its variable in ``variables.VARIABLES`` and a runtime reading)."""
    row = SwitchSpec(
        "audit_delivery",
        None,
        "environment",
        "delivery",
        "audit delivery",
        "How the audit trail reaches the engine.",
    )
    monkeypatch.setattr(compare, "SWITCHES", (*SWITCHES, row))
    before = _compiled({}, {})
    after = _compiled({}, {"audit_delivery": "file"})
    (change,) = compare._settings(before, after)
    assert (change.name, change.variable, change.old, change.new) == (
        "audit delivery",
        "audit_delivery",
        "environment",
        "file",
    )
    assert "no audience's settings change" in change.effect
    assert dataclasses.replace(row, variable="X").description.startswith("X: ")

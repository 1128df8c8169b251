"""Flags follow the engine's env_flag in lenient mode; strict mode takes only true/false."""

from __future__ import annotations

import pytest
import runtime_engine_lookalike as engine
from hypothesis import given
from hypothesis import strategies as st

from dpm_policy_runtime import PolicyConfigError, PolicyRuntime, env_flag

FLAGS = {
    "DPM_POLICY_PACKS_ENABLED": ("enabled", False),
    "DPM_TENANT_POLICY_PACK_RESOLUTION_ENABLED": ("tenant_resolution_enabled", False),
    "DPM_IDEMPOTENCY_REPLAY_ENABLED": ("replay_default", True),
}
TEXTS = [
    "1",
    "true",
    "TRUE",
    " yes ",
    "On",
    "0",
    "false",
    "no",
    "off",
    "y",
    "t",
    "enabled",
    "",
    " ",
    "2",
    "truE\n",
]


@pytest.mark.parametrize("name", list(FLAGS))
@pytest.mark.parametrize("text", [None, *TEXTS], ids=repr)
def test_lenient_flag_is_env_flag(name: str, text: str | None) -> None:
    attribute, default = FLAGS[name]
    variables = {} if text is None else {name: text}
    runtime = PolicyRuntime.from_mapping(variables, strict=False)
    assert getattr(runtime, attribute) is engine.env_flag(text, default)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", True),
        ("yes", True),
        (" ON ", True),
        ("y", False),
        ("t", False),
        ("enabled", False),
        ("", False),
        (None, True),
    ],
)
def test_env_flag_words(text: str | None, expected: bool) -> None:
    assert env_flag(text, True) is expected


@given(st.text(max_size=8))
def test_env_flag_matches_the_engine_for_any_text(text: str) -> None:
    assert env_flag(text, False) is engine.env_flag(text, False)


@pytest.mark.parametrize("name", list(FLAGS))
@pytest.mark.parametrize(("text", "expected"), [("true", True), ("false", False)])
def test_strict_flag_accepts_true_false(name: str, text: str, expected: bool) -> None:
    assert getattr(PolicyRuntime.from_mapping({name: text}), FLAGS[name][0]) is expected


@pytest.mark.parametrize("name", list(FLAGS))
@pytest.mark.parametrize("text", [t for t in TEXTS if t not in ("true", "false")], ids=repr)
def test_strict_flag_rejects_anything_else(name: str, text: str) -> None:
    with pytest.raises(PolicyConfigError) as caught:
        PolicyRuntime.from_mapping({name: text})
    assert [(p.code, p.location) for p in caught.value.problems] == [("flag", name)]


def test_lenient_notes_coerced_flag_text() -> None:
    runtime = PolicyRuntime.from_mapping({"DPM_POLICY_PACKS_ENABLED": "enabled"}, strict=False)
    assert runtime.enabled is False
    assert [str(d) for d in runtime.dropped] == [
        "DPM_POLICY_PACKS_ENABLED: coerced: flag text 'enabled' reads as false"
    ]

"""Canonical encoding: compact, sorted, exact decimals, and the same bytes every time."""

from __future__ import annotations

import json
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from dpm_policy.compile.catalog import wire_value
from dpm_policy.compile.dotenv import dotenv_problem
from dpm_policy.compile.encode import canonical_json, pretty_json

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=10,
)


def test_plain_content_equals_json_dumps() -> None:
    value = {"b": {"y": "0.1", "x": True}, "a": ["sector:TECH", 3]}
    assert canonical_json(value) == json.dumps(
        value, separators=(",", ":"), sort_keys=True, ensure_ascii=False
    )
    assert canonical_json(value) == '{"a":["sector:TECH",3],"b":{"x":true,"y":"0.1"}}'


def test_unsafe_characters_are_escaped() -> None:
    assert canonical_json(["it's $x \\ é"]) == '["it\\u0027s \\u0024x \\u005c é"]'
    assert canonical_json(["\u2028\U0001d11e\x7f"]) == '["\\u2028𝄞\\u007f"]'
    assert canonical_json(["\U000e0001"]) == '["\\udb40\\udc01"]'  # unprintable, astral


@settings(max_examples=200)
@given(json_values)
def test_round_trip_and_safe_for_dotenv(value: object) -> None:
    text = canonical_json(value)
    assert json.loads(text) == value
    assert dotenv_problem(text) is None
    assert all(char.isprintable() for char in text)


@settings(max_examples=100)
@given(json_values)
def test_pretty_round_trip(value: object) -> None:
    text = pretty_json(value)
    assert text.endswith("\n")
    assert json.loads(text) == value


def test_decimals_are_canonical_strings() -> None:
    assert wire_value(Decimal("0.10")) == "0.1"
    assert wire_value(Decimal("25000")) == "25000"
    assert wire_value(Decimal("1E+2")) == "100"
    assert wire_value(Decimal("-0")) == "0"
    assert wire_value(True) is True
    assert wire_value(3) == 3
    assert wire_value({"sector:TECH": Decimal("0.20")}) == {"sector:TECH": {"max_weight": "0.2"}}

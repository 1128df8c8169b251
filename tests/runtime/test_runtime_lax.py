"""The lenient coercers agree with pydantic's lax mode, which is what the engine runs."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from dpm_policy_runtime.lax import LaxError, lax_bool, lax_decimal, lax_int


class _Probe(BaseModel):
    decimal: Decimal | None = None
    boolean: bool | None = None
    integer: int | None = None


def _pydantic(field: str, value: object) -> object:
    try:
        return getattr(_Probe.model_validate({field: value}), field)
    except ValidationError:
        return LaxError


def _ours(function: object, value: object) -> object:
    try:
        return function(value)  # type: ignore[operator]
    except LaxError:
        return LaxError


def _same(field: str, function: object, value: object) -> None:
    expected = _pydantic(field, value)
    got = _ours(function, value)
    assert got == expected, (value, got, expected)
    assert type(got) is type(expected)
    if isinstance(expected, Decimal):
        assert str(got) == str(expected)  # same exponent, not just equal


_SAMPLES: list[object] = [
    "0.1",
    " 0.1 ",
    "+0.1",
    ".5",
    "5.",
    "1_000",
    "1__0",
    "1e400",
    "1E-7",
    "NaN",
    "-inf",
    "Infinity",
    "sNaN",
    "0x10",
    "\uff11\uff12",
    "1,000",
    "",
    " ",
    "-0",
    "00.5",
    "\xa00.5",
    "\x1c0.5",
    "\u200b1",
    "0.5\x00",
    "3",
    " 3 ",
    "3.0",
    "3.00",
    "3.5",
    "+3",
    "03",
    "3_0",
    "3__0",
    "_3",
    "3_",
    "0_3",
    "3.",
    ".0",
    "3e0",
    "-0.0",
    "\u20073",
    "\x1c3",
    "\t3\n",
    "true",
    "True",
    "TRUE",
    " true",
    "yes",
    "on",
    "t",
    "Y",
    "n",
    "f",
    "off",
    "no",
    "0",
    "1",
    "2",
    "enabled",
    "1.0",
    "tRuE",
    "ON",
    "oN",
    0,
    1,
    2,
    -1,
    10,
    11,
    10**30,
    True,
    False,
    0.0,
    -0.0,
    1.0,
    1.5,
    3.0,
    0.1,
    0.1 + 0.2,
    1e16,
    1e-7,
    5e-324,
    1e20,
    float("nan"),
    float("inf"),
    None,
    [],
    {},
    [1],
    {"a": 1},
]


# None is "no override", handled before any coercion, so it has no row in the table.
@pytest.mark.parametrize("value", [v for v in _SAMPLES if v is not None], ids=repr)
def test_table_matches_pydantic(value: object) -> None:
    _same("decimal", lax_decimal, value)
    _same("boolean", lax_bool, value)
    _same("integer", lax_int, value)


_json_scalars = st.one_of(
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(
        alphabet=st.sampled_from("0123456789+-._eEaAnNfFiItTrRuUyYsSoO \t\n\x1c\xa0"), max_size=8
    ),
)


@settings(max_examples=1500, deadline=None)
@given(value=_json_scalars)
def test_random_scalars_match_pydantic(value: object) -> None:
    _same("decimal", lax_decimal, value)
    _same("boolean", lax_bool, value)
    _same("integer", lax_int, value)


@settings(max_examples=500, deadline=None)
@given(value=st.text(max_size=6) | st.from_regex(r"\s*[+-]?[0-9_]{1,4}(\.[0-9_]{0,3})?\s*"))
def test_random_text_matches_pydantic(value: str) -> None:
    _same("decimal", lax_decimal, value)
    _same("boolean", lax_bool, value)
    _same("integer", lax_int, value)


def test_integer_text_exhaustively_over_a_small_alphabet() -> None:
    """Every string of up to four characters from digits, signs, '_', '.', and spaces: the
    corners of pydantic-core's integer cleaning ("0-1" is -1, "0__1" is 1) included."""
    import itertools

    alphabet = "019-+_. \xa0"
    for length in range(1, 5):
        for chars in itertools.product(alphabet, repeat=length):
            _same("integer", lax_int, "".join(chars))

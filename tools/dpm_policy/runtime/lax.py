"""The engine's lax coercion of pack values, re-implemented without pydantic.

The engine validates packs with pydantic v2 in lax mode; the lenient loader must accept,
reject and convert exactly as it does. Each function returns the coerced value or raises
:class:`LaxError` with a short reason. The behaviour was pinned against pydantic 2.x by
``tests/runtime/test_runtime_lax.py``, which compares these functions with pydantic itself.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation

__all__ = ["LaxError", "lax_bool", "lax_decimal", "lax_int"]

_TRUE_TEXT = frozenset({"1", "on", "t", "true", "y", "yes"})
_FALSE_TEXT = frozenset({"0", "off", "f", "false", "n", "no"})

# pydantic-core trims integer text with Rust's ``str::trim`` (Unicode White_Space), which
# unlike Python's ``str.strip`` keeps the separators U+001C..U+001F.
_RUST_WHITESPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)

# Integer text pydantic accepts: sign, ASCII digits with single underscores between them,
# and an optional fraction of zeros only ("3.0", "3.000"; not "3." or "3.5").
_INT_TEXT = re.compile(r"([+-]?[0-9]+(?:_[0-9]+)*)(?:\.0+)?", re.ASCII)


class LaxError(ValueError):
    """A value the engine's pack model rejects; the pack is then dropped whole."""


def lax_decimal(value: object) -> Decimal:
    """A Decimal as pydantic lax mode reads one: strings exactly, JSON numbers via float."""
    if isinstance(value, bool):
        raise LaxError("a boolean is not a decimal")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise LaxError("NaN and infinity are not allowed")
        # The float's shortest repr, so 0.1 reads 0.1 but 0.1+0.2 reads 0.30000000000000004.
        return Decimal(repr(value))
    if isinstance(value, str):
        try:
            parsed = Decimal(value)
        except InvalidOperation:
            raise LaxError("not a decimal number") from None
        if not parsed.is_finite():
            raise LaxError("NaN and infinity are not allowed")
        return parsed
    raise LaxError(f"a {type(value).__name__} is not a decimal")


def lax_bool(value: object) -> bool:
    """A bool as pydantic lax mode reads one: also 0/1 and yes/no/on/off/t/f/y/n text."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        if value in (0, 1):
            return value == 1
        raise LaxError("only 0 and 1 read as booleans")
    if isinstance(value, float):
        if value == 0.0 or value == 1.0:
            return value == 1.0
        raise LaxError("only 0 and 1 read as booleans")
    if isinstance(value, str):
        # Case-insensitive, but no trimming: " true" is rejected.
        lowered = value.lower()
        if lowered in _TRUE_TEXT:
            return True
        if lowered in _FALSE_TEXT:
            return False
        raise LaxError("not a boolean word")
    raise LaxError(f"a {type(value).__name__} is not a boolean")


def lax_int(value: object) -> int:
    """An int as pydantic lax mode reads one: also ``true``, ``3.0`` and text like ``" 3 "``."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            raise LaxError("not a whole number")
        # pydantic-core converts floats through a 64-bit integer.
        if not -(2**63) <= value < 2**63:
            raise LaxError("out of the 64-bit integer range")
        return int(value)
    if isinstance(value, str):
        match = _INT_TEXT.fullmatch(value.strip(_RUST_WHITESPACE))
        if match is None:
            raise LaxError("not an integer")
        return int(match.group(1))
    raise LaxError(f"a {type(value).__name__} is not an integer")

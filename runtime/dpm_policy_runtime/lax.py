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

# A JSON integer: what pydantic-core's number parser (jiter) accepts on its own.
_JSON_INT = re.compile(r"-?(?:0|[1-9][0-9]*)", re.ASCII)


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
        text = value if _JSON_INT.fullmatch(value) else _clean_int_text(value)
        if text is None or _JSON_INT.fullmatch(text) is None:
            raise LaxError("not an integer")
        return int(text)
    raise LaxError(f"a {type(value).__name__} is not an integer")


def _clean_int_text(raw: str) -> str | None:
    """pydantic-core's second chance for integer text that is not a plain JSON integer.

    Trims, takes one sign, drops leading zeros (and underscores among them), a fraction of
    zeros only, and single underscores between digits; None when nothing was cleaned. The
    result must then be a JSON integer. Its odd corners are kept on purpose: ``"0-1"`` reads
    -1 and ``"0__1"`` reads 1, because the engine reads them so.
    """
    text = raw.strip(_RUST_WHITESPACE)
    if text.startswith("+"):
        text = text[1:]
        if text.startswith("-"):
            return None
    negative = text.startswith("-")
    if negative:
        text = text[1:]
        if text.startswith(("-", "+")):
            return None
    stripped = _strip_leading_zeros(text)
    if stripped is None:
        return None
    text = stripped
    dot = text.find(".")
    if dot >= 0 and text[dot + 1 :] and text[dot + 1 :].strip("0") == "":
        text = text[:dot]
    sign = "-" if negative else ""
    if "_" in text and not text.startswith("_") and not text.endswith("_") and "__" not in text:
        return sign + text.replace("_", "")
    if len(text) == len(raw):
        return None
    return sign + text


def _strip_leading_zeros(text: str) -> str | None:
    """Leading zeros (and underscores after the first zero) removed, keeping the last zero
    before a '.' or of an all-zero number; None for text that cannot start a number."""
    if not text:
        return None
    if text[0] != "0":
        return text if text[0] in "123456789-" else None
    for index in range(1, len(text)):
        char = text[index]
        if char in "0_":
            continue
        if char in "123456789-":
            return text[index:]
        if char == ".":
            return text[index - 1 :]
        return None
    return text[-1]

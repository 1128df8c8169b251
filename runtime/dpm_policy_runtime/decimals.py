"""Canonical text of decimal values, shared by the compiler and the resolver."""

from __future__ import annotations

import re
from decimal import Decimal

__all__ = ["PLAIN_DECIMAL", "canonical_decimal"]

# A decimal in plain notation: optional minus, digits, optional fraction. No exponent, no
# surrounding whitespace, no leading '+', no bare '.5'.
PLAIN_DECIMAL = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def canonical_decimal(value: Decimal) -> str:
    """The one plain-notation text of a finite decimal.

    ``0.10`` -> ``"0.1"``, ``1E+2`` -> ``"100"``.

    Trailing fractional zeros are dropped and negative zero reads ``"0"``, so two values the
    engine treats as equal always encode to the same bytes.
    """
    if not value.is_finite():
        raise ValueError(f"{value} is not a finite decimal")
    if value.is_zero():
        return "0"
    text = format(value.normalize(), "f")
    return text

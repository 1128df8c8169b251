"""The day waivers are judged on: the real date, unless a caller fixes it.

``DPM_POLICY_TODAY=YYYY-MM-DD`` (or ``--today``, or ``fixed_today``) pins it, so that expiry
can be tested and a past run reproduced; nothing else in the tool reads the clock for waivers.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from dpm_policy.errors import UsageError

__all__ = ["TODAY_VARIABLE", "fixed_today", "parse_today", "today"]

TODAY_VARIABLE = "DPM_POLICY_TODAY"

_FIXED: ContextVar[datetime.date | None] = ContextVar("dpm_policy_today", default=None)


def parse_today(text: str, what: str = "--today") -> datetime.date:
    """``YYYY-MM-DD``, or a usage error naming where it was written."""
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"{what} is {text!r}, not a date; write YYYY-MM-DD, such as 2026-12-01"
        ) from None


def today() -> datetime.date:
    """The fixed day if a caller set one, else ``DPM_POLICY_TODAY``, else the real date."""
    fixed = _FIXED.get()
    if fixed is not None:
        return fixed
    text = os.environ.get(TODAY_VARIABLE)
    if text:
        return parse_today(text, TODAY_VARIABLE)
    return datetime.date.today()


@contextmanager
def fixed_today(day: datetime.date | None) -> Iterator[None]:
    """Judge waivers as on ``day`` inside the block (None: leave the day as it is)."""
    token = _FIXED.set(day) if day is not None else None
    try:
        yield
    finally:
        if token is not None:
            _FIXED.reset(token)

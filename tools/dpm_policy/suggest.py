"""The nearest known id to a mistyped one, for the "did you mean" ending of a message."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["closest", "did_you_mean", "fix_for_unknown", "near_key"]

_PUNCTUATION = str.maketrans("", "", "_.-")


def near_key(identifier: str) -> str:
    """What a person would read as the same id: case and ``_ - .`` ignored."""
    return identifier.casefold().translate(_PUNCTUATION)


def closest(word: str, known: Iterable[str]) -> str | None:
    """The known id ``word`` most likely meant, or None when none is close.

    An id that differs only in case or punctuation wins outright (``Meridian_Pension`` is
    ``meridian_pension``); otherwise the nearest by spelling, ignoring case.
    """
    by_fold: dict[str, str] = {}
    wanted = near_key(word)
    for candidate in known:
        if candidate == word:
            continue
        if near_key(candidate) == wanted:
            return candidate
        by_fold.setdefault(candidate.casefold(), candidate)
    found = difflib.get_close_matches(word.casefold(), by_fold, n=1, cutoff=0.75)
    return by_fold[found[0]] if found else None


def did_you_mean(word: str, known: Iterable[str]) -> str | None:
    """``did you mean 'x'?`` for the closest known id, or None."""
    found = closest(word, known)
    return f"did you mean '{found}'?" if found is not None else None


def fix_for_unknown(word: str, known: Iterable[str], otherwise: str) -> str:
    """A message's ending for an id that names nothing: the id meant, or ``otherwise``."""
    return did_you_mean(word, known) or otherwise

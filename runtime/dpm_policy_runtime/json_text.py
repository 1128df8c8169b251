"""JSON decoding for the two modes: the engine's ``json.loads`` and a strict variant.

Both build objects as :class:`JsonObject`, a ``dict`` that also remembers which keys were
repeated (``json.loads`` keeps the last value silently). A ``dict`` subclass changes
nothing the engine's code can observe: ``str()``, equality and iteration are dict's own.
"""

from __future__ import annotations

import json
from typing import NoReturn

from dpm_policy_runtime.problems import Dropped
from dpm_policy_runtime.safe_text import display_key

__all__ = ["JsonObject", "JsonTextError", "engine_json", "engine_object", "strict_json"]


class JsonObject(dict[str, object]):
    """A decoded JSON object plus the keys that appeared more than once in it."""

    duplicates: tuple[str, ...] = ()


class JsonTextError(ValueError):
    """The text is not acceptable JSON; the message says where and why."""


def _build(pairs: list[tuple[str, object]]) -> JsonObject:
    obj = JsonObject(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        repeated: list[str] = []
        for key, _ in pairs:
            if key in seen and key not in repeated:
                repeated.append(key)
            seen.add(key)
        obj.duplicates = tuple(repeated)
    return obj


def _reject_constant(name: str) -> NoReturn:
    raise JsonTextError(f"{name} is not JSON (write a decimal as a string)")


def engine_json(text: str) -> object:
    """``json.loads`` exactly as the engine calls it (NaN, Infinity and 1e400 allowed).

    Raises :class:`JsonTextError` for anything ``json.loads`` refuses. The engine catches only
    ``JSONDecodeError``; a nesting too deep (``RecursionError``) or an integer over Python's
    4300-digit limit (a plain ``ValueError``) would be a server error there and is treated as
    invalid JSON here.
    """
    try:
        return json.loads(text, object_pairs_hook=_build)
    except json.JSONDecodeError as exc:
        raise JsonTextError(
            f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except (RecursionError, ValueError) as exc:
        raise JsonTextError(f"not valid JSON: {type(exc).__name__}") from None


def strict_json(text: str) -> object:
    """Standard JSON only: no NaN or Infinity, no number too large for a float."""
    try:
        return json.loads(
            text,
            object_pairs_hook=_build,
            parse_constant=_reject_constant,
            parse_float=_finite_float,
        )
    except json.JSONDecodeError as exc:
        raise JsonTextError(
            f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except JsonTextError:
        raise
    except (RecursionError, ValueError) as exc:
        raise JsonTextError(f"not valid JSON: {type(exc).__name__}") from None


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise JsonTextError(f"the number {text[:32]} is out of range (write a decimal as a string)")
    return value


def engine_object(
    variable: str, text: str | None, *, whole: str, repeated: str, dropped: list[Dropped]
) -> JsonObject | None:
    """The JSON object the engine reads from ``variable``, or None where it reads nothing.

    The engine strips the text, treats blank as unset, and loses the whole variable to bad
    JSON or a non-object, without a word; here each loss goes to ``dropped``, and so does
    every key that ``json.loads`` kept only the last of (``whole`` and ``repeated`` word them).
    """
    stripped = (text or "").strip()
    if not stripped:
        return None
    try:
        raw = engine_json(stripped)
    except JsonTextError as exc:
        dropped.append(Dropped(variable, "", "invalid", f"whole {whole} lost: {exc}"))
        return None
    if not isinstance(raw, JsonObject):
        dropped.append(Dropped(variable, "", "invalid", f"whole {whole} lost: not a JSON object"))
        return None
    dropped.extend(
        Dropped(
            variable, display_key(key), "superseded", f"{repeated}; only the last entry is read"
        )
        for key in raw.duplicates
    )
    return raw

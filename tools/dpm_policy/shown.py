"""How a value is shown to an author, in every message and report of the tool.

Two forms, both as the author would write them in YAML:

* ``shown``: whatever the author wrote (any type), for a message about their input: text in
  quotes and cut at 40 characters, a list or mapping named rather than printed;
* ``setting_text``: a pack setting's value (a flag, a whole number, a decimal, a map of group
  caps), for reports and checks that compare settings: decimals in plain notation without
  trailing zeros, a group map as ``{key: weight, ...}``, and an unset setting as ``unset``.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from dpm_policy_runtime.switches import flag_text

__all__ = ["UNSET", "setting_text", "shown"]

UNSET = "unset"
_LIMIT = 40


def _cut(text: str) -> str:
    return text if len(text) <= _LIMIT else text[: _LIMIT - 3] + "..."


def shown(value: object) -> str:
    """A value as the author wrote it in YAML, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return flag_text(value)
    if isinstance(value, str):
        return repr(_cut(value))
    if isinstance(value, int | Decimal):
        return _cut(str(value))
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def setting_text(value: object) -> str:
    """``true``, ``0.1``, ``3``, ``{sector:TECH: 0.15}``: a setting as an author writes it."""
    if value is None:
        return UNSET
    if isinstance(value, bool):
        return flag_text(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value != 0 else "0"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {setting_text(v)}" for k, v in value.items()) + "}"
    return str(value)

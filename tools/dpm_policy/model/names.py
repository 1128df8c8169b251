"""Closed sets of names that governance files refer to: settings, switches, headers, sources.

Each is a text type whose validator names the nearest known name on a near miss and lists the
names otherwise, so a misspelt key never becomes a guardrail or expectation that checks nothing.
"""

from __future__ import annotations

import difflib
import typing
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from dpm_policy.shown import shown
from dpm_policy_runtime.fields import FIELDS
from dpm_policy_runtime.resolution import Source

__all__ = [
    "HEADERS",
    "SETTING_PATHS",
    "SOURCES",
    "SWITCHES",
    "HeaderName",
    "SettingPath",
    "SourceName",
    "SwitchName",
]

SETTING_PATHS: tuple[str, ...] = tuple(spec.path for spec in FIELDS)

# The environment file's keys that become the engine's switches and default (contract
# section 2); the boolean ones first.
SWITCHES: tuple[str, ...] = (
    "policy_packs_enabled",
    "tenant_resolution_enabled",
    "idempotency_replay_enabled",
    "default_policy_pack",
)

HEADERS: tuple[str, ...] = ("X-Policy-Pack-Id", "X-Tenant-Policy-Pack-Id", "X-Tenant-Id")

SOURCES: tuple[str, ...] = typing.get_args(Source)


def _one_of(what: str, choices: tuple[str, ...]) -> Callable[[object], str]:
    def check(value: object) -> str:
        if isinstance(value, str) and value in choices:
            return value
        if not isinstance(value, str):
            raise PydanticCustomError("type", f"must be {what}, as text (got {shown(value)})")
        near = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
        fix = f"did you mean '{near[0]}'?" if near else "use one of: " + ", ".join(choices)
        raise PydanticCustomError("unknown-name", f"{shown(value)} is not {what}; {fix}")

    return check


def _name_type(what: str, choices: tuple[str, ...]) -> Any:
    return Annotated[
        str,
        BeforeValidator(_one_of(what, choices)),
        WithJsonSchema({"type": "string", "enum": list(choices)}),
    ]


SettingPath = _name_type("a pack setting (section.name)", SETTING_PATHS)
SwitchName = _name_type("an environment switch", SWITCHES)
HeaderName = _name_type("a header the engine reads", HEADERS)
SourceName = _name_type("a source of the engine's resolution", SOURCES)

"""The environment switches, one row each, beside the pack-field table (``fields``).

A switch is a top-level key of ``environments/<env>.yaml`` that is not a list of packs: an
engine variable the compiler writes (contract section 1), or a choice of how the output reaches
the engine. Everything that handles switches reads this table: the environment model's
descriptions, the compiler's variables and verification views, the review's settings section,
explain's provenance and the runtime's flag defaults. Adding a switch is a row here (and the
model's field), and its test in ``tests/runtime/test_runtime_switches.py``.

Columns:

- ``key``: the key in ``environments/<env>.yaml``;
- ``variable``: the engine variable it becomes (None: not an engine variable);
- ``engine_default``: what the engine runs with when the variable is unset;
- ``kind``: ``flag`` (written ``true``/``false``), ``pack_id`` (an id, or left out when unset)
  or ``delivery`` (a choice recorded in the manifest, not a variable);
- ``label``: how it is shown to people (the review, explain);
- ``snapshot``: the :class:`~dpm_policy_runtime.PolicyRuntime` property holding its reading;
- ``tightening``: the direction of a change, as in ``fields``: ``enable`` (on is stricter),
  ``disable`` (off is stricter) or None (no direction: turning packs on may loosen as well
  as tighten, a default pack is neither);
- ``decides``: the resolution source this switch decides, for explain's provenance;
- ``summary``: what it does, in the author's words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from dpm_policy_runtime.frozen import FrozenMap
from dpm_policy_runtime.variables import (
    CATALOG_JSON,
    DEFAULT_POLICY_PACK_ID,
    POLICY_PACKS_ENABLED,
    REPLAY_ENABLED,
    TENANT_MAP_JSON,
    TENANT_RESOLUTION_ENABLED,
)

__all__ = [
    "ENGINE_SWITCHES",
    "SWITCHES",
    "SWITCHES_BY_KEY",
    "SwitchKind",
    "SwitchSpec",
    "deciding_switch",
    "flag_text",
    "switch_text",
]

SwitchKind = Literal["flag", "pack_id", "delivery"]
SwitchTightening = Literal["enable", "disable"]


@dataclass(frozen=True)
class SwitchSpec:
    """One environment switch; see the module docstring for the columns."""

    key: str
    variable: str | None
    engine_default: bool | str | None
    kind: SwitchKind
    label: str
    summary: str
    snapshot: str | None = None
    tightening: SwitchTightening | None = None
    decides: str | None = None

    @property
    def description(self) -> str:
        """The model's description: the variable it becomes, then what it does."""
        return f"{self.variable}: {self.summary}" if self.variable else self.summary


SWITCHES: tuple[SwitchSpec, ...] = (
    SwitchSpec(
        "policy_packs_enabled",
        POLICY_PACKS_ENABLED,
        False,
        "flag",
        "packs enabled",
        "whether the engine applies policy packs at all.",
        snapshot="enabled",
        decides="DISABLED",
    ),
    SwitchSpec(
        "tenant_resolution_enabled",
        TENANT_RESOLUTION_ENABLED,
        False,
        "flag",
        "tenant resolution enabled",
        "whether tenants' default packs are looked up from X-Tenant-Id.",
        snapshot="tenant_resolution_enabled",
    ),
    SwitchSpec(
        "idempotency_replay_enabled",
        REPLAY_ENABLED,
        True,
        "flag",
        "idempotency replay enabled",
        "whether repeated simulate requests replay their stored result (a pack may override it).",
        snapshot="replay_default",
    ),
    SwitchSpec(
        "default_policy_pack",
        DEFAULT_POLICY_PACK_ID,
        None,
        "pack_id",
        "default pack",
        "the pack for requests that select none.",
        snapshot="default_policy_pack_id",
        decides="GLOBAL_DEFAULT",
    ),
    SwitchSpec(
        "catalog_delivery",
        None,
        "environment",
        "delivery",
        "catalog delivery",
        "How the catalog reaches the engine. environment (the default): "
        f"{CATALOG_JSON} goes into dpm-policy.env and the ConfigMap with the "
        "other variables, where Linux allows it at most 131,042 bytes. postgres: it is left "
        "out of them, and dpm-policy publish --env <environment> --apply writes it to the "
        "engine's Postgres catalog, the only place the engine reads packs from since "
        "2026-02-25. env.json and catalog.json hold the catalog either way.",
    ),
    SwitchSpec(
        "tenant_map_delivery",
        None,
        "environment",
        "delivery",
        "tenant map delivery",
        "How the tenant map reaches the engine. environment (the default): "
        f"{TENANT_MAP_JSON} goes into dpm-policy.env and the ConfigMap, where Linux allows it "
        "at most 131,039 bytes (about 4,000 tenants). file: it is left out of them, and a "
        "service resolving through dpm_policy_runtime reads env.json from a mounted ConfigMap "
        "volume (at most 1 MiB). postgres: it is left out of them, and dpm-policy publish "
        "--env <environment> --apply writes it to the dpm_policy_tenant_packs table beside the "
        "catalog, for any number of tenants. An engine that reads only its variables can use "
        "neither file nor postgres: only services that resolve through dpm_policy_runtime.",
    ),
)

SWITCHES_BY_KEY: FrozenMap[str, SwitchSpec] = FrozenMap({spec.key: spec for spec in SWITCHES})

# The switches that are engine variables, in the table's order.
ENGINE_SWITCHES: tuple[SwitchSpec, ...] = tuple(s for s in SWITCHES if s.variable is not None)


def deciding_switch(source: str) -> SwitchSpec | None:
    """The switch that decides a resolution from ``source`` (``DISABLED``: packs are off;
    ``GLOBAL_DEFAULT``: the default pack), or None when no switch does."""
    for spec in SWITCHES:
        if spec.decides == source:
            return spec
    return None


def flag_text(value: bool) -> str:
    """``true`` or ``false``: the only spellings the engine's ``env_flag`` and people agree on;
    how every flag is written and shown."""
    return "true" if value else "false"


def switch_text(spec: SwitchSpec, value: object) -> str | None:
    """How a switch's value is written and shown: ``true``/``false`` for a flag, the id or the
    choice as it is, None when unset (a default pack left out)."""
    if spec.kind == "flag":
        return flag_text(bool(value))
    return None if value is None else str(value)

"""From the six variables to one validated configuration, in strict or lenient mode."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from dpm_policy_runtime.catalog_lenient import parse_catalog_lenient, unchecked_values
from dpm_policy_runtime.catalog_strict import parse_catalog_strict
from dpm_policy_runtime.errors import PolicyConfigError
from dpm_policy_runtime.flags import lenient_flag, strict_flag
from dpm_policy_runtime.frozen import FrozenMap
from dpm_policy_runtime.ids import check_reference_text
from dpm_policy_runtime.pack import PolicyPack
from dpm_policy_runtime.problems import ConfigProblem, Dropped, Unchecked
from dpm_policy_runtime.safe_text import display_key, safe_repr
from dpm_policy_runtime.tenant_map import parse_tenant_map_lenient, parse_tenant_map_strict
from dpm_policy_runtime.variables import (
    CATALOG_JSON,
    DEFAULT_POLICY_PACK_ID,
    POLICY_PACKS_ENABLED,
    REPLAY_ENABLED,
    TENANT_MAP_JSON,
    TENANT_RESOLUTION_ENABLED,
)

__all__ = ["LoadedConfig", "load_config"]

# The three flags, in the order both modes read them: packs on, tenant resolution, replay.
_FLAGS = (POLICY_PACKS_ENABLED, TENANT_RESOLUTION_ENABLED, REPLAY_ENABLED)


@dataclass(frozen=True)
class LoadedConfig:
    """Everything the resolver needs, parsed once."""

    enabled: bool
    default_policy_pack_id: str | None
    tenant_resolution_enabled: bool
    replay_default: bool
    catalog: FrozenMap[str, PolicyPack]
    tenant_map: FrozenMap[str, str]
    dropped: tuple[Dropped, ...]
    # Lenient mode: values applied as written although EngineOptions would refuse them.
    unchecked: tuple[Unchecked, ...] = ()


def load_config(variables: Mapping[str, str], *, strict: bool) -> LoadedConfig:
    """Parse the variables; strict mode raises one :class:`PolicyConfigError` listing all."""
    return _load_strict(variables) if strict else _load_lenient(variables)


def _load_lenient(variables: Mapping[str, str]) -> LoadedConfig:
    dropped: list[Dropped] = []
    enabled, tenant_enabled, replay = (
        lenient_flag(name, variables.get(name), dropped) for name in _FLAGS
    )
    # Stripped; blank counts as unset.
    default = (variables.get(DEFAULT_POLICY_PACK_ID) or "").strip() or None
    catalog = parse_catalog_lenient(variables.get(CATALOG_JSON), dropped)
    # The engine parses the map only when tenant resolution is on; parsing it anyway changes
    # no result (resolve consults it only then) and lets ``dropped`` show a broken map early.
    tenant_map = parse_tenant_map_lenient(variables.get(TENANT_MAP_JSON), dropped)
    return LoadedConfig(
        enabled=enabled,
        default_policy_pack_id=default,
        tenant_resolution_enabled=tenant_enabled,
        replay_default=replay,
        catalog=FrozenMap(catalog),
        tenant_map=FrozenMap(tenant_map),
        dropped=tuple(dropped),
        unchecked=tuple(unchecked_values(catalog)),
    )


def _load_strict(variables: Mapping[str, str]) -> LoadedConfig:
    problems: list[ConfigProblem] = []
    enabled, tenant_enabled, replay = (
        strict_flag(name, variables.get(name), problems) for name in _FLAGS
    )
    catalog, written_ids = parse_catalog_strict(variables.get(CATALOG_JSON), problems)
    tenant_map = parse_tenant_map_strict(variables.get(TENANT_MAP_JSON), problems)

    default = variables.get(DEFAULT_POLICY_PACK_ID)
    if default is not None:
        found = check_reference_text(DEFAULT_POLICY_PACK_ID, "", default, noun="default pack id")
        if not default.strip():
            found = [
                ConfigProblem(
                    DEFAULT_POLICY_PACK_ID,
                    "",
                    "blank",
                    "is blank; remove the variable to have no global default",
                )
            ]
        problems.extend(found)
    if written_ids is not None:
        # Referential integrity, only against a catalog that parsed: a syntax error already
        # says enough without one more line per reference.
        for tenant, pack_id in tenant_map.items():
            if pack_id not in written_ids:
                problems.append(
                    ConfigProblem(
                        TENANT_MAP_JSON,
                        display_key(tenant),
                        "reference",
                        f"pack {safe_repr(pack_id)} is not in {CATALOG_JSON}; every selection "
                        "of it would be a silent no-op; add the pack or fix the id",
                    )
                )
        if default is not None and default.strip() and default not in written_ids:
            problems.append(
                ConfigProblem(
                    DEFAULT_POLICY_PACK_ID,
                    "",
                    "reference",
                    f"pack {safe_repr(default)} is not in {CATALOG_JSON}; add the pack or "
                    "fix the id",
                )
            )
    if problems:
        raise PolicyConfigError(problems)
    return LoadedConfig(
        enabled=enabled,
        default_policy_pack_id=default,
        tenant_resolution_enabled=tenant_enabled,
        replay_default=replay,
        catalog=FrozenMap(catalog),
        tenant_map=FrozenMap(tenant_map),
        dropped=(),
    )

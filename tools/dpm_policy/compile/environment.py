"""Everything one environment's output folder holds, built in memory from the validated sources."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from dpm_policy.compile.budget import (
    CONFIGMAP_LIMIT,
    Contributor,
    check_size,
    entry_sizes,
    variable_limit,
)
from dpm_policy.compile.catalog import WireEntry, build_catalog
from dpm_policy.compile.configmap import render_configmap
from dpm_policy.compile.dotenv import render_dotenv
from dpm_policy.compile.encode import pretty_json
from dpm_policy.compile.manifest import render_manifest
from dpm_policy.compile.tenant_map import build_tenant_map, effective_pack_path
from dpm_policy.compile.variables import build_variables
from dpm_policy.compile.verify import Locator, View, normal
from dpm_policy.inheritance import FlatPack
from dpm_policy.model import EnvironmentFile
from dpm_policy.problems import Position, Problem
from dpm_policy.repository import Entry, Repository
from dpm_policy.runtime.variables import CATALOG_JSON, TENANT_MAP_JSON

__all__ = ["FILE_NAMES", "EnvironmentOutput", "build_environment"]

# The files of ``dist/<env>/``, in the order they are written; the manifest describes the rest.
FILE_NAMES: tuple[str, ...] = (
    "env.json",
    "dpm-policy.env",
    "configmap.yaml",
    "catalog.json",
    "manifest.json",
)

_ARG_WHY = (
    "Linux MAX_ARG_STRLEN allows 131,072 bytes per NAME=value including the NUL; beyond it "
    "the engine's process cannot start (E2BIG)"
)
_CONFIGMAP_WHY = "Kubernetes refuses a ConfigMap over 1 MiB"


@dataclass(frozen=True)
class EnvironmentOutput:
    """One environment's files and what they must read back as."""

    environment: str
    files: dict[str, bytes]
    variables: dict[str, str]
    catalog: dict[str, WireEntry]
    tenant_map: dict[str, str]
    configmap_name: str
    expected: View
    locator: Locator
    problems: list[Problem]


def _source_locator(
    env: Entry[EnvironmentFile], flat: Mapping[str, FlatPack], repository: Repository
) -> Locator:
    document = env.document
    keys = (
        "packs",
        "policy_packs_enabled",
        "tenant_resolution_enabled",
        "idempotency_replay_enabled",
        "default_policy_pack",
    )
    name = env.model.environment
    tenants = {
        tenant.model.tenant_id: (
            tenant.file,
            tenant.document.position(effective_pack_path(tenant.model, name)),
        )
        for tenant in repository.tenants
    }
    return Locator(
        environment_file=env.file,
        environment_keys={key: document.position((key,)) for key in keys},
        packs={
            pack_id: (env.file, document.position(("packs", index)))
            for index, pack_id in enumerate(env.model.packs)
        },
        settings={
            (pack_id, path): (setting.file, setting.position)
            for pack_id in env.model.packs
            for path, setting in flat[pack_id].settings.items()
        },
        tenants=tenants,
    )


def _expected(
    model: EnvironmentFile, flat: Mapping[str, FlatPack], tenant_map: Mapping[str, str]
) -> View:
    return View(
        enabled=model.policy_packs_enabled,
        default_policy_pack_id=model.default_policy_pack,
        tenant_resolution_enabled=model.tenant_resolution_enabled,
        replay_default=model.idempotency_replay_enabled,
        packs={
            pack_id: (
                flat[pack_id].version,
                {path: normal(s.value) for path, s in flat[pack_id].settings.items()},
            )
            for pack_id in model.packs
        },
        tenant_map=dict(tenant_map),
    )


def _budget(
    env: Entry[EnvironmentFile],
    variables: Mapping[str, str],
    catalog: Mapping[str, WireEntry],
    tenant_map: Mapping[str, str],
    configmap_name: str,
    configmap_size: int,
) -> list[Problem]:
    problems: list[Problem] = []
    for name, value in variables.items():
        contributors: list[Contributor] = []
        position = Position(1, 1)
        if name == CATALOG_JSON:
            contributors = entry_sizes("pack", catalog)
            position = env.document.position(("packs",))
        elif name == TENANT_MAP_JSON:
            contributors = entry_sizes("tenant", tenant_map)
        found = check_size(
            subject=f"{name} of {env.model.environment}",
            size=len(value.encode("utf-8")),
            limit=variable_limit(name),
            why=_ARG_WHY,
            contributors=contributors,
            file=env.file,
            position=position,
        )
        if found is not None:
            problems.append(found)
    found = check_size(
        subject=f"ConfigMap {configmap_name}",
        size=configmap_size,
        limit=CONFIGMAP_LIMIT,
        why=_CONFIGMAP_WHY,
        contributors=[
            Contributor(f"variable {name}", len(value.encode("utf-8")))
            for name, value in variables.items()
        ],
        file=env.file,
        position=Position(1, 1),
    )
    if found is not None:
        problems.append(found)
    return problems


def build_environment(
    repository: Repository,
    env: Entry[EnvironmentFile],
    flat: Mapping[str, FlatPack],
    *,
    source_commit: str | None,
) -> EnvironmentOutput:
    """The files of ``dist/<env>/`` for a repository that validated without errors."""
    model = env.model
    name = model.environment
    catalog = build_catalog(flat, model.packs)
    tenant_map = build_tenant_map(repository.tenants, name)
    variables = build_variables(model, catalog, tenant_map)
    configmap = render_configmap(name, variables, source_commit)
    header = (
        f"Generated by dpm-policy compile from environments/{name}.yaml and the packs and "
        "tenants it ships; do not edit.",
        "Load in bash with: set -a; . ./dpm-policy.env; set +a (or python-dotenv).",
        f"The engine reads pack definitions from its Postgres catalog: also run "
        f"dpm-policy publish --env {name}.",
    )
    files: dict[str, bytes] = {
        "env.json": pretty_json(variables, sort_keys=False).encode("utf-8"),
        "dpm-policy.env": render_dotenv(variables, header).encode("utf-8"),
        "configmap.yaml": configmap.text.encode("utf-8"),
        "catalog.json": pretty_json(catalog).encode("utf-8"),
    }
    files["manifest.json"] = render_manifest(
        environment=name,
        variables=variables,
        files=files,
        configmap_name=configmap.name,
        configmap_size=configmap.size,
        pack_count=len(catalog),
        tenant_count=len(tenant_map),
        source_commit=source_commit,
    ).encode("utf-8")
    return EnvironmentOutput(
        environment=name,
        files={file_name: files[file_name] for file_name in FILE_NAMES},
        variables=variables,
        catalog=catalog,
        tenant_map=tenant_map,
        configmap_name=configmap.name,
        expected=_expected(model, flat, tenant_map),
        locator=_source_locator(env, flat, repository),
        problems=_budget(env, variables, catalog, tenant_map, configmap.name, configmap.size),
    )

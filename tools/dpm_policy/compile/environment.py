"""Everything one environment's output folder holds, built in memory from the validated sources."""

from __future__ import annotations

import functools
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
from dpm_policy.compile.delivery import catalog_note, delivered_variables, postgres_fix
from dpm_policy.compile.dotenv import render_dotenv
from dpm_policy.compile.encode import pretty_json
from dpm_policy.compile.manifest import render_manifest
from dpm_policy.compile.tenant_map import build_tenant_map, effective_pack_path
from dpm_policy.compile.variables import build_variables
from dpm_policy.compile.verify import Locator, View, normal
from dpm_policy.inheritance import FlatPack
from dpm_policy.load.yaml_source import Path as YamlPath
from dpm_policy.load.yaml_source import YamlDocument
from dpm_policy.model import EnvironmentFile
from dpm_policy.model.types import CatalogDeliveryName
from dpm_policy.problems import Position, Problem
from dpm_policy.repository import Entry, Repository
from dpm_policy_runtime.variables import CATALOG_JSON, TENANT_MAP_JSON

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
_FEWER_TENANTS = (
    "serve fewer tenants from this environment: the engine reads its tenant map only from "
    f"{TENANT_MAP_JSON}"
)


@dataclass(frozen=True)
class EnvironmentOutput:
    """One environment's files and what they must read back as."""

    environment: str
    files: dict[str, bytes]
    # Every compiled variable (env.json), and those delivered into the engine's process
    # (dpm-policy.env, configmap.yaml): all of them, or all but the catalog.
    variables: dict[str, str]
    delivered: dict[str, str]
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

    @functools.cache
    def tenant_sources() -> dict[str, tuple[YamlDocument, YamlPath]]:
        return {
            tenant.model.tenant_id: (tenant.document, effective_pack_path(tenant.model, name))
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
        tenant_sources=tenant_sources,
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
    delivered: Mapping[str, str],
    catalog: Mapping[str, WireEntry],
    tenant_map: Mapping[str, str],
    configmap_name: str,
    configmap_size: int,
) -> list[Problem]:
    """Size problems of what is delivered into the engine's process environment.

    Only the two maps can grow (the flags and the default id are a few bytes each). A catalog
    delivered through Postgres is not among ``delivered``, so no variable limit applies to it.
    """
    name = env.model.environment
    checks = {
        CATALOG_JSON: (
            entry_sizes("pack", catalog),
            env.document.position(("packs",)),
            postgres_fix(name),
        ),
        TENANT_MAP_JSON: (entry_sizes("tenant", tenant_map), Position(1, 1), _FEWER_TENANTS),
    }
    found = [
        check_size(
            subject=f"{variable} of {name}",
            size=len(delivered[variable].encode("utf-8")),
            limit=variable_limit(variable),
            why=_ARG_WHY,
            contributors=contributors,
            fix=fix,
            file=env.file,
            position=position,
        )
        for variable, (contributors, position, fix) in checks.items()
        if variable in delivered
    ]
    found.append(
        check_size(
            subject=f"ConfigMap {configmap_name}",
            size=configmap_size,
            limit=CONFIGMAP_LIMIT,
            why=_CONFIGMAP_WHY,
            contributors=[
                Contributor(f"variable {variable}", len(value.encode("utf-8")))
                for variable, value in delivered.items()
            ],
            fix=postgres_fix(name) if CATALOG_JSON in delivered else _FEWER_TENANTS,
            file=env.file,
            position=Position(1, 1),
        )
    )
    return [problem for problem in found if problem is not None]


def _headers(name: str, delivery: CatalogDeliveryName) -> tuple[list[str], list[str]]:
    """The comment lines that open ``dpm-policy.env`` and ``configmap.yaml``."""
    generated = (
        f"Generated by dpm-policy compile from environments/{name}.yaml and the packs and "
        "tenants it ships; do not edit."
    )
    load = "Load in bash with: set -a; . ./dpm-policy.env; set +a (or python-dotenv)."
    note = catalog_note(name, delivery)
    return [generated, load, note], [generated, note]


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
    delivered = delivered_variables(variables, model.catalog_delivery)
    dotenv_header, configmap_header = _headers(name, model.catalog_delivery)
    configmap = render_configmap(name, delivered, source_commit, configmap_header)
    files: dict[str, bytes] = {
        "env.json": pretty_json(variables, sort_keys=False).encode("utf-8"),
        "dpm-policy.env": render_dotenv(delivered, dotenv_header).encode("utf-8"),
        "configmap.yaml": configmap.text.encode("utf-8"),
        "catalog.json": pretty_json(catalog).encode("utf-8"),
    }
    files["manifest.json"] = render_manifest(
        environment=name,
        delivered=delivered,
        catalog_delivery=model.catalog_delivery,
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
        delivered=delivered,
        catalog=catalog,
        tenant_map=tenant_map,
        configmap_name=configmap.name,
        expected=_expected(model, flat, tenant_map),
        locator=_source_locator(env, flat, repository),
        problems=_budget(env, delivered, catalog, tenant_map, configmap.name, configmap.size),
    )

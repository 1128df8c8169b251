"""Everything one environment's output folder holds, built in memory from the validated sources."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from dpm_policy.compile.budget import CONFIGMAP_LIMIT, OBJECT_LIMIT, Contributor, check_size
from dpm_policy.compile.bundle import SNAPSHOT, Bundle, build_bundle
from dpm_policy.compile.catalog import WireEntry, build_catalog
from dpm_policy.compile.configmap import render_configmap
from dpm_policy.compile.delivery import (
    catalog_note,
    delivered_variables,
    postgres_fix,
    tenant_map_fix,
    tenant_map_note,
)
from dpm_policy.compile.dotenv import render_dotenv
from dpm_policy.compile.encode import pretty_json
from dpm_policy.compile.manifest import render_manifest
from dpm_policy.compile.tenant_map import build_tenant_map, effective_pack_path
from dpm_policy.compile.variables import build_variables
from dpm_policy.compile.verify import (
    Locator,
    PackView,
    SharedPacks,
    Verified,
    View,
    normal,
    verify_outputs,
)
from dpm_policy.inheritance import FlatPack
from dpm_policy.load.yaml_source import Path as YamlPath
from dpm_policy.load.yaml_source import YamlDocument
from dpm_policy.model import EnvironmentFile
from dpm_policy.model.types import CatalogDeliveryName, TenantMapDeliveryName
from dpm_policy.problems import Position, Problem
from dpm_policy.repository import Entry, Repository
from dpm_policy_runtime.env_files import FORMAT_KEY, FORMAT_VERSION
from dpm_policy_runtime.switches import ENGINE_SWITCHES
from dpm_policy_runtime.variables import CATALOG_JSON

__all__ = [
    "FILE_NAMES",
    "EnvironmentOutput",
    "EnvironmentVariables",
    "build_environment",
    "environment_variables",
]

# The files of ``dist/<env>/``, in the order they are written; the manifest describes the rest.
# An environment that names its engine also gets the Kustomize bundle (compile.bundle).
FILE_NAMES: tuple[str, ...] = (
    "env.json",
    "dpm-policy.env",
    "configmap.yaml",
    "catalog.json",
    "manifest.json",
)

_CONFIGMAP_WHY = "Kubernetes refuses a ConfigMap over 1 MiB"
# What the mounted ConfigMap of tenant_map_delivery: file holds: env.json under its own name.
MOUNTED_FILE = "env.json"
_SNAPSHOT_FIX = (
    "ship fewer packs or serve fewer tenants from this environment: the runtime's snapshot "
    "env.json holds the whole catalog and tenant map"
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
    tenant_map_delivery: TenantMapDeliveryName
    configmap_name: str
    # None when the environment names no engine (no ``kubernetes:`` block).
    bundle: Bundle | None
    expected: View
    locator: Locator
    problems: list[Problem]

    def verify(self, folder: Path, shared: SharedPacks | None = None) -> Verified:
        """Read this environment's files, written to ``folder``, back against what they were
        built from (:func:`~dpm_policy.compile.verify.verify_outputs`); with ``shared``, the
        packs another environment of the same compile verified are not compared again."""
        return verify_outputs(
            folder,
            label=self.environment,
            expected=self.expected,
            variables=self.variables,
            delivered=self.delivered,
            catalog=self.catalog,
            locator=self.locator,
            bundled=self.bundle is not None,
            shared=shared,
            snapshot=self.bundle is not None and SNAPSHOT in self.bundle.files,
        )


def _source_locator(
    env: Entry[EnvironmentFile], flat: Mapping[str, FlatPack], repository: Repository
) -> Locator:
    document = env.document
    keys = ("packs", "kubernetes", *(spec.key for spec in ENGINE_SWITCHES))
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


def _pack_view(pack: FlatPack) -> PackView:
    return pack.version, {path: normal(s.value) for path, s in pack.settings.items()}


def _expected(
    model: EnvironmentFile,
    flat: Mapping[str, FlatPack],
    tenant_map: Mapping[str, str],
    shared: SharedPacks | None,
) -> View:
    def view(pack_id: str) -> PackView:
        pack = flat[pack_id]
        if shared is None:
            return _pack_view(pack)
        return shared.expected(pack_id, pack, lambda: _pack_view(pack))

    return View(
        switches={spec.key: getattr(model, spec.key) for spec in ENGINE_SWITCHES},
        packs={pack_id: view(pack_id) for pack_id in model.packs},
        tenant_map=dict(tenant_map),
    )


def mounted_size(env_json: bytes) -> int:
    """The bytes Kubernetes counts against its 1 MiB limit for the mounted file ConfigMap.

    The API server adds up every data key and value (``ValidateConfigMap``); the one key is
    ``env.json``.
    """
    return len(MOUNTED_FILE.encode("utf-8")) + len(env_json)


def _configmap_budget(
    env: Entry[EnvironmentFile],
    delivered: Mapping[str, str],
    configmap_name: str,
    configmap_size: int,
    variables: Mapping[str, str],
    env_json: bytes | None,
) -> list[Problem]:
    """The ConfigMaps' size problems; the variables' are validate's (``checks.size_budget``).

    With ``tenant_map_delivery: file`` the mounted ConfigMap holds all of ``env.json``, so it
    must fit the same 1 MiB; ``env_json`` is None when the bundle's budget measures it instead.
    """
    name = env.model.environment
    tenant_delivery = env.model.tenant_map_delivery
    tenant_fix = tenant_map_fix(name, tenant_delivery)
    found = [
        check_size(
            subject=f"ConfigMap {configmap_name}",
            size=configmap_size,
            limit=CONFIGMAP_LIMIT,
            why=_CONFIGMAP_WHY,
            contributors=[
                Contributor(f"variable {variable}", len(value.encode("utf-8")))
                for variable, value in delivered.items()
            ],
            fix=postgres_fix(name) if CATALOG_JSON in delivered else tenant_fix,
            file=env.file,
            position=Position(1, 1),
        )
    ]
    if tenant_delivery == "file" and env_json is not None:
        found.append(
            check_size(
                subject=f"mounted ConfigMap of {name} ({MOUNTED_FILE})",
                size=mounted_size(env_json),
                limit=CONFIGMAP_LIMIT,
                why=_CONFIGMAP_WHY,
                contributors=[
                    Contributor(f"variable {variable}", len(value.encode("utf-8")))
                    for variable, value in variables.items()
                ],
                fix=tenant_fix,
                file=env.file,
                position=env.document.position(("tenant_map_delivery",)),
            )
        )
    return [problem for problem in found if problem is not None]


class EnvironmentVariables(NamedTuple):
    """What one environment gives the engine: the two maps, every variable, and those
    delivered into its process."""

    catalog: dict[str, WireEntry]
    tenant_map: dict[str, str]
    variables: dict[str, str]
    delivered: dict[str, str]


def environment_variables(
    repository: Repository, model: EnvironmentFile, flat: Mapping[str, FlatPack]
) -> EnvironmentVariables:
    """The variables of ``model``; every pack it ships must be in ``flat``. Made once for each
    environment file and flattening of ``repository`` (validation's size check, then the
    build, ask for the same)."""
    found = repository.compiled_variables.get(model.environment)
    if found is not None and found[0] is model and found[1] is flat:
        made: EnvironmentVariables = found[2]
        return made
    catalog = build_catalog(flat, model.packs)
    tenant_map = build_tenant_map(repository.tenants, model.environment)
    variables = build_variables(model, catalog, tenant_map)
    delivered = delivered_variables(variables, model.catalog_delivery, model.tenant_map_delivery)
    made = EnvironmentVariables(catalog, tenant_map, variables, delivered)
    repository.compiled_variables[model.environment] = (model, flat, made)
    return made


def _bundle_budget(
    env: Entry[EnvironmentFile], bundle: Bundle, delivered: Mapping[str, str]
) -> list[Problem]:
    """Size problems of the ConfigMaps Kustomize generates from the bundle."""
    name = env.model.environment
    tenant_fix = tenant_map_fix(name, env.model.tenant_map_delivery)
    found = []
    for generated in bundle.objects:
        if CATALOG_JSON in generated.keys:
            fix = postgres_fix(name)
        elif set(generated.keys) == set(delivered):
            fix = tenant_fix
        else:
            # The snapshot: for tenant_map_delivery: file it is the mounted file.
            fix = tenant_fix if env.model.tenant_map_delivery == "file" else _SNAPSHOT_FIX
        found.append(
            check_size(
                subject=f"ConfigMap {generated.name} of the bundle",
                size=generated.size,
                limit=OBJECT_LIMIT,
                why=_CONFIGMAP_WHY,
                contributors=[
                    Contributor(f"key {key}", size) for key, size in generated.keys.items()
                ],
                fix=fix,
                file=env.file,
                position=env.document.position(("kubernetes",)),
            )
        )
    return [problem for problem in found if problem is not None]


def _headers(
    name: str, delivery: CatalogDeliveryName, tenant_map_delivery: TenantMapDeliveryName
) -> tuple[list[str], list[str]]:
    """The comment lines that open ``dpm-policy.env`` and ``configmap.yaml``."""
    generated = (
        f"Generated by dpm-policy compile from environments/{name}.yaml and the packs and "
        "tenants it ships; do not edit."
    )
    load = "Load in bash with: set -a; . ./dpm-policy.env; set +a (or python-dotenv)."
    notes = [catalog_note(name, delivery)]
    tenant_note = tenant_map_note(name, tenant_map_delivery)
    if tenant_note is not None:
        notes.append(tenant_note)
    return [generated, load, *notes], [generated, *notes]


def build_environment(
    repository: Repository,
    env: Entry[EnvironmentFile],
    flat: Mapping[str, FlatPack],
    *,
    source_commit: str | None,
    shared: SharedPacks | None = None,
) -> EnvironmentOutput:
    """The files of ``dist/<env>/`` for a repository that validated without errors; the
    source's view of each pack comes from ``shared`` when given (made once per compile)."""
    model = env.model
    name = model.environment
    catalog, tenant_map, variables, delivered = environment_variables(repository, model, flat)
    dotenv_header, configmap_header = _headers(
        name, model.catalog_delivery, model.tenant_map_delivery
    )
    configmap = render_configmap(name, delivered, source_commit, configmap_header)
    # The runtime's snapshot: its format version first, then every compiled variable.
    env_json = pretty_json({FORMAT_KEY: FORMAT_VERSION, **variables}, sort_keys=False).encode(
        "utf-8"
    )
    bundle = (
        None
        if model.kubernetes is None
        else build_bundle(
            environment=name,
            workload=model.kubernetes,
            delivered=delivered,
            # PostgresSource reads the tenant map and the catalog from Postgres; env.json,
            # which holds any number of tenants, is then not mounted.
            env_json=None if model.tenant_map_delivery == "postgres" else env_json,
            source_commit=source_commit,
        )
    )
    files: dict[str, bytes] = {
        "env.json": env_json,
        "dpm-policy.env": render_dotenv(delivered, dotenv_header).encode("utf-8"),
        "configmap.yaml": configmap.text.encode("utf-8"),
        "catalog.json": pretty_json(catalog).encode("utf-8"),
    }
    if bundle is not None:
        files.update(bundle.files)
    files["manifest.json"] = render_manifest(
        environment=name,
        delivered=delivered,
        catalog_delivery=model.catalog_delivery,
        tenant_map_delivery=model.tenant_map_delivery,
        mounted_size=mounted_size(files["env.json"]),
        files=files,
        configmap_name=configmap.name,
        configmap_size=configmap.size,
        bundle=bundle,
        pack_count=len(catalog),
        tenant_count=len(tenant_map),
        source_commit=source_commit,
    ).encode("utf-8")
    return EnvironmentOutput(
        environment=name,
        files={
            **{file_name: files[file_name] for file_name in FILE_NAMES},
            **(bundle.files if bundle is not None else {}),
        },
        variables=variables,
        delivered=delivered,
        catalog=catalog,
        tenant_map=tenant_map,
        tenant_map_delivery=model.tenant_map_delivery,
        configmap_name=configmap.name,
        bundle=bundle,
        expected=_expected(model, flat, tenant_map, shared),
        locator=_source_locator(env, flat, repository),
        problems=[
            *_configmap_budget(
                env,
                delivered,
                configmap.name,
                configmap.size,
                variables,
                # A bundle's snapshot ConfigMap is the mounted file; its budget checks it.
                files["env.json"] if bundle is None else None,
            ),
            *(_bundle_budget(env, bundle, delivered) if bundle is not None else []),
        ],
    )

"""The desired rows: the compiled catalog of one environment, read through the runtime.

The runtime is the one reader of compiled output (``dist/<env>/env.json``); reading through it
in strict mode means publish sees exactly the packs the resolver would, expanded by
``PolicyPack.to_item()`` into the engine's catalog items.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from dpm_policy.errors import ProblemsFound
from dpm_policy.findings import from_config_problems
from dpm_policy.problems import START, Problem
from dpm_policy.publish.errors import CatalogNotFound
from dpm_policy.publish.rows import DesiredRow, desired_rows

__all__ = ["Desired", "env_json_path", "load_desired", "load_desired_rows", "not_a_catalog"]


@dataclass(frozen=True)
class Desired:
    """What publish writes for one environment: the catalog's rows, and the tenant map when
    the environment delivers it through Postgres (None otherwise)."""

    rows: tuple[DesiredRow, ...]
    tenants: dict[str, str] | None
    # Why ``env.json`` cannot be published (the runtime's strict read refused it), in the
    # author's words; empty when the rows are good. With problems there are no rows.
    problems: tuple[Problem, ...] = ()


def env_json_path(dist: Path, env: str) -> Path:
    """Where the compiler writes an environment's catalog: ``<dist>/<env>/env.json``."""
    return dist / env / "env.json"


def load_desired_rows(
    env_json: Path, *, env: str, shown_as: str | None = None
) -> tuple[DesiredRow, ...]:
    """The rows for every pack of a compiled environment, sorted by id.

    Raises CatalogNotFound when the file is missing (with the command that makes it) or cannot
    be read, and ProblemsFound, naming the file as ``shown_as`` (default: its path), when the
    runtime's strict read refuses it (for callers that cannot go on without the rows).
    """
    desired = load_desired(env_json, env=env, shown_as=shown_as)
    if desired.problems:
        raise ProblemsFound(not_a_catalog(env_json, shown_as), list(desired.problems))
    return desired.rows


def not_a_catalog(env_json: Path, shown_as: str | None = None) -> str:
    """What is said before the problems of a compiled catalog that cannot be published."""
    return f"{shown_as or env_json} is not a valid compiled catalog; nothing was published"


def load_desired(env_json: Path, *, env: str, shown_as: str | None = None) -> Desired:
    """The catalog's rows and, when ``manifest.json`` beside ``env_json`` records
    ``tenant_map_delivery: postgres``, the tenant map; one strict read of ``env_json``. When the
    runtime's strict read refuses the file, the result carries the problems (naming the file
    as ``shown_as``, default its path) and no rows.

    Raises CatalogNotFound when ``env_json`` is missing or unreadable (with the command that
    makes it) or the manifest is unreadable.
    """
    # Imported here so that the publish library stays importable while only the runtime's
    # field table is needed (the planner and the strict check).
    from dpm_policy_runtime import PolicyConfigError, PolicyRuntime

    if not env_json.is_file():
        raise CatalogNotFound(
            f"{env_json} does not exist; run dpm-policy compile --env {env} first"
        )
    try:
        data = env_json.read_bytes()
    except OSError as error:
        raise CatalogNotFound(f"cannot read {env_json}: {error.strerror or error}") from error
    name = shown_as or str(env_json)
    again = f"; run dpm-policy compile --env {env} again"
    try:
        runtime = PolicyRuntime.from_bytes(data, env_json.name, strict=True)
        rows = desired_rows(pack.to_item() for pack in runtime.catalog.values())
    except PolicyConfigError as error:
        text = data.decode("utf-8", "replace")
        problems = from_config_problems(error.problems, file=name, text=text)
    except ValueError as error:
        detail = " ".join(str(error).split()) or type(error).__name__
        problems = [Problem(name, START, "invalid-catalog", detail)]
    else:
        postgres = _tenant_map_delivery(env_json.parent / "manifest.json", env) == "postgres"
        return Desired(rows, dict(runtime.tenant_map) if postgres else None)
    return Desired(
        rows=(),
        tenants=None,
        problems=tuple(Problem(p.file, p.position, p.code, p.message + again) for p in problems),
    )


def _tenant_map_delivery(manifest: Path, env: str) -> str:
    """What the manifest records; a folder compiled before manifests existed means the default."""
    if not manifest.is_file():
        return "environment"
    try:
        document = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise CatalogNotFound(
            f"cannot read {manifest} ({error}); run dpm-policy compile --env {env} again"
        ) from error
    if not isinstance(document, dict):
        return "environment"
    return str(document.get("tenant_map_delivery", "environment"))

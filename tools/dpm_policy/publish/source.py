"""The desired rows: the compiled catalog of one environment, read through the runtime.

The runtime is the one reader of compiled output (``dist/<env>/env.json``); reading through it
in strict mode means publish sees exactly the packs the resolver would, expanded by
``PolicyPack.to_item()`` into the engine's catalog items.
"""

from __future__ import annotations

from pathlib import Path

from dpm_policy.errors import ProblemsFound
from dpm_policy.findings import from_config_problems
from dpm_policy.problems import START, Problem
from dpm_policy.publish.errors import CatalogNotFound
from dpm_policy.publish.rows import DesiredRow, desired_rows

__all__ = ["env_json_path", "load_desired_rows"]


def env_json_path(dist: Path, env: str) -> Path:
    """Where the compiler writes an environment's catalog: ``<dist>/<env>/env.json``."""
    return dist / env / "env.json"


def load_desired_rows(
    env_json: Path, *, env: str, shown_as: str | None = None
) -> tuple[DesiredRow, ...]:
    """The rows for every pack of a compiled environment, sorted by id.

    Raises CatalogNotFound when the file is missing (with the command that makes it) or cannot
    be read, and ProblemsFound, naming the file as ``shown_as`` (default: its path), when the
    runtime's strict read refuses it.
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
        return desired_rows(pack.to_item() for pack in runtime.catalog.values())
    except PolicyConfigError as error:
        text = data.decode("utf-8", "replace")
        problems = from_config_problems(error.problems, file=name, text=text)
    except ValueError as error:
        detail = " ".join(str(error).split()) or type(error).__name__
        problems = [Problem(name, START, "invalid-catalog", detail)]
    raise ProblemsFound(
        f"{name} is not a valid compiled catalog{again}",
        [Problem(p.file, p.position, p.code, p.message + again) for p in problems],
    )

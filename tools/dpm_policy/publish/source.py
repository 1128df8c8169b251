"""The desired rows: the compiled catalog of one environment, read through the runtime.

The runtime is the one reader of compiled output (``dist/<env>/env.json``); reading through it
in strict mode means publish sees exactly the packs the resolver would, expanded by
``PolicyPack.to_item()`` into the engine's catalog items.
"""

from __future__ import annotations

from pathlib import Path

from dpm_policy.publish.errors import CatalogNotFound
from dpm_policy.publish.rows import DesiredRow, desired_rows

__all__ = ["env_json_path", "load_desired_rows"]


def env_json_path(dist: Path, env: str) -> Path:
    """Where the compiler writes an environment's catalog: ``<dist>/<env>/env.json``."""
    return dist / env / "env.json"


def load_desired_rows(env_json: Path, *, env: str) -> tuple[DesiredRow, ...]:
    """The rows for every pack of a compiled environment, sorted by id.

    Raises CatalogNotFound when the file is missing (with the command that makes it) or is
    not a valid compiled catalog.
    """
    # Imported here so that the publish library stays importable while only the runtime's
    # field table is needed (the planner and the strict check).
    from dpm_policy_runtime import PolicyRuntime

    if not env_json.is_file():
        raise CatalogNotFound(
            f"{env_json} does not exist; run dpm-policy compile --env {env} first"
        )
    try:
        runtime = PolicyRuntime.from_file(env_json, strict=True)
        return desired_rows(pack.to_item() for pack in runtime.catalog.values())
    except OSError as error:
        raise CatalogNotFound(f"cannot read {env_json}: {error.strerror or error}") from error
    except ValueError as error:
        raise CatalogNotFound(
            f"{env_json} is not a valid compiled catalog ({_first_problem(error)}); "
            f"run dpm-policy compile --env {env} again"
        ) from error


def _first_problem(error: ValueError) -> str:
    """The runtime's first problem on one line, and how many more there are."""
    # PolicyConfigError (a ValueError) carries every problem; a plain ValueError only text.
    problems = getattr(error, "problems", ())
    if problems:
        more = f" and {len(problems) - 1} more" if len(problems) > 1 else ""
        return f"{problems[0]}{more}"
    text = " ".join(str(error).split())
    return text or type(error).__name__

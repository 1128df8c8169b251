"""Runtime resolver for the DPM engine's policy packs: standard library only.

Reads the compiled output (``dist/<env>/env.json`` or ``dpm-policy.env``), a mounted ConfigMap
folder, Postgres through a connection the caller passes in, or the process environment once,
and answers per request with dict lookups on an immutable snapshot, reproducing
lotus-manage's resolution precedence and quirks (docs/engine-contract.md, sections 1 to 6).
See ``docs/runtime.md``.

Importing the package loads none of its modules: each public name loads its module on first
use (PEP 562), so ``import dpm_policy_runtime`` costs next to nothing and an engine pays only
for what it touches.
"""

from __future__ import annotations

# Public name -> the module that defines it. ``TYPE_CHECKING`` is spelt out rather than
# imported from typing, whose import alone costs more than this whole module.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from dpm_policy_runtime.env_files import FORMAT_VERSION
    from dpm_policy_runtime.errors import PolicyConfigError, PolicyHeaderError
    from dpm_policy_runtime.flags import env_flag
    from dpm_policy_runtime.frozen import FrozenMap
    from dpm_policy_runtime.mounted import MountedFiles
    from dpm_policy_runtime.options import OptionsModel, apply_to_options, option_updates
    from dpm_policy_runtime.pack import FieldValue, GroupConstraints, PolicyPack
    from dpm_policy_runtime.postgres import PostgresSource
    from dpm_policy_runtime.problems import ConfigProblem, DropKind, Dropped, Unchecked
    from dpm_policy_runtime.reloader import Reloader, ReloadStatus
    from dpm_policy_runtime.resolution import PRECEDENCE, PassedOver, Resolution, Source
    from dpm_policy_runtime.responses import catalog_body, effective_body, metric_labels
    from dpm_policy_runtime.safe_text import MAX_HEADER_LENGTH, safe_repr
    from dpm_policy_runtime.snapshot import PolicyRuntime
    from dpm_policy_runtime.source import FileSource, Reading, SnapshotSource, SourceUnavailable
    from dpm_policy_runtime.variables import VARIABLES

_MODULES = {
    "ConfigProblem": "problems",
    "DropKind": "problems",
    "Dropped": "problems",
    "FORMAT_VERSION": "env_files",
    "FieldValue": "pack",
    "FileSource": "source",
    "FrozenMap": "frozen",
    "GroupConstraints": "pack",
    "MAX_HEADER_LENGTH": "safe_text",
    "MountedFiles": "mounted",
    "OptionsModel": "options",
    "PRECEDENCE": "resolution",
    "PassedOver": "resolution",
    "PolicyConfigError": "errors",
    "PolicyHeaderError": "errors",
    "PolicyPack": "pack",
    "PolicyRuntime": "snapshot",
    "PostgresSource": "postgres",
    "Reading": "source",
    "ReloadStatus": "reloader",
    "Reloader": "reloader",
    "Resolution": "resolution",
    "SnapshotSource": "source",
    "Source": "resolution",
    "SourceUnavailable": "source",
    "Unchecked": "problems",
    "VARIABLES": "variables",
    "apply_to_options": "options",
    "catalog_body": "responses",
    "effective_body": "responses",
    "env_flag": "flags",
    "metric_labels": "responses",
    "option_updates": "options",
    "safe_repr": "safe_text",
}

__all__ = [
    "FORMAT_VERSION",
    "MAX_HEADER_LENGTH",
    "PRECEDENCE",
    "VARIABLES",
    "ConfigProblem",
    "DropKind",
    "Dropped",
    "FieldValue",
    "FileSource",
    "FrozenMap",
    "GroupConstraints",
    "MountedFiles",
    "OptionsModel",
    "PassedOver",
    "PolicyConfigError",
    "PolicyHeaderError",
    "PolicyPack",
    "PolicyRuntime",
    "PostgresSource",
    "Reading",
    "ReloadStatus",
    "Reloader",
    "Resolution",
    "SnapshotSource",
    "Source",
    "SourceUnavailable",
    "Unchecked",
    "apply_to_options",
    "catalog_body",
    "effective_body",
    "env_flag",
    "metric_labels",
    "option_updates",
    "safe_repr",
]


def __getattr__(name: str) -> object:
    """Load the module of a public name on first use, and keep the name here."""
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})

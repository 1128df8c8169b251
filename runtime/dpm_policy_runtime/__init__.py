"""Runtime resolver for the DPM engine's policy packs: standard library only.

Reads the compiled output (``dist/<env>/env.json`` or ``dpm-policy.env``) or the process
environment once, and answers per request with dict lookups on an immutable snapshot,
reproducing lotus-manage's resolution precedence and quirks (docs/engine-contract.md, sections
1 to 6). See ``docs/runtime.md``.
"""

from __future__ import annotations

from dpm_policy_runtime.errors import PolicyConfigError, PolicyHeaderError
from dpm_policy_runtime.flags import env_flag
from dpm_policy_runtime.frozen import FrozenMap
from dpm_policy_runtime.options import OptionsModel, apply_to_options, option_updates
from dpm_policy_runtime.pack import FieldValue, GroupConstraints, PolicyPack
from dpm_policy_runtime.problems import ConfigProblem, DropKind, Dropped, Unchecked
from dpm_policy_runtime.reloader import Reloader, ReloadStatus
from dpm_policy_runtime.resolution import PRECEDENCE, PassedOver, Resolution, Source
from dpm_policy_runtime.responses import catalog_body, effective_body, metric_labels
from dpm_policy_runtime.safe_text import MAX_HEADER_LENGTH, safe_repr
from dpm_policy_runtime.snapshot import PolicyRuntime
from dpm_policy_runtime.variables import VARIABLES

__all__ = [
    "MAX_HEADER_LENGTH",
    "PRECEDENCE",
    "VARIABLES",
    "ConfigProblem",
    "DropKind",
    "Dropped",
    "FieldValue",
    "FrozenMap",
    "GroupConstraints",
    "OptionsModel",
    "PassedOver",
    "PolicyConfigError",
    "PolicyHeaderError",
    "PolicyPack",
    "PolicyRuntime",
    "ReloadStatus",
    "Reloader",
    "Resolution",
    "Source",
    "Unchecked",
    "apply_to_options",
    "catalog_body",
    "effective_body",
    "env_flag",
    "metric_labels",
    "option_updates",
    "safe_repr",
]

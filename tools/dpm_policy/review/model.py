"""The review's result: what changed between two compiled trees, per environment, as values.

Renderers (markdown, JSON) read only these records; nothing here knows how it will be shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from dpm_policy.problems import Problem

__all__ = [
    "Direction",
    "EnvironmentDiff",
    "EnvironmentStatus",
    "FieldChange",
    "PackChange",
    "Review",
    "SettingChange",
    "SizeChange",
    "TenantChanges",
]

# Whether a change makes the engine stricter, more permissive, or neither in a meaningful way.
Direction = Literal["tightened", "loosened"] | None
PackStatus = Literal["added", "removed", "changed"]
EnvironmentStatus = Literal["added", "removed", "changed", "unchanged"]


@dataclass(frozen=True)
class FieldChange:
    """One engine setting of one pack, before and after (``None``: not set)."""

    path: str
    old: str | None
    new: str | None
    direction: Direction


@dataclass(frozen=True)
class PackChange:
    """A pack added to, removed from, or changed in an environment's catalog."""

    pack_id: str
    status: PackStatus
    old_version: str | None
    new_version: str | None
    fields: tuple[FieldChange, ...] = ()


@dataclass(frozen=True)
class TenantChanges:
    """Tenants whose effective pack changes, grouped by why; ids sorted."""

    remapped: tuple[tuple[str, str | None, str | None], ...] = ()
    content: tuple[tuple[str, str], ...] = ()

    @property
    def count(self) -> int:
        return len(self.remapped) + len(self.content)


@dataclass(frozen=True)
class SettingChange:
    """An environment switch or default, before and after."""

    name: str
    variable: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class SizeChange:
    """The size of one delivered variable, in bytes, against its limit."""

    variable: str
    old: int | None
    new: int | None
    limit: int


@dataclass(frozen=True)
class EnvironmentDiff:
    """Everything that changes for one environment."""

    environment: str
    status: EnvironmentStatus
    packs: tuple[PackChange, ...] = ()
    tenants: TenantChanges = field(default_factory=TenantChanges)
    settings: tuple[SettingChange, ...] = ()
    sizes: tuple[SizeChange, ...] = ()

    @property
    def changed(self) -> bool:
        return self.status != "unchanged"


@dataclass(frozen=True)
class Review:
    """The whole review: both sides named, each environment's changes, the rules' verdicts."""

    base: str
    head: str
    environments: tuple[EnvironmentDiff, ...]
    violations: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return not any(problem.is_error for problem in self.violations)

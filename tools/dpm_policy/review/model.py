"""The review's result: what a change does to each environment's audiences, as values.

An *audience* is a set of requests the engine treats alike: one mapped tenant (a request with
only ``X-Tenant-Id``), the unmapped traffic (a request no tenant matches: the global default, or
no pack), or the requests naming one pack (``X-Policy-Pack-Id``). Each audience's effective
settings are read through the runtime resolver from each side's compiled output; tenants whose
(before, after) settings are equal form one cohort. Renderers (markdown, JSON) and the
governance rules read only these records; nothing here knows how it will be shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from dpm_policy.governance.waivers import WaiverInForce
from dpm_policy.model.approvals import CHANGE_KINDS, ChangeKind
from dpm_policy.problems import Position, Problem
from dpm_policy_runtime.variables import DEFAULT_POLICY_PACK_ID

__all__ = [
    "AUDIENCES",
    "CHANGE_KINDS",
    "VERDICTS",
    "ApprovalStatus",
    "AudienceChange",
    "AudienceKind",
    "ChangeKind",
    "Cohort",
    "Direction",
    "EnvironmentDiff",
    "EnvironmentStatus",
    "FailedSide",
    "FieldChange",
    "PackChange",
    "PackMove",
    "RequiredApproval",
    "Review",
    "Served",
    "SettingChange",
    "SizeChange",
    "TenantImpact",
    "Verdict",
    "combine",
]

# Whether a change makes the engine stricter, more permissive, or neither in a meaningful way.
Direction = Literal["tightened", "loosened"] | None
PackStatus = Literal["added", "removed", "changed"]
EnvironmentStatus = Literal["added", "removed", "changed", "unchanged"]
AudienceKind = Literal["unmapped", "tenant", "request"]
AUDIENCES: tuple[AudienceKind, ...] = ("unmapped", "tenant", "request")

# What a change does to an audience, taken over all its settings: every moved setting
# loosened, every one tightened, some of each (mixed), only settings without a direction
# (neutral), or none at all (unchanged: another pack id or version with equal settings).
Verdict = Literal["loosened", "mixed", "tightened", "neutral", "unchanged"]
# Also the order in which reports list them: what loosens first.
VERDICTS: tuple[Verdict, ...] = ("loosened", "mixed", "tightened", "neutral", "unchanged")


def combine(verdicts: set[Verdict] | frozenset[Verdict]) -> Verdict:
    """One verdict for several: loosened and tightened together are mixed."""
    if "mixed" in verdicts or {"loosened", "tightened"} <= verdicts:
        return "mixed"
    for verdict in ("loosened", "tightened", "neutral"):
        if verdict in verdicts:
            return verdict
    return "unchanged"


@dataclass(frozen=True)
class FieldChange:
    """One engine setting, before and after (``None``: not set, so the request's own option
    applies, the engine's default when the request sets none)."""

    path: str
    old: str | None
    new: str | None
    direction: Direction

    @property
    def field(self) -> str:
        """The field table's path (``constraint_policy.group_constraints`` for a group)."""
        return self.path.split("[", 1)[0]


@dataclass(frozen=True)
class Served:
    """What the engine gives an audience's requests: which source decided, the id selected
    (reported even when the catalog lacks it) and the version applied (None: nothing)."""

    source: str
    policy_pack_id: str | None
    version: str | None


@dataclass(frozen=True)
class AudienceChange:
    """One audience of one environment, before and after, with every setting that moves.

    ``subject`` is the pack id a request names (``request``) or None (``unmapped``);
    ``catalog`` says what happened to that pack's catalog entry, if anything.
    """

    audience: AudienceKind
    subject: str | None
    before: Served
    after: Served
    deltas: tuple[FieldChange, ...]
    verdict: Verdict
    catalog: PackStatus | None = None


@dataclass(frozen=True)
class PackMove:
    """How many tenants of a cohort go from one pack (and source) to another."""

    before: Served
    after: Served
    tenant_count: int


@dataclass(frozen=True)
class Cohort:
    """Mapped tenants with the same effective settings before and the same after."""

    verdict: Verdict
    deltas: tuple[FieldChange, ...]
    tenant_ids: tuple[str, ...]
    moves: tuple[PackMove, ...]

    @property
    def tenant_count(self) -> int:
        return len(self.tenant_ids)


@dataclass(frozen=True)
class TenantImpact:
    """The tenants of both sides' maps whose resolution changes, as cohorts in report order
    (by verdict, loosened first, then the largest first)."""

    total: int = 0
    cohorts: tuple[Cohort, ...] = ()

    @property
    def count(self) -> int:
        """Tenants whose resolution changes in any way."""
        return sum(cohort.tenant_count for cohort in self.cohorts)


@dataclass(frozen=True)
class PackChange:
    """A pack added to, removed from, or changed in an environment's catalog; ``fields``
    compares its settings (an added pack against nothing, without directions)."""

    pack_id: str
    status: PackStatus
    old_version: str | None
    new_version: str | None
    fields: tuple[FieldChange, ...] = ()


@dataclass(frozen=True)
class SettingChange:
    """An environment switch or default, before and after, and what it does to audiences."""

    name: str
    variable: str
    old: str | None
    new: str | None
    effect: str = ""


@dataclass(frozen=True)
class SizeChange:
    """The size of one delivered variable, in bytes, against its limit."""

    variable: str
    old: int | None
    new: int | None
    limit: int


@dataclass(frozen=True)
class EnvironmentDiff:
    """Everything that changes for one environment.

    ``same_as`` names a more protected environment whose audience changes are exactly these,
    so a report can say so instead of repeating them.
    """

    environment: str
    status: EnvironmentStatus
    packs: tuple[PackChange, ...] = ()
    tenants: TenantImpact = field(default_factory=TenantImpact)
    settings: tuple[SettingChange, ...] = ()
    sizes: tuple[SizeChange, ...] = ()
    unmapped: AudienceChange | None = None
    requests: tuple[AudienceChange, ...] = ()
    same_as: str | None = None

    @property
    def changed(self) -> bool:
        return self.status != "unchanged"

    @property
    def verdict(self) -> Verdict:
        """The verdict over every audience: unmapped traffic, tenants and requests."""
        verdicts = {cohort.verdict for cohort in self.tenants.cohorts}
        verdicts |= {request.verdict for request in self.requests}
        if self.unmapped is not None:
            verdicts.add(self.unmapped.verdict)
        return combine(verdicts)

    @property
    def change_kinds(self) -> tuple[ChangeKind, ...]:
        """Every kind of change this environment holds, in ``CHANGE_KINDS`` order."""
        audiences = [cohort.verdict for cohort in self.tenants.cohorts]
        audiences += [request.verdict for request in self.requests]
        if self.unmapped is not None:
            audiences.append(self.unmapped.verdict)
        found: set[ChangeKind] = set()
        if any(v in ("loosened", "mixed") for v in audiences):
            found.add("loosening")
        if any(v in ("tightened", "mixed") for v in audiences):
            found.add("tightening")
        if "neutral" in audiences:
            found.add("neutral-change")
        for setting in self.settings:
            if setting.variable == DEFAULT_POLICY_PACK_ID:
                found.add("default-moved")
            else:
                found.add("switch-changed")
        statuses = {pack.status for pack in self.packs}
        if "added" in statuses:
            found.add("pack-added")
        if "removed" in statuses:
            found.add("pack-removed")
        if "changed" in statuses:
            found.add("pack-changed-in-place")
        if any(
            move.before.policy_pack_id != move.after.policy_pack_id
            for cohort in self.tenants.cohorts
            for move in cohort.moves
        ):
            found.add("tenant-moved")
        return tuple(kind for kind in CHANGE_KINDS if kind in found)


@dataclass(frozen=True)
class FailedSide:
    """A side of the review that does not compile, and the compiler's errors."""

    label: str
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class RequiredApproval:
    """One owner who must approve one kind of change to one environment (its ``approvals``
    tier), what makes the change that kind, and where the tier is written."""

    environment: str
    kind: ChangeKind
    owner: str
    reasons: tuple[str, ...]
    file: str
    position: Position


@dataclass(frozen=True)
class ApprovalStatus:
    """A required approval and the reviewers whose approval of the head commit gives it
    (None: the review state was not read; empty: missing), with discounted ones and why."""

    required: RequiredApproval
    approved_by: tuple[str, ...] | None = None
    discounted: tuple[str, ...] = ()

    @property
    def satisfied(self) -> bool:
        return bool(self.approved_by)


@dataclass(frozen=True)
class Review:
    """The whole review: both sides named, each environment's changes (most protected first),
    the rules' verdicts.

    When a side does not compile there is nothing to compare: ``failed`` names it with its
    problems, and ``environments`` and ``violations`` are empty.
    """

    base: str
    head: str
    environments: tuple[EnvironmentDiff, ...]
    violations: tuple[Problem, ...] = ()
    failed: tuple[FailedSide, ...] = ()
    # The approvals the environments' tiers require, checked once the reviews are read.
    approvals: tuple[ApprovalStatus, ...] = ()
    # The head's waivers in force today, the soonest to end first.
    waivers: tuple[WaiverInForce, ...] = ()

    @property
    def problems(self) -> tuple[Problem, ...]:
        """Every problem: the failing sides' errors, then the broken change rules."""
        return (*(p for side in self.failed for p in side.problems), *self.violations)

    @property
    def ok(self) -> bool:
        return not any(problem.is_error for problem in self.problems)

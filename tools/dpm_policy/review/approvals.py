"""Required approvals: the kinds of change each environment holds, the owners its tiers name,
and which of them the pull request's counted reviews satisfy.

Kinds come from the review's records (``EnvironmentDiff.change_kinds``: what the engine gets
differently, per audience), never from the files' text, so a loosening that reaches a pack
through ``extends`` counts. The tiers are read from the base side's environment file (the
head's only for a new environment), so a change cannot lower the bar it is judged by.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path

from dpm_policy.errors import UsageError
from dpm_policy.model import EnvironmentFile
from dpm_policy.problems import Problem, sort_problems
from dpm_policy.repository import Entry
from dpm_policy.review.github_reviews import ReviewState, read_review_state
from dpm_policy.review.model import (
    ApprovalStatus,
    ChangeKind,
    EnvironmentDiff,
    RequiredApproval,
    Review,
)
from dpm_policy.review.sources import ref_side
from dpm_policy.review.teams import TeamMembers, read_team_members, team_members_at
from dpm_policy_runtime.variables import DEFAULT_POLICY_PACK_ID

__all__ = ["apply_review_state", "check_approvals", "kind_reasons", "required_approvals"]


def _audiences(diff: EnvironmentDiff, verdicts: frozenset[str]) -> list[str]:
    found = []
    if diff.unmapped is not None and diff.unmapped.verdict in verdicts:
        found.append("requests no tenant matches")
    tenants = sum(c.tenant_count for c in diff.tenants.cohorts if c.verdict in verdicts)
    if tenants:
        found.append(f"{tenants} tenant(s)")
    found += [f"requests naming '{r.subject}'" for r in diff.requests if r.verdict in verdicts]
    return found


def kind_reasons(diff: EnvironmentDiff, kind: ChangeKind) -> tuple[str, ...]:
    """What makes the environment's change one of ``kind``, in a few words each."""
    if kind in ("loosening", "tightening", "neutral-change"):
        verdict = {"loosening": "loosened", "tightening": "tightened"}.get(kind, "neutral")
        return tuple(_audiences(diff, frozenset({verdict, "mixed"})))
    if kind in ("switch-changed", "default-moved"):
        default = kind == "default-moved"
        return tuple(
            f"{s.name} {s.old or 'unset'} → {s.new or 'unset'}"
            for s in diff.settings
            if (s.variable == DEFAULT_POLICY_PACK_ID) == default
        )
    if kind == "tenant-moved":
        moved = sum(
            move.tenant_count
            for cohort in diff.tenants.cohorts
            for move in cohort.moves
            if move.before.policy_pack_id != move.after.policy_pack_id
        )
        return (f"{moved} tenant(s) get another pack",)
    status = {"pack-added": "added", "pack-removed": "removed"}.get(kind, "changed")
    return tuple(f"'{p.pack_id}'" for p in diff.packs if p.status == status)


def required_approvals(
    diffs: tuple[EnvironmentDiff, ...],
    base: Mapping[str, Entry[EnvironmentFile]],
    head: Mapping[str, Entry[EnvironmentFile]],
) -> tuple[RequiredApproval, ...]:
    """Every owner that must approve, per environment and kind of change."""
    required: list[RequiredApproval] = []
    for diff in diffs:
        name = diff.environment
        judge = base.get(name) or head.get(name)
        tiers = judge.model.approvals if judge is not None else None
        if not tiers or judge is None:
            continue
        located = head.get(name) or judge
        for kind in diff.change_kinds:
            owners = tiers.get(kind, ())
            if not owners:
                continue
            position = located.document.position(("approvals", kind), key=True)
            reasons = kind_reasons(diff, kind)
            for owner in owners:
                required.append(
                    RequiredApproval(name, kind, owner, reasons, located.file, position)
                )
    return tuple(required)


def _summary(reasons: tuple[str, ...]) -> str:
    more = f" and {len(reasons) - 2} more" if len(reasons) > 2 else ""
    return ", ".join(reasons[:2]) + more if reasons else "this change"


def _missing(status: ApprovalStatus, head_sha: str) -> Problem:
    item = status.required
    not_counted = f"; not counted: {', '.join(status.discounted)}" if status.discounted else ""
    return Problem(
        item.file,
        item.position,
        "approval-missing",
        f"{item.environment}: {item.kind} ({_summary(item.reasons)}) needs the approval of "
        f"{item.owner}, and no member of it has approved the latest commit {head_sha[:12]}"
        f"{not_counted}; ask {item.owner} to review",
    )


def apply_review_state(review: Review, state: ReviewState, teams: TeamMembers) -> Review:
    """The review with each required approval checked against the counted reviews; every
    missing one becomes an error."""
    statuses = []
    for status in review.approvals:
        members = teams.members(status.required.owner)
        approved = tuple(sorted(login for login in state.approvers if login in members))
        discounted = tuple(f"{login}: {why}" for login, why in state.discounted if login in members)
        statuses.append(dataclasses.replace(status, approved_by=approved, discounted=discounted))
    missing = [_missing(status, state.head_sha) for status in statuses if not status.satisfied]
    return dataclasses.replace(
        review,
        approvals=tuple(statuses),
        violations=tuple(sort_problems([*review.violations, *missing])),
    )


def check_approvals(
    review: Review,
    *,
    root: Path,
    base: str,
    head: str | None,
    pull_request: Path | None,
    reviews: Path | None,
    team_members: Path | None = None,
) -> Review:
    """``review`` (of ``base`` against ``head``, None for the working tree) with its required
    approvals checked against the pull request's reviews: GitHub's answers for the pull
    request and its reviews, saved as JSON, both or neither (then the review is returned as it
    is). Teams are read from ``team_members``, else from the base commit.

    Raises ``UsageError`` when only one answer is given, or when the head compared is not the
    pull request's head.
    """
    if (pull_request is None) != (reviews is None):
        raise UsageError("--pull-request and --reviews go together: pass both GitHub answers")
    if pull_request is None or reviews is None or review.failed:
        return review
    state = read_review_state(pull_request=pull_request, reviews=reviews)
    reviewed = ref_side(root, head or "HEAD").commit
    if reviewed != state.head_sha:
        raise UsageError(
            f"the pull request's head is {state.head_sha[:12]}, but this review compares "
            f"{(reviewed or '?')[:12]}; check out the pull request's head (or pass --head) and "
            "fetch its reviews again"
        )
    teams = (
        read_team_members(root, team_members)
        if team_members is not None
        else team_members_at(ref_side(root, base))
    )
    return apply_review_state(review, state, teams)

"""The review for machines: the same facts as the markdown report, every one of them.

The shape is documented in docs/review.md ("The JSON report"); ``to_data`` is the one place
that builds it.
"""

from __future__ import annotations

import json

from dpm_policy.formats.json_format import problem_data, problems_data
from dpm_policy.review.model import (
    AudienceChange,
    Cohort,
    EnvironmentDiff,
    FieldChange,
    Review,
    Served,
)

__all__ = ["SCHEMA_VERSION", "render", "to_data"]

# Raised when a key changes meaning or goes away; new keys may appear without it.
SCHEMA_VERSION = 3


def _delta(change: FieldChange) -> dict[str, object]:
    return {
        "path": change.path,
        "field": change.field,
        "old": change.old,
        "new": change.new,
        "direction": change.direction,
    }


def _served(served: Served) -> dict[str, object]:
    return {
        "source": served.source,
        "policy_pack_id": served.policy_pack_id,
        "version": served.version,
        "applied": served.version is not None,
    }


def _audience(change: AudienceChange) -> dict[str, object]:
    return {
        "audience": change.audience,
        "policy_pack_id": change.subject,
        "catalog": change.catalog,
        "verdict": change.verdict,
        "before": _served(change.before),
        "after": _served(change.after),
        "deltas": [_delta(delta) for delta in change.deltas],
    }


def _cohort(cohort: Cohort) -> dict[str, object]:
    return {
        "verdict": cohort.verdict,
        "tenant_count": cohort.tenant_count,
        "tenant_ids": list(cohort.tenant_ids),
        "moves": [
            {
                "before": _served(move.before),
                "after": _served(move.after),
                "tenant_count": move.tenant_count,
            }
            for move in cohort.moves
        ],
        "deltas": [_delta(delta) for delta in cohort.deltas],
    }


def _environment(env: EnvironmentDiff) -> dict[str, object]:
    return {
        "environment": env.environment,
        "status": env.status,
        "verdict": env.verdict,
        "same_as": env.same_as,
        "change_kinds": list(env.change_kinds),
        "settings": [
            {
                "name": s.name,
                "variable": s.variable,
                "old": s.old,
                "new": s.new,
                "effect": s.effect,
            }
            for s in env.settings
        ],
        "unmapped": _audience(env.unmapped) if env.unmapped is not None else None,
        "tenants": {
            "total": env.tenants.total,
            "changed": env.tenants.count,
            "cohorts": [_cohort(cohort) for cohort in env.tenants.cohorts],
        },
        "requests": [_audience(change) for change in env.requests],
        "packs": [
            {
                "pack_id": pack.pack_id,
                "status": pack.status,
                "old_version": pack.old_version,
                "new_version": pack.new_version,
                "fields": [_delta(delta) for delta in pack.fields],
            }
            for pack in env.packs
        ],
        "sizes": [
            {"variable": s.variable, "old": s.old, "new": s.new, "limit": s.limit}
            for s in env.sizes
        ],
    }


def to_data(review: Review) -> dict[str, object]:
    """The review as plain JSON-ready data."""
    return {
        **problems_data(review.problems),
        "schema_version": SCHEMA_VERSION,
        "base": review.base,
        "head": review.head,
        "ok": review.ok,
        # Reserved for the approvals the change needs, ahead of everything else.
        "required_approvals": [],
        "environments": [_environment(env) for env in review.environments],
        "violations": [problem_data(problem) for problem in review.violations],
        "approvals": [
            {
                "environment": status.required.environment,
                "kind": status.required.kind,
                "owner": status.required.owner,
                "reasons": list(status.required.reasons),
                "file": status.required.file,
                "line": status.required.position.line,
                "approved_by": None if status.approved_by is None else list(status.approved_by),
                "discounted": list(status.discounted),
            }
            for status in review.approvals
        ],
        "waivers": [
            {
                "waiver_id": waiver.waiver_id,
                "file": waiver.file,
                "environment": waiver.environment,
                "guardrail": waiver.guardrail,
                "subject": waiver.subject,
                "accepted_by": waiver.accepted_by,
                "expires": waiver.expires.isoformat(),
                "ending_soon": waiver.ending_soon,
            }
            for waiver in review.waivers
        ],
        "failed": [
            {"side": side.label, "problems": [problem_data(p) for p in side.problems]}
            for side in review.failed
        ],
    }


def render(review: Review) -> str:
    # Compact: at bank scale the report holds tens of thousands of cohorts, and only compact
    # output goes through the json module's C encoder (``jq .`` indents it for people).
    return json.dumps(to_data(review), ensure_ascii=False, separators=(",", ":")) + "\n"

"""The review for machines: every record as JSON, violations with file, line and column."""

from __future__ import annotations

import dataclasses
import json

from dpm_policy.problems import Problem
from dpm_policy.review.model import Review

__all__ = ["render", "to_data"]


def _problem(problem: Problem) -> dict[str, object]:
    return {
        "file": problem.file,
        "line": problem.line,
        "col": problem.col,
        "severity": problem.severity,
        "code": problem.code,
        "message": problem.message,
    }


def to_data(review: Review) -> dict[str, object]:
    """The review as plain JSON-ready data."""
    environments = []
    for env in review.environments:
        data = dataclasses.asdict(env)
        data["tenants"] = {
            "count": env.tenants.count,
            "remapped": [
                {"tenant_id": t, "old_policy_pack_id": a, "new_policy_pack_id": b}
                for t, a, b in env.tenants.remapped
            ],
            "content_changed": [
                {"tenant_id": t, "policy_pack_id": p} for t, p in env.tenants.content
            ],
        }
        environments.append(data)
    return {
        "base": review.base,
        "head": review.head,
        "ok": review.ok,
        "environments": environments,
        "violations": [_problem(problem) for problem in review.violations],
    }


def render(review: Review) -> str:
    return json.dumps(to_data(review), indent=2, ensure_ascii=False) + "\n"

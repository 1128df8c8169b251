"""For machines: one JSON document with every problem.

Every JSON the tool prints, whatever else it holds, carries the same three keys at its top
level, built here: ``errors`` and ``warnings`` (counts) and ``problems``, a list of objects
``{"file", "line", "column", "severity", "code", "message"}`` (``line`` and ``column`` 1-based).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from dpm_policy.problems import Problem

__all__ = ["problem_data", "problems_data", "render"]


def problem_data(problem: Problem) -> dict[str, object]:
    """One problem in the JSON shape every command uses."""
    return {
        "file": problem.file,
        "line": problem.line,
        "column": problem.col,
        "severity": problem.severity,
        "code": problem.code,
        "message": problem.message,
    }


def problems_data(problems: Sequence[Problem]) -> dict[str, object]:
    """``errors``, ``warnings`` and ``problems``: the keys every JSON document starts with."""
    errors = sum(1 for p in problems if p.is_error)
    return {
        "errors": errors,
        "warnings": len(problems) - errors,
        "problems": [problem_data(p) for p in problems],
    }


def render(problems: Sequence[Problem]) -> str:
    return json.dumps(problems_data(problems), indent=2, ensure_ascii=False) + "\n"

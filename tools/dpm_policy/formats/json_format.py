"""For machines: one JSON document with every problem."""

from __future__ import annotations

import json
from collections.abc import Sequence

from dpm_policy.problems import Problem

__all__ = ["render"]


def render(problems: Sequence[Problem]) -> str:
    items = [
        {
            "file": p.file,
            "line": p.line,
            "column": p.col,
            "severity": p.severity,
            "code": p.code,
            "message": p.message,
        }
        for p in problems
    ]
    errors = sum(1 for p in problems if p.is_error)
    document = {"errors": errors, "warnings": len(problems) - errors, "problems": items}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"

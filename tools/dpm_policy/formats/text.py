"""For people: ``file:line:col: severity[code]: message``, then a count."""

from __future__ import annotations

from collections.abc import Sequence

from dpm_policy.problems import Problem

__all__ = ["render"]


def render(problems: Sequence[Problem]) -> str:
    lines = [f"{p.file}:{p.line}:{p.col}: {p.severity}[{p.code}]: {p.message}" for p in problems]
    errors = sum(1 for p in problems if p.is_error)
    warnings = len(problems) - errors
    if problems:
        lines.append(f"{errors} error(s), {warnings} warning(s)")
    return "\n".join(lines) + ("\n" if lines else "")

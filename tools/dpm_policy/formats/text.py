"""For people: ``file:line:col: severity[code]: message``, then a count."""

from __future__ import annotations

from collections.abc import Sequence

from dpm_policy.problems import Problem

__all__ = ["render"]


# One problem per line, whatever a file name or a message holds.
_LINE_BREAKS = str.maketrans(
    {"\r": "\\r", "\n": "\\n", "\x85": "\\x85", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def _one_line(text: str) -> str:
    return text.translate(_LINE_BREAKS)


def render(problems: Sequence[Problem]) -> str:
    lines = [
        f"{_one_line(p.file)}:{p.line}:{p.col}: {p.severity}[{p.code}]: {_one_line(p.message)}"
        for p in problems
    ]
    errors = sum(1 for p in problems if p.is_error)
    warnings = len(problems) - errors
    if problems:
        lines.append(f"{errors} error(s), {warnings} warning(s)")
    return "\n".join(lines) + ("\n" if lines else "")

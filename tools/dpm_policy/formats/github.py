"""For pull requests: GitHub Actions workflow commands, shown inline on the diff."""

from __future__ import annotations

from collections.abc import Sequence

from dpm_policy.problems import Problem

__all__ = ["render"]


def _escape_data(text: str) -> str:
    # https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(problems: Sequence[Problem]) -> str:
    lines = []
    for p in problems:
        level = "error" if p.is_error else "warning"
        lines.append(
            f"::{level} file={_escape_property(p.file)},line={p.line},col={p.col},"
            f"title={_escape_property(p.code)}::{_escape_data(p.message)}"
        )
    return "\n".join(lines) + ("\n" if lines else "")

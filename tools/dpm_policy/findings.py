"""The one adapter from findings of other layers to the tool's ``Problem`` values.

The runtime reports in its own standard-library types (``ConfigProblem`` for what strict
loading refuses, ``Dropped`` for what the engine-faithful parse loses) and the publish path's
strict row check in ``RowProblem``; everything the tool prints is a ``Problem``, so each of
those becomes one here, at the tooling boundary, and nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterable

from dpm_policy.problems import START, Position, Problem, Severity
from dpm_policy.publish.strict import RowProblem
from dpm_policy_runtime.problems import ConfigProblem, Dropped

__all__ = ["from_config_problems", "from_dropped", "from_row_problems", "position_in_json"]


def position_in_json(text: str | None, key: str) -> Position:
    """Where ``"key":`` is first written in a JSON text (a compiled ``env.json``), else 1:1."""
    if text is None:
        return START
    offset = text.find(f'"{key}"')
    if offset < 0:
        return START
    line0 = text.count("\n", 0, offset)
    col0 = offset - (text.rfind("\n", 0, offset) + 1)
    return Position.from_mark(line0, col0)


def from_config_problems(
    problems: Iterable[ConfigProblem], *, file: str, text: str | None = None
) -> list[Problem]:
    """The runtime's strict-read problems of a compiled file ``file`` (its ``text`` locates
    each variable)."""
    return [
        Problem(
            file,
            position_in_json(text, problem.variable),
            problem.code,
            f"{problem.location}: {problem.message}",
        )
        for problem in problems
    ]


def from_dropped(
    dropped: Iterable[Dropped], *, file: str, text: str | None = None
) -> list[Problem]:
    """What the engine's own parse of ``file`` would lose or misread, as warnings."""
    return [
        Problem(
            file,
            position_in_json(text, item.variable),
            f"engine-{item.kind}",
            f"{item.location}: the engine's parse would drop this: {item.reason}",
            "warning",
        )
        for item in dropped
    ]


def from_row_problems(
    problems: Iterable[RowProblem], *, file: str, severity: Severity = "error"
) -> list[Problem]:
    """The strict check's findings about catalog rows; ``file`` names where the rows are (the
    table, or the compiled file they come from)."""
    found = []
    for problem in problems:
        where = f"pack '{problem.policy_pack_id}'"
        if problem.path:
            where += f" {problem.path}"
        code = "engine-read-fails" if problem.engine_fails else "engine-misreads"
        found.append(Problem(file, START, code, f"{where}: {problem.message}", severity))
    return found

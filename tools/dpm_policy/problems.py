"""Problems as values: what is wrong, where, and how to fix it.

Parsers report 0-based marks; ``Position.from_mark`` is the one place that turns them into the
1-based line and column every message shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, NamedTuple

__all__ = ["Position", "Problem", "Severity", "file_name", "sort_problems"]

Severity = Literal["error", "warning"]


class Position(NamedTuple):
    """A 1-based line and column in a source file (a tuple: cheap, ordered, hashable)."""

    line: int = 1
    col: int = 1

    @classmethod
    def from_mark(cls, line0: int, col0: int) -> Position:
        """Convert a parser's 0-based line and column."""
        return cls(line0 + 1, col0 + 1)


START = Position(1, 1)


@dataclass(frozen=True)
class Problem:
    """One finding about one place of one file.

    ``file`` is the path relative to the repository root, with forward slashes, as authors see
    it in their editor and in the pull request. ``code`` is stable, for filtering and docs.
    """

    file: str
    position: Position
    code: str
    message: str
    severity: Severity = "error"

    @property
    def line(self) -> int:
        return self.position.line

    @property
    def col(self) -> int:
        return self.position.col

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


def file_name(name: str) -> str:
    """A file name inside a message: as is, or quoted and escaped if it holds control
    characters (a name may hold a line break, and a message is one line)."""
    return name if name.isprintable() else repr(name)


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """File, then line, then column: the order an author fixes them in."""
    return sorted(problems, key=lambda p: (p.file, p.position, p.code, p.message))

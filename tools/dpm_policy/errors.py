"""The tool's exception tree: every failure it reports on purpose derives from ``DpmPolicyError``.

``cli.EXIT_CODES`` maps each class to an exit code, in one place; nothing else turns an
error into an exit code. Messages never hold a password: the CLI's secret filter masks every
stream, and the publish path masks its driver's text before raising.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dpm_policy.problems import Problem

__all__ = [
    "DatabaseError",
    "DpmPolicyError",
    "GitError",
    "InputError",
    "ProblemsFound",
    "Refused",
    "UnsafeOutput",
    "UsageError",
]


class DpmPolicyError(Exception):
    """Base of every error the tool reports on purpose."""


class UsageError(DpmPolicyError):
    """The command line asks for something that cannot be done (exit 2)."""


class InputError(DpmPolicyError):
    """A file or folder could not be read or written (exit 2)."""


class GitError(DpmPolicyError):
    """A git command failed; carries the last line git wrote to stderr (exit 2)."""


class DatabaseError(DpmPolicyError):
    """A database could not be reached, or its connection broke mid-way (exit 2)."""


class Refused(DpmPolicyError):
    """A rule about order or ownership refused the work, and nothing was changed (exit 1):
    say, a delivery naming a pack the catalog lacks, or a prune of a row still delivered."""


class UnsafeOutput(DpmPolicyError):
    """A value that an output format cannot carry unchanged (say, a dotenv line that bash and
    python-dotenv would read differently); the build turns it into a problem."""


class ProblemsFound(DpmPolicyError):
    """Findings about the files that stop the work at hand (exit 1); carries them as
    ``Problem`` values, which the CLI prints in the format asked for."""

    def __init__(self, message: str, problems: Sequence[Problem]) -> None:
        super().__init__(message)
        self.problems: list[Problem] = list(problems)

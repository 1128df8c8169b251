"""``validate``: every file against its model, then the repository against the cross-file rules."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dpm_policy.checks import run_checks
from dpm_policy.load.trees import SourceTree
from dpm_policy.problems import Problem, sort_problems
from dpm_policy.repository import Repository, load_repository

__all__ = ["ValidationResult", "validate"]


@dataclass(frozen=True)
class ValidationResult:
    """The valid documents and every problem found, in file order."""

    repository: Repository
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors


def validate(*, root: Path, tree: SourceTree | None = None) -> ValidationResult:
    """Load and check the repository at ``root``, its files read from ``tree`` (by default the
    folder on disk). Raises ``InputError`` if it cannot be read."""
    repository, problems = load_repository(root, tree=tree)
    problems.extend(run_checks(repository))
    return ValidationResult(repository, sort_problems(problems))

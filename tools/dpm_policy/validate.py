"""``validate``: every file against its model, then the repository against the cross-file rules."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from dpm_policy.checks import run_checks
from dpm_policy.governance.today import fixed_today
from dpm_policy.inheritance import FlatPack, flatten_repository
from dpm_policy.load.trees import SourceTree
from dpm_policy.model import EnvironmentFile
from dpm_policy.problems import Problem, sort_problems
from dpm_policy.repository import KINDS, DocumentCache, Entry, Repository, load_repository

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

    @property
    def flat(self) -> dict[str, FlatPack]:
        """The packs flattened (by the extends check, once), for compile, review and explain."""
        return flatten_repository(self.repository)[0]

    @property
    def environments(self) -> dict[str, Entry[EnvironmentFile]]:
        """The valid environment files by name."""
        return self.repository.environment_index()

    def summary(self) -> str:
        """``valid: 2 pack(s), ...``, or ``invalid: 1 of 2 pack(s), ...`` counting the files
        with an error among all the files of each kind."""
        counts = []
        for name, kind in KINDS.items():
            valid = {entry.file for entry in self.repository.entries(name)}
            prefix = kind.folder + "/"
            failing = {p.file for p in self.errors if p.file.startswith(prefix)}
            total = len(valid | failing)
            if kind.optional and not total:
                continue
            counts.append(
                f"{total} {name}(s)" if self.ok else f"{len(failing)} of {total} {name}(s)"
            )
        return ("valid: " if self.ok else "invalid: ") + ", ".join(counts)


def validate(
    *,
    root: Path,
    tree: SourceTree | None = None,
    today: datetime.date | None = None,
    cache: DocumentCache | None = None,
) -> ValidationResult:
    """Load and check the repository at ``root``, its files read from ``tree`` (by default the
    folder on disk), judging waivers as on ``today`` (by default the real date, or
    ``DPM_POLICY_TODAY``). With a ``cache`` shared by several calls, a file loaded before with
    the same bytes is not loaded again. Raises ``InputError`` if it cannot be read."""
    repository, problems = load_repository(root, tree=tree, cache=cache)
    with fixed_today(today):
        problems.extend(run_checks(repository))
    return ValidationResult(repository, sort_problems(problems))

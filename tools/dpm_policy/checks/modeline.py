"""Each file names its JSON Schema on its first line, for editors."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from pydantic import BaseModel

from dpm_policy.problems import Position, Problem
from dpm_policy.repository import KINDS, Entry, Repository
from dpm_policy.schema import modeline

__all__ = ["check"]


def check(repository: Repository) -> Iterator[Problem]:
    """(A warning.) Every file starts with ``# yaml-language-server: $schema=<path>`` pointing at
    its kind's schema, so editors complete keys and flag errors as the author types.
    ``dpm-policy fmt`` writes it."""
    groups: list[tuple[str, Sequence[Entry[BaseModel]]]] = [
        ("pack", repository.packs),
        ("tenant", repository.tenants),
        ("environment", repository.environments),
        ("waiver", repository.waivers),
        ("policy-test", repository.policy_tests),
    ]
    for kind_name, entries in groups:
        kind = KINDS[kind_name]
        # The expected line depends only on the folder: compute it once per folder.
        by_folder: dict[str, str] = {}
        for entry in entries:
            folder = entry.file.rpartition("/")[0]
            expected = by_folder.get(folder)
            if expected is None:
                expected = modeline(repository.root, repository.root / entry.file, kind)
                by_folder[folder] = expected
            if entry.document.first_line != expected:
                yield Problem(
                    entry.file,
                    Position(1, 1),
                    "modeline",
                    f"the first line should be '{expected}' so editors check the file; "
                    "run dpm-policy fmt",
                    "warning",
                )

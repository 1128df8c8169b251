"""``fmt``: policy files in one canonical layout, with every comment kept.

Keys follow the models' order, indentation is two spaces, quoting and flow style are the
author's, and each policy file starts with the editor's schema modeline. A file is rewritten
only when the result provably holds the same data and the same comments (checked with a second,
independent parser); otherwise it is left as it is and reported.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from dpm_policy.files import write_whole
from dpm_policy.fmt.diff import unified_diff
from dpm_policy.fmt.files import policy_files
from dpm_policy.fmt.layout import FormattedText, format_text
from dpm_policy.load.source_files import read_text
from dpm_policy.load.trees import DiskTree, SourceTree
from dpm_policy.load.yaml_source import YamlLoadError
from dpm_policy.problems import START, Problem, sort_problems

__all__ = [
    "FormatResult",
    "FormattedText",
    "format_files",
    "format_sources",
    "format_text",
    "formatting_problems",
]


@dataclass
class FormatResult:
    """Which files are (or were) not in canonical layout, and which could not be formatted."""

    changed: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    checked: int = 0
    # With ``diff=True``: for each changed file, the unified diff from its text to the layout.
    diffs: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.is_error]


class _Resolver:
    """Where each file really is (``Path.resolve``, as a link is written through to its
    target), each folder resolved once: resolving every file of tens of thousands anew costs
    one system call per path component."""

    def __init__(self, root: Path) -> None:
        self.root = os.fspath(root)
        self.folders: dict[str, str] = {}

    def __call__(self, name: str) -> Path:
        full = os.path.join(self.root, name)
        if os.path.islink(full):
            return Path(os.path.realpath(full))
        folder, _, base = full.rpartition(os.sep)
        real = self.folders.get(folder)
        if real is None:
            real = self.folders[folder] = os.path.realpath(folder)
        return Path(os.path.join(real, base))


def format_sources(
    *, root: Path, tree: SourceTree, names: Iterable[str], check: bool, diff: bool = False
) -> FormatResult:
    """Format (or, with ``check``, only inspect) the files ``names`` of ``tree``, the
    repository at ``root``; with ``diff``, keep a unified diff of each change. Each file is
    read as ``validate`` reads it (a file it refuses is reported as it reports it).

    Raises ``InputError`` when a file cannot be written.
    """
    result = FormatResult()
    resolve = _Resolver(root)
    for name in names:
        path = resolve(name)
        try:
            text = read_text(tree, name)
        except YamlLoadError as error:
            result.problems.extend(error.problems)
            continue
        result.checked += 1
        formatted = format_text(text, file=name, path=path)
        result.problems.extend(formatted.problems)
        if formatted.text is None or formatted.text == text:
            continue
        result.changed.append(name)
        if diff:
            result.diffs.append(unified_diff(name, text, formatted.text))
        if not check:
            write_whole(path, formatted.text)
    result.problems = sort_problems(result.problems)
    return result


def format_files(*, root: Path, paths: list[Path], check: bool, diff: bool = False) -> FormatResult:
    """Format (or, with ``check``, only inspect) ``paths``, or every policy file under ``root``;
    with ``diff``, keep a unified diff of each change.

    Raises ``InputError`` when a named path does not exist or a file cannot be written.
    """
    return format_sources(
        root=root, tree=DiskTree(root), names=policy_files(root, paths), check=check, diff=diff
    )


def formatting_problems(result: FormatResult) -> list[Problem]:
    """What ``fmt --check`` reports: the files it could not format, and each file that is not
    formatted."""
    return sort_problems(
        [
            *result.problems,
            *(
                Problem(name, START, "not-formatted", "not formatted; run dpm-policy fmt")
                for name in result.changed
            ),
        ]
    )

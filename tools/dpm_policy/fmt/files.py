"""Which files ``fmt`` looks at: the named ones, or every policy file of the repository."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from dpm_policy.errors import InputError
from dpm_policy.repository import KINDS

__all__ = ["YAML_SUFFIXES", "policy_files"]

YAML_SUFFIXES = (".yaml", ".yml")


def _below(folder: Path) -> Iterator[Path]:
    """The YAML files below ``folder``, hidden folders and files left out, in path order."""
    found: list[str] = []
    for directory, folders, names in os.walk(folder):
        folders[:] = [name for name in folders if not name.startswith(".")]
        found.extend(
            os.path.join(directory, name)
            for name in names
            if name.endswith(YAML_SUFFIXES)
            and not name.startswith(".")
            and os.path.isfile(os.path.join(directory, name))
        )
    found.sort(key=lambda path: path.split(os.sep))
    return (Path(path) for path in found)


def policy_files(root: Path, paths: list[Path]) -> list[Path]:
    """The YAML files named by ``paths`` (folders are searched), or, with no paths, every YAML
    file in the repository's policy folders. A named file that is not YAML is skipped, since
    pre-commit may pass any file it was told to."""
    if not paths:
        found: list[Path] = []
        for kind in KINDS.values():
            folder = root / kind.folder
            if folder.is_dir():
                found.extend(_below(folder))
        return found
    selected: list[Path] = []
    for path in paths:
        if path.is_dir():
            selected.extend(_below(path))
        elif path.is_file():
            if path.suffix in YAML_SUFFIXES:
                selected.append(path)
        else:
            raise InputError(f"{path}: no such file or folder")
    seen: set[Path] = set()
    unique = []
    for path in selected:
        resolved = path.resolve()
        if resolved not in seen:
            seen.add(resolved)
            unique.append(resolved)
    return unique

"""Which files ``fmt`` looks at: the named ones, or every policy file of the repository, found
by the same walk that ``validate`` reads them with."""

from __future__ import annotations

from pathlib import Path

from dpm_policy.errors import InputError
from dpm_policy.load.trees import DiskTree, SourceTree, relative_name
from dpm_policy.problems import Problem
from dpm_policy.repository import KINDS, policy_file_names

__all__ = ["YAML_SUFFIXES", "policy_files", "tree_policy_files"]

YAML_SUFFIXES = (".yaml", ".yml")


def tree_policy_files(tree: SourceTree) -> list[str]:
    """The names of every policy file of ``tree`` that ``validate`` reads, in its order."""
    ignored: list[Problem] = []
    found: list[str] = []
    for kind in KINDS.values():
        if tree.is_folder(kind.folder):
            found.extend(policy_file_names(tree, kind.folder, ignored))
    return found


def policy_files(root: Path, paths: list[Path]) -> list[str]:
    """The names (relative to ``root``) of the YAML files named by ``paths`` (folders are
    searched as ``validate`` searches the policy folders), or, with no paths, of every policy
    file ``validate`` reads. A named file that is not YAML is skipped, since pre-commit may pass
    any file it was told to. Names that ``validate`` reports (wrong suffix, stray files) are
    left to it."""
    tree = DiskTree(root)
    ignored: list[Problem] = []
    if not paths:
        return tree_policy_files(tree)
    selected: list[str] = []
    for path in paths:
        name = relative_name(root.absolute(), path.absolute())
        if path.is_dir() and not path.is_symlink():
            selected.extend(policy_file_names(tree, name, ignored))
        elif path.exists() or path.is_symlink():
            if path.suffix in YAML_SUFFIXES:
                selected.append(name)
        else:
            raise InputError(f"{path}: no such file or folder")
    return list(dict.fromkeys(selected))

"""Both sides of a review as source trees: a commit read straight from git's objects, or the
working tree on disk.

A ref's files are never written out: they are listed and read from the object database
(``ls-tree`` and ``cat-file``), so the checkout and its index are never touched and a
repository of tens of thousands of files costs no file creation; the head defaults to the
working tree as it is, uncommitted edits included.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dpm_policy.errors import GitError, UsageError
from dpm_policy.git import run_git
from dpm_policy.load.trees import DiskTree, GitTree, SourceTree

__all__ = ["Side", "ref_side", "working_tree"]


@dataclass(frozen=True)
class Side:
    """One side of the review: where its policy files come from, and how to name it.

    ``root`` is the policy root in the checkout, which names the files for both sides.
    """

    root: Path
    tree: SourceTree
    label: str
    commit: str | None
    # How a report's header names the side: the label, with the commit a working tree is on.
    title: str = ""


def working_tree(root: Path) -> Side:
    """The working tree at ``root``, uncommitted changes included."""
    try:
        sha = run_git(root, "rev-parse", "--verify", "HEAD^{commit}").decode().strip()
    except GitError:
        return Side(root, DiskTree(root), "working tree", None, "working tree")
    return Side(root, DiskTree(root), "working tree", None, f"working tree on {sha[:12]}")


def ref_side(root: Path, ref: str) -> Side:
    """The commit ``ref`` names, read from git's objects.

    ``root`` may be a sub-folder of the git checkout; the same sub-folder is used at ``ref``.
    Raises ``UsageError`` when ``root`` is not in a git checkout or ``ref`` names no commit.
    """
    try:
        top = Path(run_git(root, "rev-parse", "--show-toplevel").decode().strip())
    except GitError:
        raise UsageError(f"{root} is not in a git checkout; the review compares git refs") from None
    try:
        commit = run_git(top, "rev-parse", "--verify", "--end-of-options", f"{ref}^{{commit}}")
    except GitError:
        if "@{u" in ref:
            raise UsageError(
                "the current branch has no upstream branch to compare with; push it once with "
                "git push -u, or pass --base"
            ) from None
        raise UsageError(
            f"'{ref}' names no commit here; fetch it first (git fetch origin) or check the name"
        ) from None
    sha = commit.decode().strip()
    prefix = root.resolve().relative_to(top.resolve()).as_posix()
    label = f"{ref} ({sha[:12]})"
    return Side(root, GitTree(top, sha, prefix), label, sha, label)

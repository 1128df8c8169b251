"""The source commit of a build: known only when the files compiled are exactly a commit's."""

from __future__ import annotations

import re
from pathlib import Path

from dpm_policy.errors import DpmPolicyError
from dpm_policy.git import run_git

__all__ = ["COMMIT_PATTERN", "detect_source_commit"]

# A full SHA-1 or SHA-256 object name, or an abbreviation of at least 7 hex digits.
COMMIT_PATTERN = re.compile(r"[0-9a-f]{7,64}")


def _git(root: Path, *args: str) -> str | None:
    """git's output, or None when git fails or is missing: the commit is then unknown."""
    try:
        return run_git(root, *args, timeout=30).decode("utf-8", "surrogateescape")
    except DpmPolicyError:
        return None


def detect_source_commit(root: Path, *, ignore: Path | None = None) -> str | None:
    """``HEAD`` of the checkout ``root`` is in, when nothing in it differs from ``HEAD``.

    Untracked files count as differences (a new pack would be compiled but is not in the
    commit); ``ignore``, the output folder, does not. Returns None outside a checkout, without
    git, or with a dirty tree: a build is then labelled with no commit rather than a wrong one.
    """
    top_text = _git(root, "rev-parse", "--show-toplevel")
    if top_text is None:
        return None
    top = Path(top_text.strip())
    pathspec = ["--", "."]
    if ignore is not None:
        try:
            relative = ignore.resolve().relative_to(top.resolve())
        except ValueError:
            pass
        else:
            if relative.parts:
                pathspec.append(f":(exclude,top){relative.as_posix()}")
    status = _git(top, "status", "--porcelain", "-z", "--untracked-files=all", *pathspec)
    if status is None or status:
        return None
    head = _git(top, "rev-parse", "--verify", "HEAD")
    if head is None:
        return None
    commit = head.strip()
    return commit if COMMIT_PATTERN.fullmatch(commit) else None

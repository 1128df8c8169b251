"""Both sides of a review as folders on disk, read with real git.

A ref is exported into a temporary folder by git itself, through a temporary index
(``read-tree`` then ``checkout-index``), so the checkout and its own index are never touched;
the head defaults to the working tree as it is, uncommitted edits included.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from dpm_policy.errors import InputError, UsageError

__all__ = ["Side", "export_ref", "working_tree"]


@dataclass(frozen=True)
class Side:
    """One side of the review: a policy root on disk, and how to name it."""

    root: Path
    label: str
    commit: str | None


def _git(cwd: Path, *args: str, index: Path | None = None) -> bytes:
    # Variables such as GIT_DIR would point git at another repository than ``cwd``.
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    if index is not None:
        env["GIT_INDEX_FILE"] = str(index)
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, check=False, env=env, timeout=300
        )
    except FileNotFoundError:
        raise UsageError("git is not installed; the review reads both sides with git") from None
    except subprocess.SubprocessError as error:
        raise InputError(f"git {args[0]} failed: {error}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise _GitError(message[-1] if message else f"git {args[0]} failed")
    return done.stdout


class _GitError(Exception):
    pass


def working_tree(root: Path) -> Side:
    """The working tree at ``root``, uncommitted changes included."""
    return Side(root, "working tree", None)


def export_ref(root: Path, ref: str, dest: Path) -> Side:
    """Export the commit ``ref`` names into ``dest``; returns the policy root inside it.

    ``root`` may be a sub-folder of the git checkout; the same sub-folder is used at ``ref``.
    Raises ``UsageError`` when ``root`` is not in a git checkout or ``ref`` names no commit.
    """
    try:
        top = Path(_git(root, "rev-parse", "--show-toplevel").decode().strip())
    except _GitError:
        raise UsageError(f"{root} is not in a git checkout; the review compares git refs") from None
    try:
        commit = _git(top, "rev-parse", "--verify", "--end-of-options", f"{ref}^{{commit}}")
    except _GitError:
        raise UsageError(
            f"'{ref}' names no commit here; fetch it first (git fetch origin) or check the name"
        ) from None
    sha = commit.decode().strip()
    prefix = root.resolve().relative_to(top.resolve()).as_posix()
    dest.mkdir(parents=True, exist_ok=True)
    # git writes the files itself: tens of thousands of them in a second or two, where
    # unpacking an archive in Python takes many times longer.
    index = dest.parent / f".{dest.name}.index"
    try:
        _git(top, "read-tree", sha, index=index)
        _git(top, "checkout-index", "--all", "--force", f"--prefix={dest}{os.sep}", index=index)
    except _GitError as error:
        raise InputError(f"cannot export {ref}: {error}") from None
    finally:
        index.unlink(missing_ok=True)
    policy_root = dest if prefix in ("", ".") else dest / prefix
    policy_root.mkdir(parents=True, exist_ok=True)
    return Side(policy_root, f"{ref} ({sha[:12]})", sha)

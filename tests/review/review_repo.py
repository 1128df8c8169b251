"""Helpers for the review tests: copies of the repository's content and real git histories."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
CONTENT = ("packs", "tenants", "environments", "schema")


def copy_content(dest: Path, *, with_tools: bool = False) -> Path:
    """The repository's policy content (and, on request, the tool itself) copied to ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    names = CONTENT + (("tools",) if with_tools else ())
    for name in names:
        shutil.copytree(REPO_ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def git_env(home: Path) -> dict[str, str]:
    """An environment where git reads no user or system configuration."""
    env = dict(os.environ)
    env.update(
        HOME=str(home),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=str(home / ".gitconfig-none"),
        GIT_AUTHOR_NAME="Policy Author",
        GIT_AUTHOR_EMAIL="author@example.invalid",
        GIT_COMMITTER_NAME="Policy Author",
        GIT_COMMITTER_EMAIL="author@example.invalid",
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
    )
    env.pop("GIT_DIR", None)
    env.pop("GIT_INDEX_FILE", None)
    return env


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run git in ``repo`` with a clean configuration."""
    return subprocess.run(
        ["git", *args],
        cwd=repo,
        env=git_env(repo.parent),
        capture_output=True,
        text=True,
        check=check,
    )


def init_repo(repo: Path) -> Path:
    git(repo, "init", "--quiet", "--initial-branch=main")
    return repo


def commit_all(repo: Path, message: str) -> str:
    """Commit every change in ``repo``; returns the new commit's id."""
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--no-verify", "--allow-empty", "-m", message)
    return git(repo, "rev-parse", "HEAD").stdout.strip()

"""The one way the tool runs git: in a given folder, with git's own variables scrubbed."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import IO

from dpm_policy.errors import GitError, InputError, UsageError

__all__ = ["git_environment", "run_git", "start_git"]


def git_environment() -> dict[str, str]:
    """This process's environment without ``GIT_*``: variables such as ``GIT_DIR`` would point
    git at another repository than the one asked for."""
    return {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}


def run_git(
    cwd: Path,
    *args: str,
    stdin: IO[bytes] | None = None,
    timeout: float = 300,
    environment: Mapping[str, str] | None = None,
) -> bytes:
    """Run git in ``cwd``; its output. Raises ``GitError`` when git fails, ``UsageError``
    when git is not installed and ``InputError`` when it cannot be run.

    ``environment`` replaces :func:`git_environment`'s (deliver keeps git's transport
    settings, which that one scrubs)."""
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd,
            stdin=stdin,
            capture_output=True,
            check=False,
            env=dict(environment) if environment is not None else git_environment(),
            timeout=timeout,
        )
    except FileNotFoundError:
        raise UsageError(
            "git is not installed; reading commits and delivering bundles need it"
        ) from None
    except (OSError, subprocess.SubprocessError) as error:
        raise InputError(f"git {args[0]} failed: {error}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(message[-1] if message else f"git {args[0]} failed")
    return done.stdout


def start_git(
    cwd: Path, *args: str, stdin: IO[bytes], stderr: IO[bytes]
) -> subprocess.Popen[bytes]:
    """Start git in ``cwd`` with its output as a stream (``git cat-file --batch``), under the
    same scrubbed environment. Raises ``UsageError`` when git is not installed and
    ``InputError`` when it cannot be started."""
    try:
        return subprocess.Popen(
            ["git", *args],
            cwd=cwd,
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=git_environment(),
        )
    except FileNotFoundError:
        raise UsageError(
            "git is not installed; reading commits and delivering bundles need it"
        ) from None
    except OSError as error:
        raise InputError(f"git {args[0]} failed: {error}") from None

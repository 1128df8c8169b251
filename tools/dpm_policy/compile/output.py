"""Outputs appear whole or not at all: build in a temporary folder, then swap it in.

The temporary folder sits next to the target (same file system, so renames are atomic). The
swap renames the previous folder aside, renames the new one in and only then removes the old
one; if the second rename fails the old folder is put back, so a reader sees either the old
output or the new one, never a mix, and a failed build leaves the old one byte for byte.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dpm_policy.errors import InputError

__all__ = ["Staged", "discard", "stage", "swap_in"]


@dataclass(frozen=True)
class Staged:
    """A complete output folder waiting to replace ``target``."""

    target: Path
    temp: Path


def _fsync_dir(path: Path) -> None:
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass  # some file systems cannot sync folders; the renames are still atomic
    finally:
        os.close(descriptor)


def stage(out: Path, name: str, files: Mapping[str, bytes]) -> Staged:
    """Write ``files`` into a new temporary folder beside ``out/name``."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        temp = Path(tempfile.mkdtemp(prefix=f".{name}.new-", dir=out))
    except OSError as error:
        raise InputError(f"{out}: cannot create the output folder: {error.strerror}") from None
    try:
        for file_name, data in files.items():
            # Bundle files live in subfolders (variables/, engine/).
            (temp / file_name).parent.mkdir(mode=0o755, exist_ok=True)
            with open(temp / file_name, "xb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        # mkdtemp makes the folder private; the output is meant to be read by others.
        temp.chmod(0o755)
        _fsync_dir(temp)
    except OSError as error:
        shutil.rmtree(temp, ignore_errors=True)
        raise InputError(f"{temp}: cannot write the output: {error.strerror}") from None
    return Staged(out / name, temp)


def discard(staged: Staged) -> None:
    """Remove a staged folder that will not be used."""
    shutil.rmtree(staged.temp, ignore_errors=True)


def swap_in(staged: Staged) -> None:
    """Replace the target with the staged folder."""
    target, parent = staged.target, staged.target.parent
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        discard(staged)
        raise InputError(f"{target} exists and is not a folder; move it away")
    old: Path | None = None
    try:
        if target.exists():
            old = parent / f".{target.name}.old-{secrets.token_hex(6)}"
            os.rename(target, old)
        try:
            os.rename(staged.temp, target)
        except OSError:
            if old is not None:
                os.rename(old, target)
                old = None
            raise
    except OSError as error:
        discard(staged)
        raise InputError(f"{target}: cannot replace the output: {error.strerror}") from None
    _fsync_dir(parent)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)

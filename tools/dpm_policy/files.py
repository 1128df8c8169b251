"""The one whole-file writer (a file is replaced whole or not at all), the reader of the
generated files it writes, and what a check reports of a generated file that is not current."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from dpm_policy.errors import InputError
from dpm_policy.problems import START, Problem

__all__ = ["not_current", "read_text_if_present", "write_whole"]


def write_whole(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file beside it and a rename, so a reader
    sees the old file or the new one, never half of it. Raises ``InputError``."""
    temporary = path.with_name(f".{path.name}.dpm-policy-tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(temporary, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        temporary.replace(path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise InputError(f"{path}: cannot write: {error.strerror or error}") from None


def read_text_if_present(path: Path) -> str | None:
    """The text of ``path``, or None when there is no such file. Raises ``InputError``."""
    try:
        return path.read_text(encoding="utf-8") if path.exists() else None
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror}") from None


def not_current(name: str, state: Literal["missing", "stale"], how: str) -> Problem:
    """The problem a ``--check`` reports for the generated file ``name`` that is ``missing``
    or ``stale``; ``how`` says what regenerates it."""
    fix = "create" if state == "missing" else "update"
    return Problem(name, START, state, f"{state}; {how} to {fix} it")

"""The one whole-file writer: a file is replaced whole or not at all."""

from __future__ import annotations

from pathlib import Path

from dpm_policy.errors import InputError

__all__ = ["write_whole"]


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

"""What loading a file gave, kept for the rest of the run, keyed by the file's name and bytes.

A pull request's two commits share nearly every file: the pull-request gate loads both, and a
file whose bytes are the same on both sides is parsed and checked against its model once. The
key holds the bytes themselves, not a hash of them, so two different files can never share an
outcome.
"""

from __future__ import annotations

from typing import Generic, TypeVar

__all__ = ["LoadCache"]

T = TypeVar("T")


class LoadCache(Generic[T]):
    """Outcomes by (folder of the kind, file name, bytes)."""

    def __init__(self) -> None:
        self._outcomes: dict[tuple[str, str, bytes], T] = {}

    def get(self, folder: str, name: str, raw: bytes) -> T | None:
        return self._outcomes.get((folder, name, raw))

    def put(self, folder: str, name: str, raw: bytes, outcome: T) -> None:
        self._outcomes[(folder, name, raw)] = outcome

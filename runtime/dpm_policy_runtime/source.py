"""Where a :class:`~dpm_policy_runtime.Reloader` gets its snapshots: ``SnapshotSource``.

A source answers two questions. ``probe()`` is the cheap one, asked at every check: a token
that changes whenever the configuration may have changed (a file's stat, the target of a
ConfigMap's ``..data`` link, a database revision). ``read()`` is the full one, asked only when
the token moved: the configuration's bytes, read consistently, with the token they belong to.
Both raise :class:`SourceUnavailable` (or ``OSError``) when the source cannot be read; the
reloader then keeps its last good snapshot.

:class:`FileSource` is one compiled file (``env.json`` or ``dpm-policy.env``);
:class:`~dpm_policy_runtime.MountedFiles` and :class:`~dpm_policy_runtime.PostgresSource`
are the others.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from dpm_policy_runtime.snapshot import PolicyRuntime

__all__ = [
    "FileSource",
    "Reading",
    "SnapshotSource",
    "SourceUnavailable",
    "bytes_reading",
    "file_token",
]


class SourceUnavailable(Exception):
    """The source could not be read now (a database error, a link swapped during every retry).

    The message names the source and the reason, never a password or raw configuration text.
    """


@dataclass(frozen=True)
class Reading:
    """One consistent read of a source."""

    # The probe token this content belongs to: the next probe equal to it means "unchanged".
    token: Hashable
    # Where it was read from, for the status: a resolved path, or a database revision.
    origin: str
    # SHA-256 hex of the bytes read: equal content is not parsed again.
    content_sha256: str
    # Parses the content; strict or lenient as asked. Raises PolicyConfigError.
    build: Callable[[bool], PolicyRuntime]


class SnapshotSource(Protocol):
    """What a :class:`~dpm_policy_runtime.Reloader` reads from."""

    @property
    def location(self) -> str:
        """Where the source is, for the status and messages (no password)."""
        ...

    def probe(self) -> Hashable:
        """A token that changes when the configuration may have changed; cheap."""
        ...

    def read(self) -> Reading:
        """The whole configuration, read consistently."""
        ...


def file_token(path: str) -> tuple[str, int, int, int, int]:
    """(real path, device, inode, mtime_ns, size) of a file, its links resolved."""
    real = os.path.realpath(path)
    info = os.stat(real)
    return (real, info.st_dev, info.st_ino, info.st_mtime_ns, info.st_size)


class FileSource:
    """One compiled file; ``*.json`` is ``env.json``, anything else ``dpm-policy.env``.

    The path is resolved at every probe, so a Kubernetes ConfigMap's ``..data`` symlink swap is
    seen even though the mounted path itself never changes. For a whole mounted folder, read
    across the swap with retries, use :class:`~dpm_policy_runtime.MountedFiles`.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._path = os.fspath(path)
        self._name = Path(self._path).name

    @property
    def location(self) -> str:
        return self._path

    def probe(self) -> Hashable:
        return file_token(self._path)

    def read(self) -> Reading:
        token = file_token(self._path)
        real = token[0]
        with open(real, "rb") as handle:
            return bytes_reading(token, real, handle.read(), self._name)


def bytes_reading(token: Hashable, origin: str, data: bytes, name: str) -> Reading:
    """A reading of one compiled file's bytes; ``name`` picks the format."""

    def build(strict: bool) -> PolicyRuntime:
        return PolicyRuntime.from_bytes(data, name, strict=strict)

    return Reading(token, origin, hashlib.sha256(data).hexdigest(), build)

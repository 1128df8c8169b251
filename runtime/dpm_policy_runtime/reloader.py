"""Swap in a new snapshot when the mounted compiled file changes.

Polls on demand, never from a thread of its own: :meth:`Reloader.current` looks at the file
at most once per ``interval`` seconds (a ``stat`` of the resolved path; the file is read and
hashed only when the stat changed), so a request handler can call it every time. A
Kubernetes ConfigMap mount replaces the ``..data`` symlink atomically; resolving the real
path on every check sees that swap even though the mounted path itself never changes. An
invalid new file never replaces the last good snapshot; it shows up in :attr:`last_error`
and :attr:`status` instead.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from dpm_policy_runtime.errors import PolicyConfigError
from dpm_policy_runtime.snapshot import PolicyRuntime

__all__ = ["ReloadStatus", "Reloader"]

# (real path, device, inode, mtime_ns, size): any change means "read it again".
_StatKey = tuple[str, int, int, int, int]


@dataclass(frozen=True)
class ReloadStatus:
    """Which snapshot is active and why (for a health or debug endpoint)."""

    path: str
    real_path: str
    fingerprint: str
    content_sha256: str
    reason: str
    loaded_at: float
    checked_at: float
    last_error: str | None


@dataclass(frozen=True)
class _State:
    runtime: PolicyRuntime
    status: ReloadStatus
    stat_key: _StatKey | None
    error: Exception | None


class Reloader:
    """Holds the active :class:`PolicyRuntime` for one compiled file and reloads it on change.

    The first load happens in the constructor and raises if the file is missing or invalid
    (there is no last good snapshot to fall back to). Thread-safe: readers see one immutable
    state object; one checker at a time does the I/O, others keep the current snapshot.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        strict: bool = True,
        interval: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._path = os.fspath(path)
        self._name = Path(self._path).name
        self._strict = strict
        self._interval = interval
        self._clock = clock
        self._lock = threading.Lock()
        now = clock()
        real, key, data = self._read()
        runtime = PolicyRuntime.from_bytes(data, self._name, strict=strict)
        status = ReloadStatus(
            path=self._path,
            real_path=real,
            fingerprint=runtime.fingerprint,
            content_sha256=hashlib.sha256(data).hexdigest(),
            reason="initial load",
            loaded_at=now,
            checked_at=now,
            last_error=None,
        )
        self._state = _State(runtime, status, key, None)

    @property
    def active(self) -> PolicyRuntime:
        """The snapshot in use (never checks the file)."""
        return self._state.runtime

    @property
    def last_error(self) -> Exception | None:
        """Why the latest change was not taken (``PolicyConfigError`` or ``OSError``), if so."""
        return self._state.error

    @property
    def status(self) -> ReloadStatus:
        """Active fingerprint, where it came from, and why it is active."""
        return self._state.status

    def current(self) -> PolicyRuntime:
        """The active snapshot, after a check if ``interval`` seconds have passed."""
        state = self._state
        due = self._clock() - state.status.checked_at >= self._interval
        # Non-blocking: while one request checks the file, others use the snapshot.
        if due and self._lock.acquire(blocking=False):
            try:
                self._check_locked()
            finally:
                self._lock.release()
        return self._state.runtime

    def check(self) -> bool:
        """Look at the file now; True when a new snapshot was swapped in."""
        with self._lock:
            return self._check_locked()

    def _read(self) -> tuple[str, _StatKey, bytes]:
        real = os.path.realpath(self._path)
        info = os.stat(real)
        key = (real, info.st_dev, info.st_ino, info.st_mtime_ns, info.st_size)
        with open(real, "rb") as handle:
            return real, key, handle.read()

    def _check_locked(self) -> bool:
        state = self._state
        now = self._clock()
        status = replace(state.status, checked_at=now)
        try:
            real = os.path.realpath(self._path)
            info = os.stat(real)
            key = (real, info.st_dev, info.st_ino, info.st_mtime_ns, info.st_size)
            if key == state.stat_key:
                self._state = replace(state, status=status)
                return False
            real, key, data = self._read()
        except OSError as exc:
            self._state = replace(
                state,
                status=replace(
                    status,
                    reason=f"kept {state.runtime.fingerprint[:12]}: file unreadable",
                    last_error=f"{type(exc).__name__}: {exc.strerror or exc}",
                ),
                stat_key=None,
                error=exc,
            )
            return False
        digest = hashlib.sha256(data).hexdigest()
        if digest == state.status.content_sha256:
            self._state = _State(
                state.runtime,
                replace(status, real_path=real, reason="unchanged content", last_error=None),
                key,
                None,
            )
            return False
        try:
            runtime = PolicyRuntime.from_bytes(data, self._name, strict=self._strict)
        except PolicyConfigError as exc:
            count = len(exc.problems)
            self._state = replace(
                state,
                status=replace(
                    status,
                    reason=f"kept {state.runtime.fingerprint[:12]}: new content invalid "
                    f"({count} problem{'s' if count != 1 else ''})",
                    last_error=str(exc),
                ),
                stat_key=key,
                error=exc,
            )
            return False
        self._state = _State(
            runtime,
            ReloadStatus(
                path=self._path,
                real_path=real,
                fingerprint=runtime.fingerprint,
                content_sha256=digest,
                reason=f"reloaded: content changed (was {state.runtime.fingerprint[:12]})",
                loaded_at=now,
                checked_at=now,
                last_error=None,
            ),
            key,
            None,
        )
        return True

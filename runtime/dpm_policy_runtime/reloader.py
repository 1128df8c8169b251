"""Swap in a new snapshot when the source changes: a compiled file, a mounted folder, Postgres.

Polls on demand, never from a thread of its own: :meth:`Reloader.current` asks the source at
most once per ``interval`` seconds. Each check is the source's cheap ``probe()`` (a ``stat``, a
``readlink``, one small query); only when the probe's token moved is the source read in full,
and only when the content's hash changed is it parsed. An invalid or unreadable new snapshot
never replaces the last good one; it shows up in :attr:`last_error` and :attr:`status` instead.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace

from dpm_policy_runtime.errors import PolicyConfigError
from dpm_policy_runtime.snapshot import PolicyRuntime
from dpm_policy_runtime.source import FileSource, Reading, SnapshotSource, SourceUnavailable

__all__ = ["ReloadStatus", "Reloader"]


@dataclass(frozen=True)
class ReloadStatus:
    """Which snapshot is active and why (for a health or debug endpoint)."""

    # The source's location, and where the active snapshot was read: a resolved path or a
    # database revision.
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
    # The probe token of the content last read (None after a failed read: read again).
    token: Hashable | None
    error: Exception | None


class Reloader:
    """Holds the active :class:`PolicyRuntime` of one source and reloads it on change.

    ``source`` is a path to a compiled file (``env.json`` or ``dpm-policy.env``), or any
    :class:`~dpm_policy_runtime.SnapshotSource`: :class:`~dpm_policy_runtime.MountedFiles` for a
    ConfigMap folder, :class:`~dpm_policy_runtime.PostgresSource` for the database. The first
    load happens in the constructor and raises if the source is unreadable or invalid (there
    is no last good snapshot to fall back to). Thread-safe: readers see one immutable state
    object; one checker at a time does the I/O, others keep the current snapshot.
    """

    def __init__(
        self,
        source: str | os.PathLike[str] | SnapshotSource,
        *,
        strict: bool = True,
        interval: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._source: SnapshotSource = (
            FileSource(source) if isinstance(source, (str, os.PathLike)) else source
        )
        self._strict = strict
        self._interval = interval
        self._clock = clock
        self._lock = threading.Lock()
        now = clock()
        reading = self._source.read()
        runtime = reading.build(strict)
        status = ReloadStatus(
            path=self._source.location,
            real_path=reading.origin,
            fingerprint=runtime.fingerprint,
            content_sha256=reading.content_sha256,
            reason="initial load",
            loaded_at=now,
            checked_at=now,
            last_error=None,
        )
        self._state = _State(runtime, status, reading.token, None)

    @property
    def source(self) -> SnapshotSource:
        """Where snapshots come from."""
        return self._source

    @property
    def active(self) -> PolicyRuntime:
        """The snapshot in use (never checks the source)."""
        return self._state.runtime

    @property
    def last_error(self) -> Exception | None:
        """Why the latest change was not taken (``PolicyConfigError``, ``OSError`` or
        ``SourceUnavailable``), if so."""
        return self._state.error

    @property
    def status(self) -> ReloadStatus:
        """Active fingerprint, where it came from, and why it is active."""
        return self._state.status

    def current(self) -> PolicyRuntime:
        """The active snapshot, after a check if ``interval`` seconds have passed."""
        state = self._state
        due = self._clock() - state.status.checked_at >= self._interval
        # Non-blocking: while one request checks the source, others use the snapshot.
        if due and self._lock.acquire(blocking=False):
            try:
                self._check_locked()
            finally:
                self._lock.release()
        return self._state.runtime

    def check(self) -> bool:
        """Look at the source now; True when a new snapshot was swapped in."""
        with self._lock:
            return self._check_locked()

    def _check_locked(self) -> bool:
        state = self._state
        now = self._clock()
        status = replace(state.status, checked_at=now)
        try:
            token = self._source.probe()
            if token == state.token:
                self._state = replace(state, status=status)
                return False
            reading = self._source.read()
        except (OSError, SourceUnavailable) as exc:
            self._state = replace(
                state,
                status=replace(
                    status,
                    reason=f"kept {state.runtime.fingerprint[:12]}: source unreadable",
                    last_error=_describe(exc),
                ),
                token=None,
                error=exc,
            )
            return False
        if reading.content_sha256 == state.status.content_sha256:
            self._state = _State(
                state.runtime,
                replace(
                    status, real_path=reading.origin, reason="unchanged content", last_error=None
                ),
                reading.token,
                None,
            )
            return False
        return self._take(state, status, reading, now)

    def _take(self, state: _State, status: ReloadStatus, reading: Reading, now: float) -> bool:
        try:
            runtime = reading.build(self._strict)
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
                token=reading.token,
                error=exc,
            )
            return False
        self._state = _State(
            runtime,
            ReloadStatus(
                path=self._source.location,
                real_path=reading.origin,
                fingerprint=runtime.fingerprint,
                content_sha256=reading.content_sha256,
                reason=f"reloaded: content changed (was {state.runtime.fingerprint[:12]})",
                loaded_at=now,
                checked_at=now,
                last_error=None,
            ),
            reading.token,
            None,
        )
        return True


def _describe(exc: Exception) -> str:
    if isinstance(exc, OSError):
        return f"{type(exc).__name__}: {exc.strerror or exc}"
    return str(exc)

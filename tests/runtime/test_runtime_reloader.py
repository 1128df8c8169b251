"""Reloader: swaps on change, keeps the last good snapshot, follows a ConfigMap symlink swap."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest
from runtime_fixtures import variables

from dpm_policy_runtime import PolicyConfigError, Reloader


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _write(path: Path, **overrides: str | None) -> None:
    path.write_text(json.dumps(variables(**overrides)), encoding="utf-8")
    # Make the change visible even on file systems with coarse timestamps.
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def test_initial_load_and_status(tmp_path: Path) -> None:
    path = tmp_path / "env.json"
    _write(path)
    reloader = Reloader(path, clock=FakeClock())
    assert reloader.active.enabled is True
    assert reloader.last_error is None
    status = reloader.status
    assert (status.reason, status.fingerprint) == ("initial load", reloader.active.fingerprint)
    assert status.real_path == str(path.resolve())


def test_initial_invalid_file_raises(tmp_path: Path) -> None:
    path = tmp_path / "env.json"
    _write(path, DPM_POLICY_PACKS_ENABLED="yes")
    with pytest.raises(PolicyConfigError):
        Reloader(path)
    with pytest.raises(FileNotFoundError):
        Reloader(tmp_path / "missing.json")


def test_change_is_picked_up_after_the_interval(tmp_path: Path) -> None:
    path = tmp_path / "env.json"
    _write(path)
    clock = FakeClock()
    reloader = Reloader(path, interval=5, clock=clock)
    first = reloader.active
    _write(path, DPM_POLICY_PACKS_ENABLED="false")
    clock.now += 4.9
    assert reloader.current() is first  # not due yet: no stat at all
    clock.now += 0.2
    current = reloader.current()
    assert current is not first
    assert current.enabled is False
    assert reloader.status.reason.startswith("reloaded: content changed")
    assert reloader.status.fingerprint == current.fingerprint


def test_invalid_change_keeps_last_good(tmp_path: Path) -> None:
    path = tmp_path / "env.json"
    _write(path)
    reloader = Reloader(path, clock=FakeClock())
    good = reloader.active
    _write(path, DPM_TENANT_POLICY_PACK_MAP_JSON='{"t9":"dpm_nowhere"}')
    assert reloader.check() is False
    assert reloader.active is good
    assert isinstance(reloader.last_error, PolicyConfigError)
    assert (
        reloader.status.reason == f"kept {good.fingerprint[:12]}: new content invalid (1 problem)"
    )
    assert "dpm_nowhere" in (reloader.status.last_error or "")
    # Fixed again: taken, error cleared.
    _write(path, DPM_IDEMPOTENCY_REPLAY_ENABLED="false")
    assert reloader.check() is True
    assert reloader.last_error is None
    assert reloader.active.replay_default is False


def test_missing_file_keeps_last_good(tmp_path: Path) -> None:
    path = tmp_path / "env.json"
    _write(path)
    reloader = Reloader(path, clock=FakeClock())
    good = reloader.active
    path.unlink()
    assert reloader.check() is False
    assert reloader.active is good
    assert isinstance(reloader.last_error, FileNotFoundError)
    _write(path)  # same content as before: nothing to swap, error cleared
    assert reloader.check() is False
    assert reloader.last_error is None
    assert reloader.status.reason == "unchanged content"


def test_touch_without_content_change_does_not_reparse(tmp_path: Path) -> None:
    path = tmp_path / "env.json"
    _write(path)
    reloader = Reloader(path, clock=FakeClock())
    first = reloader.active
    _write(path)
    assert reloader.check() is False
    assert reloader.active is first
    assert reloader.status.reason == "unchanged content"


def _configmap(root: Path, version: str, **overrides: str | None) -> None:
    """Lay out a ConfigMap volume as the kubelet does: ..data -> ..<ts>/, env.json -> ..data/."""
    target = root / f"..{version}"
    target.mkdir()
    (target / "env.json").write_text(json.dumps(variables(**overrides)), encoding="utf-8")
    tmp_link = root / "..data_tmp"
    tmp_link.symlink_to(target.name)
    os.replace(tmp_link, root / "..data")  # the atomic swap
    if not (root / "env.json").is_symlink():
        (root / "env.json").symlink_to("..data/env.json")


def test_configmap_symlink_swap(tmp_path: Path) -> None:
    _configmap(tmp_path, "2026_01_01")
    reloader = Reloader(tmp_path / "env.json", clock=FakeClock())
    assert reloader.active.replay_default is True
    assert reloader.status.real_path.endswith("..2026_01_01/env.json")
    _configmap(tmp_path, "2026_01_02", DPM_IDEMPOTENCY_REPLAY_ENABLED="false")
    assert reloader.check() is True
    assert reloader.active.replay_default is False
    assert reloader.status.real_path.endswith("..2026_01_02/env.json")


def test_current_is_safe_under_threads(tmp_path: Path) -> None:
    path = tmp_path / "env.json"
    _write(path)
    clock = FakeClock()
    reloader = Reloader(path, interval=0, clock=clock)
    seen: set[str] = set()
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(200):
                seen.add(reloader.current().fingerprint)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    _write(path, DPM_POLICY_PACKS_ENABLED="false")
    for thread in threads:
        thread.join()
    assert errors == []
    reloader.check()
    assert reloader.active.enabled is False

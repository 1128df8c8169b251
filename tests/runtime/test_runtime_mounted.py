"""MountedFiles: a ConfigMap folder read as one version across the kubelet's ``..data`` swap.

The writer here does what the kubelet does on an update: write a new timestamped folder, point
a new link at it, rename that link over ``..data`` in one step, delete the old folder. Readers
on other threads read all the while; each must get exactly one whole version, never an error,
and never an older version after a newer one.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path

import pytest
from runtime_fixtures import TENANT_MAP, variables

from dpm_policy_runtime import MountedFiles, PolicyConfigError, PolicyRuntime, Reloader


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _tenants(version: int) -> str:
    """A tenant map that says which version it belongs to in every entry, so any mix shows."""
    pack = "dpm_standard_v1" if version % 2 else "dpm_conservative_v1"
    entries = {f"tenant_{index:04d}": pack for index in range(500)}
    entries[f"version_{version:05d}"] = pack
    return json.dumps(entries, separators=(",", ":"))


def _publish(root: Path, version: int, text: str | None = None) -> None:
    """One kubelet update of the volume at ``root`` to ``version``."""
    target = root / f"..2026_12_01_{version:05d}"
    target.mkdir()
    content = (
        text
        if text is not None
        else json.dumps(variables(DPM_TENANT_POLICY_PACK_MAP_JSON=_tenants(version)))
    )
    (target / "env.json").write_text(content, encoding="utf-8")
    data = root / "..data"
    old = os.readlink(data) if data.is_symlink() else None
    link = root / "..data_tmp"
    link.symlink_to(target.name)
    os.replace(link, data)  # the one atomic step
    if not (root / "env.json").is_symlink():
        (root / "env.json").symlink_to("..data/env.json")
    if old is not None:
        shutil.rmtree(root / old)


def _version(runtime: PolicyRuntime) -> int:
    """The one version a snapshot holds; fails on a mix of two."""
    marks = [key for key in runtime.tenant_map if key.startswith("version_")]
    assert len(marks) == 1, marks
    version = int(marks[0].removeprefix("version_"))
    pack = "dpm_standard_v1" if version % 2 else "dpm_conservative_v1"
    assert set(runtime.tenant_map.values()) == {pack}
    return version


def test_reads_through_the_resolved_folder(tmp_path: Path) -> None:
    _publish(tmp_path, 1)
    source = MountedFiles(tmp_path)
    assert source.probe() == ("..data", "..2026_12_01_00001")
    reading = source.read()
    assert reading.origin == str(tmp_path / "..2026_12_01_00001" / "env.json")
    assert _version(reading.build(True)) == 1
    assert source.location == str(tmp_path / "env.json")


def test_a_plain_folder_is_read_as_a_file(tmp_path: Path) -> None:
    (tmp_path / "env.json").write_text(json.dumps(variables()), encoding="utf-8")
    reloader = Reloader(MountedFiles(tmp_path), clock=FakeClock())
    assert dict(reloader.active.tenant_map) == TENANT_MAP
    assert reloader.status.real_path == str(tmp_path / "env.json")


def test_every_concurrent_read_sees_one_whole_version(tmp_path: Path) -> None:
    _publish(tmp_path, 1)
    source = MountedFiles(tmp_path, attempts=50)
    reloader = Reloader(source, interval=0, clock=FakeClock())
    updates = 30
    done = threading.Event()
    seen: list[list[int]] = [[] for _ in range(4)]
    errors: list[BaseException] = []

    def reader(index: int) -> None:
        try:
            while not done.is_set():
                # Half read the source directly, half go through the reloader's checks.
                if index % 2:
                    seen[index].append(_version(source.read().build(True)))
                else:
                    seen[index].append(_version(reloader.current()))
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=reader, args=(index,)) for index in range(4)]
    for thread in threads:
        thread.start()
    try:
        for version in range(2, updates + 1):
            _publish(tmp_path, version)
    finally:
        done.set()
        for thread in threads:
            thread.join()
    assert errors == []
    for versions in seen:
        assert versions, "a reader never got a snapshot"
        assert versions == sorted(versions), "a reader saw an older version after a newer one"
    assert reloader.check() in (True, False)
    assert _version(reloader.active) == updates
    assert reloader.status.real_path.endswith(f"..2026_12_01_{updates:05d}/env.json")
    assert reloader.last_error is None


def test_a_bad_new_version_keeps_the_old_one(tmp_path: Path) -> None:
    _publish(tmp_path, 1)
    reloader = Reloader(MountedFiles(tmp_path), clock=FakeClock())
    good = reloader.active
    _publish(
        tmp_path,
        2,
        json.dumps(variables(DPM_TENANT_POLICY_PACK_MAP_JSON='{"t9":"dpm_nowhere"}')),
    )
    assert reloader.check() is False
    assert reloader.active is good
    assert isinstance(reloader.last_error, PolicyConfigError)
    status = reloader.status
    assert status.fingerprint == good.fingerprint
    assert status.reason == f"kept {good.fingerprint[:12]}: new content invalid (1 problem)"
    assert "dpm_nowhere" in (status.last_error or "")
    # Asked again with nothing new: no second read, the refusal stays reported.
    assert reloader.check() is False
    assert reloader.status.last_error == status.last_error
    _publish(tmp_path, 3)
    assert reloader.check() is True
    assert _version(reloader.active) == 3
    assert reloader.last_error is None
    assert reloader.status.reason == f"reloaded: content changed (was {good.fingerprint[:12]})"


def test_an_unmounted_folder_fails_the_first_load(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        Reloader(MountedFiles(tmp_path / "missing"))

"""The benchmark scripts run end to end (their figures are not checked here: timings inside
tests are flaky on shared machines; the recorded figures live in benchmarks/README.md)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _script(name: str, *args: str) -> str:
    """Run ``benchmarks/<name>`` with ``args``; its standard output, once it succeeded."""
    result = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / name), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.slow
def test_run_quick_completes_every_step() -> None:
    out = _script("run.py", "--quick")
    assert "| quick |" in out
    # Every figure of the pull-request targets, and the profile of the gate.
    for heading in ("gate (check) s", "gate peak MiB", "fmt --check s", "vs 1 compile"):
        assert heading in out
    assert "| the whole gate |" in out


@pytest.mark.slow
@pytest.mark.git
def test_diff_impact_quick_compares_two_versions() -> None:
    out = _script("diff_impact.py", "--before", "HEAD", "--rounds", "1", "--quick")
    assert "diff now / diff at HEAD: " in out


def test_generated_repository_validates(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        from generate import generate
    finally:
        sys.path.pop(0)
    from dpm_policy.fmt import format_files
    from dpm_policy.validate import validate

    generate(tmp_path / "repo", packs=30, tenants=200, environments=3)
    result = validate(root=tmp_path / "repo")
    assert result.ok, result.errors[:5]
    assert len(result.repository.packs) == 30
    assert len(result.repository.tenants) == 200
    names = [env.model.environment for env in result.repository.environments]
    assert names == ["dev", "prod", "uat"]
    # In canonical layout, as a repository kept with fmt is: the fmt --check figure times the
    # check, not rewrites.
    assert format_files(root=tmp_path / "repo", paths=[], check=True).changed == []
    second = tmp_path / "again"
    generate(second, packs=30, tenants=200, environments=3)
    first_bytes = sorted(
        (p.relative_to(tmp_path / "repo"), p.read_bytes())
        for p in (tmp_path / "repo").rglob("*.yaml")
    )
    second_bytes = sorted((p.relative_to(second), p.read_bytes()) for p in second.rglob("*.yaml"))
    assert first_bytes == second_bytes

"""The Postgres-source benchmark runs end to end: compile, publish, load, resolve (no timings
asserted; the recorded figures live in benchmarks/SOURCES.md)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from postgres_server import find_postgres_bin

REPO = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def test_sources_bench_quick_runs() -> None:
    if find_postgres_bin() is None and os.environ.get("CI", "").strip().lower() != "true":
        pytest.skip("no PostgreSQL server binaries (apt-get install postgresql)")
    result = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "sources_bench.py"), "--quick"],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert "| 50 | 1,000 |" in result.stdout
    assert "| 10 |" in result.stdout
    assert "| 1,000 |" in result.stdout

"""The benchmark still runs and its two paths still agree (no timings asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "runtime_bench.py"


def test_benchmark_quick_runs() -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH), "--quick"], capture_output=True, text=True, check=True
    )
    assert "| tenants | packs |" in result.stdout
    assert result.stdout.count("\n| ") >= 3  # header, separator is "|---", two rows

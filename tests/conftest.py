"""Shared by every test folder: where the repository is, and running the CLI in-process."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


class CliRun(NamedTuple):
    """What one in-process ``dpm-policy`` run returned and printed."""

    code: int
    out: str
    err: str


@pytest.fixture
def repo_root() -> Path:
    """The policy repository this checkout holds (packs/, tenants/, environments/, schema/)."""
    return REPO_ROOT


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[[Sequence[str]], CliRun]:
    """``run_cli([...])`` runs ``main(argv)`` and returns its exit code, stdout and stderr."""

    # Imported here, so that a folder's tests never depend on every command importing cleanly.
    from dpm_policy.cli import main

    def run(argv: Sequence[str]) -> CliRun:
        capsys.readouterr()
        code = main(list(argv))
        captured = capsys.readouterr()
        return CliRun(code, captured.out, captured.err)

    return run

"""Shared by every test folder: where the repository is, and running the CLI in-process."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import pytest

if TYPE_CHECKING:
    from dpm_policy.repository import Repository

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


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Repository, Path]:
    """This repository's own content, loaded and compiled into a temporary ``dist``, once per
    test module (the explain tests check every tenant and environment of it)."""
    from dpm_policy.compile import compile_repository
    from dpm_policy.repository import load_repository

    out = tmp_path_factory.mktemp("dist")
    result = compile_repository(root=REPO_ROOT, out=out)
    assert result.ok, result.problems
    repository, _ = load_repository(REPO_ROOT)
    return repository, out

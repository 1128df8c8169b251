"""Shared by every test folder: where the repository is, running the CLI in-process, and the
test run's throwaway PostgreSQL server."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import pytest

from postgres_server import PostgresServer, PostgresUnavailable, find_postgres_bin

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


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The test run's server; skips without PostgreSQL binaries, except on CI where it fails."""
    bin_dir = find_postgres_bin()
    on_ci = os.environ.get("CI", "").strip().lower() == "true"
    if bin_dir is None:
        message = (
            "no PostgreSQL server binaries (initdb, pg_ctl, postgres) on PATH "
            "or in /usr/lib/postgresql"
        )
        if on_ci:
            pytest.fail(f"{message}; CI must install them (apt-get install postgresql)")
        pytest.skip(message)
    server = PostgresServer(bin_dir)
    try:
        server.start()
    except PostgresUnavailable as error:
        server.stop()
        if on_ci:
            pytest.fail(str(error))
        pytest.skip(str(error))
    try:
        yield server
    finally:
        server.stop()

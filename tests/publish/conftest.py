"""Publish test fixtures: one throwaway PostgreSQL server per test run, a database per test."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# tests/ holds the shared helper postgres_server.py; pytest puts only this folder on the path.
_TESTS = str(Path(__file__).resolve().parents[1])
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)

from publish_pg import SECRET_SPELLINGS, Database, OutputGuard  # noqa: E402

from postgres_server import (  # noqa: E402
    TEST_PASSWORD,
    PostgresServer,
    PostgresUnavailable,
    find_postgres_bin,
)


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


@pytest.fixture
def database(postgres_server: PostgresServer) -> Database:
    """A fresh, empty database owned by the password-authenticated test role."""
    name = postgres_server.new_database()
    return Database(postgres_server, name, postgres_server.test_dsn(name))


@pytest.fixture(autouse=True)
def output_guard(capfd: pytest.CaptureFixture[str]) -> Iterator[OutputGuard]:
    """Scans every output of every test (stdout, stderr, noted messages) for the password."""
    guard = OutputGuard()
    yield guard
    captured = capfd.readouterr()
    guard.note(captured.out, captured.err)
    for text in guard.seen:
        for secret in SECRET_SPELLINGS:
            assert secret not in text, "the DSN password appeared in an output"


@pytest.fixture
def password() -> str:
    """The test role's password: no output of any test may contain it."""
    return TEST_PASSWORD

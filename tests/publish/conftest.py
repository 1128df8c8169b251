"""Publish test fixtures: a database per test on the run's PostgreSQL server (tests/conftest.py)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# tests/ holds the shared helper postgres_server.py; pytest puts only this folder on the path.
_TESTS = str(Path(__file__).resolve().parents[1])
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)

from publish_pg import SECRET_SPELLINGS, Database, OutputGuard  # noqa: E402

from postgres_server import TEST_PASSWORD, PostgresServer  # noqa: E402


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

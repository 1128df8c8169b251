"""Helpers of the publish tests: the per-test database, the password guard, the table as the
superuser sees it."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from urllib.parse import quote

import psycopg

from dpm_policy.publish import Dsn, parse_dsn
from postgres_server import TEST_PASSWORD, PostgresServer

# Every spelling of the test role's password that could leak: as given, URL-encoded, and a
# distinctive core that survives a partial mask.
SECRET_SPELLINGS = (TEST_PASSWORD, quote(TEST_PASSWORD, safe=""), "7hq@Xz", "7hq%40Xz")


@dataclass
class OutputGuard:
    """Collects what a test printed or raised; fails the test if the password is in any of it."""

    seen: list[str] = field(default_factory=list)

    def note(self, *texts: str) -> None:
        """Record text the test obtained some other way (an exception message, a report)."""
        self.seen.extend(texts)


@dataclass(frozen=True)
class Database:
    """A fresh database on the test run's server, and the test role's DSN for it."""

    server: PostgresServer
    name: str
    dsn: str

    def admin(self) -> AbstractContextManager[psycopg.Connection[tuple[object, ...]]]:
        """A superuser connection to this database (for fault injection and inspection)."""
        return self.server.admin_connection(self.name)


@dataclass(frozen=True)
class Row:
    """A stored row plus ``xmin``, which changes whenever the row is written, even to the same
    values: equal xmin before and after proves no write happened."""

    policy_pack_id: str
    version: str
    definition_json: str
    created_at: str
    updated_at: str
    xmin: str


def dsn_of(database: Database) -> Dsn:
    return parse_dsn(database.dsn, source="--dsn")


def table_exists(database: Database) -> bool:
    with database.admin() as connection:
        row = connection.execute("SELECT to_regclass('dpm_policy_packs') IS NOT NULL").fetchone()
    assert row is not None
    return bool(row[0])


def rows(database: Database) -> dict[str, Row]:
    with database.admin() as connection:
        records = connection.execute(
            "SELECT policy_pack_id, version, definition_json, created_at, updated_at, "
            "xmin::text FROM dpm_policy_packs ORDER BY policy_pack_id"
        ).fetchall()
    return {str(record[0]): Row(*(str(value) for value in record)) for record in records}


def execute(database: Database, statement: str, *params: object) -> None:
    with database.admin() as connection:
        connection.execute(statement, params or None)

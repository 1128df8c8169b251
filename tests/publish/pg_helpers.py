"""Helpers of the Postgres tests: the table as the superuser sees it, and the DSN object."""

from __future__ import annotations

from dataclasses import dataclass

from conftest import Database

from dpm_policy.publish import Dsn, parse_dsn


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

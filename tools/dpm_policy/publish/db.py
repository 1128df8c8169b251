"""The SQL the publish path runs, and the one place that turns driver errors into ours.

Every statement here mirrors the engine's own repository (docs/engine-contract.md section 7): the
same table definition as its migration ``0002_policy_pack_catalog.sql``, the same upsert that
keeps ``created_at``, the same columns read back.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from types import ModuleType
from typing import TYPE_CHECKING, TypeAlias

from dpm_policy.publish.dsn import Dsn
from dpm_policy.publish.errors import ConnectionFailed, DatabaseEncoding
from dpm_policy.publish.rows import TABLE, DesiredRow, StoredRow

if TYPE_CHECKING:
    import psycopg

__all__ = [
    "LOCK_KEY",
    "Connection",
    "acquire_lock",
    "connect",
    "create_table",
    "delete_row",
    "driver",
    "driver_errors",
    "read_rows",
    "table_exists",
    "upsert_row",
]

Connection: TypeAlias = "psycopg.Connection[tuple[object, ...]]"

# One advisory-lock key for every publisher of this catalog, so two applies to the same
# database run one after the other. The first 8 bytes of sha256("dpm_policy.publish:
# dpm_policy_packs"), read as a signed 64-bit integer.
LOCK_KEY = 0x4F3CA038B3E8E81E

# Identical to the engine's migration, so whichever side creates the table, it is the same.
CREATE_TABLE = """CREATE TABLE IF NOT EXISTS dpm_policy_packs (
    policy_pack_id TEXT PRIMARY KEY,
    version TEXT NOT NULL,
    definition_json TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
)"""

_SELECT = (
    f"SELECT policy_pack_id, version, definition_json, created_at, updated_at FROM {TABLE} "
    "ORDER BY policy_pack_id"
)
_UPSERT = (
    f"INSERT INTO {TABLE} (policy_pack_id, version, definition_json, created_at, updated_at) "
    "VALUES (%s, %s, %s, %s, %s) "
    "ON CONFLICT (policy_pack_id) DO UPDATE SET version = excluded.version, "
    "definition_json = excluded.definition_json, updated_at = excluded.updated_at"
)
_DELETE = f"DELETE FROM {TABLE} WHERE policy_pack_id = %s"

# A publish waiting this long on another one gives up instead of hanging a pipeline.
LOCK_TIMEOUT = "60s"


def driver() -> ModuleType:
    """psycopg, imported on first use: it is an optional dependency (``dpm-policy[postgres]``),
    and the rest of the tool must work without it."""
    try:
        import psycopg
    except ImportError:
        raise ConnectionFailed(
            "publishing needs the PostgreSQL driver psycopg 3; "
            "install it with: pip install 'dpm-policy[postgres]'"
        ) from None
    return psycopg


@contextlib.contextmanager
def driver_errors(dsn: Dsn, doing: str) -> Iterator[None]:
    """Turn any psycopg error into ConnectionFailed, with the password masked."""
    try:
        yield
    except Exception as error:
        psycopg = driver()
        if isinstance(error, psycopg.errors.LockNotAvailable):
            raise ConnectionFailed(
                f"{doing}: another publish to {dsn.describe()} held the lock for "
                f"{LOCK_TIMEOUT}; retry when it has finished"
            ) from None
        if isinstance(error, psycopg.Error):
            detail = " ".join(str(error).split()) or type(error).__name__
            # Not chained: the driver's error may quote the DSN, password included.
            raise ConnectionFailed(dsn.redact(f"{doing}: {detail}")) from None
        raise


# The only server encoding that stores every character of the catalog's JSON as the engine
# wrote it; under SQL_ASCII (initdb's default without --encoding) the driver even returns bytes.
REQUIRED_ENCODING = "UTF8"


def connect(dsn: Dsn) -> Connection:
    """An autocommit connection: transactions are opened explicitly where they are needed.

    Raises ``DatabaseEncoding`` for a database whose encoding is not UTF8.
    """
    psycopg = driver()
    with driver_errors(dsn, f"cannot connect to {dsn.describe()}"):
        connection: Connection = psycopg.connect(dsn.conninfo, autocommit=True)
        encoding = connection.info.parameter_status("server_encoding")
    if encoding != REQUIRED_ENCODING:
        connection.close()
        raise DatabaseEncoding(_encoding_message(dsn, encoding))
    return connection


def _encoding_message(dsn: Dsn, encoding: str | None) -> str:
    name = dsn.dbname or "the database"
    return (
        f"{dsn.describe()}: the database's encoding is {encoding or 'unknown'}, not "
        f"{REQUIRED_ENCODING}; the catalog is JSON text the engine reads as UTF-8, which only a "
        f"{REQUIRED_ENCODING} database keeps exactly; nothing was read or written. Publish to a "
        f"{REQUIRED_ENCODING} database: createdb --encoding=UTF8 --template=template0 {name} "
        "(or CREATE DATABASE ... ENCODING 'UTF8' TEMPLATE template0; initdb --encoding=UTF8 "
        "for a new cluster)"
    )


def table_exists(connection: Connection) -> bool:
    """Whether the catalog table is visible on the connection's search path."""
    row = connection.execute("SELECT to_regclass(%s) IS NOT NULL", (TABLE,)).fetchone()
    return bool(row and row[0])


def read_rows(connection: Connection) -> dict[str, StoredRow]:
    """Every stored row by id."""
    rows: dict[str, StoredRow] = {}
    for record in connection.execute(_SELECT).fetchall():
        pack_id, version, definition, created, updated = (str(value) for value in record)
        rows[pack_id] = StoredRow(pack_id, version, definition, created, updated)
    return rows


def acquire_lock(connection: Connection) -> None:
    """Take the publish lock for the current transaction; it is released at commit or rollback."""
    connection.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
    connection.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))


def create_table(connection: Connection) -> None:
    """Create the catalog table as the engine's migration does."""
    connection.execute(CREATE_TABLE)


def upsert_row(connection: Connection, row: DesiredRow, now: str) -> None:
    """Insert or update one row; an update keeps ``created_at``."""
    connection.execute(_UPSERT, (row.policy_pack_id, row.version, row.definition_json, now, now))


def delete_row(connection: Connection, policy_pack_id: str) -> None:
    """Delete one row."""
    connection.execute(_DELETE, (policy_pack_id,))

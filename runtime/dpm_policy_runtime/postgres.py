"""The catalog and the tenant map from Postgres, through a DB-API connection the caller owns.

The catalog is the engine's own table ``dpm_policy_packs`` (docs/engine-contract.md section 7),
read as the engine reads it: the id and version columns override the JSON. The tenant map is
``dpm_policy_tenant_packs``, and ``dpm_policy_revision`` holds one number that
``dpm-policy publish`` raises in the transaction that writes either table (the tables and their
migration are described in docs/publish.md, "The tenant map in Postgres").

Two statements, no driver: this module imports none, and runs only plain SQL without
parameters, so any DB-API 2 driver (psycopg, psycopg2, pg8000) works.

* The probe is one row: the revision, and the catalog's row count and latest ``updated_at``
  (the engine's admin API writes packs without touching the revision). Nothing else is read
  while they stay the same.
* The full read is one statement that returns the revision and both tables as JSON text. One
  statement sees one snapshot of the database, whatever the isolation level or autocommit
  setting, so a publish committing meanwhile is seen wholly or not at all.

After each statement the source ends the transaction the driver may have opened
(``rollback()`` unless the connection is in autocommit), so give it a connection of its own.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from dpm_policy_runtime.catalog_rows import row_entry
from dpm_policy_runtime.errors import PolicyConfigError
from dpm_policy_runtime.problems import ConfigProblem
from dpm_policy_runtime.safe_text import display_key
from dpm_policy_runtime.snapshot import PolicyRuntime
from dpm_policy_runtime.source import Reading, SourceUnavailable
from dpm_policy_runtime.variables import CATALOG_JSON, TENANT_MAP_JSON, VARIABLES

__all__ = [
    "CATALOG_TABLE",
    "PROBE_SQL",
    "READ_SQL",
    "REVISION_TABLE",
    "TENANT_TABLE",
    "PostgresSource",
    "Tables",
    "runtime_from_tables",
]

CATALOG_TABLE = "dpm_policy_packs"
TENANT_TABLE = "dpm_policy_tenant_packs"
REVISION_TABLE = "dpm_policy_revision"

# Cheap: one row of the revision table and an aggregate over the (small) catalog table.
PROBE_SQL = (
    f"SELECT r.revision::text, c.n::text, coalesce(c.latest, '') "
    f"FROM {REVISION_TABLE} r, "
    f"(SELECT count(*) AS n, max(updated_at) AS latest FROM {CATALOG_TABLE}) c"
)
# Everything, in one statement (one snapshot), as text: the probe's values, the catalog rows as
# [[id, version, definition_json], ...] and the tenant map as one JSON object.
READ_SQL = (
    f"SELECT r.revision::text, c.n::text, coalesce(c.latest, ''), "
    f"(SELECT coalesce(json_agg(json_build_array(policy_pack_id, version, definition_json) "
    f"ORDER BY policy_pack_id), '[]'::json)::text FROM {CATALOG_TABLE}), "
    f"(SELECT coalesce(json_object_agg(tenant_id, policy_pack_id ORDER BY tenant_id), "
    f"'{{}}'::json)::text FROM {TENANT_TABLE}) "
    f"FROM {REVISION_TABLE} r, "
    f"(SELECT count(*) AS n, max(updated_at) AS latest FROM {CATALOG_TABLE}) c"
)


class Connection(Protocol):
    """The part of a DB-API 2 connection the source uses."""

    def cursor(self) -> Any: ...

    def rollback(self) -> None: ...


@dataclass(frozen=True)
class Tables:
    """What one full read returned."""

    token: tuple[str, str, str]
    # [[policy_pack_id, version, definition_json], ...] as JSON text, ordered by id.
    catalog_rows: str
    # {"tenant_id": "policy_pack_id", ...} as JSON text.
    tenant_map: str

    @property
    def revision(self) -> str:
        return self.token[0]


def runtime_from_tables(
    tables: Tables, variables: Mapping[str, str], *, strict: bool
) -> PolicyRuntime:
    """A snapshot of the tables, with the flags and the default pack from ``variables``.

    A row the engine's own read would fail on (not JSON, a section that is not an object, a
    null ``group_constraints``) fails the load in either mode, as it fails the engine's whole
    catalog read; anything else is judged by the catalog's strict or lenient parser.
    """
    problems: list[ConfigProblem] = []
    catalog: dict[str, object] = {}
    for pack_id, version, definition in json.loads(tables.catalog_rows):
        entry, faults = row_entry(pack_id, version, definition)
        where = display_key(pack_id)
        problems.extend(
            ConfigProblem(CATALOG_TABLE, f"{where}.{fault.path}", "row", fault.message)
            for fault in faults
        )
        if entry is not None:
            catalog[pack_id] = entry
    if problems:
        raise PolicyConfigError(problems)
    merged = {
        name: value
        for name, value in variables.items()
        if name in VARIABLES and name not in (CATALOG_JSON, TENANT_MAP_JSON)
    }
    merged[CATALOG_JSON] = json.dumps(catalog, separators=(",", ":"))
    merged[TENANT_MAP_JSON] = tables.tenant_map
    return PolicyRuntime.from_mapping(merged, strict=strict)


class PostgresSource:
    """The catalog and tenant map from Postgres; the flags and default from the environment.

    ``connection`` is a DB-API 2 connection dedicated to this source. ``environ`` supplies
    ``DPM_POLICY_PACKS_ENABLED``, ``DPM_TENANT_POLICY_PACK_RESOLUTION_ENABLED``,
    ``DPM_IDEMPOTENCY_REPLAY_ENABLED`` and ``DPM_DEFAULT_POLICY_PACK_ID`` (default:
    ``os.environ``, read at each full read); the two JSON variables in it are ignored.
    """

    def __init__(
        self,
        connection: Connection,
        *,
        environ: Mapping[str, str] | None = None,
        location: str = "postgres",
    ) -> None:
        self._connection = connection
        self._environ = environ
        self._location = location

    @property
    def location(self) -> str:
        return f"{self._location}: {CATALOG_TABLE}, {TENANT_TABLE}"

    def probe(self) -> Hashable:
        row = self._fetch(PROBE_SQL)
        return (str(row[0]), str(row[1]), str(row[2]))

    def tables(self) -> Tables:
        """One full read, as one snapshot."""
        row = self._fetch(READ_SQL)
        return Tables((str(row[0]), str(row[1]), str(row[2])), str(row[3]), str(row[4]))

    def read(self) -> Reading:
        tables = self.tables()
        environ = os.environ if self._environ is None else self._environ
        variables = {name: environ[name] for name in VARIABLES if name in environ}
        digest = hashlib.sha256()
        for part in (tables.catalog_rows, tables.tenant_map, json.dumps(variables, sort_keys=True)):
            digest.update(part.encode("utf-8"))
            digest.update(b"\0")

        def build(strict: bool) -> PolicyRuntime:
            return runtime_from_tables(tables, variables, strict=strict)

        return Reading(tables.token, f"revision {tables.revision}", digest.hexdigest(), build)

    def _fetch(self, statement: str) -> tuple[object, ...]:
        try:
            cursor = self._connection.cursor()
            try:
                cursor.execute(statement)
                row = cursor.fetchone()
            finally:
                cursor.close()
        except Exception as error:
            self._end_transaction()
            # The driver's own error class is unknown here; its text names the failure (a
            # DB-API error never carries the password, which lives in the caller's DSN).
            detail = " ".join(str(error).split()) or type(error).__name__
            raise SourceUnavailable(
                f"cannot read {self.location}: {type(error).__name__}: {detail}"
            ) from None
        self._end_transaction()
        if row is None:
            raise SourceUnavailable(
                f"{REVISION_TABLE} has no row; run dpm-policy publish --apply to create it"
            )
        return tuple(row)

    def _end_transaction(self) -> None:
        if getattr(self._connection, "autocommit", False):
            return
        try:
            self._connection.rollback()
        except Exception:  # a broken connection: the next statement reports it
            return

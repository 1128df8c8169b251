"""The tenant map in Postgres: publish writes it with the catalog, the runtime reads both.

Against a real server. Publish plans, applies, checks and prunes the tenant rows beside the
catalog's, in one transaction; :class:`PostgresSource` reads both tables in one statement, so
a reader sees a publish wholly or not at all; a reload with nothing changed runs only the
probe, never the full read.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from publish_items import CONSERVATIVE, STANDARD, expanded_item
from publish_pg import Database, dsn_of, execute

from dpm_policy.cli import main
from dpm_policy.publish import (
    RowChange,
    apply_catalog,
    check_catalog,
    desired_rows,
    plan_catalog,
    render_json,
    render_text,
)
from dpm_policy.publish.db import Connection
from dpm_policy.publish.report import Outcome
from dpm_policy.publish.tenant_db import MIGRATION, migration_sql
from dpm_policy_runtime import PolicyConfigError, PolicyRuntime, PostgresSource, Reloader
from dpm_policy_runtime.postgres import PROBE_SQL, READ_SQL, REVISION_TABLE, TENANT_TABLE

pytestmark = pytest.mark.postgres

CATALOG = desired_rows([STANDARD, CONSERVATIVE])
FLAGS = {
    "DPM_POLICY_PACKS_ENABLED": "true",
    "DPM_TENANT_POLICY_PACK_RESOLUTION_ENABLED": "true",
    "DPM_IDEMPOTENCY_REPLAY_ENABLED": "true",
    "DPM_DEFAULT_POLICY_PACK_ID": "dpm_standard_v1",
}


def _tenants(pack: str, count: int = 50) -> dict[str, str]:
    return {f"tenant_{index:03d}": pack for index in range(count)}


def _stored_tenants(database: Database) -> dict[str, tuple[str, str]]:
    """tenant -> (pack, xmin): an unchanged xmin proves the row was not written."""
    with database.admin() as connection:
        records = connection.execute(
            f"SELECT tenant_id, policy_pack_id, xmin::text FROM {TENANT_TABLE}"
        ).fetchall()
    return {str(tenant): (str(pack), str(xmin)) for tenant, pack, xmin in records}


def _revision(database: Database) -> int:
    with database.admin() as connection:
        row = connection.execute(f"SELECT revision FROM {REVISION_TABLE}").fetchone()
    assert row is not None
    return int(str(row[0]))


class CountingConnection:
    """A DB-API connection that records every statement its cursors execute."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.statements: list[str] = []

    def cursor(self) -> Any:
        cursor = self.inner.cursor()
        statements = self.statements

        class Cursor:
            def execute(self, statement: str) -> None:
                statements.append(statement)
                cursor.execute(statement)

            def fetchone(self) -> Any:
                return cursor.fetchone()

            def close(self) -> None:
                cursor.close()

        return Cursor()

    def rollback(self) -> None:
        self.inner.rollback()


@pytest.fixture
def reader(database: Database) -> Iterator[CountingConnection]:
    """The service's own connection, as a driver gives it: not in autocommit."""
    with psycopg.connect(database.dsn) as connection:
        yield CountingConnection(connection)


def _published(database: Database, reader: CountingConnection) -> Reloader:
    """The two packs and 50 tenants published, and a reloader over them."""
    apply_catalog(dsn_of(database), CATALOG, prune=False, tenants=_tenants("dpm_standard_v1"))
    return Reloader(PostgresSource(reader, environ=FLAGS), interval=0)


def _runtime(reader: CountingConnection, *, strict: bool = True) -> PolicyRuntime:
    return PostgresSource(reader, environ=FLAGS).read().build(strict)


def test_the_migration_shipped_is_the_file_in_the_repository() -> None:
    assert MIGRATION == "0001_tenant_map.sql"
    text = migration_sql()
    assert f"CREATE TABLE IF NOT EXISTS {TENANT_TABLE} (" in text
    assert f"CREATE TABLE IF NOT EXISTS {REVISION_TABLE} (" in text


def test_apply_writes_the_catalog_and_the_tenant_map(
    database: Database, reader: CountingConnection
) -> None:
    dsn = dsn_of(database)
    plan = plan_catalog(dsn, CATALOG, prune=False, tenants=_tenants("dpm_standard_v1", 3))
    assert plan.tenants is not None
    assert plan.tenants.creates_tables
    text = render_text(Outcome("plan", "prod", dsn.describe(), plan))
    assert f"  + create tables {TENANT_TABLE} and {REVISION_TABLE}\n" in text
    assert "  + tenant tenant_000 -> dpm_standard_v1\n" in text
    assert "tenants: 3 to insert, 0 to update, 0 to delete, 0 unchanged, 0 unmanaged kept" in text
    result = apply_catalog(dsn, CATALOG, prune=False, tenants=_tenants("dpm_standard_v1", 3))
    assert result.applied
    assert {t: p for t, (p, _) in _stored_tenants(database).items()} == _tenants(
        "dpm_standard_v1", 3
    )
    assert _revision(database) == 1
    runtime = _runtime(reader)
    assert sorted(runtime.catalog) == ["dpm_conservative_v1", "dpm_standard_v1"]
    assert dict(runtime.tenant_map) == _tenants("dpm_standard_v1", 3)
    assert runtime.resolve(tenant_id="tenant_001").selected_policy_pack_id == "dpm_standard_v1"
    document = render_json(Outcome("apply", "prod", dsn.describe(), result.plan, applied=True))
    assert '"tenant_map": {' in document


def test_a_second_apply_writes_nothing_and_keeps_the_revision(database: Database) -> None:
    dsn = dsn_of(database)
    tenants = _tenants("dpm_standard_v1")
    apply_catalog(dsn, CATALOG, prune=False, tenants=tenants)
    before = _stored_tenants(database)
    again = apply_catalog(dsn, CATALOG, prune=False, tenants=tenants)
    assert not again.applied
    assert again.plan.is_noop
    assert _stored_tenants(database) == before
    assert _revision(database) == 1
    plan, drift = check_catalog(dsn, CATALOG, prune=False, tenants=tenants)
    assert not drift
    assert plan.tenants is not None
    assert plan.tenants.unchanged == len(tenants)


def test_check_reports_a_changed_tenant_row_as_drift(database: Database) -> None:
    dsn = dsn_of(database)
    tenants = _tenants("dpm_standard_v1", 3)
    apply_catalog(dsn, CATALOG, prune=False, tenants=tenants)
    execute(
        database,
        f"UPDATE {TENANT_TABLE} SET policy_pack_id = 'dpm_conservative_v1' "
        "WHERE tenant_id = 'tenant_001'",
    )
    plan, drift = check_catalog(dsn, CATALOG, prune=False, tenants=tenants)
    assert drift
    assert plan.tenants is not None
    assert [(c.tenant_id, c.action, c.before, c.after) for c in plan.tenants.changes] == [
        ("tenant_001", "update", "dpm_conservative_v1", "dpm_standard_v1")
    ]
    text = render_text(Outcome("check", "prod", dsn.describe(), plan, drift=True))
    assert "  ~ tenant tenant_001: dpm_conservative_v1 -> dpm_standard_v1\n" in text


def test_a_tenant_not_in_the_map_is_kept_unless_pruned(database: Database) -> None:
    dsn = dsn_of(database)
    tenants = _tenants("dpm_standard_v1", 2)
    apply_catalog(dsn, CATALOG, prune=False, tenants={**tenants, "tenant_gone": "dpm_standard_v1"})
    kept = apply_catalog(dsn, CATALOG, prune=False, tenants=tenants)
    assert not kept.applied
    assert kept.plan.tenants is not None
    assert kept.plan.tenants.unmanaged == ("tenant_gone",)
    text = render_text(Outcome("apply", "prod", dsn.describe(), kept.plan))
    assert "  = keep tenant tenant_gone (not in the tenant map; --prune deletes it)\n" in text
    _, drift = check_catalog(dsn, CATALOG, prune=False, tenants=tenants)
    assert not drift
    pruned = apply_catalog(dsn, CATALOG, prune=True, tenants=tenants)
    assert pruned.applied
    assert pruned.plan.tenants is not None
    assert [(c.tenant_id, c.action) for c in pruned.plan.tenants.changes] == [
        ("tenant_gone", "delete")
    ]
    assert set(_stored_tenants(database)) == set(tenants)
    assert _revision(database) == 2


def test_catalog_and_tenant_map_are_one_transaction(database: Database) -> None:
    """A failure after the tenant rows and one pack are written leaves nothing of either."""
    dsn = dsn_of(database)

    def fail(connection: Connection, change: RowChange) -> None:
        raise RuntimeError("injected failure after the first pack")

    with pytest.raises(RuntimeError, match="injected"):
        apply_catalog(
            dsn, CATALOG, prune=False, tenants=_tenants("dpm_standard_v1"), after_write=fail
        )
    with database.admin() as connection:
        row = connection.execute(
            "SELECT to_regclass('dpm_policy_packs'), to_regclass(%s), to_regclass(%s)",
            (TENANT_TABLE, REVISION_TABLE),
        ).fetchone()
    assert row == (None, None, None)


def test_a_concurrent_reader_sees_wholly_old_or_wholly_new(
    database: Database, reader: CountingConnection
) -> None:
    dsn = dsn_of(database)
    old_tenants = _tenants("dpm_standard_v1")
    apply_catalog(dsn, CATALOG, prune=False, tenants=old_tenants)
    old = _runtime(reader)
    changed = expanded_item("dpm_standard_v1", "3", {"turnover_policy.max_turnover_pct": "0.2"})
    new_catalog = desired_rows([changed, CONSERVATIVE])
    new_tenants = _tenants("dpm_conservative_v1")
    seen_mid: list[PolicyRuntime] = []

    def read_mid_transaction(connection: Connection, change: RowChange) -> None:
        # The tenant rows and a pack are written, not committed: another session reads now.
        seen_mid.append(_runtime(reader))

    apply_catalog(
        dsn, new_catalog, prune=False, tenants=new_tenants, after_write=read_mid_transaction
    )
    assert seen_mid
    assert all(r.fingerprint == old.fingerprint for r in seen_mid)
    new = _runtime(reader)
    assert new.fingerprint != old.fingerprint
    assert new.catalog["dpm_standard_v1"].version == "3"
    assert set(new.tenant_map.values()) == {"dpm_conservative_v1"}

    # And under load: readers on their own connections while publishes alternate.
    versions = {old.fingerprint, new.fingerprint}
    done = threading.Event()
    errors: list[BaseException] = []
    fingerprints: list[str] = []

    def loop() -> None:
        try:
            with psycopg.connect(database.dsn) as own:
                source = PostgresSource(own, environ=FLAGS)
                while not done.is_set():
                    fingerprints.append(source.read().build(True).fingerprint)
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=loop) for _ in range(2)]
    for thread in threads:
        thread.start()
    try:
        for index in range(6):
            catalog, tenants = (
                (CATALOG, old_tenants) if index % 2 == 0 else (new_catalog, new_tenants)
            )
            apply_catalog(dsn, catalog, prune=False, tenants=tenants)
    finally:
        done.set()
        for thread in threads:
            thread.join()
    assert errors == []
    assert fingerprints
    assert set(fingerprints) <= versions


def test_a_reload_with_no_change_runs_only_the_probe(
    database: Database, reader: CountingConnection
) -> None:
    reloader = _published(database, reader)
    assert reader.statements == [READ_SQL]
    assert reloader.status.real_path == "revision 1"
    reader.statements.clear()
    for _ in range(3):
        assert reloader.check() is False
    assert reader.statements == [PROBE_SQL] * 3
    assert reloader.status.reason == "initial load"

    reader.statements.clear()
    apply_catalog(dsn_of(database), CATALOG, prune=False, tenants=_tenants("dpm_conservative_v1"))
    assert reloader.check() is True
    assert reader.statements == [PROBE_SQL, READ_SQL]
    assert set(reloader.active.tenant_map.values()) == {"dpm_conservative_v1"}
    assert reloader.status.real_path == "revision 2"


def test_a_catalog_write_that_skips_the_revision_is_still_seen(
    database: Database, reader: CountingConnection
) -> None:
    """The engine's admin API writes packs without knowing about the revision."""
    reloader = _published(database, reader)
    execute(
        database,
        "UPDATE dpm_policy_packs SET version = '9', updated_at = '2999-01-01T00:00:00+00:00' "
        "WHERE policy_pack_id = 'dpm_conservative_v1'",
    )
    assert reloader.check() is True
    # Read as the engine reads a row: the version column overrides the JSON's.
    assert reloader.active.catalog["dpm_conservative_v1"].version == "9"


def test_a_bad_row_keeps_the_last_good_snapshot(
    database: Database, reader: CountingConnection
) -> None:
    reloader = _published(database, reader)
    good = reloader.active
    execute(
        database,
        "UPDATE dpm_policy_packs SET definition_json = %s, updated_at = '2999-01-01' "
        "WHERE policy_pack_id = 'dpm_conservative_v1'",
        '{"turnover_policy": null}',
    )
    assert reloader.check() is False
    assert reloader.active is good
    assert isinstance(reloader.last_error, PolicyConfigError)
    assert "dpm_policy_packs: dpm_conservative_v1.turnover_policy: row: must be an object" in (
        reloader.status.last_error or ""
    )
    assert reloader.status.reason.startswith(f"kept {good.fingerprint[:12]}: new content invalid")


def test_an_unreachable_database_keeps_the_last_good_snapshot(
    database: Database, reader: CountingConnection
) -> None:
    reloader = _published(database, reader)
    good = reloader.active
    reader.inner.close()
    assert reloader.check() is False
    assert reloader.active is good
    assert reloader.status.reason == f"kept {good.fingerprint[:12]}: source unreadable"
    assert (reloader.status.last_error or "").startswith("cannot read postgres: ")


def test_the_command_publishes_the_map_the_manifest_says_goes_to_postgres(
    database: Database, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "dist" / "prod"
    folder.mkdir(parents=True)
    catalog = {"dpm_standard_v1": {"version": "2"}, "dpm_conservative_v1": {"version": "1"}}
    variables = {
        **FLAGS,
        "DPM_POLICY_PACK_CATALOG_JSON": json.dumps(catalog),
        "DPM_TENANT_POLICY_PACK_MAP_JSON": json.dumps({"t1": "dpm_standard_v1"}),
    }
    (folder / "env.json").write_text(json.dumps(variables), encoding="utf-8")
    (folder / "manifest.json").write_text(
        json.dumps({"manifest_version": 1, "tenant_map_delivery": "postgres"}), encoding="utf-8"
    )
    args = ["publish", "--env", "prod", "--root", str(tmp_path), "--dsn", database.dsn]
    assert main([*args, "--apply"]) == 0
    out = capfd.readouterr().out
    assert "  + tenant t1 -> dpm_standard_v1\n" in out
    assert out.endswith("applied: the tables now hold the compiled catalog and tenant map\n")
    assert {t: p for t, (p, _) in _stored_tenants(database).items()} == {"t1": "dpm_standard_v1"}
    assert main([*args, "--check"]) == 0
    assert capfd.readouterr().out.endswith("no drift\n")
    execute(database, f"DELETE FROM {TENANT_TABLE}")
    assert main([*args, "--check"]) == 1
    assert "  + tenant t1 -> dpm_standard_v1\n" in capfd.readouterr().out

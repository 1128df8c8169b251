"""Plan, apply and check against a real PostgreSQL server, through the library API."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime

import psycopg
import pytest
from publish_items import CONSERVATIVE, STANDARD, expanded_item
from publish_pg import Database, OutputGuard, dsn_of, execute, rows, table_exists

from dpm_policy.publish import (
    ConnectionFailed,
    RowChange,
    apply_catalog,
    check_catalog,
    desired_rows,
    encode_definition,
    parse_dsn,
    plan_catalog,
)
from dpm_policy.publish.db import Connection

pytestmark = pytest.mark.postgres

CATALOG = desired_rows([STANDARD, CONSERVATIVE])


def test_plan_on_an_empty_database_plans_the_table_and_creates_nothing(database: Database) -> None:
    plan = plan_catalog(dsn_of(database), CATALOG, prune=False)
    assert plan.creates_table
    assert [(c.policy_pack_id, c.action) for c in plan.changes] == [
        ("dpm_conservative_v1", "insert"),
        ("dpm_standard_v1", "insert"),
    ]
    assert not table_exists(database)


def test_apply_creates_the_engines_table_and_rows(database: Database) -> None:
    result = apply_catalog(dsn_of(database), CATALOG, prune=False)
    assert result.applied
    assert result.plan.creates_table
    with database.admin() as connection:
        columns = connection.execute(
            "SELECT column_name, data_type, is_nullable FROM information_schema.columns "
            "WHERE table_name = 'dpm_policy_packs' ORDER BY ordinal_position"
        ).fetchall()
        key = connection.execute(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
            "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = 'dpm_policy_packs'::regclass "
            "AND i.indisprimary"
        ).fetchall()
    # The engine's migration 0002_policy_pack_catalog.sql, column for column.
    assert columns == [
        ("policy_pack_id", "text", "NO"),
        ("version", "text", "NO"),
        ("definition_json", "text", "NO"),
        ("created_at", "text", "NO"),
        ("updated_at", "text", "NO"),
    ]
    assert key == [("policy_pack_id",)]
    stored = rows(database)
    assert set(stored) == {"dpm_conservative_v1", "dpm_standard_v1"}
    standard = stored["dpm_standard_v1"]
    assert standard.version == "2"
    assert standard.definition_json == encode_definition(STANDARD)
    assert standard.created_at == standard.updated_at == result.updated_at
    stamped = datetime.fromisoformat(standard.updated_at)
    assert stamped.utcoffset() is not None
    assert stamped.utcoffset().total_seconds() == 0
    assert abs((datetime.now(UTC) - stamped).total_seconds()) < 60


def test_second_apply_writes_nothing(database: Database) -> None:
    dsn = dsn_of(database)
    apply_catalog(dsn, CATALOG, prune=False)
    before = rows(database)
    result = apply_catalog(dsn, CATALOG, prune=False)
    assert not result.applied
    assert result.plan.is_noop
    assert result.updated_at is None
    # Same xmin: not one row was rewritten, not even with identical values.
    assert rows(database) == before


def test_update_is_planned_field_by_field_and_keeps_created_at(database: Database) -> None:
    dsn = dsn_of(database)
    apply_catalog(dsn, CATALOG, prune=False)
    before = rows(database)["dpm_standard_v1"]
    changed = expanded_item(
        "dpm_standard_v1",
        "3",
        {
            "turnover_policy.max_turnover_pct": "0.12",
            "settlement_policy.settlement_horizon_days": 5,
        },
    )
    desired = desired_rows([changed, CONSERVATIVE])
    plan = plan_catalog(dsn, desired, prune=False)
    (change,) = plan.changes
    assert change.action == "update"
    paths = [(f.path, f.before, f.after) for f in change.fields]
    assert ("version", "2", "3") in paths
    assert ("turnover_policy.max_turnover_pct", "0.1", "0.12") in paths
    assert ("settlement_policy.settlement_horizon_days", 3, 5) in paths
    assert ("tax_policy.enable_tax_awareness", True, None) in paths
    assert plan.unchanged == ("dpm_conservative_v1",)
    time.sleep(0.01)
    result = apply_catalog(dsn, desired, prune=False)
    after = rows(database)
    assert after["dpm_standard_v1"].created_at == before.created_at
    assert after["dpm_standard_v1"].updated_at == result.updated_at != before.updated_at
    assert after["dpm_standard_v1"].definition_json == encode_definition(changed)
    # The untouched pack was not rewritten.
    assert after["dpm_conservative_v1"] == rows(database)["dpm_conservative_v1"]


def test_drift_lists_hand_edits_and_old_workflow_names(database: Database) -> None:
    dsn = dsn_of(database)
    apply_catalog(dsn, CATALOG, prune=False)
    plan, drifted = check_catalog(dsn, CATALOG, prune=False)
    assert not drifted
    assert plan.is_noop
    # A hand edit of one value, and a row written with the pre-2026-05 workflow names.
    edited = json.loads(encode_definition(STANDARD))
    edited["turnover_policy"]["max_turnover_pct"] = "0.5"
    old_names = json.loads(encode_definition(CONSERVATIVE))
    workflow = old_names["workflow_policy"]
    workflow["workflow_requires_client_consent"] = True
    del workflow["workflow_requires_mandate_approval"]
    execute(
        database,
        "UPDATE dpm_policy_packs SET definition_json = %s WHERE policy_pack_id = %s",
        json.dumps(edited),
        "dpm_standard_v1",
    )
    execute(
        database,
        "UPDATE dpm_policy_packs SET definition_json = %s WHERE policy_pack_id = %s",
        json.dumps(old_names, sort_keys=True, separators=(",", ":")),
        "dpm_conservative_v1",
    )
    plan, drifted = check_catalog(dsn, CATALOG, prune=False)
    assert drifted
    fields = {c.policy_pack_id: {(f.path, f.kind) for f in c.fields} for c in plan.changes}
    assert fields["dpm_standard_v1"] == {("turnover_policy.max_turnover_pct", "changed")}
    assert fields["dpm_conservative_v1"] == {
        ("workflow_policy.workflow_requires_client_consent", "removed"),
        ("workflow_policy.workflow_requires_mandate_approval", "added"),
    }


def test_unmanaged_rows_are_kept_unless_pruning(database: Database) -> None:
    dsn = dsn_of(database)
    apply_catalog(dsn, CATALOG, prune=False)
    legacy = expanded_item("legacy_v0", "7")
    execute(
        database,
        "INSERT INTO dpm_policy_packs VALUES (%s, %s, %s, %s, %s)",
        "legacy_v0",
        "7",
        encode_definition(legacy),
        "2025-01-01T00:00:00+00:00",
        "2025-01-01T00:00:00+00:00",
    )
    only_standard = desired_rows([STANDARD])
    kept = apply_catalog(dsn, only_standard, prune=False)
    assert [row.policy_pack_id for row in kept.plan.unmanaged] == [
        "dpm_conservative_v1",
        "legacy_v0",
    ]
    assert not kept.applied
    assert set(rows(database)) == {"dpm_conservative_v1", "dpm_standard_v1", "legacy_v0"}
    assert not check_catalog(dsn, only_standard, prune=False)[1]
    assert check_catalog(dsn, only_standard, prune=True)[1]
    pruned = apply_catalog(dsn, only_standard, prune=True)
    assert [(c.policy_pack_id, c.action) for c in pruned.plan.changes] == [
        ("dpm_conservative_v1", "delete"),
        ("legacy_v0", "delete"),
    ]
    assert set(rows(database)) == {"dpm_standard_v1"}


def test_an_unmanaged_row_the_engine_would_refuse_is_drift(database: Database) -> None:
    dsn = dsn_of(database)
    apply_catalog(dsn, CATALOG, prune=False)
    bad = expanded_item("hand_made", values={"settlement_policy.settlement_horizon_days": 30})
    execute(
        database,
        "INSERT INTO dpm_policy_packs VALUES (%s, '1', %s, 'x', 'x')",
        "hand_made",
        encode_definition(bad),
    )
    plan, drifted = check_catalog(dsn, CATALOG, prune=False)
    assert drifted
    assert plan.count("insert") == plan.count("update") == 0
    (row,) = plan.unmanaged
    assert row.problems[0].engine_fails


def test_concurrent_applies_end_wholly_one_of_them(database: Database) -> None:
    dsn = dsn_of(database)
    first = desired_rows(
        [expanded_item("shared", "A"), expanded_item("a_one", "A"), expanded_item("a_two", "A")]
    )
    second = desired_rows([expanded_item("shared", "B"), expanded_item("b_one", "B")])
    first_writing = threading.Event()
    errors: list[BaseException] = []

    def slow_first(connection: Connection, change: RowChange) -> None:
        # Hold the lock mid-transaction so that the second apply must wait for it.
        first_writing.set()
        time.sleep(0.2)

    def run(desired: tuple[object, ...], hook: object) -> None:
        try:
            apply_catalog(dsn, desired, prune=True, after_write=hook)  # type: ignore[arg-type]
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    one = threading.Thread(target=run, args=(first, slow_first))
    two = threading.Thread(target=run, args=(second, None))
    one.start()
    assert first_writing.wait(10)
    two.start()
    one.join(30)
    two.join(30)
    assert errors == []
    stored = rows(database)
    # The second waited on the lock, then replaced the first's catalog whole.
    assert {pack: row.version for pack, row in stored.items()} == {"b_one": "B", "shared": "B"}
    assert len({row.updated_at for row in stored.values()}) == 1

    # And without forcing an order: whichever commits last, the table is wholly its catalog.
    threads = [
        threading.Thread(target=run, args=(catalog, None)) for catalog in (first, second) * 3
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    versions = {row.version for row in rows(database).values()}
    assert set(rows(database)) in ({"shared", "a_one", "a_two"}, {"shared", "b_one"})
    assert len(versions) == 1


def test_a_connection_killed_mid_apply_leaves_the_table_wholly_old(
    database: Database, output_guard: OutputGuard
) -> None:
    dsn = dsn_of(database)
    apply_catalog(dsn, CATALOG, prune=False)
    before = rows(database)
    new = desired_rows(
        [
            expanded_item("dpm_conservative_v1", "9"),
            expanded_item("dpm_standard_v1", "9"),
            expanded_item("zz_new", "9"),
        ]
    )
    killed: list[int] = []

    def kill_after_first_write(connection: Connection, change: RowChange) -> None:
        if killed:
            return
        pid = connection.info.backend_pid
        killed.append(pid)
        # From a second connection, while this one holds the lock and one written row.
        with database.admin() as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))

    with pytest.raises(ConnectionFailed) as caught:
        apply_catalog(dsn, new, prune=True, after_write=kill_after_first_write)
    output_guard.note(str(caught.value))
    assert "nothing was written" in str(caught.value)
    assert killed
    assert rows(database) == before


def test_a_pack_the_engine_would_refuse_is_refused_before_anything_is_written(
    database: Database, output_guard: OutputGuard
) -> None:
    dsn = dsn_of(database)
    bad = expanded_item("too_long", values={"settlement_policy.settlement_horizon_days": 11})
    refused = apply_catalog(dsn, desired_rows([STANDARD, bad]), prune=False)
    assert refused.refusal is not None
    output_guard.note(refused.refusal)
    assert refused.plan is None
    assert not refused.applied
    assert "nothing was written" in refused.refusal
    assert [(p.policy_pack_id, p.path) for p in refused.refused] == [
        ("too_long", "settlement_policy.settlement_horizon_days")
    ]
    assert [p.file for p in refused.problems] == ["dpm_policy_packs"]
    assert not table_exists(database)
    # The same with a populated table: it stays exactly as it was.
    apply_catalog(dsn, CATALOG, prune=False)
    before = rows(database)
    assert apply_catalog(dsn, desired_rows([CONSERVATIVE, bad]), prune=True).refused
    assert rows(database) == before


def test_a_row_that_fails_verification_rolls_everything_back(database: Database) -> None:
    dsn = dsn_of(database)
    apply_catalog(dsn, CATALOG, prune=False)
    before = rows(database)

    def corrupt(connection: Connection, change: RowChange) -> None:
        # Something between our write and the read-back (a trigger, a racing writer).
        connection.execute(
            "UPDATE dpm_policy_packs SET definition_json = %s WHERE policy_pack_id = %s",
            ('{"tax_policy": null}', change.policy_pack_id),
        )

    new = desired_rows([expanded_item("dpm_standard_v1", "5"), expanded_item("fresh", "1")])
    refused = apply_catalog(dsn, new, prune=False, after_write=corrupt)
    assert refused.plan is None
    assert "rolled back" in (refused.refusal or "")
    assert {(p.policy_pack_id, p.path) for p in refused.refused} >= {
        ("dpm_standard_v1", "tax_policy"),
        ("dpm_standard_v1", "definition_json"),
    }
    assert rows(database) == before


def test_connection_errors_are_one_masked_line(
    database: Database, output_guard: OutputGuard, password: str
) -> None:
    wrong = parse_dsn(database.dsn.replace(password, password + "-wrong"), source="--dsn")
    with pytest.raises(ConnectionFailed) as caught:
        plan_catalog(wrong, CATALOG, prune=False)
    message = str(caught.value)
    output_guard.note(message)
    assert "password authentication failed" in message
    assert "\n" not in message
    assert caught.value.__cause__ is None

    closed_port = parse_dsn(
        f"host=127.0.0.1 port=1 dbname=x user=u password='{password}' connect_timeout=3",
        source="--dsn",
    )
    with pytest.raises(ConnectionFailed) as caught:
        apply_catalog(closed_port, CATALOG, prune=False)
    output_guard.note(str(caught.value))
    assert "cannot connect to u@127.0.0.1:1/x" in str(caught.value)


def test_a_waiting_publisher_gives_up_after_the_lock_timeout(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dpm_policy.publish import db

    monkeypatch.setattr(db, "LOCK_TIMEOUT", "200ms")
    dsn = dsn_of(database)
    with psycopg.connect(database.dsn) as holder:
        holder.execute("SELECT pg_advisory_xact_lock(%s)", (db.LOCK_KEY,))
        with pytest.raises(ConnectionFailed, match="another publish"):
            apply_catalog(dsn, CATALOG, prune=False)
    assert not table_exists(database)

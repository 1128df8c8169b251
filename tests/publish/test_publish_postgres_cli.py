"""``dpm-policy publish`` end to end: compiled env.json in, exit codes and reports out."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from psycopg import sql
from publish_items import engine_bytes
from publish_pg import Database, OutputGuard, execute, rows, table_exists

from dpm_policy.cli import main
from dpm_policy.publish import DSN_ENV_VAR
from postgres_server import TEST_ROLE, PostgresServer

pytestmark = pytest.mark.postgres

REPO = Path(__file__).resolve().parents[2]

CATALOG = {
    "dpm_standard_v1": {
        "version": "2",
        "turnover_policy": {"max_turnover_pct": "0.10"},
        "settlement_policy": {"enable_settlement_awareness": True, "settlement_horizon_days": 3},
        "constraint_policy": {"group_constraints": {"sector:TECH": {"max_weight": "0.20"}}},
        "workflow_policy": {"workflow_requires_mandate_approval": True},
    },
    "dpm_conservative_v1": {"version": "1", "turnover_policy": {"max_turnover_pct": "0.05"}},
}


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


Cli = Callable[..., Result]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A repository root whose dist/ holds a compiled ``prod`` environment."""
    write_env(tmp_path, "prod", CATALOG)
    return tmp_path


def write_env(root: Path, env: str, catalog: dict[str, object]) -> None:
    folder = root / "dist" / env
    folder.mkdir(parents=True, exist_ok=True)
    variables = {
        "DPM_POLICY_PACKS_ENABLED": "true",
        "DPM_POLICY_PACK_CATALOG_JSON": json.dumps(catalog, separators=(",", ":")),
    }
    (folder / "env.json").write_text(json.dumps(variables, indent=2))


@pytest.fixture
def cli(capfd: pytest.CaptureFixture[str], output_guard: OutputGuard) -> Cli:
    """Run ``dpm-policy`` in-process; every output goes to the password guard."""

    def invoke(*argv: str) -> Result:
        code = main(list(argv))
        captured = capfd.readouterr()
        output_guard.note(captured.out, captured.err)
        return Result(code, captured.out, captured.err)

    return invoke


def publish(cli: Cli, root: Path, database: Database, *extra: str) -> Result:
    return cli("publish", "--env", "prod", "--root", str(root), "--dsn", database.dsn, *extra)


def test_plan_apply_check_cycle(cli: Cli, root: Path, database: Database) -> None:
    planned = publish(cli, root, database)
    assert planned.code == 0
    assert "+ create table dpm_policy_packs" in planned.out
    assert "+ insert dpm_standard_v1" in planned.out
    assert "run with --apply" in planned.out
    assert not table_exists(database)

    drift = publish(cli, root, database, "--check")
    assert drift.code == 1
    assert "drift found" in drift.out

    applied = publish(cli, root, database, "--apply")
    assert applied.code == 0
    assert "applied" in applied.out
    assert set(rows(database)) == set(CATALOG)
    before = rows(database)

    again = publish(cli, root, database, "--apply")
    assert again.code == 0
    assert "nothing to do" in again.out
    assert rows(database) == before

    clean = publish(cli, root, database, "--check")
    assert clean.code == 0
    assert "no drift" in clean.out


def test_check_lists_hand_edits_and_old_field_names(
    cli: Cli, root: Path, database: Database
) -> None:
    assert publish(cli, root, database, "--apply").code == 0
    stored = rows(database)
    edited = json.loads(stored["dpm_standard_v1"].definition_json)
    edited["settlement_policy"]["settlement_horizon_days"] = 7
    old_names = json.loads(stored["dpm_conservative_v1"].definition_json)
    old_names["workflow_policy"] = {
        "enable_workflow_gates": None,
        "workflow_requires_client_consent": True,
        "client_consent_already_obtained": False,
    }
    for pack, definition in (("dpm_standard_v1", edited), ("dpm_conservative_v1", old_names)):
        execute(
            database,
            "UPDATE dpm_policy_packs SET definition_json = %s WHERE policy_pack_id = %s",
            json.dumps(definition),
            pack,
        )
    result = publish(cli, root, database, "--check")
    assert result.code == 1
    assert "settlement_policy.settlement_horizon_days: 7 -> 3" in result.out
    assert "workflow_policy.workflow_requires_client_consent: true -> (absent)" in result.out
    assert "workflow_policy.mandate_approval_already_obtained: (absent) -> null" in result.out

    document = json.loads(publish(cli, root, database, "--check", "--format", "json").out)
    assert document["drift"] is True
    assert document["summary"]["update"] == 2
    assert {change["policy_pack_id"] for change in document["changes"]} == set(CATALOG)

    assert publish(cli, root, database, "--apply").code == 0
    assert publish(cli, root, database, "--check").code == 0


def test_prune_and_keep_through_the_cli(cli: Cli, root: Path, database: Database) -> None:
    assert publish(cli, root, database, "--apply").code == 0
    write_env(root, "prod", {"dpm_standard_v1": CATALOG["dpm_standard_v1"]})
    kept = publish(cli, root, database, "--apply")
    assert kept.code == 0
    assert "= keep dpm_conservative_v1" in kept.out
    assert set(rows(database)) == set(CATALOG)
    assert publish(cli, root, database, "--check").code == 0
    assert publish(cli, root, database, "--check", "--prune").code == 1
    pruned = publish(cli, root, database, "--apply", "--prune")
    assert pruned.code == 0
    assert "- delete dpm_conservative_v1" in pruned.out
    assert set(rows(database)) == {"dpm_standard_v1"}


def test_dsn_from_the_environment_as_a_url(
    cli: Cli, root: Path, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DSN_ENV_VAR, database.server.test_dsn(database.name, style="url"))
    result = cli("publish", "--env", "prod", "--root", str(root), "--apply", "--format", "json")
    assert result.code == 0
    assert json.loads(result.out)["applied"] is True


def test_missing_compiled_catalog_names_the_compile_command(
    cli: Cli, tmp_path: Path, database: Database
) -> None:
    result = cli("publish", "--env", "qa", "--root", str(tmp_path), "--dsn", database.dsn)
    assert result.code == 2
    assert "run dpm-policy compile --env qa first" in result.err
    assert result.err.count("\n") == 1


def test_invalid_compiled_catalog_is_a_problem_in_that_file(
    cli: Cli, root: Path, database: Database
) -> None:
    write_env(root, "prod", {"x": {"version": "1", "turnover_policy": {"max_turnover_pct": 2}}})
    result = publish(cli, root, database)
    assert result.code == 1
    assert "is not a valid compiled catalog" in result.err
    assert "dist/prod/env.json:3:3: error[" in result.err
    annotated = publish(cli, root, database, "--format", "github")
    assert annotated.code == 1
    assert "::error file=dist/prod/env.json,line=3,col=3," in annotated.err


def test_no_dsn(cli: Cli, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DSN_ENV_VAR, raising=False)
    result = cli("publish", "--env", "prod", "--root", str(root))
    assert result.code == 2
    assert f"pass --dsn or set {DSN_ENV_VAR}" in result.err


@pytest.mark.parametrize(
    "dsn",
    [
        "host=127.0.0.1 port=1 dbname=x user=u password='Pw-7hq@Xz%r!secret' connect_timeout=3",
        "postgresql://u:Pw-7hq%40Xz%25r%21secret@127.0.0.1:1/x?connect_timeout=3",
        "host=127.0.0.1 password='Pw-7hq@Xz%r!secret' 'broken",
        "postgresql://u:Pw-7hq%40Xz%25r%21secret@127.0.0.1:notaport/x",
    ],
    ids=["unreachable", "unreachable-url", "unparsable", "bad-port-url"],
)
def test_bad_dsns_fail_with_one_masked_line(cli: Cli, root: Path, dsn: str) -> None:
    result = cli("publish", "--env", "prod", "--root", str(root), "--dsn", dsn, "--apply")
    assert result.code == 2
    assert result.out == ""
    assert result.err.count("\n") == 1
    assert "Traceback" not in result.err


def test_wrong_password_is_masked(cli: Cli, root: Path, database: Database, password: str) -> None:
    wrong = database.dsn.replace(password, password + "x")
    result = cli("publish", "--env", "prod", "--root", str(root), "--dsn", wrong, "--check")
    assert result.code == 2
    assert "password authentication failed" in result.err


def test_the_installed_entry_point_masks_the_password_too(root: Path, database: Database) -> None:
    """A real process: nothing the CLI prints, on success or failure, holds the password."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "tools")}
    env.pop(DSN_ENV_VAR, None)
    outputs = []
    for dsn, mode in (
        (database.dsn, "--apply"),
        (database.dsn.replace("dbname=", "dbname=missing_"), "--plan"),
    ):
        argv = ["publish", "--env", "prod", "--root", str(root), "--dsn", dsn, mode]
        process = subprocess.run(
            [sys.executable, "-m", "dpm_policy", *argv],
            capture_output=True,
            text=True,
            env=env,
            check=False,
            timeout=60,
        )
        outputs.append(process)
    assert [process.returncode for process in outputs] == [0, 2]
    for process in outputs:
        for secret in ("Pw-7hq@Xz%r!secret", "7hq@Xz", "7hq%40Xz"):
            assert secret not in process.stdout + process.stderr
    assert "does not exist" in outputs[1].stderr


def test_the_repositorys_compiled_environment_publishes_in_the_engines_bytes(
    cli: Cli, tmp_path: Path, database: Database
) -> None:
    """The real compiler's output, published: each row holds what the engine would write."""
    dist = tmp_path / "dist"
    compiled = cli("compile", "--root", str(REPO), "--env", "prod", "--out", str(dist))
    assert compiled.code == 0, compiled.err
    result = cli(
        "publish",
        "--env",
        "prod",
        "--root",
        str(REPO),
        "--dist",
        str(dist),
        "--dsn",
        database.dsn,
        "--apply",
    )
    assert result.code == 0, result.err
    stored = rows(database)
    assert stored
    for pack_id, row in stored.items():
        # The engine's read: the columns override the JSON, then its model validates it.
        payload = json.loads(row.definition_json)
        assert payload["policy_pack_id"] == pack_id
        assert payload["version"] == row.version
        assert row.definition_json == engine_bytes(payload)
    assert publish_dist(cli, dist, database, "--check").code == 0


def publish_dist(cli: Cli, dist: Path, database: Database, *extra: str) -> Result:
    return cli(
        "publish",
        "--env",
        "prod",
        "--root",
        str(REPO),
        "--dist",
        str(dist),
        "--dsn",
        database.dsn,
        *extra,
    )


@pytest.mark.parametrize("mode", ["--plan", "--apply", "--check"])
def test_a_database_not_in_utf8_is_refused_naming_its_encoding_and_the_fix(
    cli: Cli, root: Path, postgres_server: PostgresServer, mode: str
) -> None:
    # initdb's default without --encoding under the C locale: the driver returns bytes there.
    name = f"dpm_ascii_{uuid.uuid4().hex[:8]}"
    with postgres_server.admin_connection() as connection:
        connection.execute(
            sql.SQL("CREATE DATABASE {} OWNER {} ENCODING 'SQL_ASCII' TEMPLATE template0").format(
                sql.Identifier(name), sql.Identifier(TEST_ROLE)
            )
        )
    dsn = postgres_server.test_dsn(name)
    result = cli("publish", "--env", "prod", "--root", str(root), "--dsn", dsn, mode)
    assert result.code == 2, result
    assert result.out == ""
    assert result.err == (
        f"dpm-policy: error: {TEST_ROLE}@127.0.0.1:{postgres_server.port}/{name}: the "
        "database's encoding is SQL_ASCII, not UTF8; the catalog is JSON text the engine reads "
        "as UTF-8, which only a UTF8 database keeps exactly; nothing was read or written. "
        f"Publish to a UTF8 database: createdb --encoding=UTF8 --template=template0 {name} "
        "(or CREATE DATABASE ... ENCODING 'UTF8' TEMPLATE template0; initdb --encoding=UTF8 "
        "for a new cluster)\n"
    )
    with postgres_server.admin_connection(name) as connection:
        found = connection.execute("SELECT to_regclass('dpm_policy_packs')").fetchone()
    assert found == (None,)

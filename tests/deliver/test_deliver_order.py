"""The order rules' refusals that need no database: prune must know what is delivered.

The rules against a real catalog (deliver refusing a pack Postgres lacks, prune refusing a row
the delivered bundle names, then allowing it) run in test_delivery_pipeline.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dpm_policy.cli import main
from dpm_policy.compile.bundle import SNAPSHOT, read_bundle
from dpm_policy.deliver import named_packs
from git_repos import copy_content, git

pytestmark = pytest.mark.git

COMMIT = "c" * 40
# Never reached: both refusals come before any connection.
DSN = "host=127.0.0.1 port=1 dbname=never user=nobody"


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    root = copy_content(tmp_path / "repo")
    out = tmp_path / "dist"
    args = ["compile", "--root", str(root), "--out", str(out), "--source-commit", COMMIT]
    assert main(args) == 0
    return out


def _publish(dist: Path, *extra: str) -> int:
    return main(["publish", "--env", "prod", "--dist", str(dist), "--dsn", DSN, *extra])


def test_prune_of_a_delivered_environment_needs_the_delivery(
    dist: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert _publish(dist, "--apply", "--prune") == 2
    assert capsys.readouterr().err == (
        "dpm-policy: error: --prune needs --delivered-to GIT_URL for prod, which is "
        "delivered as a bundle: prune must read that bundle so as not to delete a row it still "
        "names\n"
    )


def test_prune_refuses_when_nothing_is_delivered_there(
    dist: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    remote = tmp_path / "gitops.git"
    remote.mkdir()
    git(remote, "init", "--quiet", "--bare", "--initial-branch=main")
    capsys.readouterr()
    assert _publish(dist, "--apply", "--prune", "--delivered-to", str(remote)) == 1
    err = capsys.readouterr().err
    assert err.startswith(
        f"dpm-policy: error: refusing to prune prod: nothing is delivered for it on "
        f"{remote} branch main"
    )


def test_plain_apply_needs_no_delivery(dist: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Without --prune, publish goes straight to the database (unreachable here: exit 2).
    capsys.readouterr()
    assert _publish(dist, "--apply") == 2
    assert "cannot connect" in capsys.readouterr().err


def test_a_bundle_without_a_snapshot_names_the_packs_its_variables_name(
    dist: Path, tmp_path: Path
) -> None:
    """Under tenant_map_delivery: postgres the bundle mounts no env.json: what it names is in
    its variables (the default pack, and the catalog where it is delivered as a variable)."""
    files = read_bundle(dist / "dev")
    without = {path: data for path, data in files.items() if path != SNAPSHOT}
    assert named_packs(without) == named_packs(files)
    variables_only = {
        path: data for path, data in read_bundle(dist / "prod").items() if path != SNAPSHOT
    }
    # prod delivers its catalog through Postgres: its variables name the default and the
    # tenants' packs.
    assert "dpm_standard_v1" in named_packs(variables_only)

"""The delivery pipeline end to end, run locally step by step as the workflows run it.

Each step is the ``run`` line of a step of .github/workflows (a ``make`` target, see
tests/workflows), read from the workflow file and run with bash as GitHub runs it, in a real git
checkout, against a real PostgreSQL server (one database per environment) and a local bare
repository as the GitOps remote. ``SETUP= BIN=...`` in MAKEFLAGS makes the targets use this
interpreter's tools instead of installing them:

merge A (a new pack, a tenant moved to it) -> plan -> apply -> deliver -> render with Kustomize
-> validate; merge B (a pack removed) -> prune refused while the delivered bundle names it ->
deliver -> prune allowed; a row edited by hand -> the drift check fails naming it; rollback to
A -> the delivered bundle is byte for byte A's and Postgres holds A's rows.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from git_repos import REPO_ROOT, commit_all, copy_content, git, git_env, init_repo
from kube_tools import kustomize, lay_out_overlay, validate_objects
from postgres_server import PostgresServer

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.git]

WORKFLOWS = REPO_ROOT / ".github" / "workflows"
ENVIRONMENTS = ("dev", "uat", "prod")
NEW_PACK = """\
# yaml-language-server: $schema=../schema/policy-pack.schema.json
policy_pack_id: dpm_income_v1
version: "1"
description: Income mandates; low turnover, tax aware.
owners: ["@bank/dpm-risk"]

turnover_policy:
  max_turnover_pct: 0.08

tax_policy:
  enable_tax_awareness: true

workflow_policy:
  enable_workflow_gates: true
"""


def _step(workflow: str, job: str, name: str) -> dict[str, Any]:
    document = yaml.safe_load((WORKFLOWS / workflow).read_text(encoding="utf-8"))
    steps = document["jobs"][job]["steps"]
    (step,) = [step for step in steps if step.get("name") == name]
    return dict(step)


@dataclass(frozen=True)
class Step:
    code: int
    out: str


@dataclass
class Pipeline:
    """Runs workflow steps in a checkout, with what GitHub would put in their environment."""

    checkout: Path
    gitops: Path
    dsns: dict[str, str]
    summary: Path

    def run(self, workflow: str, job: str, name: str, environment: str = "", **inputs: str) -> Step:
        """The step's script; ``inputs`` give the values of its own ``env:`` entries."""
        step = _step(workflow, job, name)
        assert set(step.get("env", {})) == set(inputs), (name, step.get("env"))
        env = git_env(self.checkout.parent)
        env.update(
            # The targets use this interpreter's tools as they are (no install, no network).
            MAKEFLAGS=f"SETUP= BIN={Path(sys.executable).parent}",
            GITHUB_STEP_SUMMARY=str(self.summary),
            # The job's env: what deliver.yml and drift.yml take from the GitHub Environment.
            DPM_ENVIRONMENT=environment,
            DPM_POLICY_PACK_POSTGRES_DSN=self.dsns.get(environment, ""),
            GITOPS_URL=str(self.gitops),
            GITOPS_BRANCH="main",
        )
        env.update(inputs)
        self.summary.write_text("")
        # GitHub runs a step's script as: bash --noprofile --norc -eo pipefail {0}
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=self.checkout,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        return Step(done.returncode, done.stdout + done.stderr)

    def ok(self, workflow: str, job: str, name: str, environment: str = "", **inputs: str) -> str:
        step = self.run(workflow, job, name, environment, **inputs)
        assert step.code == 0, f"{workflow} {name} ({environment}) failed:\n{step.out}"
        return step.out

    def compile(self) -> None:
        self.ok("main.yml", "compile", "Validate and compile")

    def deliver_steps(self, environment: str, *names: str) -> None:
        for name in names:
            self.ok("deliver.yml", "deliver", name, environment)


def _rows(dsn: str) -> dict[str, tuple[str, str]]:
    import psycopg

    with psycopg.connect(dsn) as connection:
        records = connection.execute(
            "SELECT policy_pack_id, version, definition_json FROM dpm_policy_packs"
        ).fetchall()
    return {str(pack): (str(version), str(body)) for pack, version, body in records}


def _delivered(gitops: Path, environment: str) -> dict[str, bytes]:
    names = git(gitops, "ls-tree", "-r", "--name-only", "main", "--", f"{environment}/")
    return {
        name: subprocess.run(
            ["git", "show", f"main:{name}"],
            cwd=gitops,
            env=git_env(gitops.parent),
            capture_output=True,
            check=True,
        ).stdout
        for name in names.stdout.split()
    }


def _edit(path: Path, change: Callable[[str], str]) -> None:
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")


def _ship(pack: str) -> Callable[[str], str]:
    return lambda text: text.replace("packs:\n", f"packs:\n  - {pack}\n", 1)


@pytest.fixture
def pipeline(tmp_path: Path, postgres_server: PostgresServer) -> Pipeline:
    source = copy_content(tmp_path / "source")
    for name in ("Makefile", ".gitignore"):
        shutil.copy(REPO_ROOT / name, source / name)
    commit_all(init_repo(source), "the repository as it is")
    gitops = tmp_path / "gitops.git"
    gitops.mkdir()
    git(gitops, "init", "--quiet", "--bare", "--initial-branch=main")
    dsns = {name: postgres_server.test_dsn(postgres_server.new_database()) for name in ENVIRONMENTS}
    return Pipeline(source, gitops, dsns, tmp_path / "summary.md")


def test_the_steps_are_make_targets() -> None:
    """What this test runs is what the workflows run: make targets, nothing else."""
    for workflow, job, name in (
        ("main.yml", "compile", "Validate and compile"),
        ("deliver.yml", "deliver", "Plan"),
        ("deliver.yml", "deliver", "Apply"),
        ("deliver.yml", "deliver", "Deliver"),
        ("deliver.yml", "deliver", "Prune"),
        ("drift.yml", "drift", "Drift"),
        ("rollback.yml", "compile", "Compile the commit"),
    ):
        assert _step(workflow, job, name)["run"].startswith("make "), (workflow, name)


def test_merge_deliver_prune_drift_and_rollback(pipeline: Pipeline, tmp_path: Path) -> None:
    source, gitops = pipeline.checkout, pipeline.gitops

    # -- merge A: a new pack, shipped everywhere; a tenant moved to it -----------------------
    (source / "packs" / "dpm_income_v1.yaml").write_text(NEW_PACK)
    for name in ENVIRONMENTS:
        _edit(source / "environments" / f"{name}.yaml", _ship("dpm_income_v1"))
    _edit(
        source / "tenants" / "orchard_wealth.yaml",
        lambda text: text.replace(
            "default_policy_pack: dpm_standard_v1", "default_policy_pack: dpm_income_v1"
        ),
    )
    commit_a = commit_all(source, "A: dpm_income_v1, and orchard_wealth on it")
    pipeline.compile()

    # The bundle may not name a pack before Postgres holds it (prod delivers its catalog there).
    refused = pipeline.run("deliver.yml", "deliver", "Deliver", "prod")
    # make fails a target with 2; the tool's own exit code is in make's last line.
    assert refused.code != 0
    assert "deliver] Error 1" in refused.out
    assert "missing from the engine's catalog" in refused.out
    assert "dpm_income_v1" in refused.out

    for name in ENVIRONMENTS:
        pipeline.ok("deliver.yml", "deliver", "Plan", name)
        summary = pipeline.summary.read_text()
        assert "+ insert dpm_income_v1" in summary
        assert "publish --plan" in summary
        pipeline.deliver_steps(name, "Apply", "Deliver", "Prune")
        overlay = lay_out_overlay(tmp_path / f"render-a-{name}", name, source / "dist" / name)
        rendered = kustomize(overlay)
        validate_objects(rendered, overlay)
        if name == "prod":
            assert '"orchard_wealth":"dpm_income_v1"' in rendered
    delivered_a = _delivered(gitops, "prod")
    rows_a = _rows(pipeline.dsns["prod"])
    assert "dpm_income_v1" in rows_a
    trailers = git(gitops, "log", "-1", "--format=%(trailers:only,unfold)", "main").stdout
    assert f"Dpm-Policy-Source-Commit: {commit_a}" in trailers

    # -- merge B: dpm_growth_v1 removed; its tenant moved to the standard pack ---------------
    (source / "packs" / "dpm_growth_v1.yaml").unlink()
    for name in ENVIRONMENTS:
        _edit(
            source / "environments" / f"{name}.yaml",
            lambda text: text.replace("  - dpm_growth_v1\n", ""),
        )
    _edit(
        source / "tenants" / "summit_growth.yaml",
        lambda text: text.replace("dpm_growth_v1", "dpm_standard_v1"),
    )
    _edit(
        source / "policy-tests" / "uat.yaml",
        lambda text: text.replace("dpm_growth_v1", "dpm_tax_aware_v1"),
    )
    commit_all(source, "B: dpm_growth_v1 retired")
    pipeline.compile()
    pipeline.deliver_steps("prod", "Plan", "Apply")
    assert "dpm_growth_v1" in _rows(pipeline.dsns["prod"])  # apply only upserts
    delivered_tip = git(gitops, "rev-parse", "main").stdout.strip()
    early = pipeline.run("deliver.yml", "deliver", "Prune", "prod")
    assert early.code != 0
    assert "prune] Error 1" in early.out
    assert "dpm_growth_v1" in early.out
    assert delivered_tip[:12] in early.out
    assert "dpm_growth_v1" in pipeline.summary.read_text()
    assert "dpm_growth_v1" in _rows(pipeline.dsns["prod"])
    pipeline.deliver_steps("prod", "Deliver", "Prune")
    assert "dpm_growth_v1" not in _rows(pipeline.dsns["prod"])

    # -- a row edited by hand: the drift alarm names it in the summary -----------------------
    import psycopg

    with psycopg.connect(pipeline.dsns["prod"]) as connection:
        connection.execute(
            "UPDATE dpm_policy_packs SET version = '99' WHERE policy_pack_id = 'dpm_standard_v1'"
        )
    drift = pipeline.run("drift.yml", "drift", "Drift", "prod")
    assert drift.code != 0
    summary = pipeline.summary.read_text()
    assert "catalog drift prod" in summary
    assert "dpm_standard_v1" in summary
    # The bundle was checked too, and holds what main compiles.
    assert "bundle drift prod" in summary
    assert "prod: no drift" in summary

    # -- rollback to A, from a checkout of main as the workflow makes it ---------------------
    rollback = tmp_path / "rollback"
    git(tmp_path, "clone", "--quiet", str(source), str(rollback))
    back = Pipeline(rollback, gitops, pipeline.dsns, pipeline.summary)
    back.ok(
        "rollback.yml",
        "compile",
        "Compile the commit",
        "prod",
        COMMIT=commit_a,
        DPM_ENVIRONMENT="prod",
    )
    back.deliver_steps("prod", "Plan", "Apply", "Deliver", "Prune")
    assert _delivered(gitops, "prod") == delivered_a
    assert _rows(pipeline.dsns["prod"]) == rows_a
    # The drift alarm now compares with main, which is B: it says so.
    drift = pipeline.run("drift.yml", "drift", "Drift", "prod")
    assert drift.code != 0
    assert "prod: drift" in pipeline.summary.read_text()


def test_rollback_refuses_a_commit_that_is_not_on_main(pipeline: Pipeline, tmp_path: Path) -> None:
    source = pipeline.checkout
    git(source, "checkout", "--quiet", "-b", "elsewhere")
    (source / "packs" / "dpm_income_v1.yaml").write_text(NEW_PACK)
    stray = commit_all(source, "a commit main never held")
    git(source, "checkout", "--quiet", "main")
    rollback = tmp_path / "rollback"
    git(tmp_path, "clone", "--quiet", "--no-single-branch", str(source), str(rollback))
    back = Pipeline(rollback, pipeline.gitops, pipeline.dsns, pipeline.summary)
    refused = back.run(
        "rollback.yml",
        "compile",
        "Compile the commit",
        "prod",
        COMMIT=stray,
        DPM_ENVIRONMENT="prod",
    )
    assert refused.code != 0
    assert f"rollback: {stray} is not a commit of origin/main" in refused.out
    assert not (rollback / "dist").exists()


def test_a_delivery_target_names_the_variable_it_lacks(tmp_path: Path) -> None:
    """make stops before running anything when GITOPS_URL is not set, and says how to set it."""
    env = git_env(tmp_path)
    env.pop("GITOPS_URL", None)
    done = subprocess.run(
        ["make", "--no-print-directory", "deliver", "ENV=dev", "SETUP="],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "GITOPS_URL is not set: the GitOps repository; export GITOPS_URL=URL" in done.stderr

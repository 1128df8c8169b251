"""The delivery pipeline end to end, run locally step by step as the workflows run it.

The steps are the commands of docs/delivery.md ("By hand"), one table below, run with bash in a
real git checkout, against a real PostgreSQL server (one
database per environment) and a local bare repository as the GitOps remote:

merge A (a new pack, a tenant moved to it) -> plan -> apply -> deliver -> render with Kustomize
-> validate; merge B (a pack removed) -> prune refused while the delivered bundle names it ->
deliver -> prune allowed; a row edited by hand -> the drift check fails naming it; rollback to
A -> the delivered bundle is byte for byte A's and Postgres holds A's rows.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from git_repos import commit_all, copy_content, git, git_env, init_repo
from kube_tools import kustomize, lay_out_overlay, validate_objects
from postgres_server import PostgresServer

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.git]

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


# The pipeline's steps, by (stage, job, step), exactly as a person runs them (docs/delivery.md).
STEPS: dict[tuple[str, str], dict[str, str]] = {
    ("main.yml", "compile"): {
        "Validate": "dpm-policy validate",
        "Compile": 'dpm-policy compile --source-commit "$GITHUB_SHA"',
    },
    ("deliver.yml", "deliver"): {
        "Plan": (
            'dpm-policy publish --env "$DPM_ENVIRONMENT" --plan | tee -a "$GITHUB_STEP_SUMMARY"'
        ),
        "Apply": 'dpm-policy publish --env "$DPM_ENVIRONMENT" --apply',
        "Deliver": (
            'dpm-policy deliver --env "$DPM_ENVIRONMENT" --to "$GITOPS_URL" '
            '--branch "$GITOPS_BRANCH"'
        ),
        "Prune": (
            'dpm-policy publish --env "$DPM_ENVIRONMENT" --apply --prune '
            '--delivered-to "$GITOPS_URL" --branch "$GITOPS_BRANCH"'
        ),
    },
    ("drift.yml", "drift"): {
        "Compile": 'dpm-policy compile --env "$DPM_ENVIRONMENT"',
        "Catalog drift": (
            'dpm-policy publish --env "$DPM_ENVIRONMENT" --check | tee -a "$GITHUB_STEP_SUMMARY"'
        ),
        "Bundle drift": (
            'dpm-policy deliver --env "$DPM_ENVIRONMENT" --to "$GITOPS_URL" '
            '--branch "$GITOPS_BRANCH" --check | tee -a "$GITHUB_STEP_SUMMARY"'
        ),
    },
    ("rollback.yml", "compile"): {
        "On main": "git merge-base --is-ancestor HEAD origin/main",
        "Compile": 'dpm-policy compile --source-commit "$(git rev-parse HEAD)"',
    },
}


def _steps(workflow: str, job: str) -> dict[str, str]:
    return STEPS[(workflow, job)]


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

    def run(self, workflow: str, job: str, name: str, environment: str = "") -> Step:
        script = _steps(workflow, job)[name]
        env = git_env(self.checkout.parent)
        env.update(
            PATH=f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}",
            GITHUB_SHA=git(self.checkout, "rev-parse", "HEAD").stdout.strip(),
            GITHUB_STEP_SUMMARY=str(self.summary),
            DPM_ENVIRONMENT=environment,
            DPM_POLICY_PACK_POSTGRES_DSN=self.dsns.get(environment, ""),
            GITOPS_URL=str(self.gitops),
            GITOPS_BRANCH="main",
        )
        self.summary.write_text("")
        # GitHub runs a step's script as: bash --noprofile --norc -eo pipefail {0}
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            cwd=self.checkout,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        return Step(done.returncode, done.stdout + done.stderr)

    def ok(self, workflow: str, job: str, name: str, environment: str = "") -> str:
        step = self.run(workflow, job, name, environment)
        assert step.code == 0, f"{workflow} {name} ({environment}) failed:\n{step.out}"
        return step.out

    def compile(self) -> None:
        for name in ("Validate", "Compile"):
            self.ok("main.yml", "compile", name)

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
    source = init_repo(copy_content(tmp_path / "source"))
    commit_all(source, "the repository as it is")
    gitops = tmp_path / "gitops.git"
    gitops.mkdir()
    git(gitops, "init", "--quiet", "--bare", "--initial-branch=main")
    dsns = {name: postgres_server.test_dsn(postgres_server.new_database()) for name in ENVIRONMENTS}
    return Pipeline(source, gitops, dsns, tmp_path / "summary.md")


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
    assert refused.code == 1
    assert "missing from the engine's catalog" in refused.out
    assert "dpm_income_v1" in refused.out

    for name in ENVIRONMENTS:
        pipeline.ok("deliver.yml", "deliver", "Plan", name)
        summary = pipeline.summary.read_text()
        assert "+ insert dpm_income_v1" in summary
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
    assert early.code == 1
    assert "dpm_growth_v1" in early.out
    assert delivered_tip[:12] in early.out
    assert "dpm_growth_v1" in _rows(pipeline.dsns["prod"])
    pipeline.deliver_steps("prod", "Deliver", "Prune")
    assert "dpm_growth_v1" not in _rows(pipeline.dsns["prod"])

    # -- a row edited by hand: the drift alarm names it --------------------------------------
    import psycopg

    with psycopg.connect(pipeline.dsns["prod"]) as connection:
        connection.execute(
            "UPDATE dpm_policy_packs SET version = '99' WHERE policy_pack_id = 'dpm_standard_v1'"
        )
    pipeline.ok("drift.yml", "drift", "Compile", "prod")
    drift = pipeline.run("drift.yml", "drift", "Catalog drift", "prod")
    assert drift.code == 1
    assert "dpm_standard_v1" in pipeline.summary.read_text()
    assert pipeline.run("drift.yml", "drift", "Bundle drift", "prod").code == 0

    # -- rollback to A ----------------------------------------------------------------------
    rollback = tmp_path / "rollback"
    git(tmp_path, "clone", "--quiet", str(source), str(rollback))
    git(rollback, "checkout", "--quiet", "--detach", commit_a)
    back = Pipeline(rollback, gitops, pipeline.dsns, pipeline.summary)
    for name in ("On main", "Compile"):
        back.ok("rollback.yml", "compile", name)
    back.deliver_steps("prod", "Plan", "Apply", "Deliver", "Prune")
    assert _delivered(gitops, "prod") == delivered_a
    assert _rows(pipeline.dsns["prod"]) == rows_a
    # The drift check now compares with main, which is B: it says so.
    shutil.rmtree(source / "dist")
    pipeline.ok("drift.yml", "drift", "Compile", "prod")
    assert pipeline.run("drift.yml", "drift", "Bundle drift", "prod").code == 1

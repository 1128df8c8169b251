"""The delivery workflows keep the order rules (docs/delivery.md) in what they run.

The steps themselves (make targets) are run, as these workflows list them, by
tests/deliver/test_delivery_pipeline.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from git_repos import REPO_ROOT

WORKFLOWS = REPO_ROOT / ".github" / "workflows"
DELIVER = "./.github/workflows/deliver.yml"


def _load(name: str) -> dict[Any, Any]:
    document: dict[Any, Any] = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    return document


def _triggers(document: dict[Any, Any]) -> dict[str, Any]:
    # YAML 1.1, as PyYAML reads it, takes the key `on` for the boolean true.
    triggers: dict[str, Any] = document[True]
    return triggers


def _promotion_order() -> list[str]:
    sources = {}
    for path in sorted((REPO_ROOT / "environments").glob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        sources[document["environment"]] = document.get("promotes_from")
    order = [name for name, source in sources.items() if source is None]
    while len(order) < len(sources):
        order += [name for name, source in sources.items() if source == order[-1]]
    return order


def _runs(job: dict[str, Any]) -> list[tuple[str, str]]:
    return [(step.get("name", ""), step["run"]) for step in job["steps"] if "run" in step]


def test_main_compiles_once_then_promotes_in_order() -> None:
    jobs = _load("main.yml")["jobs"]
    compiling = [
        name
        for name, job in jobs.items()
        if "steps" in job and any(run.startswith("make compile") for _, run in _runs(job))
    ]
    assert compiling == ["compile"]
    order = _promotion_order()
    assert order == ["dev", "uat", "prod"]
    previous = "compile"
    for name in order:
        job = jobs[name]
        assert job["uses"] == DELIVER
        assert job["with"] == {"environment": name}
        assert job["needs"] == previous
        assert job["secrets"] == "inherit"
        previous = name


def test_deliver_binds_the_environment_and_runs_one_at_a_time() -> None:
    document = _load("deliver.yml")
    assert set(_triggers(document)) == {"workflow_call"}
    (job,) = document["jobs"].values()
    assert job["environment"] == "${{ inputs.environment }}"
    assert job["concurrency"] == {
        "group": "deliver-${{ inputs.environment }}",
        "cancel-in-progress": False,
    }
    assert job["env"]["DPM_POLICY_PACK_POSTGRES_DSN"] == (
        "${{ secrets.DPM_POLICY_PACK_POSTGRES_DSN }}"
    )
    assert job["env"]["GITOPS_URL"] == "${{ secrets.GITOPS_URL }}"
    # The tooling is this run's commit; the compiled output is the artifact of the same run.
    (checkout,) = [step for step in job["steps"] if "actions/checkout@" in step.get("uses", "")]
    assert "ref" not in checkout.get("with", {})
    assert any("actions/download-artifact@" in step.get("uses", "") for step in job["steps"])


def test_deliver_plans_into_the_summary_then_upserts_delivers_and_prunes() -> None:
    (job,) = _load("deliver.yml")["jobs"].values()
    steps = dict(_runs(job))
    assert list(steps) == ["Plan", "Apply", "Deliver", "Prune"]
    targets = ["publish-plan", "publish-apply", "deliver", "prune"]
    for (name, run), target in zip(steps.items(), targets, strict=True):
        assert run == f'make {target} ENV="$DPM_ENVIRONMENT" SUMMARY="$GITHUB_STEP_SUMMARY"', name


def test_drift_runs_on_a_schedule_and_checks_both_roads() -> None:
    document = _load("drift.yml")
    assert "schedule" in _triggers(document)
    (job,) = document["jobs"].values()
    assert job["strategy"]["matrix"]["environment"] == _promotion_order()
    assert job["environment"] == "${{ matrix.environment }}-readonly"
    steps = dict(_runs(job))
    assert steps == {"Drift": 'make drift ENV="$DPM_ENVIRONMENT" SUMMARY="$GITHUB_STEP_SUMMARY"'}


def test_rollback_compiles_the_chosen_commit_and_delivers_it_the_same_way() -> None:
    document = _load("rollback.yml")
    inputs = _triggers(document)["workflow_dispatch"]["inputs"]
    assert inputs["environment"]["options"] == _promotion_order()
    assert inputs["commit"]["required"] is True
    jobs = document["jobs"]
    compile_job = jobs["compile"]
    # main's tooling checks the commit and builds it: a run from another branch does nothing.
    assert compile_job["if"] == "github.ref == 'refs/heads/main'"
    steps = dict(_runs(compile_job))
    assert steps["Compile the commit"].startswith('make rollback-compile COMMIT="$COMMIT" ')
    assert jobs["rollback"]["uses"] == DELIVER
    assert jobs["rollback"]["needs"] == "compile"
    assert jobs["rollback"]["with"] == {"environment": "${{ inputs.environment }}"}


def test_every_delivery_workflow_is_here() -> None:
    names = {path.name for path in WORKFLOWS.glob("*.yml")}
    assert {"main.yml", "deliver.yml", "drift.yml", "rollback.yml"} <= names
    assert Path(REPO_ROOT / DELIVER).is_file()

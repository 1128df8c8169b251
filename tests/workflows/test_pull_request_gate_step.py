"""The pull-request workflow's gate step, run with bash as the runner runs it, on a real git
history: with the pull request's reviews it checks the approvals; when they could not be read,
every other check still runs and its report is still posted, and the step fails for the
approvals it could not check."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from git_repos import (
    REPO_ROOT,
    copy_content,
    edit,
    git,
    init_repo,
    recorded_answer,
    tightening_pull_request,
)

pytestmark = [pytest.mark.slow, pytest.mark.git]

NOT_READ = "::error::the pull request's reviews could not be read"


def _gate_step() -> dict[str, Any]:
    workflow = yaml.safe_load(
        (REPO_ROOT / ".github" / "workflows" / "pull-request.yml").read_text(encoding="utf-8")
    )
    (step,) = [step for step in workflow["jobs"]["check"]["steps"] if step.get("id") == "report"]
    return dict(step)


@pytest.fixture(scope="module")
def pull_request(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The repository with its tools on main, then a pull request pushed twice that tightens a
    pack prod ships in place (two approving teams required); the recorded answers' commits."""
    repo = init_repo(copy_content(tmp_path_factory.mktemp("gate-step") / "repo", with_tools=True))
    for name in ("Makefile", "pyproject.toml", "repository.yaml", "teams.yaml", ".github"):
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, repo / name)
        else:
            shutil.copy(source, repo / name)
    return repo, tightening_pull_request(repo)


def _run_step(
    repo: Path, shas: dict[str, str], temp: Path, outcome: str
) -> tuple[subprocess.CompletedProcess[str], str]:
    """The step's own script under ``bash -e`` (the runner's shell), with its env block
    filled as GitHub fills it; make uses this interpreter's environment as it is."""
    step = _gate_step()
    output = temp / "github-output"
    env = {
        **os.environ,
        "RUNNER_TEMP": str(temp),
        "GITHUB_OUTPUT": str(output),
        "BASE_SHA": shas["@BASE@"],
        "HEAD_SHA": shas["@HEAD@"],
        "BASE_REF": "main",
        "REVIEWS_OUTCOME": outcome,
        "VENV": sys.prefix,
        "SETUP": "",
    }
    assert set(step["env"]) <= set(env)
    done = subprocess.run(
        ["bash", "-e", "-c", step["run"]], cwd=repo, env=env, capture_output=True, text=True
    )
    return done, output.read_text(encoding="utf-8") if output.exists() else ""


def _record(name: str, shas: dict[str, str], path: Path) -> None:
    path.write_text(recorded_answer(name, shas), encoding="utf-8")


def test_with_the_reviews_the_approved_change_passes(
    pull_request: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    repo, shas = pull_request
    temp = tmp_path / "runner"
    temp.mkdir()
    _record("pull_request.json", shas, temp / "pull-request.json")
    _record("reviews_approved.json", shas, temp / "reviews.json")
    done, output = _run_step(repo, shas, temp, "success")
    assert done.returncode == 0, done.stdout + done.stderr
    assert NOT_READ not in done.stdout
    assert output.startswith("report<<DPM_POLICY_REVIEW_EOF\n")
    assert "dpm_conservative_v1" in output
    assert "approved by alice-risk" in output  # the reviews were read and counted


def test_without_the_reviews_every_check_still_reports_and_the_step_fails(
    pull_request: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    repo, shas = pull_request
    edit(repo, "packs/dpm_standard_v1.yaml", "version: ", "version:   ")  # not canonical
    (tmp_path / "runner").mkdir()
    try:
        done, output = _run_step(repo, shas, tmp_path / "runner", "failure")
    finally:
        git(repo, "checkout", "-q", "--", "packs/dpm_standard_v1.yaml")
    assert done.returncode == 1
    assert NOT_READ in done.stdout
    assert "::error file=packs/dpm_standard_v1.yaml" in done.stdout + done.stderr
    # The report is posted all the same, naming the change and the approvals it needs.
    assert output.startswith("report<<DPM_POLICY_REVIEW_EOF\n")
    assert "dpm_conservative_v1" in output
    assert "to be approved" in output

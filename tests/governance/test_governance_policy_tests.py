"""``dpm-policy test`` on the repository's own policy tests, and what ``--update`` writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dpm_policy.governance.policy_tests import run_policy_tests
from git_repos import copy_content


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return copy_content(tmp_path / "repo")


def test_the_repository_carries_two_passing_policy_tests_per_environment(repo_root: Path) -> None:
    result = run_policy_tests(root=repo_root)
    assert result.ok, result.problems
    per_environment: dict[str, int] = {}
    for answer in result.answers:
        per_environment[answer.environment] = per_environment.get(answer.environment, 0) + 1
    assert set(per_environment) == {"dev", "uat", "prod"}
    assert min(per_environment.values()) >= 2


def test_the_command_passes_and_names_the_count(repo_root: Path, run_cli) -> None:
    result = run_cli(["test", "--root", str(repo_root)])
    assert result.code == 0, result.err
    assert "passed: 7 policy test(s) passed, 0 failed" in result.err


def test_a_failure_names_expected_and_actual_at_the_expectation(repo: Path, run_cli) -> None:
    tests = repo / "policy-tests" / "prod.yaml"
    tests.write_text(tests.read_text().replace("{max: 0.05}", "{max: 0.04}"))
    result = run_cli(["test", "--root", str(repo), "--env", "prod", "--format", "json"])
    assert result.code == 1
    (problem,) = json.loads(result.out)["problems"]
    assert (problem["file"], problem["line"], problem["column"]) == (
        "policy-tests/prod.yaml",
        13,
        43,
    )
    assert "expected turnover_policy.max_turnover_pct at most 0.04, got 0.05" in problem["message"]


def test_update_writes_the_answers_beside_each_test_file(repo: Path, run_cli) -> None:
    result = run_cli(["test", "--root", str(repo), "--env", "uat", "--update"])
    assert result.code == 0
    assert "wrote policy-tests/uat.snapshot.json" in result.err
    snapshot = json.loads((repo / "policy-tests" / "uat.snapshot.json").read_text())
    first = snapshot["tests"][0]
    assert (first["source"], first["pack"]) == ("TENANT_DEFAULT", "dpm_standard_v2")
    assert first["settings"]["settlement_policy.settlement_horizon_days"] == 2
    assert first["settings"]["turnover_policy.max_turnover_pct"] == "0.12"
    # The snapshot is for reviewers: validate neither reads nor warns about it.
    assert run_cli(["validate", "--root", str(repo)]).code == 0
    assert "snapshot" not in run_cli(["validate", "--root", str(repo)]).err


def test_an_unknown_environment_is_a_usage_error(repo: Path, run_cli) -> None:
    result = run_cli(["test", "--root", str(repo), "--env", "staging"])
    assert result.code == 2
    assert "unknown environment 'staging'" in result.err


def test_an_invalid_repository_is_reported_instead_of_run(repo: Path, run_cli) -> None:
    env = repo / "environments" / "prod.yaml"
    env.write_text(env.read_text().replace("max: 0.25", "max: 0.04"))
    result = run_cli(["test", "--root", str(repo)])
    assert result.code == 1
    assert "error[guardrail-max]" in result.err
    assert "policy test(s) passed" not in result.err

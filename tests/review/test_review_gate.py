"""``dpm-policy check``, the one-pass pull-request gate, against the separate commands.

On each history the gate reports exactly the problems that the workflow's separate commands
report together (each once), writes the same review report as ``diff``, and fails exactly when
one of them fails. And a file whose bytes are the same in the base and the head is loaded once.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

import dpm_policy.repository as repository_module
from dpm_policy.gate import STEPS, run_gate
from git_repos import REPO_ROOT, commit_all, copy_content, edit, init_repo, mini_repo, write_files

if TYPE_CHECKING:  # the shared conftest's; a folder's conftest may hold the name at run time
    from conftest import CliRun

pytestmark = [pytest.mark.git, pytest.mark.slow]

# The workflow's steps before the one pass, as commands (the review report is the markdown run).
SEPARATE: tuple[tuple[str, ...], ...] = (
    ("validate",),
    ("test",),
    ("schema", "--check"),
    ("codeowners", "--check"),
    ("fmt", "--check"),
    ("diff", "--base", "HEAD", "--check"),
)

Run = Callable[[Sequence[str]], "CliRun"]


def _problems(run: CliRun) -> list[dict[str, object]]:
    return list(json.loads(run.out)["problems"])


def _key(problem: dict[str, object]) -> tuple[str, ...]:
    return tuple(str(problem[key]) for key in sorted(problem))


def _assert_gate_equals_separate(root: Path, run_cli: Run, tmp_path: Path) -> CliRun:
    separate = [run_cli([*argv, "--root", str(root), "--format", "json"]) for argv in SEPARATE]
    for run in separate:
        assert run.code in (0, 1), run.err
    report = run_cli(["diff", "--base", "HEAD", "--root", str(root), "--format", "markdown"])
    report_json = run_cli(["diff", "--base", "HEAD", "--root", str(root), "--format", "json"])
    written = tmp_path / "review.md"

    def check(*args: str) -> CliRun:
        return run_cli(["check", "--base", "HEAD", "--root", str(root), *args])

    gate = check("--format", "json", "--report", str(written))
    assert gate.code in (0, 1), gate.err
    expected = {_key(problem) for run in separate for problem in _problems(run)}
    found = [_key(problem) for problem in _problems(gate)]
    assert len(found) == len(set(found)), "each problem once"
    assert set(found) == expected
    assert written.read_text(encoding="utf-8") == report.out
    failed = any(run.code for run in [*separate, report])
    assert gate.code == (1 if failed else 0)
    as_json = tmp_path / "review.json"
    again = check("--format", "github", "--report", str(as_json), "--report-format", "json")
    assert again.code == gate.code
    assert as_json.read_text(encoding="utf-8") == report_json.out
    # The annotations a pull request shows: the separate commands' together, each once.
    annotations = {
        line
        for argv in SEPARATE
        for line in run_cli([*argv, "--root", str(root), "--format", "github"]).err.splitlines()
        if line.startswith("::")
    }
    shown = [line for line in again.err.splitlines() if line.startswith("::")]
    assert len(shown) == len(set(shown))
    assert set(shown) == annotations
    return gate


def _mini_change(root: Path, name: str) -> None:
    """The changes the review tests make, one per name."""
    if name == "no change":
        return
    if name == "version not bumped":
        edit(
            root, "packs/trial_v1.yaml", "settlement_horizon_days: 3", "settlement_horizon_days: 2"
        )
    elif name == "prod changed in place":
        edit(root, "packs/careful_v1.yaml", "max_turnover_pct: 0.05", "max_turnover_pct: 0.07")
    elif name == "through a base pack":
        edit(root, "packs/core_v1.yaml", 'version: "1"', 'version: "2"')
        edit(root, "packs/core_v1.yaml", "{max_weight: 0.30}", "{max_weight: 0.35}")
    elif name == "pack removed":
        edit(root, "environments/dev.yaml", ", trial_v1]", "]")
        edit(
            root,
            "tenants/t_gamma.yaml",
            "environments:\n  dev:\n    default_policy_pack: trial_v1\n",
            "",
        )
        write_files(root, {"packs/trial_v1.yaml": None})
    elif name == "head does not compile":
        edit(
            root, "packs/trial_v1.yaml", "settlement_horizon_days: 3", "settlement_horizon_days: 30"
        )
    elif name == "not formatted":
        edit(root, "packs/trial_v1.yaml", "description:", "extra_key_first: 1\ndescription:")
    else:
        raise AssertionError(name)


@pytest.mark.parametrize(
    "change",
    [
        "no change",
        "version not bumped",
        "prod changed in place",
        "through a base pack",
        "pack removed",
        "head does not compile",
        "not formatted",
    ],
)
def test_mini_histories(change: str, tmp_path: Path, run_cli: Run) -> None:
    root = mini_repo(tmp_path / "repo")
    _mini_change(root, change)
    _assert_gate_equals_separate(root, run_cli, tmp_path)


@pytest.fixture
def full(tmp_path: Path) -> Path:
    """The repository's own content with its settings and CODEOWNERS, as one commit."""
    root = copy_content(tmp_path / "repo")
    shutil.copyfile(REPO_ROOT / "repository.yaml", root / "repository.yaml")
    (root / ".github").mkdir()
    shutil.copyfile(REPO_ROOT / ".github" / "CODEOWNERS", root / ".github" / "CODEOWNERS")
    init_repo(root)
    commit_all(root, "the policy repository")
    return root


def test_the_repository_itself_passes(full: Path, run_cli: Run, tmp_path: Path) -> None:
    gate = _assert_gate_equals_separate(full, run_cli, tmp_path)
    assert gate.code == 0, gate.out


def test_stale_generated_files_and_a_broken_pack(full: Path, run_cli: Run, tmp_path: Path) -> None:
    (full / "schema" / "tenant.schema.json").write_text("{}\n", encoding="utf-8")
    (full / ".github" / "CODEOWNERS").unlink()
    (full / "packs" / "dpm_broken_v1.yaml").write_text(
        "policy_pack_id: dpm_broken_v1\nversion: '1'\nturnover_policy: [unclosed\n",
        encoding="utf-8",
    )
    gate = _assert_gate_equals_separate(full, run_cli, tmp_path)
    assert gate.code == 1
    found = {(problem["file"], problem["code"]) for problem in _problems(gate)}
    assert {
        ("schema/tenant.schema.json", "stale"),
        ("packs/dpm_broken_v1.yaml", "syntax"),
    } <= found


def test_a_policy_test_that_fails(full: Path, run_cli: Run, tmp_path: Path) -> None:
    # The global default is dpm_standard_v2 in dev: expect another pack that dev ships.
    edit(
        full,
        "policy-tests/dev.yaml",
        "source: GLOBAL_DEFAULT\n      pack: dpm_standard_v2",
        "source: GLOBAL_DEFAULT\n      pack: dpm_growth_v1",
    )
    gate = _assert_gate_equals_separate(full, run_cli, tmp_path)
    assert gate.code == 1
    assert {problem["file"] for problem in _problems(gate)} == {"policy-tests/dev.yaml"}


def test_the_text_format_names_each_step(full: Path, run_cli: Run) -> None:
    run = run_cli(["check", "--base", "HEAD", "--root", str(full)])
    assert run.code == 0, run.err
    *steps, approvals = run.err.splitlines()
    assert [line.split(" ", 1)[0] for line in steps] == list(STEPS)
    assert all(line.endswith(": ok") for line in steps)
    assert approvals == "approvals: none required"


def test_a_file_unchanged_between_the_sides_is_loaded_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = mini_repo(tmp_path / "repo")
    edit(root, "packs/trial_v1.yaml", 'version: "1"', 'version: "2"')
    loaded: list[str] = []
    load_one = repository_module._load_one

    def counting(raw: bytes, path: str, kind: repository_module.Kind) -> object:
        loaded.append(path)
        return load_one(raw, path, kind)

    monkeypatch.setattr(repository_module, "_load_one", counting)
    result = run_gate(root=root, base="HEAD")
    assert result.review.environments
    files = sorted(
        path.relative_to(root).as_posix()
        for path in root.rglob("*.yaml")
        if ".git" not in path.parts
    )
    # Every file of the head once, and of the base only the one whose bytes differ.
    assert sorted(loaded) == sorted([*files, "packs/trial_v1.yaml"])

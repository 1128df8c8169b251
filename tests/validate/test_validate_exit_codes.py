"""Exit codes: 0 clean, 1 problems found, 2 usage, not a repository, or a missing root.

Also: the repository's own content passes ``validate``, in-process and as a real process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from validate_corpus import case_named

from dpm_policy.checks import CHECKS
from dpm_policy.cli import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, main
from dpm_policy.validate import validate


def test_repository_content_is_valid(repo_root: Path) -> None:
    result = validate(root=repo_root)
    assert result.problems == []
    assert result.repository.packs
    assert result.repository.tenants
    assert result.repository.environments


def test_repository_content_through_the_cli(repo_root: Path, run_cli) -> None:
    run = run_cli(["validate", "--root", str(repo_root)])
    assert run.code == EXIT_OK
    assert run.err.startswith("valid: ")


def test_repository_content_as_a_process_found_from_the_working_folder(repo_root: Path) -> None:
    """Without --root the repository is found from the working folder, as pre-commit runs it."""
    env = {**os.environ, "PYTHONPATH": str(repo_root / "tools")}
    done = subprocess.run(
        [sys.executable, "-m", "dpm_policy", "validate"],
        cwd=repo_root / "packs",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == EXIT_OK, done.stderr
    assert done.stderr.startswith("valid: ")


def test_problems_exit_1(tmp_path: Path, run_cli) -> None:
    run = run_cli(["validate", "--root", str(case_named("decimal_nan").build(tmp_path))])
    assert run.code == EXIT_PROBLEMS


def test_warnings_alone_exit_0(tmp_path: Path, run_cli) -> None:
    case = case_named("missing_modeline_is_a_warning")
    run = run_cli(["validate", "--root", str(case.build(tmp_path))])
    assert run.code == EXIT_OK
    assert "warning[modeline]" in run.err


def test_missing_root_exits_2(tmp_path: Path, run_cli) -> None:
    run = run_cli(["validate", "--root", str(tmp_path / "nowhere")])
    assert run.code == EXIT_USAGE
    assert run.err == (
        f"dpm-policy: error: {tmp_path / 'nowhere'}: no such folder; pass the repository's "
        "folder with --root\n"
    )


def test_root_that_is_a_file_exits_2(tmp_path: Path, run_cli) -> None:
    (tmp_path / "file.yaml").write_text("a: 1\n")
    run = run_cli(["validate", "--root", str(tmp_path / "file.yaml")])
    assert run.code == EXIT_USAGE
    assert "file.yaml: not a folder" in run.err


def test_not_a_repository_exits_2(tmp_path: Path, run_cli) -> None:
    run = run_cli(["validate", "--root", str(tmp_path)])
    assert run.code == EXIT_USAGE
    assert "not a policy repository" in run.err
    assert "pass --root" in run.err


def test_not_a_repository_from_the_working_folder_exits_2(
    tmp_path: Path,
    run_cli,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run_cli(["validate"]).code == EXIT_USAGE


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["no-such-command"],
        ["validate", "--no-such-option"],
        ["validate", "--format", "xml"],
        ["validate", "--root"],
    ],
    ids=["no command", "unknown command", "unknown option", "unknown format", "no root value"],
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == EXIT_USAGE
    assert "usage: dpm-policy" in capsys.readouterr().err


def test_usage_error_as_a_process_exits_2(repo_root: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(repo_root / "tools")}
    done = subprocess.run(
        [sys.executable, "-m", "dpm_policy", "validate", "--format", "xml"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == EXIT_USAGE
    assert "invalid choice" in done.stderr


def test_help_documents_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["validate", "--help"])
    assert stopped.value.code == EXIT_OK
    out = capsys.readouterr().out
    for code in ("0  success", "1  problems found", "2  usage error"):
        assert code in out


def test_list_checks(run_cli) -> None:
    run = run_cli(["validate", "--list-checks"])
    assert run.code == EXIT_OK
    names = [line.split(":", 1)[0] for line in run.out.splitlines()]
    assert names == list(CHECKS)
    for check in CHECKS.values():
        assert check.__doc__, "a check's docstring is its documentation"

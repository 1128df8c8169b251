"""Usage errors exit 2, each error class has one exit code, and no output holds a password."""

from __future__ import annotations

from pathlib import Path

import pytest

from dpm_policy.cli import EXIT_PROBLEMS, EXIT_USAGE, exit_code, main
from dpm_policy.errors import DatabaseError, GitError, InputError, ProblemsFound, UsageError
from dpm_policy_runtime.variables import POSTGRES_DSN


@pytest.mark.parametrize(
    "stray",
    [
        "postgresql://publisher:s3cr%40t-pw@db.internal:5432/dpm",
        "host=db.internal user=publisher password=s3cr%40t-pw dbname=dpm",
    ],
)
def test_a_stray_dsn_is_masked_in_the_usage_error(
    stray: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["validate", stray])
    assert exit_info.value.code == EXIT_USAGE
    err = capsys.readouterr().err
    assert "unrecognized arguments" in err
    assert "s3cr%40t-pw" not in err
    assert "********" in err


def test_an_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["frobnicate"])
    assert exit_info.value.code == EXIT_USAGE
    assert "invalid choice" in capsys.readouterr().err


def test_the_secret_filter_masks_every_stream(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A password the run knows of (here the catalog DSN variable's) never reaches stdout or
    stderr, whichever command prints it and however."""
    monkeypatch.setenv(POSTGRES_DSN, "host=db user=u password=env-pw-4417")
    missing = tmp_path / "env-pw-4417"
    assert main(["validate", "--root", str(missing), "--format", "json"]) == EXIT_USAGE
    captured = capsys.readouterr()
    assert "env-pw-4417" not in captured.out + captured.err
    assert "********" in captured.err


def test_every_error_class_has_its_exit_code() -> None:
    assert exit_code(ProblemsFound("found", [])) == EXIT_PROBLEMS
    for error in (UsageError("u"), InputError("i"), GitError("g"), DatabaseError("d")):
        assert exit_code(error) == EXIT_USAGE

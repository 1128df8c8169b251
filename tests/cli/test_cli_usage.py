"""Usage errors exit 2 and never echo a database password."""

from __future__ import annotations

import pytest

from dpm_policy.cli import EXIT_USAGE, main


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

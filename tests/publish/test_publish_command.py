"""The publish subcommand without a server: registration, help, and errors before connecting."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dpm_policy.cli import main
from dpm_policy.commands import COMMANDS

REPO = Path(__file__).resolve().parents[2]


def test_registered_with_exit_codes_in_help(capfd: pytest.CaptureFixture[str]) -> None:
    assert "publish" in COMMANDS
    with pytest.raises(SystemExit):
        main(["publish", "--help"])
    text = capfd.readouterr().out
    for line in ("0  plan shown", "1  drift found", "2  usage, file, git, DSN or database error"):
        assert line in text


def test_modes_are_exclusive(capfd: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["publish", "--env", "x", "--apply", "--check"])
    assert caught.value.code == 2
    assert "not allowed with argument" in capfd.readouterr().err


def test_without_the_driver_the_error_says_how_to_install_it(tmp_path: Path) -> None:
    folder = tmp_path / "dist" / "prod"
    folder.mkdir(parents=True)
    catalog = json.dumps({"a": {"version": "1"}})
    (folder / "env.json").write_text(json.dumps({"DPM_POLICY_PACK_CATALOG_JSON": catalog}))
    script = (
        "import sys; sys.modules['psycopg'] = None\n"
        "from dpm_policy.cli import main\n"
        "raise SystemExit(main(sys.argv[1:]))\n"
    )
    argv = ["publish", "--env", "prod", "--root", str(tmp_path)]
    argv += ["--dsn", "postgresql://u:hidden-pw@127.0.0.1:1/x"]
    process = subprocess.run(
        [sys.executable, "-c", script, *argv],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO / "tools")},
        check=False,
        timeout=60,
    )
    assert process.returncode == 2
    assert "pip install 'dpm-policy[postgres]'" in process.stderr
    assert "hidden-pw" not in process.stderr + process.stdout

"""`make setup` (what `make compile` runs first) gives an author the tool and only what it needs
to run, quietly: no test or lint tools, no warning banners from the build."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from git_repos import REPO_ROOT

# The files an install reads: the two distributions and the Makefile.
_INSTALL_INPUTS = ("Makefile", "pyproject.toml", "README.md", "tools", "runtime")
DEVELOPMENT_ONLY = ("pytest", "mypy", "fastapi", "hypothesis", "ruff", "pre-commit", "httpx")


def _copy_checkout(dest: Path) -> Path:
    dest.mkdir()
    for name in _INSTALL_INPUTS:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, dest / name)
    return dest


@pytest.mark.slow
def test_make_setup_installs_the_tool_and_its_runtime_dependencies_only(tmp_path: Path) -> None:
    checkout = _copy_checkout(tmp_path / "checkout")
    env = dict(os.environ)
    env.pop("VIRTUAL_ENV", None)
    result = subprocess.run(
        ["make", "setup", f"PYTHON={sys.base_prefix}/bin/python3"],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    for banner in ("!!", "Deprecat", "deprecat", "be careful", "Warning", "WARNING: Running"):
        noisy = [line for line in output.splitlines() if banner in line and "pypi" not in line]
        assert not noisy, output
    listed = subprocess.run(
        [str(checkout / ".venv" / "bin" / "python"), "-m", "pip", "list", "--format=freeze"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.lower()
    installed = {line.split("==")[0].replace("_", "-") for line in listed.splitlines()}
    runs = {"dpm-policy", "dpm-policy-runtime", "pydantic", "pyyaml", "ruamel.yaml", "psycopg"}
    assert runs <= installed
    assert not installed & set(DEVELOPMENT_ONLY), sorted(installed & set(DEVELOPMENT_ONLY))
    ran = subprocess.run(
        [str(checkout / ".venv" / "bin" / "dpm-policy"), "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr

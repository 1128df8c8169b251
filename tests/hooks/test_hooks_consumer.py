"""The published hooks (.pre-commit-hooks.yaml) in another policy repository: one made by
``dpm-policy init`` that names this tool at a local revision, driven by the real pre-commit,
which installs the tool and its runtime into the hooks' environment from that revision."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from git_repos import REPO_ROOT, commit_all, git, git_env, init_repo

# What pre-commit's clone of the tool must hold to install it and read its hooks.
_TOOL_FILES = ("tools", "runtime", "pyproject.toml", "README.md", ".pre-commit-hooks.yaml")

BAD_PACK = """\
# yaml-language-server: $schema=../schema/policy-pack.schema.json
policy_pack_id: dpm_income_v1
version: "1"
description: Income mandates.
owners: ["@acme/risk"]

turnover_policy:
  max_turnover_pct: 15   # meant 15 %
"""

GOOD_PACK = BAD_PACK.replace("max_turnover_pct: 15   # meant 15 %", "max_turnover_pct: 0.15")


def _tool_repository(path: Path) -> tuple[Path, str]:
    """A git repository of this tool as the working tree holds it; returns it and its commit."""
    path.mkdir()
    for name in _TOOL_FILES:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(
                source, path / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
            )
        else:
            shutil.copy(source, path / name)
    init_repo(path)
    return path, commit_all(path, "dpm-policy")


def _env(tmp_path: Path) -> dict[str, str]:
    env = git_env(tmp_path)
    env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")
    return env


def _commit(repo: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    git(repo, "add", "--all")
    return subprocess.run(
        ["git", "commit", "-m", "change"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def _commits(repo: Path) -> int:
    return int(git(repo, "rev-list", "--count", "HEAD", check=False).stdout.strip() or 0)


@pytest.mark.slow
@pytest.mark.git
def test_published_hooks_in_a_repository_made_by_init(tmp_path: Path) -> None:
    tool, revision = _tool_repository(tmp_path / "dpm-policy")
    (tmp_path / "consumer").mkdir()
    consumer = init_repo(tmp_path / "consumer")
    env = _env(tmp_path)
    options = ["--owner", "@acme/policy", "--tool-repo", str(tool), "--tool-rev", revision]
    made = subprocess.run(
        [sys.executable, "-m", "dpm_policy", "init", "--root", str(consumer), *options],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    installed = subprocess.run(
        [sys.executable, "-m", "pre_commit", "install"],
        cwd=consumer,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr

    # What init made passes every hook: no generated file is missing or stale.
    first = _commit(consumer, env)
    output = first.stdout + first.stderr
    assert first.returncode == 0, output
    for word in ("missing", "stale", "Traceback", "Failed"):
        assert word not in output, output
    assert _commits(consumer) == 1

    pack = consumer / "packs" / "dpm_income_v1.yaml"
    pack.write_text(BAD_PACK, encoding="utf-8")
    blocked = _commit(consumer, env)
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode != 0, output
    assert "packs/dpm_income_v1.yaml:8:21: error[range]: " in output
    assert "Traceback" not in output
    assert _commits(consumer) == 1

    # The good pack: the codeowners hook adds its line and stops once, to be staged.
    pack.write_text(GOOD_PACK, encoding="utf-8")
    stopped = _commit(consumer, env)
    output = stopped.stdout + stopped.stderr
    assert stopped.returncode != 0, output
    assert "files were modified by this hook" in output
    assert "/packs/dpm_income_v1.yaml @acme/risk" in (consumer / ".github/CODEOWNERS").read_text()
    passed = _commit(consumer, env)
    output = passed.stdout + passed.stderr
    assert passed.returncode == 0, output
    for word in ("missing", "stale", "Traceback"):
        assert word not in output, output
    assert _commits(consumer) == 2

"""The real pre-commit, on a temporary git repository, blocks a bad pack and lets a good one in."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from git_repos import REPO_ROOT, commit_all, copy_content, git, git_env, init_repo

BAD_PACK = """\
# yaml-language-server: $schema=../schema/policy-pack.schema.json
policy_pack_id: dpm_income_v1
version: "1"
description: Income mandates.
owners: ["@bank/dpm-risk"]

turnover_policy:
  max_turnover_pct: 15   # meant 15 %
"""

GOOD_PACK = BAD_PACK.replace("max_turnover_pct: 15   # meant 15 %", "max_turnover_pct: 0.15")


def _pre_commit(repo: Path, *args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = git_env(repo.parent)
    env["PRE_COMMIT_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def _commit(repo: Path, message: str) -> subprocess.CompletedProcess[str]:
    env = git_env(repo.parent)
    env["PRE_COMMIT_HOME"] = str(repo.parent / "pre-commit-home")
    return subprocess.run(
        ["git", "commit", "-m", message],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_manifest_and_config_are_valid() -> None:
    for command, name in (
        ("validate-manifest", ".pre-commit-hooks.yaml"),
        ("validate-config", ".pre-commit-config.yaml"),
    ):
        result = subprocess.run(
            [sys.executable, "-m", "pre_commit", command, str(REPO_ROOT / name)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
@pytest.mark.git
def test_pre_commit_blocks_a_bad_pack_and_passes_a_good_one(tmp_path: Path) -> None:
    repo = init_repo(copy_content(tmp_path / "repo", with_tools=True))
    for name in (".pre-commit-config.yaml", ".github/CODEOWNERS"):
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO_ROOT / name, repo / name)
    commit_all(repo, "initial content")
    home = tmp_path / "pre-commit-home"
    installed = _pre_commit(repo, "install", home=home)
    assert installed.returncode == 0, installed.stdout + installed.stderr

    pack = repo / "packs" / "dpm_income_v1.yaml"
    pack.write_text(BAD_PACK, encoding="utf-8")
    git(repo, "add", "--all")
    blocked = _commit(repo, "add the income pack")
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode != 0, output
    assert "packs/dpm_income_v1.yaml:8:21: error" in output
    assert "max_turnover_pct" in output
    assert git(repo, "rev-list", "--count", "HEAD").stdout.strip() == "1"

    pack.write_text(GOOD_PACK, encoding="utf-8")
    # As an author would: regenerate CODEOWNERS for the new file.
    env = git_env(tmp_path)
    env["PYTHONPATH"] = str(repo / "tools")
    subprocess.run(
        [sys.executable, "-m", "dpm_policy", "codeowners"], cwd=repo, env=env, check=True
    )
    git(repo, "add", "--all")
    passed = _commit(repo, "add the income pack")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert git(repo, "rev-list", "--count", "HEAD").stdout.strip() == "2"

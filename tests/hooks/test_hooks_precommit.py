"""This repository's own hooks (.pre-commit-config.yaml), run by the real pre-commit on a copy of
the repository from a shell whose PATH holds no virtual environment, as an IDE or a Git client
starts them."""

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


# What a Git client started from the desktop has: the system's folders, no virtual environment.
BARE_PATH = "/usr/local/bin:/usr/bin:/bin"


def _bare_env(repo: Path) -> dict[str, str]:
    env = git_env(repo.parent)
    env["PATH"] = BARE_PATH
    env["PRE_COMMIT_HOME"] = str(repo.parent / "pre-commit-home")
    for name in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"):
        env.pop(name, None)
    return env


def _commit(repo: Path, message: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "commit", "-m", message],
        cwd=repo,
        env=_bare_env(repo),
        capture_output=True,
        text=True,
        check=False,
    )


def _repository_copy(tmp_path: Path) -> Path:
    """A git repository holding this one's content, tools and hook configuration, with the
    hooks installed by the project's pre-commit."""
    repo = init_repo(copy_content(tmp_path / "repo", with_tools=True))
    for name in (".pre-commit-config.yaml", ".github/CODEOWNERS", "repository.yaml"):
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO_ROOT / name, repo / name)
    commit_all(repo, "initial content")
    env = git_env(tmp_path)
    env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")
    installed = subprocess.run(
        [sys.executable, "-m", "pre_commit", "install"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return repo


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
def test_hooks_block_a_bad_pack_and_pass_a_good_one_with_no_environment_on_path(
    tmp_path: Path,
) -> None:
    repo = _repository_copy(tmp_path)
    # The project's environment, where `make setup` puts it.
    (repo / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)

    pack = repo / "packs" / "dpm_income_v1.yaml"
    pack.write_text(BAD_PACK, encoding="utf-8")
    git(repo, "add", "packs")
    blocked = _commit(repo, "add the income pack")
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode != 0, output
    assert "packs/dpm_income_v1.yaml:8:21: error" in output
    assert "max_turnover_pct" in output
    assert "Traceback" not in output
    assert git(repo, "rev-list", "--count", "HEAD").stdout.strip() == "1"

    pack.write_text(GOOD_PACK, encoding="utf-8")
    git(repo, "add", "packs")
    # The codeowners hook writes the new pack's line and stops the commit, to be staged.
    stopped = _commit(repo, "add the income pack")
    assert stopped.returncode != 0, stopped.stdout + stopped.stderr
    assert "files were modified by this hook" in stopped.stdout + stopped.stderr
    assert "/packs/dpm_income_v1.yaml @bank/dpm-risk" in (repo / ".github/CODEOWNERS").read_text()
    git(repo, "add", ".github")
    passed = _commit(repo, "add the income pack")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Traceback" not in passed.stdout + passed.stderr
    assert git(repo, "rev-list", "--count", "HEAD").stdout.strip() == "2"


@pytest.mark.git
def test_hooks_without_the_environment_say_how_to_create_it(tmp_path: Path) -> None:
    repo = _repository_copy(tmp_path)
    (repo / "packs" / "dpm_income_v1.yaml").write_text(GOOD_PACK, encoding="utf-8")
    git(repo, "add", "packs")
    blocked = _commit(repo, "add the income pack")
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode != 0, output
    assert (
        "dpm-policy: this repository's environment .venv is missing; create it with: make setup"
        in output
    )
    assert "Traceback" not in output
    assert "ModuleNotFoundError" not in output

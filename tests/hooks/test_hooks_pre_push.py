"""Before a push: the published pre-push hook and ``make check-change`` run ``diff --check``
against the upstream branch, so an author sees the broken rules and the approvals a change
will need before opening the pull request."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from git_repos import REPO_ROOT, commit_all, copy_content, edit, git, git_env, init_repo

PACK = "packs/dpm_conservative_v1.yaml"


def _hook_entry(manifest: str, hook_id: str) -> str:
    hooks = yaml.safe_load((REPO_ROOT / manifest).read_text(encoding="utf-8"))
    if isinstance(hooks, dict):
        hooks = [hook for repo in hooks["repos"] for hook in repo["hooks"]]
    (hook,) = [hook for hook in hooks if hook["id"] == hook_id]
    assert hook["stages"] == ["pre-push"]
    entry: str = hook["entry"]
    return entry


def test_the_hooks_and_the_make_target_run_the_same_check() -> None:
    published = _hook_entry(".pre-commit-hooks.yaml", "dpm-policy-check-change")
    local = _hook_entry(".pre-commit-config.yaml", "dpm-policy-check-change")
    makefile = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    (target,) = re.findall(r"^check-change:.*\n\t\$\(BIN\)/(.+)$", makefile, re.MULTILINE)
    assert published == "dpm-policy diff --check --base @{upstream} --head HEAD"
    assert local.endswith(published.removeprefix("dpm-policy"))
    assert target.replace("'", "") == published


def _pre_push(repo: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = git_env(repo.parent)
    env["PRE_COMMIT_HOME"] = str(home)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pre_commit",
            "run",
            "dpm-policy-check-change",
            "--all-files",
            "--hook-stage",
            "pre-push",
        ],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.slow
@pytest.mark.git
def test_pre_push_names_broken_rules_and_the_approvals_needed(tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "--quiet", "--bare", str(remote))
    repo = init_repo(copy_content(tmp_path / "repo", with_tools=True))
    for name in (".pre-commit-config.yaml", "teams.yaml"):
        shutil.copy(REPO_ROOT / name, repo / name)
    # The repository's hooks run .venv's dpm-policy: this interpreter's environment.
    (repo / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    commit_all(repo, "main")
    home = tmp_path / "pre-commit-home"

    alone = _pre_push(repo, home)
    assert alone.returncode != 0
    assert "has no upstream branch to compare with; push it once with git push -u" in (
        alone.stdout + alone.stderr
    )

    git(repo, "remote", "add", "origin", str(remote))
    git(repo, "push", "--quiet", "-u", "origin", "main")
    edit(repo, PACK, "max_turnover_pct: 0.05", "max_turnover_pct: 0.04")
    commit_all(repo, "lower the cap")
    broken = _pre_push(repo, home)
    output = broken.stdout + broken.stderr
    assert broken.returncode != 0, output
    assert "error[version-not-bumped]" in output

    edit(repo, PACK, 'version: "2"', 'version: "3"')
    commit_all(repo, "and its version")
    kept = _pre_push(repo, home)
    output = kept.stdout + kept.stderr
    assert kept.returncode == 0, output
    assert "approvals required (checked on the pull request):" in output
    assert "prod pack-changed-in-place: @bank/dpm-platform" in output
    assert "prod pack-changed-in-place: @bank/dpm-risk" in output

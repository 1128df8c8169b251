"""Helpers for the review tests: copies of the repository's content and real git histories."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
# GitHub's answers for a pull request and its reviews, recorded, with placeholders for commits.
RECORDED_ANSWERS = REPO_ROOT / "tests" / "review" / "github"
# The pack the recorded pull request changes in place.
TIGHTENED_PACK = "packs/dpm_conservative_v1.yaml"
CONTENT = ("packs", "tenants", "environments", "waivers", "policy-tests", "schema")


def copy_content(dest: Path, *, with_tools: bool = False) -> Path:
    """The repository's policy content (and, on request, the tool itself) copied to ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    names = CONTENT + (("tools",) if with_tools else ())
    for name in names:
        shutil.copytree(REPO_ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def git_env(home: Path) -> dict[str, str]:
    """An environment where git reads no user or system configuration."""
    env = dict(os.environ)
    env.update(
        HOME=str(home),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=str(home / ".gitconfig-none"),
        GIT_AUTHOR_NAME="Policy Author",
        GIT_AUTHOR_EMAIL="author@example.invalid",
        GIT_COMMITTER_NAME="Policy Author",
        GIT_COMMITTER_EMAIL="author@example.invalid",
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
    )
    env.pop("GIT_DIR", None)
    env.pop("GIT_INDEX_FILE", None)
    return env


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run git in ``repo`` with a clean configuration."""
    return subprocess.run(
        ["git", *args],
        cwd=repo,
        env=git_env(repo.parent),
        capture_output=True,
        text=True,
        check=check,
    )


def init_repo(repo: Path) -> Path:
    git(repo, "init", "--quiet", "--initial-branch=main")
    return repo


def commit_all(repo: Path, message: str) -> str:
    """Commit every change in ``repo``; returns the new commit's id."""
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--no-verify", "--allow-empty", "-m", message)
    return git(repo, "rev-parse", "HEAD").stdout.strip()


# A small policy repository of our own, so the review tests do not move with the real content.
MINI: dict[str, str] = {
    "packs/core_v1.yaml": """\
policy_pack_id: core_v1
version: "1"
description: The core mandate.
owners: ["@bank/risk"]

turnover_policy:
  max_turnover_pct: 0.10

constraint_policy:
  single_position_max_weight: 0.25
  group_constraints:
    "sector:TECH": {max_weight: 0.30}

workflow_policy:
  workflow_requires_mandate_approval: false
""",
    "packs/careful_v1.yaml": """\
policy_pack_id: careful_v1
version: "1"
description: The core mandate, more carefully.
owners: ["@bank/risk"]
extends: core_v1

turnover_policy:
  max_turnover_pct: 0.05
""",
    "packs/trial_v1.yaml": """\
policy_pack_id: trial_v1
version: "1"
description: A trial in dev.
owners: ["@bank/risk"]

settlement_policy:
  settlement_horizon_days: 3
""",
    "environments/dev.yaml": """\
environment: dev
description: Development.
owners: ["@bank/platform"]
policy_packs_enabled: true
tenant_resolution_enabled: true
idempotency_replay_enabled: true
default_policy_pack: core_v1
packs: [core_v1, careful_v1, trial_v1]
""",
    "environments/prod.yaml": """\
environment: prod
description: Production.
owners: ["@bank/platform"]
promotes_from: dev
policy_packs_enabled: true
tenant_resolution_enabled: true
idempotency_replay_enabled: true
default_policy_pack: core_v1
packs: [core_v1, careful_v1]
""",
    "tenants/t_alpha.yaml": """\
tenant_id: t_alpha
display_name: Alpha
owners: ["@bank/ops"]
default_policy_pack: core_v1
""",
    "tenants/t_beta.yaml": """\
tenant_id: t_beta
display_name: Beta
owners: ["@bank/ops"]
default_policy_pack: careful_v1
""",
    "tenants/t_gamma.yaml": """\
tenant_id: t_gamma
display_name: Gamma
owners: ["@bank/ops"]
default_policy_pack: core_v1
environments:
  dev:
    default_policy_pack: trial_v1
""",
}


def write_files(root: Path, files: dict[str, str | None]) -> None:
    """Write (or, for ``None``, delete) files below ``root``."""
    for name, text in files.items():
        path = root / name
        if text is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def edit(root: Path, name: str, old: str, new: str) -> None:
    """Replace ``old`` (which must occur once) by ``new`` in ``root/name``."""
    path = root / name
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (name, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def mini_repo(path: Path) -> Path:
    """A git repository holding ``MINI`` as its first commit."""
    path.mkdir(parents=True)
    init_repo(path)
    write_files(path, dict(MINI))
    commit_all(path, "the mini policy repository")
    return path


def content_repo(path: Path) -> Path:
    """This repository's packs, tenants and environments, committed in a repository of their own."""
    root = copy_content(path)
    init_repo(root)
    commit_all(root, "the repository's content")
    return root


def tightening_pull_request(repo: Path) -> dict[str, str]:
    """Commit ``repo`` as main, then the recorded pull request on a branch: it lowers
    ``TIGHTENED_PACK``'s turnover cap in place (a version bump, then the cap), pushed twice.
    Returns the commits for the recorded answers' placeholders."""
    base = commit_all(repo, "main")
    git(repo, "checkout", "-q", "-b", "tighten")
    edit(repo, TIGHTENED_PACK, 'version: "2"', 'version: "3"')
    edit(repo, TIGHTENED_PACK, "max_turnover_pct: 0.05", "max_turnover_pct: 0.045")
    earlier = commit_all(repo, "lower the cap")
    edit(repo, TIGHTENED_PACK, "max_turnover_pct: 0.045", "max_turnover_pct: 0.04")
    head = commit_all(repo, "lower it further")
    return {"@BASE@": base, "@EARLIER@": earlier, "@HEAD@": head}


def recorded_answer(name: str, commits: dict[str, str]) -> str:
    """A recorded GitHub answer with its placeholders replaced by ``commits``."""
    text = (RECORDED_ANSWERS / name).read_text(encoding="utf-8")
    for placeholder, sha in commits.items():
        text = text.replace(placeholder, sha)
    return text

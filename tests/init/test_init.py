"""``dpm-policy init``: every file a new policy repository needs, each passing its own check,
and nothing of an existing repository overwritten."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import yaml

from conftest import CliRun
from git_repos import MINI, write_files

Cli = Callable[[Sequence[str]], CliRun]

OPTIONS = ("--owner", "@acme/policy", "--tool-repo", "https://git.example.invalid/dpm-policy")
REV = ("--tool-rev", "v0.1.0")

CREATED = [
    "packs/.gitkeep",
    "tenants/.gitkeep",
    "environments/.gitkeep",
    "waivers/.gitkeep",
    "policy-tests/.gitkeep",
    "repository.yaml",
    ".pre-commit-config.yaml",
    ".github/workflows/policy-checks.yml",
    "schema/policy-pack.schema.json",
    "schema/tenant.schema.json",
    "schema/environment.schema.json",
    "schema/waiver.schema.json",
    "schema/policy-test.schema.json",
    "schema/repository.schema.json",
    ".github/CODEOWNERS",
]


def test_init_creates_a_repository_whose_checks_all_pass(run_cli: Cli, tmp_path: Path) -> None:
    root = tmp_path / "policies"
    result = run_cli(["init", "--root", str(root), *OPTIONS, *REV])
    assert result.code == 0, result.err
    assert result.err.splitlines()[:-1] == [f"created {name}" for name in CREATED]
    assert sorted(
        str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()
    ) == sorted(CREATED)
    assert (
        (root / "repository.yaml")
        .read_text(encoding="utf-8")
        .endswith('owners: ["@acme/policy"]\n')
    )
    for command in (["validate"], ["schema", "--check"], ["codeowners", "--check"]):
        checked = run_cli([*command, "--root", str(root)])
        assert checked.code == 0, (command, checked.err)
    assert "/tools/ @acme/policy" in (root / ".github" / "CODEOWNERS").read_text()


def test_the_hook_configuration_names_the_tool_and_every_published_hook(
    run_cli: Cli, tmp_path: Path, repo_root: Path
) -> None:
    assert run_cli(["init", "--root", str(tmp_path), *OPTIONS, *REV]).code == 0
    config = tmp_path / ".pre-commit-config.yaml"
    document = yaml.safe_load(config.read_text(encoding="utf-8"))
    published = yaml.safe_load((repo_root / ".pre-commit-hooks.yaml").read_text())
    assert document["repos"] == [
        {
            "repo": "https://git.example.invalid/dpm-policy",
            "rev": "v0.1.0",
            "hooks": [{"id": hook["id"]} for hook in published],
        }
    ]
    valid = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-config", str(config)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert valid.returncode == 0, valid.stdout + valid.stderr


def test_init_keeps_what_exists_and_completes_the_rest(run_cli: Cli, tmp_path: Path) -> None:
    write_files(tmp_path, {**MINI, "repository.yaml": 'owners: ["@bank/platform"]\n'})
    result = run_cli(["init", "--root", str(tmp_path), *OPTIONS, *REV])
    assert result.code == 0, result.err
    assert "kept repository.yaml (it exists)" in result.err.splitlines()
    assert (tmp_path / "repository.yaml").read_text() == 'owners: ["@bank/platform"]\n'
    assert "/packs/core_v1.yaml @bank/risk" in (tmp_path / ".github" / "CODEOWNERS").read_text()


def test_init_in_a_repository_with_an_invalid_file_writes_nothing(
    run_cli: Cli, tmp_path: Path
) -> None:
    write_files(tmp_path, {**MINI, "packs/core_v1.yaml": "policy_pack_id: core_v1\n"})
    before = sorted(path for path in tmp_path.rglob("*"))
    result = run_cli(["init", "--root", str(tmp_path), *OPTIONS, *REV])
    assert result.code == 1
    assert result.err.startswith("packs/core_v1.yaml:1:1: error[")
    assert result.err.endswith(
        "nothing written: fix the problems above, then run dpm-policy init\n"
    )
    assert sorted(path for path in tmp_path.rglob("*")) == before


def test_a_bad_owner_or_revision_is_a_usage_error(run_cli: Cli, tmp_path: Path) -> None:
    bad_owner = run_cli(["init", "--root", str(tmp_path), "--owner", "acme", *OPTIONS[2:], *REV])
    assert bad_owner.code == 2
    assert bad_owner.err.startswith("dpm-policy: error: --owner: ")
    bad_rev = run_cli(["init", "--root", str(tmp_path), *OPTIONS, "--tool-rev", "a b"])
    assert bad_rev == CliRun(
        2, "", "dpm-policy: error: --tool-rev 'a b': give a tag or commit id of dpm-policy\n"
    )
    assert not any(tmp_path.iterdir())

"""``dpm-policy new pack|tenant``: a file to start from, canonical as fmt writes it, that
validates, with its schema modeline first."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from conftest import CliRun
from git_repos import MINI, write_files

Cli = Callable[[Sequence[str]], CliRun]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    write_files(tmp_path, {**MINI, "repository.yaml": 'owners: ["@bank/platform"]\n'})
    return tmp_path


def _canonical_and_valid(run_cli: Cli, repo: Path, name: str) -> None:
    assert run_cli(["fmt", "--check", "--root", str(repo), str(repo / name)]).code == 0
    validated = run_cli(["validate", "--root", str(repo)])
    assert validated.code == 0, validated.err
    assert not [line for line in validated.err.splitlines() if line.startswith(name)]


def test_new_pack_extending_another_inherits_its_owners(run_cli: Cli, repo: Path) -> None:
    result = run_cli(["new", "pack", "income_v1", "--extends", "core_v1", "--root", str(repo)])
    assert result.code == 0, result.err
    assert result.err == (
        "wrote packs/income_v1.yaml; list it under packs: in an environment to ship it there; "
        "then run dpm-policy codeowners\n"
    )
    assert (repo / "packs" / "income_v1.yaml").read_text(encoding="utf-8") == (
        "# yaml-language-server: $schema=../schema/policy-pack.schema.json\n"
        "policy_pack_id: income_v1\n"
        'version: "1"\n'
        "description: Say which mandates income_v1 is for, for reviewers.\n"
        'owners: ["@bank/risk"]\n'
        "extends: core_v1\n"
    )
    _canonical_and_valid(run_cli, repo, "packs/income_v1.yaml")


def test_new_pack_alone_takes_the_given_owners_and_description(run_cli: Cli, repo: Path) -> None:
    result = run_cli(
        [
            "new", "pack", "solo_v1", "--owner", "@bank/solo", "--owner", "@bank/risk",
            "--description", "Mandates: solo", "--root", str(repo),
        ]
    )  # fmt: skip
    assert result.code == 0, result.err
    assert (repo / "packs" / "solo_v1.yaml").read_text(encoding="utf-8") == (
        "# yaml-language-server: $schema=../schema/policy-pack.schema.json\n"
        "policy_pack_id: solo_v1\n"
        'version: "1"\n'
        'description: "Mandates: solo"\n'
        'owners: ["@bank/solo", "@bank/risk"]\n'
    )
    _canonical_and_valid(run_cli, repo, "packs/solo_v1.yaml")


def test_new_tenant_names_its_pack_and_takes_the_repositorys_owners(
    run_cli: Cli, repo: Path
) -> None:
    result = run_cli(["new", "tenant", "t_delta", "--pack", "careful_v1", "--root", str(repo)])
    assert result.code == 0, result.err
    assert (repo / "tenants" / "t_delta.yaml").read_text(encoding="utf-8") == (
        "# yaml-language-server: $schema=../schema/tenant.schema.json\n"
        "tenant_id: t_delta\n"
        "display_name: t_delta\n"
        'owners: ["@bank/platform"]\n'
        "default_policy_pack: careful_v1\n"
    )
    _canonical_and_valid(run_cli, repo, "tenants/t_delta.yaml")


def test_a_mistyped_pack_names_the_one_meant_and_writes_nothing(run_cli: Cli, repo: Path) -> None:
    result = run_cli(["new", "tenant", "t_delta", "--pack", "carefull_v1", "--root", str(repo)])
    assert result == CliRun(
        2,
        "",
        "dpm-policy: error: --pack 'carefull_v1': no such pack in packs/; "
        "did you mean 'careful_v1'?\n",
    )
    assert not (repo / "tenants" / "t_delta.yaml").exists()


def test_an_existing_file_is_never_overwritten(run_cli: Cli, repo: Path) -> None:
    before = (repo / "packs" / "core_v1.yaml").read_text(encoding="utf-8")
    result = run_cli(["new", "pack", "core_v1", "--root", str(repo)])
    assert result == CliRun(
        2,
        "",
        "dpm-policy: error: packs/core_v1.yaml exists already; edit it, or choose another id\n",
    )
    assert (repo / "packs" / "core_v1.yaml").read_text(encoding="utf-8") == before


def test_an_id_the_engine_cannot_match_is_refused_in_the_models_words(
    run_cli: Cli, repo: Path
) -> None:
    result = run_cli(["new", "pack", "bad id", "--root", str(repo)])
    assert result.code == 2
    assert result.err.startswith("dpm-policy: error: policy_pack_id 'bad id' is not a valid id")
    assert sorted(p.name for p in (repo / "packs").iterdir()) == [
        "careful_v1.yaml",
        "core_v1.yaml",
        "trial_v1.yaml",
    ]


def test_without_owners_anywhere_it_asks_for_one(run_cli: Cli, repo: Path) -> None:
    (repo / "repository.yaml").unlink()
    result = run_cli(["new", "pack", "solo_v1", "--root", str(repo)])
    assert result == CliRun(
        2, "", "dpm-policy: error: pass --owner @org/team: who approves changes to the new file\n"
    )


def test_nothing_is_written_while_a_file_is_invalid(run_cli: Cli, repo: Path) -> None:
    write_files(repo, {"packs/trial_v1.yaml": "policy_pack_id: trial_v1\n"})
    result = run_cli(["new", "tenant", "t_delta", "--pack", "core_v1", "--root", str(repo)])
    assert result.code == 1
    assert result.err.startswith(
        "dpm-policy: nothing written while files are invalid; fix these, then run dpm-policy "
        "new again\npacks/trial_v1.yaml:1:1: error["
    )
    assert not (repo / "tenants" / "t_delta.yaml").exists()

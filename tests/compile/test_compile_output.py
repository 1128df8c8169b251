"""Whole or nothing: a failed compile leaves earlier output byte for byte; a good one replaces
it atomically and reproducibly."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from compile_repos import copy_content, environment, pack, snapshot, tenant, write_repository

from dpm_policy.cli import main
from dpm_policy.compile.environment import EnvironmentOutput
from dpm_policy.compile.verify import Verified
from dpm_policy.problems import Position, Problem


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return write_repository(
        tmp_path / "repo",
        packs=[pack("std", turnover_policy={"max_turnover_pct": "0.1"}), pack("alt")],
        tenants=[tenant("t1", "std", environments={"dev": "alt"})],
        environments=[
            environment("dev", ["std", "alt"], default="std"),
            environment("prod", ["std"], replay=False),
        ],
    )


def _compile(root: Path, out: Path, *extra: str) -> int:
    code: int = main(["compile", "--root", str(root), "--out", str(out), *extra])
    return code


def _built(repo: Path, tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    out = tmp_path / "dist"
    assert _compile(repo, out) == 0
    return out, snapshot(out)


def test_two_runs_are_byte_identical(repo: Path, tmp_path: Path) -> None:
    out, first = _built(repo, tmp_path)
    assert _compile(repo, out) == 0
    assert snapshot(out) == first
    other = tmp_path / "elsewhere"
    assert _compile(repo, other) == 0
    assert snapshot(other) == first


def test_layout_and_values(repo: Path, tmp_path: Path) -> None:
    _out, files = _built(repo, tmp_path)
    assert sorted(files) == sorted(
        f"{env}/{name}"
        for env in ("dev", "prod")
        for name in (
            "env.json",
            "dpm-policy.env",
            "configmap.yaml",
            "catalog.json",
            "manifest.json",
        )
    )
    dev = json.loads(files["dev/env.json"])
    assert dev == {
        "format_version": 1,
        "DPM_POLICY_PACKS_ENABLED": "true",
        "DPM_DEFAULT_POLICY_PACK_ID": "std",
        "DPM_POLICY_PACK_CATALOG_JSON": '{"alt":{"version":"1"},"std":{"turnover_policy":'
        '{"max_turnover_pct":"0.1"},"version":"1"}}',
        "DPM_TENANT_POLICY_PACK_RESOLUTION_ENABLED": "true",
        "DPM_TENANT_POLICY_PACK_MAP_JSON": '{"t1":"alt"}',
        "DPM_IDEMPOTENCY_REPLAY_ENABLED": "true",
    }
    prod = json.loads(files["prod/env.json"])
    assert "DPM_DEFAULT_POLICY_PACK_ID" not in prod  # unset: absent, not blank
    assert prod["DPM_IDEMPOTENCY_REPLAY_ENABLED"] == "false"
    assert prod["DPM_TENANT_POLICY_PACK_MAP_JSON"] == '{"t1":"std"}'
    manifest = json.loads(files["dev/manifest.json"])
    assert manifest["packs"] == 2
    assert manifest["tenants"] == 1
    assert manifest["source_commit"] is None
    assert manifest["files"]["env.json"]["bytes"] == len(files["dev/env.json"])
    assert "manifest.json" not in manifest["files"]
    catalog = manifest["variables"]["DPM_POLICY_PACK_CATALOG_JSON"]
    assert catalog["bytes"] == len(dev["DPM_POLICY_PACK_CATALOG_JSON"])
    assert catalog["limit"] == 131_042


def test_validation_failure_writes_nothing(repo: Path, tmp_path: Path) -> None:
    fresh = tmp_path / "fresh"
    (repo / "packs" / "std.yaml").write_text(
        (repo / "packs" / "std.yaml").read_text().replace("0.1", "1.5")
    )
    assert _compile(repo, fresh) == 1
    assert not fresh.exists()


def test_validation_failure_leaves_earlier_output(repo: Path, tmp_path: Path) -> None:
    out, before = _built(repo, tmp_path)
    (repo / "packs" / "std.yaml").write_text(
        (repo / "packs" / "std.yaml").read_text().replace("0.1", "1.5")
    )
    assert _compile(repo, out) == 1
    assert snapshot(out) == before


def test_verify_failure_leaves_earlier_output(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, before = _built(repo, tmp_path)
    (repo / "packs" / "alt.yaml").write_text(
        (repo / "packs" / "alt.yaml").read_text().replace('version: "1"', 'version: "2"')
    )
    calls: list[str] = []

    def failing(build: EnvironmentOutput, *args: object) -> Verified:
        calls.append(build.environment)
        if build.environment == "prod":  # dev verifies fine, prod does not: neither is swapped in
            injected = Problem("environments/prod.yaml", Position(1, 1), "verify", "injected")
            return Verified([injected])
        return Verified([])

    monkeypatch.setattr(EnvironmentOutput, "verify", failing)
    assert _compile(repo, out) == 1
    assert calls == ["dev", "prod"]
    assert snapshot(out) == before  # no temporary folders left either


def test_failed_swap_restores_the_old_folder(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, before = _built(repo, tmp_path)
    (repo / "packs" / "alt.yaml").write_text(
        (repo / "packs" / "alt.yaml").read_text().replace('version: "1"', 'version: "2"')
    )
    real_rename = os.rename

    def flaky(src: object, dst: object) -> None:
        if ".new-" in str(src):
            raise OSError(28, "No space left on device")
        real_rename(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "rename", flaky)
    assert _compile(repo, out, "--env", "dev") == 2
    assert snapshot(out) == before


def test_env_selects_environments(repo: Path, tmp_path: Path) -> None:
    out, before = _built(repo, tmp_path)
    (repo / "environments" / "prod.yaml").write_text(
        (repo / "environments" / "prod.yaml")
        .read_text()
        .replace("idempotency_replay_enabled: false", "idempotency_replay_enabled: true")
    )
    (repo / "environments" / "dev.yaml").write_text(
        (repo / "environments" / "dev.yaml")
        .read_text()
        .replace("idempotency_replay_enabled: true", "idempotency_replay_enabled: false")
    )
    assert _compile(repo, out, "--env", "prod", "--env", "prod") == 0
    after = snapshot(out)
    assert {k: v for k, v in after.items() if k.startswith("dev/")} == {
        k: v for k, v in before.items() if k.startswith("dev/")
    }
    assert after["prod/env.json"] != before["prod/env.json"]


def test_unknown_environment_is_a_usage_error(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _compile(repo, tmp_path / "dist", "--env", "staging") == 2
    err = capsys.readouterr().err
    assert "unknown environment 'staging'" in err
    assert "known: dev, prod" in err
    assert not (tmp_path / "dist").exists()
    assert _compile(repo, tmp_path / "dist", "--env", "prd") == 2
    assert "unknown environment 'prd'; did you mean 'prod'?" in capsys.readouterr().err


def test_bad_source_commit_is_a_usage_error(repo: Path, tmp_path: Path) -> None:
    assert _compile(repo, tmp_path / "dist", "--source-commit", "HEAD") == 2


def test_output_path_that_is_a_file(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    out.mkdir()
    (out / "dev").write_text("not a folder")
    assert _compile(repo, out, "--env", "dev") == 2
    assert (out / "dev").read_text() == "not a folder"
    assert sorted(p.name for p in out.iterdir()) == ["dev"]


def test_github_format(repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "packs" / "std.yaml").write_text(
        (repo / "packs" / "std.yaml").read_text().replace("0.1", "1.5")
    )
    assert _compile(repo, tmp_path / "dist", "--format", "github") == 1
    err = capsys.readouterr().err
    assert err.startswith("::error file=packs/std.yaml,line=")


def _git(cwd: Path, *args: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.invalid",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.invalid",
    )
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=env)


@pytest.mark.git
def test_source_commit_from_a_clean_checkout_only(tmp_path: Path) -> None:
    root = copy_content(tmp_path / "repo")
    (root / ".gitignore").write_text("/dist/\n")
    _git(root, "init", "-q")
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "content")
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert main(["compile", "--root", str(root), "--env", "dev"]) == 0
    configmap = (root / "dist" / "dev" / "configmap.yaml").read_text()
    assert f"dpm-policy/source-commit: {head}" in configmap
    assert (
        json.loads((root / "dist" / "dev" / "manifest.json").read_text())["source_commit"] == head
    )
    # An output folder outside the ignore list does not make the tree dirty either.
    assert main(["compile", "--root", str(root), "--env", "dev", "--out", str(root / "out")]) == 0
    assert json.loads((root / "out" / "dev" / "manifest.json").read_text())["source_commit"] == head
    (root / "packs" / "dpm_growth_v1.yaml").write_text(
        (root / "packs" / "dpm_growth_v1.yaml").read_text() + "# edited\n"
    )
    assert main(["compile", "--root", str(root), "--env", "dev"]) == 0
    assert "source-commit" not in (root / "dist" / "dev" / "configmap.yaml").read_text()
    assert (
        json.loads((root / "dist" / "dev" / "manifest.json").read_text())["source_commit"] is None
    )
    override = "abcdef1"
    assert main(["compile", "--root", str(root), "--env", "dev", "--source-commit", override]) == 0
    assert (
        f"dpm-policy/source-commit: {override}"
        in (root / "dist" / "dev" / "configmap.yaml").read_text()
    )

"""The auditor's matrix (``explain --all``) agrees with ``explain`` for every tenant and
environment of the repository, and with the runtime resolver."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from dpm_policy.cli import main
from dpm_policy.explain import explain_with_runtime
from dpm_policy.repository import Repository
from dpm_policy_runtime import PolicyRuntime
from dpm_policy_runtime.fields import FIELDS, FIELDS_BY_PATH
from git_repos import REPO_ROOT


def _matrix(out: Path, env: str, fmt: str, capsys: pytest.CaptureFixture[str]) -> str:
    argv = ["explain", "--root", str(REPO_ROOT), "--env", env, "--all", "--dist", str(out)]
    assert main([*argv, "--format", fmt]) == 0
    return capsys.readouterr().out


def test_matrix_agrees_with_explain_and_the_resolver(
    compiled: tuple[Repository, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    repository, out = compiled
    for env in sorted(repository.environment_index()):
        runtime = PolicyRuntime.from_file(out / env / "env.json")
        rows = list(csv.DictReader(io.StringIO(_matrix(out, env, "csv", capsys))))
        data = json.loads(_matrix(out, env, "json", capsys))
        tenants: list[str | None] = [None, *sorted(runtime.tenant_map)]
        assert [row["tenant_id"] or None for row in rows] == tenants
        assert [a["request"]["tenant_id"] for a in data["audiences"]] == tenants
        # Every tenant of the repository is served in this environment, so all are rows.
        assert set(runtime.tenant_map) == set(repository.tenant_index())
        for row, entry, tenant in zip(rows, data["audiences"], tenants, strict=True):
            answer = explain_with_runtime(
                runtime=runtime, repository=repository, environment=env, tenant_id=tenant
            )
            resolution = runtime.resolve(tenant_id=tenant)
            assert answer.resolution == resolution
            assert (
                row["audience"] == entry["audience"] == ("unmapped" if tenant is None else "tenant")
            )
            assert row["source"] == entry["source"] == resolution.source
            assert (row["policy_pack_id"] or None) == resolution.selected_policy_pack_id
            assert entry["selected_policy_pack_id"] == resolution.selected_policy_pack_id
            assert row["decided_at"] == (answer.decided_at or "")
            assert entry["decided_at"] == answer.decided_at
            origins = {origin.path: origin for origin in answer.options}
            assert [o["path"] for o in entry["options"]] == list(origins)
            updates = runtime.option_updates(resolution)
            for spec in FIELDS:
                origin = origins.get(spec.path)
                if origin is None:
                    assert row[spec.path] == row[f"{spec.path} at"] == ""
                    assert spec.option not in updates
                    continue
                assert row[spec.path] == origin.value
                assert row[f"{spec.path} at"] == f"{origin.file}:{origin.line}"
                if FIELDS_BY_PATH[spec.path].option is not None:
                    assert spec.option in updates


def test_matrix_needs_a_matrix_format(
    compiled: tuple[Repository, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    _, out = compiled
    base = ["explain", "--root", str(REPO_ROOT), "--env", "prod", "--dist", str(out)]
    assert main([*base, "--all"]) == 2
    assert "give --format csv or --format json" in capsys.readouterr().err
    assert main([*base, "--all", "--tenant", "x", "--format", "csv"]) == 2
    assert main([*base, "--format", "csv"]) == 2
    assert "add --all" in capsys.readouterr().err

"""Formatting never changes what a repository means: compiled before and after ``fmt``, every
output file is the same, byte for byte."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from messy_files import packs, tenants

from dpm_policy.compile import compile_repository
from dpm_policy.fmt import format_files
from git_repos import REPO_ROOT

BASE = REPO_ROOT / "tests" / "fixtures" / "validate" / "base"
COMMIT = "0" * 40


def _outputs(root: Path, out: Path) -> dict[str, bytes]:
    result = compile_repository(root=root, out=out, source_commit=COMMIT)
    assert result.ok, result.problems
    return {
        path.relative_to(out).as_posix(): path.read_bytes()
        for path in sorted(out.rglob("*"))
        if path.is_file()
    }


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    pack=packs(pack_id="dpm_child_v1", extends="dpm_base_v1", canonical=False),
    tenant=tenants(tenant_id="tenant_a", pack_id="dpm_base_v1", canonical=False),
)
def test_formatting_a_messy_repository_compiles_to_the_same_outputs(pack: str, tenant: str) -> None:
    with tempfile.TemporaryDirectory() as temporary:
        workspace = Path(temporary)
        root = workspace / "repo"
        shutil.copytree(BASE, root)
        (root / "packs" / "dpm_child_v1.yaml").write_text(pack, encoding="utf-8")
        (root / "tenants" / "tenant_a.yaml").write_text(tenant, encoding="utf-8")
        before = _outputs(root, workspace / "before")
        result = format_files(root=root, paths=[], check=False)
        assert result.problems == []
        after = _outputs(root, workspace / "after")
        assert after == before
        assert format_files(root=root, paths=[], check=True).changed == []

"""The repository's own content, compiled once per module, for the explain tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from dpm_policy.compile import compile_repository
from dpm_policy.repository import Repository, load_repository
from git_repos import REPO_ROOT


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Repository, Path]:
    out = tmp_path_factory.mktemp("dist")
    result = compile_repository(root=REPO_ROOT, out=out)
    assert result.ok, result.problems
    repository, _ = load_repository(REPO_ROOT)
    return repository, out

"""Extends chains are flattened once per run: validation's flattening is handed on to compile,
the review and explain instead of being done again."""

from __future__ import annotations

from pathlib import Path

import pytest

from dpm_policy import inheritance
from dpm_policy.compile import compile_repository
from dpm_policy.explain import explain
from git_repos import copy_content


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    counted: list[int] = []
    real = inheritance.flatten

    def counting(packs):  # type: ignore[no-untyped-def]
        counted.append(len(packs))
        return real(packs)

    monkeypatch.setattr(inheritance, "flatten", counting)
    return counted


def test_compile_flattens_once_for_every_environment(calls: list[int], tmp_path: Path) -> None:
    root = copy_content(tmp_path / "repo")
    result = compile_repository(root=root, out=tmp_path / "dist")
    assert result.ok
    assert len(result.written) > 1
    assert len(calls) == 1


def test_explain_loads_and_flattens_once(calls: list[int], tmp_path: Path) -> None:
    root = copy_content(tmp_path / "repo")
    answer = explain(root=root, environment="dev").explanation
    assert answer is not None
    assert answer.environment == "dev"
    assert len(calls) == 1

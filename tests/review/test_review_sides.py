"""The two sides of a review: the head compiled and verified as compile does it, the base built
in memory and read strictly. Both read the same as compiling and reading back the files."""

from __future__ import annotations

from pathlib import Path

import pytest

from dpm_policy.review import diff_report
from dpm_policy.review.compiled import CompiledSide, build_side, compile_side
from dpm_policy.review.sources import ref_side, working_tree
from dpm_policy_runtime import PolicyRuntime
from dpm_policy_runtime.env_files import variables_from_bytes
from git_repos import commit_all, content_repo, edit, mini_repo

pytestmark = pytest.mark.git


def _read(side: CompiledSide) -> dict[str, tuple[object, ...]]:
    """Each environment as the review sees it: the runtime's whole snapshot, sizes and
    deliveries."""
    return {
        name: (
            env.runtime.fingerprint,
            dict(env.runtime.catalog),
            dict(env.runtime.tenant_map),
            env.sizes,
            dict(env.deliveries),
        )
        for name, env in side.environments.items()
    }


@pytest.fixture
def content(tmp_path: Path) -> Path:
    return content_repo(tmp_path / "content")


@pytest.mark.parametrize("which", ["mini", "content"])
def test_the_base_built_in_memory_reads_as_its_compiled_files(
    which: str, tmp_path: Path, content: Path
) -> None:
    root = mini_repo(tmp_path / "mini") if which == "mini" else content
    side = ref_side(root, "HEAD")
    in_memory = build_side(side)
    written = compile_side(side, tmp_path / "dist")
    assert in_memory.compiles
    assert written.compiles
    assert _read(in_memory) == _read(written)
    assert _read(in_memory)  # every environment is there
    # The head's reading is the one its verification made, equal to reading env.json again.
    for name, env in written.environments.items():
        again = PolicyRuntime.from_file(tmp_path / "dist" / name / "env.json")
        assert env.runtime.fingerprint == again.fingerprint


def test_a_base_with_errors_is_named_as_not_compiling(tmp_path: Path) -> None:
    root = mini_repo(tmp_path / "repo")
    edit(root, "packs/trial_v1.yaml", "settlement_horizon_days: 3", "settlement_horizon_days: 30")
    commit_all(root, "a pack out of the engine's bounds")
    edit(root, "packs/trial_v1.yaml", "settlement_horizon_days: 30", "settlement_horizon_days: 3")
    review = diff_report(root=root, base="HEAD")
    [failed] = review.failed
    assert failed.label.startswith("HEAD (")
    assert [(p.file, *p.position) for p in failed.problems] == [("packs/trial_v1.yaml", 7, 28)]


def test_a_base_reading_that_differs_from_its_sources_is_not_compared(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = mini_repo(tmp_path / "repo")

    def misread(data: bytes, source: str, *, strict: bool) -> dict[str, str]:
        # As a compiler bug would: the bytes say another cap than the sources.
        variables = variables_from_bytes(data, source, strict=strict)
        return {
            name: text.replace('"max_turnover_pct":"0.05"', '"max_turnover_pct":"0.5"')
            for name, text in variables.items()
        }

    monkeypatch.setattr("dpm_policy.review.compiled.variables_from_bytes", misread)
    base = build_side(ref_side(root, "HEAD"))
    assert not base.compiles
    assert base.environments == {}
    assert any(
        "max_turnover_pct" in problem.message and "(strict read)" in problem.message
        for problem in base.problems
    )
    # The head does not take this path: it is compiled and verified from its files.
    assert compile_side(working_tree(root), tmp_path / "dist").compiles

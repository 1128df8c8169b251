"""A commit read from git's objects loads exactly as its checkout on disk would, refusals included,
and ``diff`` writes none of the base's source files anywhere."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest

from dpm_policy.load.trees import MAX_FILE_BYTES, GitTree
from dpm_policy.load.yaml_source import YamlLoadError
from dpm_policy.problems import Problem
from dpm_policy.review import compiled, diff_report
from dpm_policy.review.sources import Side
from dpm_policy.validate import validate
from git_repos import MINI, commit_all, edit, git, init_repo, write_files

pytestmark = [pytest.mark.git]


def _commit_mini(top: Path, prefix: str) -> Path:
    """``MINI`` committed at ``top/prefix``; returns the policy root."""
    top.mkdir(parents=True)
    init_repo(top)
    root = top / prefix if prefix else top
    write_files(root, dict(MINI))
    return root


def _problems_on_disk_and_in_git(top: Path, root: Path, prefix: str) -> tuple[list[Problem], ...]:
    """Commit everything, then validate the checkout and the commit; both must load the same
    files."""
    commit = commit_all(top, "the sources")
    on_disk = validate(root=root)
    in_git = validate(root=root, tree=GitTree(top, commit, prefix))
    tenants = [entry.file for entry in on_disk.repository.tenants]
    assert "tenants/t_shared.yaml" in tenants
    assert [entry.file for entry in in_git.repository.tenants] == tenants
    return on_disk.problems, in_git.problems


@pytest.mark.parametrize("prefix", ["", "policy"])
def test_refusals_match_the_disk_reader(tmp_path: Path, prefix: str) -> None:
    top = tmp_path / "repo"
    root = _commit_mini(top, prefix)
    (tmp_path / "outside.yaml").write_text(MINI["tenants/t_alpha.yaml"], encoding="utf-8")
    up = "../" * (3 if prefix else 2)
    (root / "tenants" / "t_outside.yaml").symlink_to(f"{up}outside.yaml")
    (root / "tenants" / "t_absolute.yaml").symlink_to(tmp_path / "outside.yaml")
    (root / "tenants" / "t_nothing.yaml").symlink_to("t_never_written.yaml")
    (root / "tenants" / "t_loop_a.yaml").symlink_to("t_loop_b.yaml")
    (root / "tenants" / "t_loop_b.yaml").symlink_to("t_loop_a.yaml")
    shared = MINI["tenants/t_beta.yaml"].replace("t_beta", "t_shared")
    write_files(root, {"shared/t_shared.yaml": shared})
    (root / "tenants" / "t_shared.yaml").symlink_to("../shared/t_shared.yaml")
    (root / "tenants" / "linked_folder").symlink_to("../shared")
    (root / "tenants" / "t_linked_folder.yaml").symlink_to("../shared")
    write_files(root, {"tenants/t_folder.yaml/t_inside.yaml": MINI["tenants/t_alpha.yaml"]})
    big = "# padding\n" * (MAX_FILE_BYTES // 10 + 1) + MINI["tenants/t_alpha.yaml"]
    write_files(
        root,
        {
            "tenants/t_big.yaml": big,
            "tenants/t_near.yml": MINI["tenants/t_alpha.yaml"],
            "tenants/notes.txt": "not policy\n",
            "tenants/.hidden/t_hidden.yaml": "not: [read\n",
        },
    )
    on_disk, in_git = _problems_on_disk_and_in_git(top, root, prefix)
    codes = {(p.file, p.code) for p in on_disk}
    assert {
        ("tenants/t_outside.yaml", "symlink"),
        ("tenants/t_absolute.yaml", "symlink"),
        ("tenants/t_nothing.yaml", "io"),
        ("tenants/t_loop_a.yaml", "symlink"),
        ("tenants/t_big.yaml", "file-size"),
        ("tenants/t_near.yml", "file-name"),
        ("tenants/notes.txt", "file-name"),
        ("tenants/t_linked_folder.yaml", "symlink"),
        ("tenants/t_folder.yaml", "file-name"),
    } <= codes
    # The link inside the repository is read through; the hidden folder, the link to a
    # folder and a folder named like a file are not read at all.
    assert not any(
        "shared" in p.file or "hidden" in p.file or "linked_folder/" in p.file or "inside" in p.file
        for p in on_disk
        if p.code != "modeline"
    )
    assert in_git == on_disk


def test_a_submodule_is_not_a_file(tmp_path: Path) -> None:
    top = tmp_path / "repo"
    _commit_mini(top, "")
    commit = commit_all(top, "the sources")
    git(top, "update-index", "--add", "--cacheinfo", f"160000,{commit},packs/sub_v1.yaml")
    git(top, "commit", "--quiet", "--no-verify", "-m", "a submodule")
    tree = GitTree(top, git(top, "rev-parse", "HEAD").stdout.strip(), "")
    with pytest.raises(YamlLoadError) as raised:
        tree.read("packs/sub_v1.yaml")
    [problem] = raised.value.problems
    assert (problem.file, problem.code) == ("packs/sub_v1.yaml", "io")
    assert "a submodule" in problem.message


def test_diff_writes_no_source_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    top = tmp_path / "repo"
    _commit_mini(top, "")
    commit_all(top, "the sources")
    edit(top, "packs/trial_v1.yaml", "settlement_horizon_days: 3", "settlement_horizon_days: 2")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    sources = {name.rpartition("/")[2] for name in MINI}
    seen: list[str] = []
    compile_side = compiled.compile_side

    def watched(side: Side, out: Path, **options: Any) -> compiled.CompiledSide:
        seen.extend(path.name for path in scratch.rglob("*") if path.name in sources)
        return compile_side(side, out, **options)

    monkeypatch.setattr("dpm_policy.review.compile_side", watched)
    review = diff_report(root=top, base="HEAD")
    assert [env.environment for env in review.environments] == ["prod", "dev"]
    assert seen == []
    assert list(scratch.iterdir()) == []

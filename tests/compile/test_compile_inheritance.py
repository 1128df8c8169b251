"""Inheritance through compile: each broken chain is reported with its position, and nothing
is written; a redundant override is a warning and the build goes on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from compile_repos import environment, pack, snapshot, write_repository

from dpm_policy.cli import main
from dpm_policy.compile import compile_repository


def _compile_json(
    root: Path, out: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[int, list[dict[str, object]]]:
    code = main(["compile", "--root", str(root), "--out", str(out), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    problems: list[dict[str, object]] = report["problems"]
    return code, problems


def test_cycle(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_repository(
        tmp_path / "repo",
        packs=[pack("a", extends="b"), pack("b", extends="a")],
        environments=[environment("dev", ["a"])],
    )
    code, problems = _compile_json(root, tmp_path / "dist", capsys)
    assert code == 1
    cycles = [p for p in problems if p["code"] == "extends-cycle"]
    assert cycles, problems
    assert cycles[0]["file"] in ("packs/a.yaml", "packs/b.yaml")
    assert cycles[0]["line"] == 7
    assert cycles[0]["column"] == 10  # the value of extends:
    assert "a -> b -> a" in str(cycles[0]["message"]) or "b -> a -> b" in str(cycles[0]["message"])
    assert not (tmp_path / "dist").exists()


def test_missing_base(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_repository(
        tmp_path / "repo",
        packs=[pack("child", extends="no_such_base", turnover_policy={"max_turnover_pct": "0.1"})],
        environments=[environment("dev", ["child"])],
    )
    code, problems = _compile_json(root, tmp_path / "dist", capsys)
    assert code == 1
    missing = [p for p in problems if p["code"] == "dangling-reference"]
    assert [(p["file"], p["line"], p["column"]) for p in missing] == [("packs/child.yaml", 7, 10)]
    assert "no_such_base" in str(missing[0]["message"])
    assert not (tmp_path / "dist").exists()


def test_chain_too_long(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    packs = [pack("p0", turnover_policy={"max_turnover_pct": "0.1"})]
    packs += [pack(f"p{i}", extends=f"p{i - 1}") for i in range(1, 10)]
    root = write_repository(
        tmp_path / "repo", packs=packs, environments=[environment("dev", ["p9"])]
    )
    code, problems = _compile_json(root, tmp_path / "dist", capsys)
    assert code == 1
    depth = [p for p in problems if p["code"] == "extends-depth"]
    assert any("'p9'" in str(p["message"]) and p["line"] == 7 for p in depth), problems
    assert not (tmp_path / "dist").exists()


def test_redundant_override_is_a_warning_and_compiles(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_repository(
        tmp_path / "repo",
        packs=[
            pack("base", turnover_policy={"max_turnover_pct": "0.1"}),
            pack("child", extends="base", turnover_policy={"max_turnover_pct": "0.10"}),
        ],
        environments=[environment("dev", ["child"])],
    )
    code, problems = _compile_json(root, tmp_path / "dist", capsys)
    assert code == 0
    redundant = [p for p in problems if p["code"] == "redundant-override"]
    assert [(p["file"], p["line"], p["severity"]) for p in redundant] == [
        ("packs/child.yaml", 9, "warning")
    ]
    assert (tmp_path / "dist" / "dev" / "env.json").is_file()


def test_flattened_catalog_ships_without_its_base(tmp_path: Path) -> None:
    root = write_repository(
        tmp_path / "repo",
        packs=[
            pack(
                "base",
                version="7",
                turnover_policy={"max_turnover_pct": "0.1"},
                constraint_policy={"group_constraints": {"sector:TECH": {"max_weight": "0.3"}}},
            ),
            pack(
                "middle",
                version="2",
                extends="base",
                constraint_policy={"single_position_max_weight": "0.25"},
            ),
            pack(
                "leaf",
                extends="middle",
                constraint_policy={"group_constraints": {"region:EM": {"max_weight": "0.15"}}},
                workflow_policy={"enable_workflow_gates": False},
            ),
        ],
        environments=[environment("dev", ["leaf"], default="leaf")],
    )
    result = compile_repository(root=root, out=tmp_path / "dist")
    assert result.ok, result.problems
    catalog = json.loads((tmp_path / "dist" / "dev" / "catalog.json").read_text())
    # Groups are one setting, replaced whole; the leaf keeps its own version.
    assert catalog == {
        "leaf": {
            "version": "1",
            "turnover_policy": {"max_turnover_pct": "0.1"},
            "constraint_policy": {
                "single_position_max_weight": "0.25",
                "group_constraints": {"region:EM": {"max_weight": "0.15"}},
            },
            "workflow_policy": {"enable_workflow_gates": False},
        }
    }
    assert set(snapshot(tmp_path / "dist")) == {
        f"dev/{name}"
        for name in (
            "env.json",
            "dpm-policy.env",
            "configmap.yaml",
            "catalog.json",
            "manifest.json",
        )
    }

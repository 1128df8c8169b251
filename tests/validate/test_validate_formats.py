"""The three renderers of problems: text for people, JSON for machines, GitHub annotations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from validate_corpus import case_named

from dpm_policy.formats import FORMATS
from dpm_policy.problems import Position, Problem

PROBLEMS = [
    Problem("packs/a.yaml", Position(7, 23), "range", "must be between 0 and 1 (got 15)"),
    Problem("tenants/t1.yaml", Position(1, 1), "modeline", "first line; run fmt", "warning"),
]

# What the GitHub runner would otherwise read as the end of a property, a line or an escape.
AWKWARD = Problem(
    "packs/odd,name:v1.yaml",
    Position(3, 5),
    "id-format",
    "100% wrong:\r\nsecond line, with a comma",
)


def test_registry_offers_each_format() -> None:
    assert sorted(FORMATS) == ["github", "json", "text"]


def test_text_lines_then_count() -> None:
    assert FORMATS["text"](PROBLEMS) == (
        "packs/a.yaml:7:23: error[range]: must be between 0 and 1 (got 15)\n"
        "tenants/t1.yaml:1:1: warning[modeline]: first line; run fmt\n"
        "1 error(s), 1 warning(s)\n"
    )


def test_text_keeps_one_problem_per_line() -> None:
    assert FORMATS["text"]([AWKWARD]) == (
        "packs/odd,name:v1.yaml:3:5: error[id-format]: 100% wrong:\\r\\nsecond line, "
        "with a comma\n1 error(s), 0 warning(s)\n"
    )


def test_json_document() -> None:
    document = json.loads(FORMATS["json"]([*PROBLEMS, AWKWARD]))
    assert document["errors"] == 2
    assert document["warnings"] == 1
    assert document["problems"][0] == {
        "file": "packs/a.yaml",
        "line": 7,
        "column": 23,
        "severity": "error",
        "code": "range",
        "message": "must be between 0 and 1 (got 15)",
    }
    assert document["problems"][2]["message"] == AWKWARD.message


def test_json_keeps_unicode_readable() -> None:
    problem = Problem("tenants/zürich.yaml", Position(2, 3), "type", "résumé ✓")
    text = FORMATS["json"]([problem])
    assert "zürich" in text
    assert "résumé ✓" in text


def test_github_annotations() -> None:
    assert FORMATS["github"](PROBLEMS) == (
        "::error file=packs/a.yaml,line=7,col=23,title=range::must be between 0 and 1 (got 15)\n"
        "::warning file=tenants/t1.yaml,line=1,col=1,title=modeline::first line; run fmt\n"
    )


def test_github_escapes_properties_and_data() -> None:
    # https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts
    assert FORMATS["github"]([AWKWARD]) == (
        "::error file=packs/odd%2Cname%3Av1.yaml,line=3,col=5,title=id-format::"
        "100%25 wrong:%0D%0Asecond line, with a comma\n"
    )


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_no_problems(name: str) -> None:
    expected = {"text": "", "github": "", "json": None}[name]
    rendered = FORMATS[name]([])
    if expected is None:
        assert json.loads(rendered) == {"errors": 0, "warnings": 0, "problems": []}
    else:
        assert rendered == expected


def test_cli_json_goes_to_stdout(tmp_path: Path, run_cli) -> None:
    case = case_named("env_pack_listed_twice")
    run = run_cli(["validate", "--root", str(case.build(tmp_path)), "--format", "json"])
    assert run.code == 1
    assert run.err == ""
    document = json.loads(run.out)
    lines = [
        f"{p['file']}:{p['line']}:{p['column']}: {p['severity']}[{p['code']}]: {p['message']}"
        for p in document["problems"]
    ]
    assert lines == case.expected_lines()


def test_cli_github_annotations(tmp_path: Path, run_cli) -> None:
    case = case_named("dangling_extends")
    run = run_cli(["validate", "--root", str(case.build(tmp_path)), "--format", "github"])
    assert run.code == 1
    assert run.out == ""
    assert run.err == (
        "::error file=packs/dpm_child_v1.yaml,line=6,col=10,title=dangling-reference::"
        "extends 'dpm_missing_v1', but no pack has that id; add packs/dpm_missing_v1.yaml "
        "or correct the id\n"
    )


def test_cli_json_when_valid(tmp_path: Path, run_cli) -> None:
    run = run_cli(
        ["validate", "--root", str(case_named("base").build(tmp_path)), "--format", "json"]
    )
    assert run.code == 0
    assert json.loads(run.out) == {"errors": 0, "warnings": 0, "problems": []}

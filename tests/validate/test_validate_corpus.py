"""The fixture corpus through the library, the CLI in-process, and once as a real process.

Every invalid case must report exactly the lines of its ``.errors.txt`` (file, line, column,
code and message) and exit 1; every valid case exits 0. See ``validate_corpus`` for the
layout and for ``DPM_POLICY_UPDATE_FIXTURES=1``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from validate_corpus import (
    CASE_KINDS,
    FIXTURES,
    RECIPES,
    UPDATE,
    Case,
    case_named,
    cases,
    problem_lines,
)

from dpm_policy.validate import validate

INVALID = cases("invalid")
VALID = cases("valid")
ALL = INVALID + VALID

# docs/engine-contract.md section 9 (and the loader's own defences) -> the cases that pin them.
CONTRACT_COVERAGE: dict[str, list[str]] = {
    "9.4 unknown keys and sections, pre-2026-05 workflow names": [
        "unknown_section",
        "unknown_field_misspelt",
        "unknown_key_tenant",
        "unknown_key_environment",
        "renamed_client_consent",
        "renamed_consent_obtained",
        "merge_key",
    ],
    "9.5 max_turnover_pct bounds, attr:value group keys": [
        "turnover_percent_not_fraction",
        "turnover_negative",
        "group_key_without_colon",
        "group_key_two_colons",
        "group_key_padded",
        "group_max_weight_missing",
        "group_max_weight_above_one",
        "group_constraints_empty",
    ],
    "9.6 types: decimals, NaN/inf/exponent, real bools and ints, YAML 1.1 words": [
        "decimal_exponent",
        "decimal_exponent_quoted",
        "decimal_nan",
        "decimal_nan_quoted",
        "decimal_infinity",
        "decimal_leading_zeros_quoted",
        "bool_yaml11_yes",
        "bool_yaml11_on",
        "bool_as_number",
        "bool_quoted",
        "int_quoted",
        "int_with_fraction",
        "int_as_bool",
        "int_octal",
        "decimals_as_text",
        "yaml11_words_stay_text",
    ],
    "9.7 version: non-empty string, YAML 1.0 and null": [
        "version_unquoted_decimal",
        "version_null",
        "version_empty",
        "quoted_version_text",
    ],
    "9.8 id hygiene: whitespace, charset, collisions": [
        "id_surrounding_whitespace",
        "id_trailing_line_break",
        "id_bad_characters",
        "id_collision",
        "id_near_duplicate_pack",
        "env_pack_listed_twice",
    ],
    "9.9 dangling references: tenants, env defaults, env pack lists, extends": [
        "dangling_tenant_default",
        "dangling_tenant_override_pack",
        "dangling_tenant_environment",
        "tenant_default_not_shipped",
        "tenant_override_not_shipped",
        "dangling_env_default",
        "env_default_not_shipped",
        "dangling_env_pack",
        "dangling_extends",
    ],
    "9.10 tenant case near-duplicates": [
        "tenant_case_near_duplicate",
        "tenant_punctuation_near_duplicate",
    ],
    "loader hostility": [
        "yaml_bad_indentation",
        "yaml_unclosed_bracket",
        "yaml_tab_indentation",
        "duplicate_key",
        "custom_tag",
        "standard_tag",
        "billion_laughs",
        "multi_document",
        "bytes_not_utf8",
        "control_character",
        "c1_control_character",
        "oversized_file",
        "symlink_outside_repository",
        "symlink_dangling",
        "symlink_loop",
        "named_pipe",
        "deep_nesting",
        "empty_file",
        "comment_only_file",
        "root_is_list",
        "root_is_scalar",
        "unknown_alias",
        "alias_as_key",
        "complex_key",
        "wrong_file_extension",
        "key_with_line_break",
        "line_break_in_file_name",
    ],
    "syntax errors at the mistake, in the author's words": [
        "yaml_unclosed_double_quote",
        "yaml_unclosed_single_quote",
        "yaml_apostrophe_in_single_quotes",
        "yaml_unclosed_bracket",
        "yaml_unclosed_brace",
        "yaml_missing_colon",
        "missing_colon_only_key",
        "yaml_colon_in_value",
        "yaml_value_starts_with_at",
        "yaml_bad_indentation",
        "yaml_indented_less",
    ],
    "one mistake, one error, with the fix": [
        "key_outdented_under_section",
        "key_outdented_nested",
        "turnover_percent_sign",
        "version_unquoted_integer",
        "dangling_env_pack_typo",
        "dangling_env_default_typo",
        "dangling_tenant_default_typo",
        "dangling_tenant_environment_typo",
        "dangling_extends_typo",
        "promotes_from_typo",
    ],
    "files that are not what their names say": [
        "symlink_to_folder_outside",
        "symlink_to_folder_inside",
        "folder_named_like_pack",
    ],
    "every mistake of a file reported in one run": [
        "several_mistakes_in_one_file",
    ],
    "repository structure": [
        "file_name_not_id",
        "promotion_skips_source",
        "promotes_from_unknown",
        "promotion_cycle",
        "extends_cycle",
        "extends_itself",
    ],
}


def _ids(case: Case) -> str:
    return case.name


def _check_expected(case: Case, lines: list[str]) -> None:
    if UPDATE:
        case.record(lines)
        return
    if case.kind == "invalid":
        assert case.expected_file.exists(), (
            f"{case.expected_file} is missing; run with DPM_POLICY_UPDATE_FIXTURES=1 and "
            "review what it writes"
        )
    assert lines == case.expected_lines()


def test_corpus_is_complete() -> None:
    """At least 40 bad inputs; each has its expected lines and each expected file its case."""
    assert len(INVALID) >= 40
    names = {case.name for case in ALL}
    assert len(names) == len(ALL), "a case name is used twice"
    for kind in CASE_KINDS:
        for expected in (FIXTURES / kind).glob("*.errors.txt"):
            stem = expected.name.removesuffix(".errors.txt")
            assert any(c.name == stem and c.kind == kind for c in ALL), f"{expected}: no case"
        for name in RECIPES[kind]:
            assert not (FIXTURES / kind / name).exists(), f"{name}: both a folder and a recipe"
    for case in INVALID:
        assert case.recipe is not None or case.overlay(), f"{case.name}: an empty case"
        if not UPDATE:
            assert case.expected_lines(), f"{case.name}: expects no problem"


@pytest.mark.parametrize("item", sorted(CONTRACT_COVERAGE))
def test_contract_item_is_covered(item: str) -> None:
    for name in CONTRACT_COVERAGE[item]:
        case_named(name)  # raises KeyError for a case that does not exist


@pytest.mark.parametrize("case", ALL, ids=_ids)
def test_library(case: Case, tmp_path: Path) -> None:
    root = case.build(tmp_path)
    result = validate(root=root)
    lines = problem_lines(result.problems)
    for problem in result.problems:
        assert "\n" not in problem.message
        assert "\r" not in problem.message
        assert problem.line >= 1
        assert problem.col >= 1
        assert problem.file
        assert not problem.file.startswith("/")
    _check_expected(case, lines)
    assert result.ok is (case.kind == "valid")


@pytest.mark.parametrize("case", ALL, ids=_ids)
def test_cli(case: Case, tmp_path: Path, run_cli) -> None:
    root = case.build(tmp_path)
    run = run_cli(["validate", "--root", str(root)])
    expected = case.expected_lines()
    errors = sum(1 for line in expected if ": error[" in line)
    tail = []
    if expected:
        tail.append(f"{errors} error(s), {len(expected) - errors} warning(s)")
    verdict = "invalid" if case.kind == "invalid" else "valid"
    assert run.out == ""
    lines = run.err.splitlines()
    assert lines[: len(expected)] == expected
    assert lines[len(expected) : -1] == tail
    assert lines[-1].startswith(f"{verdict}: ")
    assert run.code == (1 if case.kind == "invalid" else 0)


def _subprocess(root: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    tools = Path(__file__).resolve().parents[2] / "tools"
    env = {**os.environ, "PYTHONPATH": str(tools)}
    return subprocess.run(
        [sys.executable, "-m", "dpm_policy", "validate", "--root", str(root), *extra],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_real_process_reports_an_invalid_case(tmp_path: Path) -> None:
    case = case_named("promotion_skips_source")
    done = _subprocess(case.build(tmp_path))
    assert done.returncode == 1
    assert done.stdout == ""
    expected = case.expected_lines()
    assert done.stderr.splitlines()[: len(expected)] == expected
    assert done.stderr.splitlines()[-1] == (
        "invalid: 0 of 2 pack(s), 0 of 1 tenant(s), 1 of 2 environment(s)"
    )


def test_the_summary_counts_the_files_with_errors(tmp_path: Path, run_cli) -> None:
    """Each kind's count is of files with an error, out of every file of that kind read."""
    root = case_named("base").build(tmp_path)
    (root / "packs" / "dpm_base_v1.yaml").write_text("policy_pack_id: [\n", encoding="utf-8")
    (root / "packs" / "dpm_extra_v1.yml").write_text("policy_pack_id: x\n", encoding="utf-8")
    run = run_cli(["validate", "--root", str(root)])
    assert run.code == 1
    # dpm_child_v1 extends the broken base: it is reported once, at the base.
    assert run.err.splitlines()[-1] == (
        "invalid: 2 of 3 pack(s), 0 of 1 tenant(s), 0 of 2 environment(s)"
    )


def test_real_process_accepts_a_valid_case(tmp_path: Path) -> None:
    done = _subprocess(case_named("base").build(tmp_path))
    assert (done.returncode, done.stdout) == (0, "")
    assert done.stderr == "valid: 2 pack(s), 1 tenant(s), 2 environment(s)\n"

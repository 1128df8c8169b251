"""The JSON Schemas in schema/ and the pydantic models give every file of the corpus one verdict.

Editors check files with the schemas while authors type; ``validate`` checks them with the
models. Each ``.yaml`` file of each fixture repository is loaded as ``validate`` loads it and
judged by both: they must agree file by file. Two groups of invalid cases are named below
because no per-file schema can see them: the loader refuses the file before any model or
schema runs, or each file is valid on its own and a cross-file rule rejects the repository.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import regress
from pydantic import BaseModel, ValidationError
from validate_corpus import Case, cases

from dpm_policy.load.source_files import load_document
from dpm_policy.load.yaml_source import YamlLoadError
from dpm_policy.repository import KINDS

REPO_ROOT = Path(__file__).resolve().parents[2]

# The loader refuses the broken file itself: YAML syntax, encoding, links, size, tags, aliases,
# nesting, and numbers the loader will not read (exponents, NaN, infinity, octal).
REJECTED_BY_LOADER = frozenset(
    {
        "alias_as_key",
        "billion_laughs",
        "bytes_not_utf8",
        "c1_control_character",
        "comment_only_file",
        "complex_key",
        "control_character",
        "custom_tag",
        "decimal_exponent",
        "decimal_infinity",
        "decimal_nan",
        "deep_nesting",
        "duplicate_key",
        "empty_file",
        "folder_named_like_pack",
        "int_octal",
        "multi_document",
        "named_pipe",
        "oversized_file",
        "standard_tag",
        "symlink_dangling",
        "symlink_loop",
        "symlink_outside_repository",
        "symlink_to_folder_inside",
        "symlink_to_folder_outside",
        "unknown_alias",
        "yaml_apostrophe_in_single_quotes",
        "yaml_bad_indentation",
        "yaml_colon_in_value",
        "yaml_indented_less",
        "yaml_missing_colon",
        "yaml_tab_indentation",
        "yaml_unclosed_brace",
        "yaml_unclosed_bracket",
        "yaml_unclosed_double_quote",
        "yaml_unclosed_single_quote",
        "yaml_value_starts_with_at",
    }
)

# Every file is valid on its own; a rule across files (or over file names) rejects the case.
REJECTED_BY_CROSS_FILE_RULES = frozenset(
    {
        "dangling_env_default",
        "dangling_env_default_typo",
        "dangling_env_pack",
        "dangling_env_pack_typo",
        "dangling_extends",
        "dangling_extends_typo",
        "dangling_tenant_default",
        "dangling_tenant_default_typo",
        "dangling_tenant_environment",
        "dangling_tenant_environment_typo",
        "dangling_tenant_override_pack",
        "env_default_not_shipped",
        "env_pack_listed_twice",
        "extends_cycle",
        "extends_itself",
        "file_name_not_id",
        "guardrail_equals",
        "guardrail_forbidden_pack",
        "guardrail_group_max",
        "guardrail_inherited",
        "guardrail_max",
        "guardrail_min",
        "guardrail_required",
        "guardrail_switch",
        "guardrail_type_mismatch",
        "id_collision",
        "id_near_duplicate_pack",
        "line_break_in_file_name",
        "policy_test_unknown_environment",
        "policy_test_unknown_tenant",
        "promotes_from_typo",
        "promotes_from_unknown",
        "promotion_cycle",
        "promotion_skips_source",
        "tenant_case_near_duplicate",
        "tenant_default_not_shipped",
        "tenant_override_not_shipped",
        "tenant_punctuation_near_duplicate",
        "waiver_expired",
        "waiver_matches_nothing",
        "wrong_file_extension",
    }
)


def _ecma_pattern(
    validator: Any, pattern: str, instance: object, schema: dict[str, Any]
) -> Iterator[jsonschema.ValidationError]:
    # JSON Schema patterns are ECMA-262 regular expressions, as editors run them. Python's `re`
    # differs where it matters here: its '$' also matches before a final line break.
    if validator.is_type(instance, "string") and regress.Regex(pattern).find(instance) is None:
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


_Validator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator, {"pattern": _ecma_pattern}
)


def _validators() -> dict[str, Any]:
    found = {}
    for kind in KINDS.values():
        schema = json.loads((REPO_ROOT / "schema" / kind.schema_file).read_text("utf-8"))
        jsonschema.Draft202012Validator.check_schema(schema)
        found[kind.folder] = _Validator(schema)
    return found


VALIDATORS = _validators()
FOLDER_MODELS: dict[str, type[BaseModel]] = {kind.folder: kind.model for kind in KINDS.values()}


def _model_accepts(model: type[BaseModel], data: object) -> bool:
    try:
        model.model_validate(data)
    except ValidationError:
        return False
    return True


def _verdicts(root: Path) -> tuple[dict[str, bool], set[str]]:
    """Each loadable file's verdict (after checking the two agree), and the unloadable files."""
    verdicts: dict[str, bool] = {}
    unloadable: set[str] = set()
    for folder, model in FOLDER_MODELS.items():
        for path in sorted((root / folder).rglob("*.yaml")):
            name = path.relative_to(root).as_posix()
            try:
                document = load_document(root, path)
            except YamlLoadError:
                unloadable.add(name)
                continue
            by_model = _model_accepts(model, document.data)
            by_schema = VALIDATORS[folder].is_valid(document.data)
            assert by_model == by_schema, (
                f"{name}: the model {'accepts' if by_model else 'rejects'} it, the schema "
                f"{'accepts' if by_schema else 'rejects'} it"
            )
            verdicts[name] = by_model
    return verdicts, unloadable


def test_named_groups_are_invalid_cases() -> None:
    invalid = {case.name for case in cases("invalid")}
    assert invalid >= REJECTED_BY_LOADER
    assert invalid >= REJECTED_BY_CROSS_FILE_RULES
    assert not REJECTED_BY_LOADER & REJECTED_BY_CROSS_FILE_RULES


@pytest.mark.parametrize("case", cases("valid"), ids=lambda case: case.name)
def test_valid_case(case: Case, tmp_path: Path) -> None:
    verdicts, unloadable = _verdicts(case.build(tmp_path))
    assert not unloadable
    assert all(verdicts.values())


@pytest.mark.parametrize("case", cases("invalid"), ids=lambda case: case.name)
def test_invalid_case(case: Case, tmp_path: Path) -> None:
    verdicts, unloadable = _verdicts(case.build(tmp_path))
    if case.name in REJECTED_BY_LOADER:
        assert unloadable, "the loader was expected to refuse a file"
    elif case.name in REJECTED_BY_CROSS_FILE_RULES:
        assert not unloadable
        assert all(verdicts.values()), "each file was expected to be valid on its own"
    else:
        assert not unloadable
        assert not all(verdicts.values()), "the model and the schema both accept every file"

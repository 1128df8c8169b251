"""dpm-policy.env reads back identically in bash, python-dotenv and the runtime's reader."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from compile_readback import bash_source, python_dotenv, runtime_dotenv
from hypothesis import given, settings
from hypothesis import strategies as st

from dpm_policy.compile.dotenv import DotenvUnsafe, dotenv_problem, render_dotenv
from dpm_policy.compile.encode import canonical_json

HOSTILE = [
    "it's",
    "'",
    "''\\''",
    "$HOME",
    "${HOME}",
    "${HOME:-x}",
    "$(touch pwned)",
    "`touch pwned`",
    "back\\slash",
    "\\",
    "\\\\'",
    '"quoted"',
    "tab\there",
    "line\nbreak",
    "cr\rlf",
    "nul\x00",
    "é ü 東京 😀",
    "\u2028\u2029\x85\xa0\x7f",
    "# not a comment",
    "a=b",
    "!event",
    "trailing space ",
]


def _variables(texts: list[str]) -> dict[str, str]:
    return {f"DPM_TEST_{i}": canonical_json({text: [text]}) for i, text in enumerate(texts)}


def _write(folder: Path, variables: dict[str, str]) -> Path:
    path = folder / "dpm-policy.env"
    path.write_text(render_dotenv(variables, ["header"]), encoding="utf-8")
    return path


def test_hostile_content_reads_back_identically_everywhere(tmp_path: Path) -> None:
    variables = _variables(HOSTILE)
    path = _write(tmp_path, variables)
    assert bash_source(tmp_path, variables) == variables
    assert python_dotenv(path) == variables
    assert runtime_dotenv(path) == variables
    for index, text in enumerate(HOSTILE):
        assert json.loads(variables[f"DPM_TEST_{index}"]) == {text: [text]}


@settings(max_examples=25, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=12), min_size=1, max_size=4))
def test_any_text_reads_back_identically(
    tmp_path_factory: pytest.TempPathFactory, texts: list[str]
) -> None:
    folder = tmp_path_factory.mktemp("dotenv")
    variables = _variables(texts)
    path = _write(folder, variables)
    assert python_dotenv(path) == variables
    assert runtime_dotenv(path) == variables
    assert bash_source(folder, variables) == variables


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("it's", "single quote"),
        ("a\\\\b", "backslash"),
        ("ends\\", "backslash"),
        ("${HOME}", "expands"),
        ("a\nb", "line break"),
    ],
)
def test_unsafe_values_are_refused(value: str, reason: str) -> None:
    found = dotenv_problem(value)
    assert found is not None
    assert reason in found
    with pytest.raises(DotenvUnsafe):
        render_dotenv({"NAME": value})


def test_shell_quote_idiom_is_not_read_by_python_dotenv(tmp_path: Path) -> None:
    # Why values are escaped in the JSON instead: bash's '\'' idiom makes python-dotenv skip
    # the line, and it unescapes \\ inside single quotes.
    path = tmp_path / "idiom.env"
    path.write_text("A='it'\\''s'\nB='a\\\\b'\n", encoding="utf-8")
    read = python_dotenv(path)  # logs "could not parse statement starting at line 1"
    assert read.get("A") != "it's"
    assert read["B"] == "a\\b"  # bash reads a\\b

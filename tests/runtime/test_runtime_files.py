"""Reading compiled output: env.json and dpm-policy.env (bash-compatible single quoting)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from dotenv import dotenv_values
from runtime_fixtures import variables

from dpm_policy_runtime import PolicyConfigError, PolicyRuntime
from dpm_policy_runtime.env_files import FORMAT_VERSION, parse_dotenv


def _quote(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"


def _write_dotenv(path: Path, values: dict[str, str]) -> None:
    lines = ["# generated for a test", ""]
    lines += [f"{name}={_quote(value)}" for name, value in values.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_env_json_and_dotenv_give_the_same_snapshot(tmp_path: Path) -> None:
    values = variables()
    (tmp_path / "env.json").write_text(json.dumps(values), encoding="utf-8")
    _write_dotenv(tmp_path / "dpm-policy.env", values)
    from_json = PolicyRuntime.from_file(tmp_path / "env.json")
    from_dotenv = PolicyRuntime.from_file(str(tmp_path / "dpm-policy.env"))
    assert from_json.fingerprint == from_dotenv.fingerprint
    assert from_json.fingerprint == PolicyRuntime.from_mapping(values).fingerprint


TRICKY = {
    "A": "it's",
    "B": "''",
    "C": "x'\\''y",
    "D": '{"k":"v w","q":"\\"\'"}',
    "E": "$HOME `id` \\n",
    "F": "",
    "G": "ünï €",
}


def test_dotenv_quoting_round_trips() -> None:
    text = "\n".join(f"{k}={_quote(v)}" for k, v in TRICKY.items())
    assert parse_dotenv(text, "t.env") == TRICKY


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash not installed")
def test_dotenv_reads_as_bash_reads_it(tmp_path: Path) -> None:
    path = tmp_path / "x.env"
    _write_dotenv(path, TRICKY)
    script = f"set -a; . {path}; " + "; ".join(f'printf "%s\\0" "${name}"' for name in TRICKY)
    out = subprocess.run(
        ["bash", "--noprofile", "--norc", "-c", script], capture_output=True, check=True
    ).stdout.decode()
    assert out.split("\0")[:-1] == list(TRICKY.values())
    assert parse_dotenv(path.read_text(encoding="utf-8"), "x.env") == TRICKY


def test_dotenv_reads_as_python_dotenv_reads_it(tmp_path: Path) -> None:
    path = tmp_path / "x.env"
    values = {k: v for k, v in TRICKY.items() if "'" not in v}  # python-dotenv lacks '\''
    _write_dotenv(path, values)
    assert dotenv_values(path) == values == parse_dotenv(path.read_text(), "x.env")


@pytest.mark.parametrize(
    "line",
    [
        "A=unquoted",
        'A="double"',
        "export A='x'",
        "A = 'x'",
        "A='x' # trailing comment",
        "A='x",
        "A='it's'",
        "1A='x'",
        " A='x'",
        "A='x'\r",
    ],
)
def test_dotenv_rejects_other_forms(line: str) -> None:
    with pytest.raises(PolicyConfigError) as caught:
        parse_dotenv(f"# ok\n\n{line}\n", "dpm-policy.env")
    assert [p.location for p in caught.value.problems] == ["dpm-policy.env:3"]


def test_dotenv_duplicate_and_every_bad_line_reported() -> None:
    with pytest.raises(PolicyConfigError) as caught:
        parse_dotenv("A='1'\nA='2'\nB=x\nC=y\n", "f.env")
    assert [(p.code, p.location) for p in caught.value.problems] == [
        ("duplicate", "f.env:2: A"),
        ("dotenv", "f.env:3"),
        ("dotenv", "f.env:4"),
    ]


@pytest.mark.parametrize(
    ("content", "code"),
    [
        ("[]", "type"),
        ("{", "json"),
        ('{"DPM_POLICY_PACKS_ENABLED": true}', "type"),
        ('{"DPM_POLICY_PACKS_ENABLED": "true", "DPM_POLICY_PACKS_ENABLED": "false"}', "duplicate"),
    ],
)
def test_env_json_must_be_a_flat_object_of_strings(tmp_path: Path, content: str, code: str) -> None:
    path = tmp_path / "env.json"
    path.write_text(content, encoding="utf-8")
    for strict in (True, False):
        with pytest.raises(PolicyConfigError) as caught:
            PolicyRuntime.from_file(path, strict=strict)
        assert caught.value.problems[0].code == code


def test_unknown_variable_strict_only(tmp_path: Path) -> None:
    path = tmp_path / "env.json"
    path.write_text(json.dumps({**variables(), "DPM_SOMETHING_ELSE": "1"}), encoding="utf-8")
    with pytest.raises(PolicyConfigError) as caught:
        PolicyRuntime.from_file(path)
    assert caught.value.problems[0].location == "env.json: DPM_SOMETHING_ELSE"
    assert PolicyRuntime.from_file(path, strict=False).enabled is True


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "dpm-policy.env"
    path.write_bytes(b"A='\xff'\n")
    with pytest.raises(PolicyConfigError, match="not UTF-8"):
        PolicyRuntime.from_file(path)


def test_from_environ_reads_only_its_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in variables().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DPM_UNRELATED", "whatever")
    assert (
        PolicyRuntime.from_environ().fingerprint
        == PolicyRuntime.from_mapping(variables()).fingerprint
    )
    assert PolicyRuntime.from_environ({}).enabled is False


def test_fingerprint_is_stable_and_sensitive() -> None:
    one = PolicyRuntime.from_mapping(variables())
    again = PolicyRuntime.from_mapping(dict(reversed(list(variables().items()))))
    assert one.fingerprint == again.fingerprint
    assert len(one.fingerprint) == 64
    changed = PolicyRuntime.from_mapping(variables(DPM_IDEMPOTENCY_REPLAY_ENABLED="false"))
    assert changed.fingerprint != one.fingerprint
    # A pinned value: the canonical form must not drift between releases unnoticed.
    empty = "7ff4046737dc0286e9254a89938a5c6d16cb66708224e2a13208a91d5bad0148"
    assert PolicyRuntime.from_mapping({}).fingerprint == empty
    assert PolicyRuntime.from_mapping({}, strict=False).fingerprint == empty


# -- the format version of env.json --------------------------------------------------------


def _env_json(**extra: object) -> bytes:
    return json.dumps({**extra, **variables()}).encode("utf-8")


@pytest.mark.parametrize("strict", [True, False])
def test_env_json_of_this_format_reads_and_the_key_is_not_a_variable(strict: bool) -> None:
    runtime = PolicyRuntime.from_bytes(
        _env_json(format_version=FORMAT_VERSION), "env.json", strict=strict
    )
    assert runtime.fingerprint == PolicyRuntime.from_mapping(variables()).fingerprint


def test_env_json_without_a_format_version_is_format_one() -> None:
    """Compilers before the key wrote the same layout."""
    assert FORMAT_VERSION == 1
    assert PolicyRuntime.from_bytes(_env_json(), "env.json").enabled is True


@pytest.mark.parametrize("strict", [True, False])
@pytest.mark.parametrize(
    ("version", "shown", "fix"),
    [
        (2, "format 2", "install the dpm-policy-runtime of the dpm-policy that compiled it"),
        (0, "format 0", "recompile it"),
        ("1", 'format "1"', "recompile it"),
        (True, "format true", "recompile it"),
        (None, "format null", "recompile it"),
    ],
)
def test_env_json_of_an_unknown_format_is_refused_naming_both_versions(
    strict: bool, version: object, shown: str, fix: str
) -> None:
    with pytest.raises(PolicyConfigError) as caught:
        PolicyRuntime.from_bytes(_env_json(format_version=version), "env.json", strict=strict)
    (problem,) = caught.value.problems
    assert (problem.variable, problem.path, problem.code) == (
        "env.json",
        "format_version",
        "format",
    )
    assert f"{shown} is not known to this dpm-policy-runtime, which reads format 1" in str(problem)
    assert fix in problem.message

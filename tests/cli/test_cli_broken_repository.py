"""Every subcommand on a broken repository reports problems the same way.

Each command listed in the CLI's registry runs with ``--format json`` and ``--format github``:
it exits 1, prints problems that parse with the one problem schema (json) or as GitHub
annotations (github), and prints no traceback. A command added to the registry fails here
until it is given its broken-repository invocation in ``INVOCATIONS``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import jsonschema
import pytest

from conftest import CliRun
from dpm_policy.commands import COMMANDS
from git_repos import commit_all, copy_content, init_repo

pytestmark = pytest.mark.git

# What each subcommand is asked to do on the broken repository.
INVOCATIONS: dict[str, tuple[str, ...]] = {
    "validate": (),
    "schema": ("--check",),
    "compile": (),
    "fmt": ("--check",),
    "codeowners": ("--check",),
    "diff": ("--base", "HEAD"),
    "explain": ("--env", "dev"),
    "publish": ("--env", "dev", "--check"),
    "init": (
        "--owner",
        "@bank/dpm-platform",
        "--tool-repo",
        "https://git.example.invalid/dpm-policy",
        "--tool-rev",
        "v1",
    ),
    "new": ("pack", "dpm_new_v1", "--owner", "@bank/dpm-risk"),
    "test": (),
    "deliver": ("--env", "dev", "--to", "gitops.git", "--check"),
    "check": ("--base", "HEAD"),
}

PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["errors", "warnings", "problems"],
    "properties": {
        "errors": {"type": "integer", "minimum": 1},
        "warnings": {"type": "integer", "minimum": 0},
        "problems": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["file", "line", "column", "severity", "code", "message"],
                "additionalProperties": False,
                "properties": {
                    "file": {"type": "string", "minLength": 1},
                    "line": {"type": "integer", "minimum": 1},
                    "column": {"type": "integer", "minimum": 1},
                    "severity": {"enum": ["error", "warning"]},
                    "code": {"type": "string", "minLength": 1},
                    "message": {"type": "string", "minLength": 1},
                },
            },
        },
    },
}

ANNOTATION = re.compile(r"::(error|warning) file=[^,\n]+,line=\d+,col=\d+(,title=[^:\n]*)?::\S")


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository whose last commit is sound and whose working tree is broken for every
    command: a pack that is not YAML, a stale schema, and a compiled catalog the runtime
    refuses."""
    root = copy_content(tmp_path_factory.mktemp("broken") / "repo")
    init_repo(root)
    commit_all(root, "sound")
    (root / "packs" / "dpm_broken_v1.yaml").write_text(
        "policy_pack_id: dpm_broken_v1\nversion: '1'\nturnover_policy: [unclosed\n",
        encoding="utf-8",
    )
    schema = root / "schema" / "policy-pack.schema.json"
    schema.write_text("{}\n", encoding="utf-8")
    dist = root / "dist" / "dev"
    dist.mkdir(parents=True)
    catalog = {"x": {"version": "1", "turnover_policy": {"max_turnover_pct": 2}}}
    variables = {"DPM_POLICY_PACK_CATALOG_JSON": json.dumps(catalog)}
    (dist / "env.json").write_text(json.dumps(variables, indent=2), encoding="utf-8")
    return root


def test_every_registered_command_has_a_broken_invocation() -> None:
    assert set(INVOCATIONS) == set(COMMANDS)


def _run(
    run_cli: Callable[[Sequence[str]], CliRun], broken: Path, name: str, format_name: str
) -> CliRun:
    argv = [name, *INVOCATIONS[name], "--root", str(broken), "--format", format_name]
    return run_cli(argv)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_json_lists_the_problems_in_one_schema(
    name: str, broken: Path, run_cli: Callable[[Sequence[str]], CliRun]
) -> None:
    run = _run(run_cli, broken, name, "json")
    assert run.code == 1, run.err
    assert "Traceback" not in run.out + run.err
    document = json.loads(run.out)
    jsonschema.validate(document, PROBLEM_SCHEMA)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_github_prints_annotations(
    name: str, broken: Path, run_cli: Callable[[Sequence[str]], CliRun]
) -> None:
    run = _run(run_cli, broken, name, "github")
    assert run.code == 1, run.err
    assert "Traceback" not in run.out + run.err
    annotations = [line for line in (run.out + run.err).splitlines() if line.startswith("::")]
    assert annotations
    assert all(ANNOTATION.match(line) for line in annotations), annotations


def test_compile_writes_nothing_on_a_broken_repository(broken: Path) -> None:
    assert sorted(path.name for path in (broken / "dist").iterdir()) == ["dev"]

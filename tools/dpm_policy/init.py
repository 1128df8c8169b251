"""``init``: what a new policy repository needs, so its first commit already passes its checks.

It creates the three policy folders, ``repository.yaml`` (who owns the tooling), the JSON
Schemas, a pre-commit configuration that uses this tool's published hooks at one revision, a
GitHub workflow that runs those hooks on every pull request, and ``.github/CODEOWNERS``. A file
that exists already is kept as it is; the generated ones (schemas, CODEOWNERS) are brought up
to date, as their own commands would. In an existing repository with an invalid file, nothing
is written: the problems are returned.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from dpm_policy.codeowners import CODEOWNERS_PATH, write_codeowners
from dpm_policy.errors import UsageError
from dpm_policy.files import write_whole
from dpm_policy.model.settings import RepositorySettings
from dpm_policy.problems import Problem
from dpm_policy.repository import KINDS, SETTINGS_FILE
from dpm_policy.schema import write_schemas
from dpm_policy.validate import validate

__all__ = ["HOOK_IDS", "WORKFLOW", "WORKFLOW_PATH", "InitResult", "init_repository"]

HOOK_IDS = (
    "dpm-policy-validate",
    "dpm-policy-fmt",
    "dpm-policy-schema",
    "dpm-policy-codeowners",
    "dpm-policy-test",
    "dpm-policy-check-change",
)
WORKFLOW_PATH = ".github/workflows/policy-checks.yml"
PRE_COMMIT_CONFIG = ".pre-commit-config.yaml"

_SETTINGS = """\
# yaml-language-server: $schema=schema/repository.schema.json
# Who approves changes to the tooling, schemas, workflows and build files, and to this file
# (dpm-policy codeowners writes them into .github/CODEOWNERS).
owners: {owners}
"""

_PRE_COMMIT = """\
# dpm-policy's hooks at one revision of the tool (change rev to upgrade it): validate and fmt
# the policy files, and keep schema/ and .github/CODEOWNERS generated; those two write their
# files, and a commit that changes them stops, to be staged and made again; the policy tests;
# and before a push, the change rules and the approvals the change will need.
# Install once: pip install pre-commit && pre-commit install
default_install_hook_types: [pre-commit, pre-push]
repos:
  - repo: {repo}
    rev: {rev}
    hooks:
{hooks}
"""

# The same pinned actions as the tool's own workflows.
WORKFLOW = """\
# Every pull request and push to main runs the hooks of .pre-commit-config.yaml, which install
# dpm-policy at the revision named there. The same, locally: pre-commit run --all-files
name: policy checks

on:
  pull_request:
  push:
    branches: [main]

permissions:
  contents: read

jobs:
  check:
    name: validate, fmt, schema, codeowners
    runs-on: ubuntu-latest
    timeout-minutes: 15
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
        with:
          persist-credentials: false
      - uses: actions/setup-python@a26af69be951a213d495a4c3e4e4022e16d87065 # v5.6.0
        with:
          python-version: "3.11"
      - name: Install pre-commit
        run: python -m pip install "pre-commit>=3.6"
      - name: Policy checks
        run: pre-commit run --all-files --show-diff-on-failure
"""

# A revision pre-commit can check out: a tag, a branch or a commit id, no spaces or quotes.
_REV = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/+-]*")


@dataclass
class InitResult:
    """The files created, those kept as they were, and problems that stopped CODEOWNERS."""

    created: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _quoted(value: str) -> str:
    # A JSON string is a YAML 1.2 double-quoted scalar: any URL or path is written safely.
    return json.dumps(value, ensure_ascii=False)


def _write_new(root: Path, name: str, text: str, result: InitResult) -> None:
    path = root / name
    if path.exists() or path.is_symlink():
        result.kept.append(name)
        return
    write_whole(path, text)
    result.created.append(name)


def _checked_owners(owners: Sequence[str]) -> list[str]:
    if not owners:
        raise UsageError(
            "pass --owner @org/team: who approves changes to the tooling and workflows"
        )
    try:
        return RepositorySettings(owners=list(owners)).owners
    except ValidationError as error:
        reasons = "; ".join(str(item["msg"]) for item in error.errors(include_url=False))
        raise UsageError(f"--owner: {reasons}") from None


def init_repository(
    *, root: Path, owners: Sequence[str], tool_repo: str, tool_rev: str
) -> InitResult:
    """Create what a policy repository needs under ``root`` (created if missing).

    ``tool_repo`` and ``tool_rev`` name where pre-commit gets dpm-policy's hooks from: a
    clonable URL or path, and a tag or commit of it.
    """
    checked = _checked_owners(owners)
    if not tool_repo.strip():
        raise UsageError("--tool-repo: give the URL (or path) of dpm-policy's repository")
    if not _REV.fullmatch(tool_rev):
        raise UsageError(f"--tool-rev {tool_rev!r}: give a tag or commit id of dpm-policy")
    result = InitResult()
    if any((root / kind.folder).is_dir() for kind in KINDS.values()):
        # An existing repository: nothing is added to one whose files are invalid.
        result.problems.extend(validate(root=root).errors)
        if result.problems:
            return result
    for kind in KINDS.values():
        _write_new(root, f"{kind.folder}/.gitkeep", "", result)
    settings = _SETTINGS.format(owners="[" + ", ".join(_quoted(o) for o in checked) + "]")
    _write_new(root, SETTINGS_FILE, settings, result)
    hooks = "\n".join(f"      - id: {hook}" for hook in HOOK_IDS)
    config = _PRE_COMMIT.format(repo=_quoted(tool_repo), rev=_quoted(tool_rev), hooks=hooks)
    _write_new(root, PRE_COMMIT_CONFIG, config, result)
    _write_new(root, WORKFLOW_PATH, WORKFLOW, result)
    result.created.extend(write_schemas(root=root, check=False).written)
    codeowners = write_codeowners(root=root, check=False)
    result.problems.extend(codeowners.problems)
    if codeowners.written:
        result.created.append(CODEOWNERS_PATH)
    return result

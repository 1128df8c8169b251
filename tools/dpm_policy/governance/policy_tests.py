"""``dpm-policy test``: run the policy tests through the runtime resolver on the compiled output.

Each environment the tests name is compiled into a temporary folder (the same build as
``compile``), read back with ``dpm_policy_runtime`` as the engine reads it, and every test's
request is resolved there. A failure is a problem at the expectation that failed, with the
expected and the actual answer; ``update`` also writes every answer beside its test file as a
snapshot (``<name>.snapshot.json``) for a reviewer to read.
"""

from __future__ import annotations

import datetime
import json
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from dpm_policy.compile import compile_repository
from dpm_policy.errors import InputError, UsageError
from dpm_policy.governance.today import fixed_today
from dpm_policy.load.yaml_source import YamlDocument
from dpm_policy.model.policy_test import Expected, PolicyCase, PolicyTestFile
from dpm_policy.problems import Problem, sort_problems
from dpm_policy.repository import SNAPSHOT_SUFFIX, Entry
from dpm_policy.shown import setting_text
from dpm_policy.validate import validate
from dpm_policy_runtime import FrozenMap, PolicyRuntime, Resolution

__all__ = ["Answer", "PolicyTestResult", "answer_policy_tests", "run_policy_tests"]


@dataclass(frozen=True)
class Answer:
    """What the engine answers to one test's request, and what of it failed."""

    file: str
    environment: str
    name: str
    headers: dict[str, str]
    resolution: Resolution
    failures: tuple[Problem, ...]


@dataclass(frozen=True)
class PolicyTestResult:
    """Every answer, the problems (failures, or what kept the tests from running) and the
    snapshot files written."""

    problems: list[Problem]
    answers: tuple[Answer, ...] = ()
    snapshots: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not any(problem.is_error for problem in self.problems)

    @property
    def failed(self) -> int:
        return sum(1 for answer in self.answers if answer.failures)

    @property
    def passed(self) -> int:
        return len(self.answers) - self.failed


def _headers(case: PolicyCase) -> dict[str, str]:
    headers = dict(case.request.headers or {})
    if case.request.pack is not None:
        headers["X-Policy-Pack-Id"] = case.request.pack
    if case.request.tenant is not None:
        headers["X-Tenant-Id"] = case.request.tenant
    return headers


def _expected_text(expected: Expected) -> str:
    if expected.equals is not None:
        return setting_text(expected.equals)
    parts = []
    if expected.minimum is not None:
        parts.append(f"at least {setting_text(expected.minimum)}")
    if expected.maximum is not None:
        parts.append(f"at most {setting_text(expected.maximum)}")
    return " and ".join(parts)


def _meets(expected: Expected, actual: object) -> bool:
    if actual is None or isinstance(actual, FrozenMap):
        return False
    if expected.equals is not None:
        # True == 1 in Python; a switch-like setting matches only true or false.
        if isinstance(expected.equals, bool) or isinstance(actual, bool):
            return actual is expected.equals
        return actual == expected.equals
    if isinstance(actual, bool) or not isinstance(actual, int | Decimal):
        return False
    low, high = expected.minimum, expected.maximum
    return (low is None or actual >= low) and (high is None or actual <= high)


def _decided(resolution: Resolution) -> str:
    """The answer in a few words: the pack and the source, and why higher sources passed."""
    pack = resolution.selected_policy_pack_id
    what = f"'{pack}' from {resolution.source}" if pack else resolution.source
    if pack is not None and not resolution.present:
        what += " (not in the catalog: the engine applies nothing)"
    reasons = "; ".join(p.reason for p in resolution.passed_over)
    return f"{what}; {reasons}" if reasons else what


def _check_case(
    entry: Entry[PolicyTestFile], index: int, case: PolicyCase, resolution: Resolution
) -> tuple[Problem, ...]:
    document: YamlDocument = entry.document
    at = ("tests", index, "expect")
    label = f"{entry.model.environment}, test '{case.name}'"
    failures: list[Problem] = []

    def fail(where: tuple[str | int, ...], message: str) -> None:
        failures.append(
            Problem(entry.file, document.position((*at, *where)), "policy-test", message)
        )

    expect = case.expect
    if expect.source is not None and expect.source != resolution.source:
        fail(
            ("source",),
            f"{label}: expected source {expect.source}, got {_decided(resolution)}",
        )
    applied = resolution.policy_pack
    if expect.pack is not None and (applied is None or applied.policy_pack_id != expect.pack):
        fail(("pack",), f"{label}: expected pack '{expect.pack}', got {_decided(resolution)}")
    for path, expected in (expect.settings or {}).items():
        actual = applied.values.get(path) if applied is not None else None
        if _meets(expected, actual):
            continue
        whose = f"pack '{applied.policy_pack_id}'" if applied is not None else "no pack applies"
        fail(
            ("settings", path),
            f"{label}: expected {path} {_expected_text(expected)}, "
            f"got {setting_text(actual)} ({whose})",
        )
    return tuple(failures)


def _snapshot_value(value: object) -> object:
    """A setting as the snapshot shows it: decimals as text (exact), groups as a mapping."""
    if isinstance(value, FrozenMap):
        return {key: setting_text(weight) for key, weight in value.items()}
    return value if isinstance(value, bool | int) else setting_text(value)


def _snapshot(file: str, answers: Sequence[Answer]) -> str:
    tests = []
    for answer in answers:
        r = answer.resolution
        pack = r.policy_pack
        tests.append(
            {
                "name": answer.name,
                "headers": answer.headers,
                "source": r.source,
                "pack": r.selected_policy_pack_id,
                "version": pack.version if pack else None,
                "settings": {path: _snapshot_value(v) for path, v in pack.values.items()}
                if pack
                else {},
            }
        )
    document = {
        "$comment": f"Autogenerated from {file} by `dpm-policy test --update`: the engine's "
        "answers to its requests, for reviewers; not read by any check.",
        "environment": answers[0].environment if answers else None,
        "tests": tests,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _write_snapshot(root: Path, file: str, answers: Sequence[Answer]) -> str:
    name = file.removesuffix(".yaml") + SNAPSHOT_SUFFIX
    path = root / name
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        temporary.write_text(_snapshot(file, answers), encoding="utf-8")
        temporary.replace(path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise InputError(f"{path}: cannot write: {error.strerror}") from None
    return name


def run_policy_tests(
    *,
    root: Path,
    environments: Sequence[str] = (),
    update: bool = False,
    today: datetime.date | None = None,
) -> PolicyTestResult:
    """Run the policy tests of ``environments`` (default: all). Problems in the repository
    come back instead of answers, since its compiled output would not be what ships.

    Raises ``UsageError`` for an unknown environment and ``InputError`` when the repository
    cannot be read or a snapshot cannot be written.
    """
    with fixed_today(today):
        validation = validate(root=root)
        known = validation.environments
        unknown = [name for name in environments if name not in known]
        if unknown:
            raise UsageError(
                f"unknown environment {', '.join(repr(n) for n in unknown)}; "
                f"known: {', '.join(sorted(known)) or 'none'}"
            )
        selected = [
            entry
            for entry in validation.repository.policy_tests
            if not environments or entry.model.environment in environments
        ]
        names = sorted({entry.model.environment for entry in selected} & set(known))
        with tempfile.TemporaryDirectory(prefix="dpm-policy-test-") as temporary:
            out = Path(temporary)
            compiled = compile_repository(
                root=root,
                out=out,
                environments=names or sorted(known),
                validation=validation,
            )
            if not compiled.ok:
                return PolicyTestResult(sort_problems(compiled.problems))
            # Each environment as its verification read it, the compiled output read as the
            # engine's resolver reads it.
            runtimes = {
                written.environment: written.runtime
                for written in compiled.written
                if written.environment in names
            }
    return answer_policy_tests(root, selected, runtimes, update=update)


def answer_policy_tests(
    root: Path,
    selected: Sequence[Entry[PolicyTestFile]],
    runtimes: Mapping[str, PolicyRuntime],
    *,
    update: bool = False,
) -> PolicyTestResult:
    """Resolve every test of ``selected`` with the runtime of its environment (``runtimes``:
    the compiled output as the engine reads it) and judge the answers; ``update`` writes each
    file's answers beside it."""
    answers: list[Answer] = []
    snapshots: list[str] = []
    for entry in selected:
        runtime = runtimes[entry.model.environment]
        mine: list[Answer] = []
        for index, case in enumerate(entry.model.tests):
            headers = _headers(case)
            resolution = runtime.resolve(
                policy_pack_id=headers.get("X-Policy-Pack-Id"),
                tenant_policy_pack_id=headers.get("X-Tenant-Policy-Pack-Id"),
                tenant_id=headers.get("X-Tenant-Id"),
            )
            failures = _check_case(entry, index, case, resolution)
            mine.append(
                Answer(
                    entry.file, entry.model.environment, case.name, headers, resolution, failures
                )
            )
        answers.extend(mine)
        if update:
            snapshots.append(_write_snapshot(root, entry.file, mine))
    problems = [failure for answer in answers for failure in answer.failures]
    return PolicyTestResult(sort_problems(problems), tuple(answers), tuple(snapshots))

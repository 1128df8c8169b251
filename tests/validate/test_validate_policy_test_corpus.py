"""Corpus cases with a ``<case>.test.txt``: what ``dpm-policy test`` prints for them, exactly.

A case's policy tests run through the runtime on its compiled output; every failure is a line
``path:line:col: error[policy-test]: ...`` at the expectation that failed. A case without the
file is not run here. ``DPM_POLICY_UPDATE_FIXTURES=1`` rewrites the files, as for ``.errors.txt``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from validate_corpus import FIXTURES, UPDATE, Case, cases

TESTED = [
    case for case in cases("valid") + cases("invalid") if (case.folder / "policy-tests").is_dir()
]


def _expected_file(case: Case) -> Path:
    return FIXTURES / case.kind / f"{case.name}.test.txt"


@pytest.mark.parametrize("case", TESTED, ids=lambda case: case.name)
def test_policy_tests_of_case(case: Case, tmp_path: Path, run_cli) -> None:
    root = case.build(tmp_path)
    result = run_cli(["test", "--root", str(root)])
    lines = [
        line
        for line in result.err.splitlines()
        if line.startswith(("policy-tests/", "packs/", "tenants/", "environments/", "waivers/"))
    ]
    expected_file = _expected_file(case)
    if UPDATE:
        expected_file.write_text("".join(f"{line}\n" for line in lines), "utf-8")
        return
    assert expected_file.exists(), (
        f"{expected_file} is missing; run with DPM_POLICY_UPDATE_FIXTURES=1"
    )
    assert lines == expected_file.read_text("utf-8").splitlines()
    assert result.code == (1 if lines else 0)


def test_a_failing_policy_test_is_in_the_corpus() -> None:
    failing = [
        case for case in TESTED if case.kind == "valid" and _expected_file(case).read_text("utf-8")
    ]
    assert failing, "no corpus case has a policy test that fails"

"""Waivers judged on a fixed day: in force through ``expires``, announced 14 days before, an
error the day after (and the breach is back). The day comes from ``--today``,
``DPM_POLICY_TODAY`` or ``validate(today=...)``, never from the machine's clock in a test."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from dpm_policy.validate import validate
from git_repos import copy_content

WAIVER = "waivers/execution-only-without-gates.yaml"
EXPIRES = datetime.date(2027, 3, 31)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return copy_content(tmp_path / "repo")


def _codes(root: Path, day: datetime.date) -> list[tuple[str, str]]:
    return [(p.file, p.code) for p in validate(root=root, today=day).problems]


def test_in_force_and_far_from_its_end_is_silent(repo: Path) -> None:
    assert _codes(repo, datetime.date(2026, 12, 1)) == []


def test_announced_within_fourteen_days(repo: Path) -> None:
    assert _codes(repo, EXPIRES - datetime.timedelta(days=14)) == []
    assert _codes(repo, EXPIRES - datetime.timedelta(days=13)) == [(WAIVER, "waiver-expiring")]
    result = validate(root=repo, today=EXPIRES)
    assert result.ok
    assert "ends today" in result.problems[0].message


def test_the_day_after_expiry_the_waiver_and_the_breach_are_errors(repo: Path) -> None:
    assert _codes(repo, EXPIRES + datetime.timedelta(days=1)) == [
        ("packs/dpm_execution_only_v1.yaml", "guardrail-equals"),
        (WAIVER, "waiver-expired"),
    ]


def test_a_waiver_lets_exactly_its_breach_pass(repo: Path) -> None:
    """The same breach by another pack is not waived."""
    pack = repo / "packs" / "dpm_growth_v1.yaml"
    pack.write_text(
        pack.read_text().replace("enable_workflow_gates: true", "enable_workflow_gates: false")
    )
    assert _codes(repo, datetime.date(2026, 12, 1)) == [
        ("packs/dpm_growth_v1.yaml", "guardrail-equals")
    ]


def test_a_waiver_left_after_the_fix_matches_nothing(repo: Path) -> None:
    pack = repo / "packs" / "dpm_execution_only_v1.yaml"
    pack.write_text(
        pack.read_text().replace("enable_workflow_gates: false", "enable_workflow_gates: true")
    )
    assert _codes(repo, datetime.date(2026, 12, 1)) == [(WAIVER, "waiver-unused")]


def test_today_from_the_command_line_and_the_environment(
    repo: Path, run_cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    late = ["validate", "--root", str(repo), "--today", "2027-04-01"]
    assert run_cli(late).code == 1
    monkeypatch.setenv("DPM_POLICY_TODAY", "2027-04-01")
    assert run_cli(["validate", "--root", str(repo)]).code == 1
    assert run_cli(["validate", "--root", str(repo), "--today", "2026-12-01"]).code == 0
    monkeypatch.setenv("DPM_POLICY_TODAY", "April 1st")
    result = run_cli(["validate", "--root", str(repo)])
    assert result.code == 2
    assert "DPM_POLICY_TODAY is 'April 1st', not a date" in result.err
    with pytest.raises(SystemExit) as stopped:
        run_cli(["validate", "--root", str(repo), "--today", "2027-02-30"])
    assert stopped.value.code == 2

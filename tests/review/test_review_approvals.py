"""Approval tiers against the pull request's real review state, from recorded GitHub answers.

The history: the repository's content on ``main``, then a pull request that lowers
``dpm_conservative_v1``'s turnover cap in place (an emergency tightening of a pack prod ships),
pushed twice. prod's tiers require ``@bank/dpm-risk`` and ``@bank/dpm-platform`` for a change in
place; ``teams.yaml`` says who is in each team. Only reviews count: the pull request's text
claims approvals that no check reads.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dpm_policy.review.github_reviews import review_state
from git_repos import (
    TIGHTENED_PACK,
    commit_all,
    copy_content,
    edit,
    init_repo,
    recorded_answer,
    tightening_pull_request,
)

pytestmark = [pytest.mark.git]

PACK = TIGHTENED_PACK


def _content_repo(root: Path) -> Path:
    """A git repository holding the repository's content and its teams.yaml."""
    repo = init_repo(copy_content(root))
    (repo / "teams.yaml").write_text((Path(__file__).parents[2] / "teams.yaml").read_text())
    return repo


def _run_check(repo: Path, shas: dict[str, str], reviews: str, run_cli, tmp_path: Path):
    """``diff --check`` of the pull request's head against its base, with the reviews given
    as the text of GitHub's answer."""
    pull, answers = tmp_path / "pull.json", tmp_path / "reviews.json"
    pull.write_text(recorded_answer("pull_request.json", shas))
    answers.write_text(reviews)
    return run_cli(
        [
            "diff",
            "--root",
            str(repo),
            "--base",
            shas["@BASE@"],
            "--head",
            "HEAD",
            "--check",
            "--pull-request",
            str(pull),
            "--reviews",
            str(answers),
        ]
    )


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """main, then the pull request's two pushes; the recorded answers' placeholders."""
    repo = _content_repo(tmp_path_factory.mktemp("approvals") / "repo")
    return repo, tightening_pull_request(repo)


def _check(history: tuple[Path, dict[str, str]], reviews: str, run_cli, tmp_path: Path):
    repo, shas = history
    return _run_check(
        repo, shas, recorded_answer(f"reviews_{reviews}.json", shas), run_cli, tmp_path
    )


def _missing(err: str) -> list[str]:
    return [line for line in err.splitlines() if "error[approval-missing]" in line]


def test_an_approved_in_place_tightening_of_a_prod_pack_passes(history, run_cli, tmp_path) -> None:
    result = _check(history, "approved", run_cli, tmp_path)
    assert result.code == 0, result.err
    assert "approvals: all given" in result.err


def test_the_same_change_without_approval_fails_naming_the_owners(history, run_cli, tmp_path):
    result = _check(history, "none", run_cli, tmp_path)
    assert result.code == 1
    missing = _missing(result.err)
    assert len(missing) == 2
    assert all(line.startswith("environments/prod.yaml:") for line in missing)
    assert (
        "prod: pack-changed-in-place ('dpm_conservative_v1') needs the approval of "
        "@bank/dpm-risk" in missing[0] + missing[1]
    )
    assert "@bank/dpm-platform" in missing[0] + missing[1]
    assert "protected-in-place" not in result.err


def test_an_approval_from_outside_the_team_does_not_count(history, run_cli, tmp_path) -> None:
    result = _check(history, "not_in_team", run_cli, tmp_path)
    assert result.code == 1
    (missing,) = _missing(result.err)
    assert "needs the approval of @bank/dpm-risk" in missing


def test_an_approval_before_the_latest_push_does_not_count(history, run_cli, tmp_path) -> None:
    result = _check(history, "before_latest_push", run_cli, tmp_path)
    assert result.code == 1
    (missing,) = _missing(result.err)
    earlier = history[1]["@EARLIER@"][:12]
    assert f"not counted: alice-risk: approved {earlier}, before the latest push" in missing


def test_changes_requested_after_an_approval_cancels_it(history, run_cli, tmp_path) -> None:
    result = _check(history, "changes_requested", run_cli, tmp_path)
    assert result.code == 1
    (missing,) = _missing(result.err)
    assert "alice-risk: requested changes after approving" in missing


def test_a_dismissed_approval_does_not_count(history, run_cli, tmp_path) -> None:
    result = _check(history, "dismissed", run_cli, tmp_path)
    assert result.code == 1
    (missing,) = _missing(result.err)
    assert "alice-risk: approval dismissed" in missing


def test_nothing_the_author_writes_counts(history, run_cli, tmp_path) -> None:
    """The pull request's body and a comment claim approval; neither is a review that counts."""
    result = _check(history, "author_only", run_cli, tmp_path)
    assert result.code == 1
    assert len(_missing(result.err)) == 2


def test_the_report_lists_required_approvals_at_the_top(history, run_cli, tmp_path) -> None:
    repo, shas = history
    result = run_cli(["diff", "--root", str(repo), "--base", shas["@BASE@"], "--head", "HEAD"])
    assert result.code == 0
    title, _, rest = result.out.partition("\n")
    assert title.startswith("## Policy review")
    first = rest.strip().splitlines()[0]
    assert first.startswith("**Required approvals**"), rest[:300]
    assert "@bank/dpm-risk" in rest.split("\n\n", 2)[1]


def test_a_review_state_for_another_commit_is_refused(history, run_cli, tmp_path) -> None:
    repo, shas = history
    stale = dict(shas, **{"@HEAD@": shas["@EARLIER@"]})
    result = _check((repo, stale), "approved", run_cli, tmp_path)
    assert result.code == 2
    assert "the pull request's head is" in result.err


@pytest.mark.slow
def test_no_approval_needed_for_a_tightening_in_dev(tmp_path: Path, run_cli) -> None:
    repo = _content_repo(tmp_path / "repo")
    base = commit_all(repo, "main")
    edit(repo, "packs/dpm_standard_v2.yaml", 'version: "1"', 'version: "2"')
    edit(repo, "packs/dpm_standard_v2.yaml", "max_turnover_pct: 0.12", "max_turnover_pct: 0.11")
    head = commit_all(repo, "tighten the trial pack")
    shas = {"@BASE@": base, "@HEAD@": head, "@EARLIER@": base}
    result = _run_check(repo, shas, recorded_answer("reviews_none.json", shas), run_cli, tmp_path)
    assert result.code == 0, result.err
    assert "approvals: none required" in result.err


@pytest.mark.slow
def test_several_tiers_at_once(tmp_path: Path, run_cli) -> None:
    """A loosening in place in prod with a switch change: risk for the loosening, risk and
    platform for the change in place, platform for the switch; only risk approved."""
    repo = _content_repo(tmp_path / "repo")
    base = commit_all(repo, "main")
    edit(repo, PACK, 'version: "2"', 'version: "3"')
    edit(repo, PACK, "max_turnover_pct: 0.05", "max_turnover_pct: 0.06")
    edit(
        repo,
        "environments/prod.yaml",
        "idempotency_replay_enabled: true",
        "idempotency_replay_enabled: false",
    )
    head = commit_all(repo, "loosen and switch")
    shas = {"@BASE@": base, "@HEAD@": head, "@EARLIER@": base}
    only_risk = [
        r
        for r in json.loads(recorded_answer("reviews_approved.json", shas))
        if r["user"]["login"] == "alice-risk"
    ]
    result = _run_check(repo, shas, json.dumps(only_risk), run_cli, tmp_path)
    assert result.code == 1
    missing = _missing(result.err)
    assert len(missing) == 2
    assert any("pack-changed-in-place" in line and "@bank/dpm-platform" in line for line in missing)
    assert any("switch-changed" in line and "@bank/dpm-platform" in line for line in missing)
    assert not any("@bank/dpm-risk" in line for line in missing)


def test_review_state_rules_on_the_recorded_answers() -> None:
    shas = {"@HEAD@": "h" * 40, "@EARLIER@": "e" * 40, "@BASE@": "b" * 40}
    pull = json.loads(recorded_answer("pull_request.json", shas))

    def state(name: str):
        return review_state(pull, json.loads(recorded_answer(f"reviews_{name}.json", shas)))

    assert state("approved").approvers == {"alice-risk", "carol-platform"}
    assert state("not_in_team").approvers == {"dave-dev", "carol-platform"}
    assert state("before_latest_push").approvers == {"carol-platform"}
    assert state("changes_requested").approvers == {"carol-platform"}
    assert state("dismissed").approvers == {"carol-platform"}
    assert state("author_only").approvers == frozenset()
    assert state("author_only").author == "erin-author"


@pytest.mark.slow
def test_a_pull_request_cannot_add_its_reviewer_to_a_team(tmp_path: Path, run_cli) -> None:
    """teams.yaml is read as the base commit holds it: a change that adds a member counts
    only once it has landed."""
    repo = _content_repo(tmp_path / "repo")
    base = commit_all(repo, "main")
    edit(repo, PACK, 'version: "2"', 'version: "3"')
    edit(repo, PACK, "max_turnover_pct: 0.05", "max_turnover_pct: 0.04")
    edit(repo, "teams.yaml", "[alice-risk, bob-risk]", "[alice-risk, bob-risk, dave-dev]")
    head = commit_all(repo, "tighten, and add a reviewer to risk")
    shas = {"@BASE@": base, "@HEAD@": head, "@EARLIER@": base}
    result = _run_check(
        repo, shas, recorded_answer("reviews_not_in_team.json", shas), run_cli, tmp_path
    )
    assert result.code == 1
    (missing,) = _missing(result.err)
    assert "needs the approval of @bank/dpm-risk" in missing


def test_the_report_lists_waivers_in_force_and_those_ending_soon(
    history, run_cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, shas = history
    argv = ["diff", "--root", str(repo), "--base", shas["@BASE@"], "--head", "HEAD"]
    monkeypatch.setenv("DPM_POLICY_TODAY", "2026-12-01")
    report = run_cli(argv).out
    assert "**Waivers in force**" in report
    line = next(line for line in report.splitlines() if "execution-only-without-gates" in line)
    assert "accepted by `@bank/dpm-risk` until 2027-03-31" in line
    assert "ends within 14 days" not in line
    monkeypatch.setenv("DPM_POLICY_TODAY", "2027-03-20")
    assert "until 2027-03-31 — **ends within 14 days**" in run_cli(argv).out
    data = json.loads(run_cli([*argv, "--format", "json"]).out)
    assert [w["waiver_id"] for w in data["waivers"]] == ["execution-only-without-gates"]
    assert data["waivers"][0]["ending_soon"] is True


@pytest.mark.parametrize("reviews", ["approved", "none", "not_in_team"])
def test_the_one_pass_gate_checks_the_same_approvals(
    history, reviews: str, run_cli, tmp_path
) -> None:
    """``dpm-policy check`` with the same answers: its change-rule step is ``diff --check``'s
    verdict, approvals included."""
    repo, shas = history
    pull, answers = tmp_path / "pull.json", tmp_path / "reviews.json"
    pull.write_text(recorded_answer("pull_request.json", shas))
    answers.write_text(recorded_answer(f"reviews_{reviews}.json", shas))
    argv = ["--root", str(repo), "--base", shas["@BASE@"], "--head", "HEAD", "--format", "json"]
    approvals = ["--pull-request", str(pull), "--reviews", str(answers)]
    separate = run_cli(["diff", *argv, "--check", *approvals])
    gate = run_cli(["check", *argv, *approvals])
    expected = json.loads(separate.out)["problems"]
    found = json.loads(gate.out)["problems"]
    assert all(problem in found for problem in expected)
    assert [p for p in found if p["code"] == "approval-missing"] == [
        p for p in expected if p["code"] == "approval-missing"
    ]
    assert (separate.code == 1) <= (gate.code == 1)

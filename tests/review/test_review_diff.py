"""``diff`` on real git histories in temporary folders: the report and the rules' verdicts."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from dpm_policy.review import RENDERERS, Review, diff_report
from dpm_policy.review.model import EnvironmentDiff, FieldChange, PackChange
from git_repos import REPO_ROOT, commit_all, edit, git, init_repo, mini_repo, write_files

pytestmark = [pytest.mark.git, pytest.mark.slow]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return mini_repo(tmp_path / "repo")


def _env(review: Review, name: str) -> EnvironmentDiff:
    return next(env for env in review.environments if env.environment == name)


def _pack(review: Review, env: str, pack_id: str) -> PackChange:
    return next(pack for pack in _env(review, env).packs if pack.pack_id == pack_id)


def _field(pack: PackChange, path: str) -> FieldChange:
    return next(change for change in pack.fields if change.path == path)


def _moved(review: Review, env: str) -> tuple[tuple[str, str | None, str | None], ...]:
    """(tenant, pack before, pack after) of every tenant served differently, by id."""
    moved = []
    for cohort in _env(review, env).tenants.cohorts:
        assert len(cohort.moves) == 1, cohort
        move = cohort.moves[0]
        moved += [
            (t, move.before.policy_pack_id, move.after.policy_pack_id) for t in cohort.tenant_ids
        ]
    return tuple(sorted(moved))


def _violations(review: Review) -> list[tuple[str, int, int, str]]:
    return [(p.file, p.line, p.col, p.code) for p in review.violations]


def test_no_change_reports_nothing(repo: Path) -> None:
    review = diff_report(root=repo, base="HEAD")
    assert all(env.status == "unchanged" for env in review.environments)
    assert review.violations == ()
    assert "No environment changes" in RENDERERS["markdown"](review)


def test_added_pack(repo: Path) -> None:
    write_files(
        repo,
        {
            "packs/income_v1.yaml": 'policy_pack_id: income_v1\nversion: "1"\n'
            'description: Income.\nowners: ["@bank/risk"]\n'
            "tax_policy:\n  max_realized_capital_gains: 5000\n"
        },
    )
    edit(repo, "environments/dev.yaml", "trial_v1]", "trial_v1, income_v1]")
    review = diff_report(root=repo, base="HEAD")
    added = _pack(review, "dev", "income_v1")
    assert added.status == "added"
    assert added.new_version == "1"
    change = _field(added, "tax_policy.max_realized_capital_gains")
    assert (change.old, change.new, change.direction) == (None, "5000", None)
    assert _env(review, "prod").status == "unchanged"
    assert review.violations == ()


def test_removed_pack_remaps_its_tenant(repo: Path) -> None:
    edit(repo, "environments/dev.yaml", ", trial_v1]", "]")
    edit(
        repo,
        "tenants/t_gamma.yaml",
        "environments:\n  dev:\n    default_policy_pack: trial_v1\n",
        "",
    )
    write_files(repo, {"packs/trial_v1.yaml": None})
    review = diff_report(root=repo, base="HEAD")
    removed = _pack(review, "dev", "trial_v1")
    assert (removed.status, removed.old_version) == ("removed", "1")
    assert _moved(review, "dev") == (("t_gamma", "trial_v1", "core_v1"),)
    assert review.violations == ()


def test_bumped_change_outside_prod_is_allowed(repo: Path) -> None:
    edit(repo, "packs/trial_v1.yaml", 'version: "1"', 'version: "2"')
    edit(repo, "packs/trial_v1.yaml", "settlement_horizon_days: 3", "settlement_horizon_days: 5")
    review = diff_report(root=repo, base="HEAD")
    pack = _pack(review, "dev", "trial_v1")
    assert (pack.old_version, pack.new_version) == ("1", "2")
    change = _field(pack, "settlement_policy.settlement_horizon_days")
    # The horizon is a neutral field: shown, with no direction.
    assert (change.old, change.new, change.direction) == ("3", "5", None)
    assert _moved(review, "dev") == (("t_gamma", "trial_v1", "trial_v1"),)
    assert _env(review, "dev").tenants.cohorts[0].verdict == "neutral"
    assert review.violations == ()


def test_version_not_bumped(repo: Path) -> None:
    edit(repo, "packs/trial_v1.yaml", "settlement_horizon_days: 3", "settlement_horizon_days: 2")
    review = diff_report(root=repo, base="HEAD")
    change = _field(_pack(review, "dev", "trial_v1"), "settlement_policy.settlement_horizon_days")
    assert change.direction is None
    assert _violations(review) == [("packs/trial_v1.yaml", 2, 10, "version-not-bumped")]
    assert 'version is still "1"' in review.violations[0].message


def test_prod_mutated_in_place(repo: Path) -> None:
    edit(repo, "packs/careful_v1.yaml", 'version: "1"', 'version: "2"')
    edit(repo, "packs/careful_v1.yaml", "max_turnover_pct: 0.05", "max_turnover_pct: 0.04")
    review = diff_report(root=repo, base="HEAD")
    change = _field(_pack(review, "prod", "careful_v1"), "turnover_policy.max_turnover_pct")
    assert (change.old, change.new, change.direction) == ("0.05", "0.04", "tightened")
    assert _violations(review) == [("packs/careful_v1.yaml", 8, 21, "protected-in-place")]
    message = review.violations[0].message
    assert "ships to prod" in message
    assert "'careful_v2'" in message


def test_change_through_a_base_pack(repo: Path) -> None:
    edit(repo, "packs/core_v1.yaml", 'version: "1"', 'version: "2"')
    edit(repo, "packs/core_v1.yaml", "{max_weight: 0.30}", "{max_weight: 0.35}")
    review = diff_report(root=repo, base="HEAD")
    careful = _pack(review, "prod", "careful_v1")
    change = _field(careful, "constraint_policy.group_constraints['sector:TECH'].max_weight")
    assert (change.old, change.new, change.direction) == ("0.3", "0.35", "loosened")
    assert sorted(_violations(review)) == [
        ("packs/careful_v1.yaml", 2, 10, "version-not-bumped"),
        ("packs/careful_v1.yaml", 5, 10, "protected-in-place"),
        ("packs/core_v1.yaml", 12, 5, "protected-in-place"),
    ]
    careful_messages = [p.message for p in review.violations if p.file == "packs/careful_v1.yaml"]
    assert all("through 'core_v1'" in message for message in careful_messages)


def test_prod_change_allowed_when_it_leaves_prod(repo: Path) -> None:
    edit(repo, "packs/careful_v1.yaml", 'version: "1"', 'version: "2"')
    edit(repo, "packs/careful_v1.yaml", "max_turnover_pct: 0.05", "max_turnover_pct: 0.06")
    edit(repo, "environments/prod.yaml", "packs: [core_v1, careful_v1]", "packs: [core_v1]")
    edit(
        repo,
        "tenants/t_beta.yaml",
        "default_policy_pack: careful_v1\n",
        "default_policy_pack: careful_v1\n"
        "environments:\n  prod:\n    default_policy_pack: core_v1\n",
    )
    review = diff_report(root=repo, base="HEAD")
    assert review.violations == ()
    assert _pack(review, "prod", "careful_v1").status == "removed"
    assert _moved(review, "prod") == (("t_beta", "careful_v1", "core_v1"),)
    assert _moved(review, "dev") == (("t_beta", "careful_v1", "careful_v1"),)


def test_promote_to_prod_and_remap(repo: Path) -> None:
    edit(
        repo,
        "environments/prod.yaml",
        "packs: [core_v1, careful_v1]",
        "packs: [core_v1, careful_v1, trial_v1]",
    )
    edit(
        repo,
        "tenants/t_gamma.yaml",
        "  dev:\n",
        "  prod:\n    default_policy_pack: trial_v1\n  dev:\n",
    )
    edit(
        repo,
        "tenants/t_alpha.yaml",
        "default_policy_pack: core_v1",
        "default_policy_pack: careful_v1",
    )
    review = diff_report(root=repo, base="HEAD")
    prod = _env(review, "prod")
    assert [(p.pack_id, p.status) for p in prod.packs] == [("trial_v1", "added")]
    assert _moved(review, "prod") == (
        ("t_alpha", "core_v1", "careful_v1"),
        ("t_gamma", "core_v1", "trial_v1"),
    )
    assert _moved(review, "dev") == (("t_alpha", "core_v1", "careful_v1"),)
    assert review.violations == ()


def test_switch_and_default_changes(repo: Path) -> None:
    edit(
        repo,
        "environments/prod.yaml",
        "default_policy_pack: core_v1",
        "default_policy_pack: careful_v1",
    )
    edit(
        repo,
        "environments/dev.yaml",
        "tenant_resolution_enabled: true",
        "tenant_resolution_enabled: false",
    )
    review = diff_report(root=repo, base="HEAD")
    prod = [(s.variable, s.old, s.new) for s in _env(review, "prod").settings]
    assert prod == [("DPM_DEFAULT_POLICY_PACK_ID", "core_v1", "careful_v1")]
    dev = _env(review, "dev")
    assert [(s.variable, s.old, s.new) for s in dev.settings] == [
        ("DPM_TENANT_POLICY_PACK_RESOLUTION_ENABLED", "true", "false")
    ]
    # With the map off, every tenant falls to the global default; t_alpha already had it, so
    # only its source changes.
    assert _moved(review, "dev") == (
        ("t_alpha", "core_v1", "core_v1"),
        ("t_beta", "careful_v1", "core_v1"),
        ("t_gamma", "trial_v1", "core_v1"),
    )
    verdicts = {c.tenant_ids: c.verdict for c in dev.tenants.cohorts}
    assert verdicts == {
        ("t_beta",): "loosened",
        ("t_gamma",): "tightened",
        ("t_alpha",): "unchanged",
    }
    assert [c.tenant_ids for c in dev.tenants.cohorts] == [("t_beta",), ("t_gamma",), ("t_alpha",)]


def test_head_ref_ignores_the_working_tree(repo: Path) -> None:
    edit(
        repo,
        "tenants/t_alpha.yaml",
        "default_policy_pack: core_v1",
        "default_policy_pack: careful_v1",
    )
    commit_all(repo, "move alpha")
    edit(repo, "packs/trial_v1.yaml", "settlement_horizon_days: 3", "settlement_horizon_days: 2")
    review = diff_report(root=repo, base="HEAD~1", head="HEAD")
    assert review.violations == ()
    assert _env(review, "dev").packs == ()
    assert _moved(review, "dev") == (("t_alpha", "core_v1", "careful_v1"),)
    assert re.fullmatch(r"HEAD \([0-9a-f]{12}\)", review.head)


def test_empty_base_adds_everything(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    init_repo(repo)
    (repo / "README.md").write_text("policies\n", encoding="utf-8")
    commit_all(repo, "empty")
    from git_repos import MINI

    write_files(repo, dict(MINI))
    review = diff_report(root=repo, base="HEAD")
    assert [env.status for env in review.environments] == ["added", "added"]
    assert [p.pack_id for p in _env(review, "prod").packs] == ["careful_v1", "core_v1"]
    assert review.violations == ()


def test_sizes_are_reported_against_their_limit(repo: Path) -> None:
    edit(repo, "packs/trial_v1.yaml", 'version: "1"', 'version: "2"')
    edit(repo, "packs/trial_v1.yaml", "settlement_horizon_days: 3", "settlement_horizon_days: 10")
    review = diff_report(root=repo, base="HEAD")
    size = next(
        s for s in _env(review, "dev").sizes if s.variable == "DPM_POLICY_PACK_CATALOG_JSON"
    )
    assert size.old is not None
    assert size.new == size.old + 1
    assert size.limit == 131_042


def _cli(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dpm_policy", *args, "--root", str(repo)],
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(REPO_ROOT / "tools"), "PATH": "/usr/bin:/bin"},
    )


def test_cli_check_prints_positions_and_exits_1(repo: Path) -> None:
    edit(repo, "packs/trial_v1.yaml", "settlement_horizon_days: 3", "settlement_horizon_days: 2")
    result = _cli(repo, "diff", "--base", "HEAD", "--check")
    assert result.returncode == 1
    assert result.stderr.startswith("packs/trial_v1.yaml:2:10: error[version-not-bumped]: ")
    clean = _cli(repo, "diff", "--base", "HEAD")
    assert clean.returncode == 0
    assert "**Change rules: 1 violation(s)**" in clean.stdout


def test_cli_json(repo: Path) -> None:
    edit(repo, "packs/careful_v1.yaml", "max_turnover_pct: 0.05", "max_turnover_pct: 0.07")
    result = _cli(repo, "diff", "--base", "HEAD", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["ok"] is False
    assert {v["code"] for v in data["violations"]} == {"version-not-bumped", "protected-in-place"}
    prod = next(env for env in data["environments"] if env["environment"] == "prod")
    assert prod["packs"][0]["fields"][0]["direction"] == "loosened"
    [cohort] = prod["tenants"]["cohorts"]
    assert (cohort["verdict"], cohort["tenant_ids"]) == ("loosened", ["t_beta"])
    assert cohort["deltas"] == [
        {
            "path": "turnover_policy.max_turnover_pct",
            "field": "turnover_policy.max_turnover_pct",
            "old": "0.05",
            "new": "0.07",
            "direction": "loosened",
        }
    ]
    assert prod["change_kinds"] == ["loosening", "pack-changed-in-place"]


def test_cli_unknown_ref_is_a_usage_error(repo: Path) -> None:
    unknown = _cli(repo, "diff", "--base", "no-such-branch")
    assert unknown.returncode == 2
    assert "'no-such-branch' names no commit" in unknown.stderr


def test_cli_broken_head_is_a_report_that_names_the_side_and_its_problems(repo: Path) -> None:
    edit(repo, "packs/trial_v1.yaml", "settlement_horizon_days: 3", "settlement_horizon_days: 30")
    broken = _cli(repo, "diff", "--base", "HEAD", "--format", "markdown")
    assert broken.returncode == 1
    assert "The working tree does not compile" in broken.stdout
    assert "`packs/trial_v1.yaml:7:28`" in broken.stdout
    assert "Traceback" not in broken.stderr
    data = json.loads(_cli(repo, "diff", "--base", "HEAD", "--format", "json").stdout)
    assert data["ok"] is False
    assert data["failed"][0]["side"] == "working tree"
    assert [(p["file"], p["line"], p["column"]) for p in data["problems"]] == [
        ("packs/trial_v1.yaml", 7, 28)
    ]
    checked = _cli(repo, "diff", "--base", "HEAD", "--check")
    assert checked.returncode == 1
    assert "packs/trial_v1.yaml:7:28: error" in checked.stderr


def test_the_repository_itself_has_no_violations_against_head() -> None:
    assert git(REPO_ROOT, "rev-parse", "HEAD").returncode == 0
    review = diff_report(root=REPO_ROOT, base="HEAD", head="HEAD")
    assert review.violations == ()
    assert all(env.status == "unchanged" for env in review.environments)


def test_catalog_delivery_change_is_reported(repo: Path) -> None:
    edit(
        repo,
        "environments/prod.yaml",
        "tenant_resolution_enabled: true",
        "tenant_resolution_enabled: true\ncatalog_delivery: postgres",
    )
    review = diff_report(root=repo, base="HEAD")
    prod = _env(review, "prod")
    assert prod.status == "changed"
    assert [(s.variable, s.old, s.new) for s in prod.settings] == [
        ("catalog_delivery", "environment", "postgres")
    ]
    assert "catalog delivery" in RENDERERS["markdown"](review)

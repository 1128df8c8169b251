"""What a change does to each audience (mapped tenants as cohorts, the unmapped traffic, the
requests naming a pack), in each environment, with directions as the engine applies the packs;
on real git histories of the mini repository and of this repository's own content."""

from __future__ import annotations

from pathlib import Path

import pytest

from dpm_policy.review import RENDERERS, Review, diff_report
from dpm_policy.review.model import AudienceChange, Cohort, EnvironmentDiff, FieldChange
from dpm_policy.review.render.markdown import summary_line
from git_repos import commit_all, content_repo, edit, mini_repo, write_files

pytestmark = [pytest.mark.git, pytest.mark.slow]

TURNOVER = "turnover_policy.max_turnover_pct"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return mini_repo(tmp_path / "repo")


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """This repository's packs, tenants and environments, committed in a repository of their own."""
    return content_repo(tmp_path / "content")


def _env(review: Review, name: str) -> EnvironmentDiff:
    return next(env for env in review.environments if env.environment == name)


def _delta(deltas: tuple[FieldChange, ...], path: str) -> tuple[str | None, str | None, object]:
    change = next(change for change in deltas if change.path == path)
    return change.old, change.new, change.direction


def _cohort(env: EnvironmentDiff, tenant: str) -> Cohort:
    return next(cohort for cohort in env.tenants.cohorts if tenant in cohort.tenant_ids)


def _request(env: EnvironmentDiff, pack_id: str) -> AudienceChange:
    return next(change for change in env.requests if change.subject == pack_id)


def _bump(root: Path, pack: str, old: str, new: str) -> None:
    edit(root, f"packs/{pack}.yaml", f'version: "{old}"', f'version: "{new}"')


def test_in_place_loosening_reaches_the_pack_s_tenants_and_requests(repo: Path) -> None:
    _bump(repo, "careful_v1", "1", "2")
    edit(repo, "packs/careful_v1.yaml", "max_turnover_pct: 0.05", "max_turnover_pct: 0.07")
    review = diff_report(root=repo, base="HEAD")
    prod = _env(review, "prod")
    assert prod.verdict == "loosened"
    [cohort] = prod.tenants.cohorts
    assert (cohort.verdict, cohort.tenant_ids) == ("loosened", ("t_beta",))
    assert _delta(cohort.deltas, TURNOVER) == ("0.05", "0.07", "loosened")
    request = _request(prod, "careful_v1")
    assert (request.catalog, request.verdict) == ("changed", "loosened")
    assert prod.unmapped is None
    assert summary_line(prod) == (
        "**prod: LOOSENED** for 1 tenant (1 cohort) and requests naming `careful_v1`; "
        "max_turnover_pct 0.05 → 0.07"
    )
    assert "loosening" in prod.change_kinds
    assert "pack-changed-in-place" in prod.change_kinds


def test_in_place_tightening(repo: Path) -> None:
    _bump(repo, "careful_v1", "1", "2")
    edit(repo, "packs/careful_v1.yaml", "max_turnover_pct: 0.05", "max_turnover_pct: 0.04")
    prod = _env(diff_report(root=repo, base="HEAD"), "prod")
    assert prod.verdict == "tightened"
    assert _delta(_cohort(prod, "t_beta").deltas, TURNOVER) == ("0.05", "0.04", "tightened")
    assert summary_line(prod).startswith("**prod: TIGHTENED** for 1 tenant (1 cohort)")


def test_an_environment_with_prod_s_changes_is_collapsed(repo: Path) -> None:
    _bump(repo, "careful_v1", "1", "2")
    edit(repo, "packs/careful_v1.yaml", "max_turnover_pct: 0.05", "max_turnover_pct: 0.07")
    review = diff_report(root=repo, base="HEAD")
    # Most protected first: prod is promoted from dev.
    assert [env.environment for env in review.environments] == ["prod", "dev"]
    assert _env(review, "dev").same_as == "prod"
    text = RENDERERS["markdown"](review)
    assert "- **dev**: same as prod" in text
    assert "### `prod`" in text
    assert "### `dev`" not in text
    assert text.index("### Summary") < text.index("Change rules") < text.index("### `prod`")


def test_a_change_that_loosens_one_field_and_tightens_another_is_mixed(repo: Path) -> None:
    _bump(repo, "careful_v1", "1", "2")
    edit(
        repo,
        "packs/careful_v1.yaml",
        "max_turnover_pct: 0.05\n",
        "max_turnover_pct: 0.06\nconstraint_policy:\n  single_position_max_weight: 0.20\n",
    )
    prod = _env(diff_report(root=repo, base="HEAD"), "prod")
    cohort = _cohort(prod, "t_beta")
    assert cohort.verdict == "mixed"
    assert _delta(cohort.deltas, TURNOVER)[2] == "loosened"
    assert _delta(cohort.deltas, "constraint_policy.single_position_max_weight") == (
        "0.25",
        "0.2",
        "tightened",
    )
    assert prod.verdict == "mixed"
    assert summary_line(prod).startswith(
        "**prod: MIXED** for 1 tenant (1 cohort) and requests naming `careful_v1`; "
        "max_turnover_pct 0.05 → 0.06, single_position_max_weight 0.25 → 0.2"
    )


def test_a_cap_going_unset_loosens_to_the_request_s_own_option(repo: Path) -> None:
    _bump(repo, "core_v1", "1", "2")
    edit(repo, "packs/core_v1.yaml", "turnover_policy:\n  max_turnover_pct: 0.10\n", "")
    review = diff_report(root=repo, base="HEAD")
    prod = _env(review, "prod")
    assert prod.unmapped is not None
    assert _delta(prod.unmapped.deltas, TURNOVER) == ("0.1", None, "loosened")
    assert _cohort(prod, "t_alpha").verdict == "loosened"
    # careful_v1 sets its own cap, so its tenant keeps it.
    assert all("t_beta" not in cohort.tenant_ids for cohort in prod.tenants.cohorts)
    assert "max_turnover_pct 0.1 → unset (the request's own, no cap by default)" in (
        summary_line(prod)
    )


def test_a_gate_going_unset_tightens_to_the_engine_s_default(repo: Path) -> None:
    edit(
        repo,
        "packs/trial_v1.yaml",
        "  settlement_horizon_days: 3\n",
        "  settlement_horizon_days: 3\nworkflow_policy:\n  enable_workflow_gates: false\n",
    )
    commit_all(repo, "trial without gates")
    _bump(repo, "trial_v1", "1", "2")
    edit(repo, "packs/trial_v1.yaml", "workflow_policy:\n  enable_workflow_gates: false\n", "")
    dev = _env(diff_report(root=repo, base="HEAD"), "dev")
    cohort = _cohort(dev, "t_gamma")
    # Unset, the engine's default applies (gates on), which is stricter than gates off.
    assert _delta(cohort.deltas, "workflow_policy.enable_workflow_gates") == (
        "false",
        None,
        "tightened",
    )
    assert cohort.verdict == "tightened"


def test_packs_disabled_leave_every_audience_without_a_pack(repo: Path) -> None:
    edit(
        repo, "environments/prod.yaml", "policy_packs_enabled: true", "policy_packs_enabled: false"
    )
    prod = _env(diff_report(root=repo, base="HEAD"), "prod")
    [setting] = prod.settings
    assert setting.variable == "DPM_POLICY_PACKS_ENABLED"
    assert "every request gets no pack" in setting.effect
    assert prod.unmapped is not None
    assert prod.unmapped.after.source == "DISABLED"
    assert prod.unmapped.verdict == "loosened"
    assert {t for cohort in prod.tenants.cohorts for t in cohort.tenant_ids} == {
        "t_alpha",
        "t_beta",
        "t_gamma",
    }
    assert {cohort.verdict for cohort in prod.tenants.cohorts} == {"loosened"}
    assert [(r.subject, r.verdict) for r in prod.requests] == [
        ("careful_v1", "loosened"),
        ("core_v1", "loosened"),
    ]
    assert summary_line(prod).startswith(
        "**prod: LOOSENED** for 3 tenants (2 cohorts), all unmapped traffic and requests "
        "naming 2 packs; "
    )
    assert prod.change_kinds == ("loosening", "switch-changed", "tenant-moved")


def _new_standard_v3(root: Path) -> None:
    """The form the change rules ask for: a new pack with the looser cap, shipped everywhere,
    prod's default moved to it and two tenants remapped to it."""
    text = (root / "packs/dpm_standard_v1.yaml").read_text(encoding="utf-8")
    text = text.replace("dpm_standard_v1", "dpm_standard_v3").replace(
        'version: "3"', 'version: "1"'
    )
    write_files(root, {"packs/dpm_standard_v3.yaml": text.replace("0.10", "0.15")})
    for env in ("dev", "uat", "prod"):
        edit(
            root,
            f"environments/{env}.yaml",
            "  - dpm_standard_v1\n",
            "  - dpm_standard_v1\n  - dpm_standard_v3\n",
        )
    edit(
        root,
        "environments/prod.yaml",
        "default_policy_pack: dpm_standard_v1",
        "default_policy_pack: dpm_standard_v3",
    )
    for tenant in ("northwind_private", "orchard_wealth"):
        edit(
            root,
            f"tenants/{tenant}.yaml",
            "\ndefault_policy_pack: dpm_standard_v1",
            "\ndefault_policy_pack: dpm_standard_v3",
        )


def test_new_pack_default_move_and_remap_loosen_prod(content: Path) -> None:
    _new_standard_v3(content)
    review = diff_report(root=content, base="HEAD")
    assert review.violations == ()
    assert [env.environment for env in review.environments] == ["prod", "uat", "dev"]
    prod = _env(review, "prod")
    assert prod.unmapped is not None
    assert (prod.unmapped.before.policy_pack_id, prod.unmapped.after.policy_pack_id) == (
        "dpm_standard_v1",
        "dpm_standard_v3",
    )
    assert _delta(prod.unmapped.deltas, TURNOVER) == ("0.1", "0.15", "loosened")
    [cohort] = prod.tenants.cohorts
    assert cohort.tenant_ids == ("northwind_private", "orchard_wealth")
    assert summary_line(prod) == (
        "**prod: LOOSENED** for 2 tenants (1 cohort) and all unmapped traffic; "
        "max_turnover_pct 0.1 → 0.15; new in the catalog: `dpm_standard_v3`"
    )
    # orchard_wealth has its own pack in uat and dev; the default stays there.
    uat = _env(review, "uat")
    assert uat.unmapped is None
    assert [c.tenant_ids for c in uat.tenants.cohorts] == [("northwind_private",)]
    assert _env(review, "dev").same_as == "uat"
    text = RENDERERS["markdown"](review)
    assert text.index("- **prod: LOOSENED**") < text.index("- **uat: LOOSENED**")
    assert "- **dev**: same as uat" in text


def test_a_remap_that_drops_an_inherited_group_cap(content: Path) -> None:
    write_files(
        content,
        {
            "packs/dpm_pension_v1.yaml": 'policy_pack_id: dpm_pension_v1\nversion: "1"\n'
            'description: Pensions.\nowners: ["@bank/dpm-risk"]\nextends: dpm_conservative_v1\n'
            "constraint_policy:\n  group_constraints:\n"
            '    "asset_class:EQUITY": {max_weight: 0.40}\n'
            '    "rating:HIGH_YIELD": {max_weight: 0.05}\n'
        },
    )
    for env in ("dev", "uat", "prod"):
        edit(
            content,
            f"environments/{env}.yaml",
            "  - dpm_conservative_v1\n",
            "  - dpm_conservative_v1\n  - dpm_pension_v1\n",
        )
    edit(
        content,
        "tenants/meridian_pension.yaml",
        "default_policy_pack: dpm_conservative_v1",
        "default_policy_pack: dpm_pension_v1",
    )
    prod = _env(diff_report(root=content, base="HEAD"), "prod")
    cohort = _cohort(prod, "meridian_pension")
    # The pack's map replaces the inherited one whole: the TECH cap is gone.
    assert cohort.deltas == (
        FieldChange(
            "constraint_policy.group_constraints['sector:TECH'].max_weight",
            "0.15",
            None,
            "loosened",
        ),
    )
    assert cohort.verdict == "loosened"
    assert "sector:TECH cap 0.15 → removed" in summary_line(prod)


def test_tenant_resolution_off_in_prod(content: Path) -> None:
    edit(
        content,
        "environments/prod.yaml",
        "tenant_resolution_enabled: true",
        "tenant_resolution_enabled: false",
    )
    prod = _env(diff_report(root=content, base="HEAD"), "prod")
    assert "every mapped tenant falls to the default" in prod.settings[0].effect
    moved = [c for c in prod.tenants.cohorts if c.verdict != "unchanged"]
    assert sum(c.tenant_count for c in moved) == 6
    assert all(
        move.after == prod.tenants.cohorts[0].moves[0].after
        for cohort in moved
        for move in cohort.moves
    )
    assert all(c.moves[0].after.source == "GLOBAL_DEFAULT" for c in prod.tenants.cohorts)
    # The tenants already on the default change only their source.
    [same] = [c for c in prod.tenants.cohorts if c.verdict == "unchanged"]
    assert same.tenant_ids == ("geneva_ucits", "northwind_private", "orchard_wealth")
    assert prod.verdict == "mixed"
    line = summary_line(prod)
    assert line.startswith("**prod: MIXED**: loosened for ")
    assert "tightened for " in line


def test_labels_name_both_commits(repo: Path) -> None:
    edit(repo, "packs/careful_v1.yaml", "max_turnover_pct: 0.05", "max_turnover_pct: 0.07")
    review = diff_report(root=repo, base="HEAD", base_label="main (0123abc)", head_label="pr head")
    assert RENDERERS["markdown"](review).startswith("## Policy review: main (0123abc) → pr head\n")

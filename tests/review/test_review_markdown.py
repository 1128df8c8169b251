"""The markdown report: a golden example, and a report that always fits one GitHub comment."""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path

import pytest

from dpm_policy.problems import Position, Problem
from dpm_policy.review import RENDERERS, diff_report
from dpm_policy.review.model import (
    AudienceChange,
    Cohort,
    EnvironmentDiff,
    FieldChange,
    PackChange,
    PackMove,
    Review,
    Served,
    TenantImpact,
)
from dpm_policy.review.render.markdown import COMMENT_LIMIT
from git_repos import edit, mini_repo, write_files

GOLDEN = Path(__file__).with_name("golden") / "ship_new_pack.md"

CORE_V2 = """\
policy_pack_id: core_v2
version: "1"
description: The core mandate, next version.
owners: ["@bank/risk"]

turnover_policy:
  max_turnover_pct: 0.12

constraint_policy:
  single_position_max_weight: 0.25
  group_constraints:
    "sector:TECH": {max_weight: 0.25}

workflow_policy:
  workflow_requires_mandate_approval: true
"""


@pytest.mark.git
@pytest.mark.slow
def test_golden_report_for_shipping_a_new_pack(tmp_path: Path) -> None:
    """A new pack ships to dev and prod and a tenant moves to it; a dev pack changes without
    a version bump, so the report also lists one broken rule."""
    repo = mini_repo(tmp_path / "repo")
    write_files(repo, {"packs/core_v2.yaml": CORE_V2})
    edit(repo, "environments/dev.yaml", "trial_v1]", "trial_v1, core_v2]")
    edit(repo, "environments/prod.yaml", "careful_v1]", "careful_v1, core_v2]")
    edit(
        repo, "tenants/t_alpha.yaml", "default_policy_pack: core_v1", "default_policy_pack: core_v2"
    )
    edit(repo, "packs/trial_v1.yaml", "settlement_horizon_days: 3", "settlement_horizon_days: 4")
    review = diff_report(root=repo, base="HEAD")
    text = re.sub(r"\(([0-9a-f]{12})\)", "(<commit>)", RENDERERS["markdown"](review))
    text = re.sub(r"working tree on [0-9a-f]{12}", "working tree on <commit>", text)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(text, encoding="utf-8")
    expected = GOLDEN.read_text(encoding="utf-8")
    delta = "".join(
        difflib.unified_diff(expected.splitlines(True), text.splitlines(True), "golden", "rendered")
    )
    assert text == expected, "the report differs from the golden file (UPDATE_GOLDEN=1):\n" + delta


def _huge(packs: int, violations: int = 0, environments: int = 3) -> Review:
    """``packs`` packs changed in place and as many cohorts of one tenant each, per
    environment, every one loosened in ten group caps."""
    fields = tuple(
        FieldChange(
            f"constraint_policy.group_constraints['sector:S{i}'].max_weight",
            "0.1",
            "0.2",
            "loosened",
        )
        for i in range(10)
    )

    def served(pack: str) -> Served:
        return Served("TENANT_DEFAULT", pack, "1")

    cohorts = tuple(
        Cohort(
            "loosened",
            fields,
            (f"tenant_{i:05d}",),
            (PackMove(served(f"a_{i:05d}"), served(f"b_{i:05d}"), 1),),
        )
        for i in range(packs)
    )
    diffs = tuple(
        EnvironmentDiff(
            name,
            "changed",
            tuple(
                PackChange(f"pack_{i:05d}_v1", "changed", "1", "2", fields) for i in range(packs)
            ),
            TenantImpact(packs, cohorts),
            requests=tuple(
                AudienceChange(
                    "request",
                    f"pack_{i:05d}_v1",
                    Served("REQUEST", f"pack_{i:05d}_v1", "1"),
                    Served("REQUEST", f"pack_{i:05d}_v1", "2"),
                    fields,
                    "loosened",
                    "changed",
                )
                for i in range(packs)
            ),
        )
        for name in (
            ("prod", "uat", "dev")
            if environments == 3
            else [f"env-{i:04d}" for i in range(environments)]
        )
    )
    problems = tuple(
        Problem(f"packs/pack_{i:05d}_v1.yaml", Position(3, 10), "version-not-bumped", "x" * 200)
        for i in range(violations)
    )
    return Review("main (0123456789ab)", "working tree", diffs, problems)


def test_full_detail_when_it_fits() -> None:
    text = RENDERERS["markdown"](_huge(3))
    assert "| setting | before | after | direction |" in text
    assert "Summarised" not in text


def test_summarised_to_fit_one_comment() -> None:
    compact = RENDERERS["markdown"](_huge(150))
    assert len(compact) <= COMMENT_LIMIT
    assert "Summarised to fit one comment" in compact
    assert "| setting |" not in compact
    assert "- and 140 more cohort(s) of 140 tenant(s)" in compact
    assert "- **prod: LOOSENED** for 150 tenants (150 cohorts) and requests naming 150 packs" in (
        compact
    )
    minimal = RENDERERS["markdown"](_huge(600))
    assert len(minimal) <= COMMENT_LIMIT
    assert "- **uat: LOOSENED** for 600 tenants (600 cohorts) and requests naming 600 packs" in (
        minimal
    )


def test_many_violations_are_listed_in_part() -> None:
    text = RENDERERS["markdown"](_huge(1, violations=500))
    assert len(text) <= COMMENT_LIMIT
    assert "- and 400 more: run `dpm-policy diff --check` for all of them" in text


def test_cut_as_a_last_resort() -> None:
    text = RENDERERS["markdown"](_huge(20, environments=1500))
    assert len(text) <= COMMENT_LIMIT
    assert text.endswith("run `dpm-policy diff` for the whole report._\n")

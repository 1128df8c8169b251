"""At bank scale the report stays one GitHub comment with its summary whole: 50,000 tenants,
every one moved, in as many cohorts as there are tenants."""

from __future__ import annotations

import json
import re
import time

import pytest

from dpm_policy.review.compare import compare_environment
from dpm_policy.review.compiled import CompiledEnvironment
from dpm_policy.review.model import Review
from dpm_policy.review.render import RENDERERS
from dpm_policy.review.render.markdown import COMMENT_LIMIT, summary_line
from dpm_policy_runtime import PolicyRuntime

TENANTS = 50_000
# Two prime counts of packs: tenant i moves from pack i % 97 to pack i % 101, so the tenants
# fall into 9,797 cohorts of five or six, far more than one comment can list.
BEFORE, AFTER = 97, 101


def _pack(index: int) -> dict[str, object]:
    return {
        "version": "1",
        "turnover_policy": {"max_turnover_pct": f"0.{index % 90 + 10:02d}"},
        "constraint_policy": {
            "single_position_max_weight": f"0.{index % 40 + 10:02d}",
            "group_constraints": {f"sector:S{index % 7}": {"max_weight": "0.20"}},
        },
        "workflow_policy": {"enable_workflow_gates": index % 2 == 0},
    }


def _environment(name: str, packs: int, offset: int) -> CompiledEnvironment:
    catalog = {f"pack_{i:04d}": _pack(i + offset) for i in range(max(BEFORE, AFTER))}
    tenants = {f"tenant_{i:05d}": f"pack_{i % packs:04d}" for i in range(TENANTS)}
    runtime = PolicyRuntime.from_mapping(
        {
            "DPM_POLICY_PACKS_ENABLED": "true",
            "DPM_TENANT_POLICY_PACK_RESOLUTION_ENABLED": "true",
            "DPM_DEFAULT_POLICY_PACK_ID": f"pack_{offset % 100:04d}",
            "DPM_POLICY_PACK_CATALOG_JSON": json.dumps(catalog),
            "DPM_TENANT_POLICY_PACK_MAP_JSON": json.dumps(tenants),
        }
    )
    return CompiledEnvironment(name, runtime, {})


@pytest.mark.slow
def test_fifty_thousand_moved_tenants_fit_one_comment() -> None:
    start = time.process_time()
    environments = tuple(
        compare_environment(
            name, _environment(name, BEFORE, offset), _environment(name, AFTER, offset + 1)
        )
        for offset, name in enumerate(("prod", "uat", "dev"))
    )
    review = Review("main (0123456789ab)", "pull request head (fedcba987654)", environments)
    for env in environments:
        assert env.tenants.count == TENANTS
        assert len(env.tenants.cohorts) > 9_000
    text = RENDERERS["markdown"](review)
    assert len(text) <= COMMENT_LIMIT
    summary = text[text.index("### Summary") : text.index("Change rules")]
    for env in environments:
        assert f"- {summary_line(env)}\n" in summary
        # Every tenant whose settings move is counted once, under its cohort's verdict.
        moved = [cohort for cohort in env.tenants.cohorts if cohort.verdict != "unchanged"]
        counted = re.findall(r"([0-9,]+) tenants? \(([0-9,]+) cohorts?\)", summary_line(env))
        assert sum(int(n.replace(",", "")) for n, _ in counted) == sum(
            cohort.tenant_count for cohort in moved
        )
        assert sum(int(c.replace(",", "")) for _, c in counted) == len(moved)
    assert "Summarised to fit one comment" in text
    # Not a timing test (benchmarks/ measures): a guard against a quadratic slip.
    assert time.process_time() - start < 120

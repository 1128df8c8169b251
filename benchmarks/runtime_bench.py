"""Per-request cost of policy-pack resolution: parsed-once snapshot vs the engine's re-parse.

The engine reads its variables on every request and json.loads the tenant map (and, in the
env-JSON era, the catalog) each time. ``dpm_policy_runtime`` parses once and answers with
dict lookups. This builds synthetic variables in memory, from 10 to 100,000 tenants and 10
to 2,000 packs, and times both paths per request with ``time.perf_counter_ns``.

    PYTHONPATH=tools python benchmarks/runtime_bench.py [--quick]

Numbers are medians of several batches; results go to stdout as a table. See RUNTIME.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

from dpm_policy_runtime import PolicyRuntime
from dpm_policy_runtime.catalog_lenient import parse_catalog_lenient

FULL_SIZES: tuple[tuple[int, int], ...] = (
    (10, 10),
    (1_000, 100),
    (10_000, 500),
    (100_000, 2_000),
)
QUICK_SIZES: tuple[tuple[int, int], ...] = ((10, 10), (1_000, 100))


def build_variables(tenants: int, packs: int) -> dict[str, str]:
    """A valid configuration with ``packs`` sparse packs and ``tenants`` mapped tenants."""
    catalog = {
        f"dpm_pack_{i:05d}": {
            "version": "1",
            "turnover_policy": {"max_turnover_pct": "0.1"},
            "settlement_policy": {"settlement_horizon_days": i % 11},
            "constraint_policy": {"group_constraints": {"sector:TECH": {"max_weight": "0.2"}}},
        }
        for i in range(packs)
    }
    tenant_map = {f"tenant_{i:06d}": f"dpm_pack_{i % packs:05d}" for i in range(tenants)}
    return {
        "DPM_POLICY_PACKS_ENABLED": "true",
        "DPM_DEFAULT_POLICY_PACK_ID": "dpm_pack_00000",
        "DPM_POLICY_PACK_CATALOG_JSON": json.dumps(catalog, separators=(",", ":")),
        "DPM_TENANT_POLICY_PACK_RESOLUTION_ENABLED": "true",
        "DPM_TENANT_POLICY_PACK_MAP_JSON": json.dumps(tenant_map, separators=(",", ":")),
        "DPM_IDEMPOTENCY_REPLAY_ENABLED": "true",
    }


def engine_style_request(variables: dict[str, str], tenant_id: str) -> object:
    """A lower bound of the engine's per-request work, as it reads variables today.

    json.loads of the catalog and the map, the map's strip-and-skip normalisation, the
    lookup, then validation of the one selected pack (the engine validates every pack, with
    pydantic; validating one keeps this baseline conservative).
    """
    raw_catalog = json.loads(variables["DPM_POLICY_PACK_CATALOG_JSON"].strip())
    raw_map = json.loads(variables["DPM_TENANT_POLICY_PACK_MAP_JSON"].strip())
    tenant_map = {
        k.strip(): v.strip()
        for k, v in raw_map.items()
        if isinstance(v, str) and k.strip() and v.strip()
    }
    selected = tenant_map.get(tenant_id.strip())
    if not selected or selected not in raw_catalog:
        return None
    one = json.dumps({selected: raw_catalog[selected]})
    return parse_catalog_lenient(one, [])[selected]


def time_per_call(call: Callable[[], object], iterations: int, batches: int) -> float:
    """Median over ``batches`` of the mean ns per call."""
    samples = []
    for _ in range(batches):
        start = time.perf_counter_ns()
        for _ in range(iterations):
            call()
        samples.append((time.perf_counter_ns() - start) / iterations)
    return statistics.median(samples)


def run(sizes: Sequence[tuple[int, int]], quick: bool) -> list[dict[str, object]]:
    return [measure(tenants, packs, quick) for tenants, packs in sizes]


def measure(tenants: int, packs: int, quick: bool) -> dict[str, object]:
    """One row of the table."""
    variables = build_variables(tenants, packs)
    start = time.perf_counter_ns()
    runtime = PolicyRuntime.from_mapping(variables)
    load_ms = (time.perf_counter_ns() - start) / 1e6
    tenant = f"tenant_{(tenants // 2):06d}"
    expected = runtime.resolve(tenant_id=tenant)
    # Correctness first: both paths must pick the same pack.
    assert expected.policy_pack is not None
    assert engine_style_request(variables, tenant) == expected.policy_pack

    resolve_ns = time_per_call(
        lambda: runtime.resolve(tenant_id=tenant),
        iterations=2_000 if quick else 50_000,
        batches=3 if quick else 7,
    )
    apply_ns = time_per_call(
        lambda: runtime.option_updates(runtime.resolve(tenant_id=tenant)),
        iterations=2_000 if quick else 20_000,
        batches=3 if quick else 7,
    )
    size = len(variables["DPM_POLICY_PACK_CATALOG_JSON"]) + len(
        variables["DPM_TENANT_POLICY_PACK_MAP_JSON"]
    )
    reparse_iterations = max(1, min(2_000, 2_000_000 // max(size, 1)))
    if quick:
        reparse_iterations = max(1, reparse_iterations // 20)
    reparse_ns = time_per_call(
        lambda: engine_style_request(variables, tenant),
        iterations=reparse_iterations,
        batches=3,
    )
    return {
        "tenants": tenants,
        "packs": packs,
        "json_kib": size / 1024,
        "load_ms": load_ms,
        "resolve_ns": resolve_ns,
        "resolve_apply_ns": apply_ns,
        "reparse_ns": reparse_ns,
        "ratio": reparse_ns / resolve_ns,
    }


def render(rows: list[dict[str, object]]) -> str:
    header = (
        "| tenants | packs | JSON KiB | load once (ms) | resolve (ns) | resolve + updates (ns) "
        "| engine-style re-parse (ns) | re-parse / resolve |"
    )
    lines = [header, "|" + "---:|" * 8]
    for r in rows:
        lines.append(
            f"| {r['tenants']:,} | {r['packs']:,} | {r['json_kib']:,.0f} | {r['load_ms']:,.1f} "
            f"| {r['resolve_ns']:,.0f} | {r['resolve_apply_ns']:,.0f} | {r['reparse_ns']:,.0f} "
            f"| {r['ratio']:,.0f}x |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, few iterations")
    args = parser.parse_args(argv)
    rows = run(QUICK_SIZES if args.quick else FULL_SIZES, args.quick)
    print(
        f"python {platform.python_version()} ({platform.python_implementation()}), "
        f"{os.cpu_count()} CPUs, {platform.machine()}, {platform.system()}"
    )
    print(render(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The Postgres source at bank scale: compile, publish, load and resolve, against baselines.

    python benchmarks/sources_bench.py           # 50,000 tenants end to end; 10 to 100,000 swept
    python benchmarks/sources_bench.py --quick   # small sizes: every step runs (the tests do this)

Starts a throwaway PostgreSQL server (tests/postgres_server.py; the machine's PostgreSQL
binaries), and measures in this one process, wall time:

* **end to end**: a generated repository whose environment delivers its catalog and tenant map
  through Postgres (``generate.py --postgres``) is compiled, published with
  ``publish --apply``'s library call, loaded through :class:`PostgresSource` by a
  :class:`Reloader`, and resolved;
* **the sweep**: the same catalog with 10 to 100,000 tenants published and loaded; resolve
  time per request should not grow with the tenant count.

Baselines from the same run: ``json.loads`` of exactly the text the source fetched (the
catalog rows and the tenant map), the least any reader of that data must do, for the load;
the 10-tenant row, for resolve. Results go to stdout as tables; see SOURCES.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "tests"))

import psycopg  # noqa: E402
from generate import generate  # noqa: E402
from runtime_bench import build_variables, time_per_call  # noqa: E402

from dpm_policy.compile import compile_repository  # noqa: E402
from dpm_policy.publish import apply_catalog, desired_rows, load_desired, parse_dsn  # noqa: E402
from dpm_policy_runtime import PolicyRuntime, PostgresSource, Reloader  # noqa: E402
from dpm_policy_runtime.env_files import read_variables  # noqa: E402
from dpm_policy_runtime.postgres import Tables  # noqa: E402
from postgres_server import PostgresServer, find_postgres_bin  # noqa: E402

FULL_END_TO_END = (2_000, 50_000)
QUICK_END_TO_END = (50, 1_000)
FULL_SWEEP = (10, 1_000, 10_000, 100_000)
QUICK_SWEEP = (10, 1_000)
SWEEP_PACKS = 100


@dataclass(frozen=True)
class Load:
    """Loading one snapshot through the source, against json.loads of the same text."""

    query_ms: float
    parse_ms: float
    json_loads_ms: float
    unchanged_check_ms: float

    @property
    def ratio(self) -> float:
        return self.parse_ms / self.json_loads_ms


def _seconds(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def _median_ms(call: Callable[[], object], repeat: int) -> float:
    return statistics.median(_seconds(call) for _ in range(repeat)) * 1e3


def measure_load(source: PostgresSource, reloader: Reloader, repeat: int) -> Load:
    """Query, parse and a no-change check, each the median of ``repeat`` runs."""
    holder: list[Tables] = []
    query_ms = _median_ms(lambda: holder.append(source.tables()), repeat)
    reading = source.read()
    parse_ms = _median_ms(lambda: reading.build(True), repeat)
    tables = holder[-1]

    def baseline() -> None:
        json.loads(tables.catalog_rows)
        json.loads(tables.tenant_map)

    json_ms = _median_ms(baseline, repeat)
    check_ms = _median_ms(reloader.check, repeat * 5)
    return Load(query_ms, parse_ms, json_ms, check_ms)


def _connect(server: PostgresServer) -> tuple[str, psycopg.Connection[tuple[object, ...]]]:
    name = server.new_database()
    dsn = server.test_dsn(name)
    return dsn, psycopg.connect(dsn)


def end_to_end(server: PostgresServer, packs: int, tenants: int, repeat: int) -> dict[str, object]:
    """Compile, publish, load and resolve one generated environment."""
    with tempfile.TemporaryDirectory(prefix="dpm-sources-bench-") as folder:
        root, dist = Path(folder) / "repo", Path(folder) / "dist"
        generate(root, packs=packs, tenants=tenants, environments=1, postgres=True)
        start = time.perf_counter()
        result = compile_repository(root=root, out=dist)
        compile_s = time.perf_counter() - start
        assert result.ok, result.problems[:3]
        env_json = dist / "dev" / "env.json"
        desired = load_desired(env_json, env="dev")
        assert desired.tenants is not None
        assert len(desired.tenants) == tenants
        variables = read_variables(env_json, strict=True)
        dsn_text, connection = _connect(server)
        dsn = parse_dsn(dsn_text, source="--dsn")
        publish_s = _seconds(
            lambda: apply_catalog(dsn, desired.rows, prune=False, tenants=desired.tenants)
        )
        again_s = _seconds(
            lambda: apply_catalog(dsn, desired.rows, prune=False, tenants=desired.tenants)
        )
        with connection:
            source = PostgresSource(connection, environ=variables)
            holder: list[Reloader] = []
            first_load_s = _seconds(lambda: holder.append(Reloader(source, interval=0)))
            reloader = holder[0]
            runtime = reloader.active
            # Correctness first: the database snapshot is the compiled one.
            compiled = PolicyRuntime.from_mapping(variables)
            assert runtime.fingerprint == compiled.fingerprint
            tenant = sorted(desired.tenants)[tenants // 2]
            assert runtime.resolve(tenant_id=tenant).policy_pack is not None
            load = measure_load(source, reloader, repeat)
            resolve_ns = time_per_call(
                lambda: runtime.resolve(tenant_id=tenant), iterations=20_000, batches=5
            )
    return {
        "packs": packs,
        "tenants": tenants,
        "compile_s": compile_s,
        "publish_s": publish_s,
        "publish_again_s": again_s,
        "first_load_s": first_load_s,
        "load": load,
        "resolve_ns": resolve_ns,
    }


def sweep_row(server: PostgresServer, tenants: int, repeat: int) -> dict[str, object]:
    """Publish ``SWEEP_PACKS`` packs and ``tenants`` tenants, load them, time resolve."""
    variables = build_variables(tenants, SWEEP_PACKS)
    compiled = PolicyRuntime.from_mapping(variables)
    rows = desired_rows(pack.to_item() for pack in compiled.catalog.values())
    dsn_text, connection = _connect(server)
    apply_catalog(
        parse_dsn(dsn_text, source="--dsn"), rows, prune=False, tenants=dict(compiled.tenant_map)
    )
    with connection:
        source = PostgresSource(connection, environ=variables)
        reloader = Reloader(source, interval=0)
        runtime = reloader.active
        assert runtime.fingerprint == compiled.fingerprint
        tenant = f"tenant_{tenants // 2:06d}"
        resolve_ns = time_per_call(
            lambda: runtime.resolve(tenant_id=tenant), iterations=20_000, batches=5
        )
        load = measure_load(source, reloader, repeat)
    return {"tenants": tenants, "resolve_ns": resolve_ns, "load": load}


def render(e2e: dict[str, object], sweep: list[dict[str, object]]) -> str:
    load = e2e["load"]
    assert isinstance(load, Load)
    lines = [
        "| packs | tenants | compile s | publish s | publish again s | first load s "
        "| query ms | parse ms | json.loads ms | parse / json.loads | unchanged check ms "
        "| resolve ns |",
        "|" + "---:|" * 12,
        f"| {e2e['packs']:,} | {e2e['tenants']:,} | {e2e['compile_s']:.2f} "
        f"| {e2e['publish_s']:.2f} | {e2e['publish_again_s']:.2f} | {e2e['first_load_s']:.2f} "
        f"| {load.query_ms:,.1f} | {load.parse_ms:,.1f} | {load.json_loads_ms:,.1f} "
        f"| {load.ratio:.1f}x | {load.unchanged_check_ms:.2f} | {e2e['resolve_ns']:,.0f} |",
        "",
        "| tenants | resolve ns | vs 10 tenants | query ms | parse ms | json.loads ms "
        "| parse / json.loads | unchanged check ms |",
        "|" + "---:|" * 8,
    ]
    base = float(str(sweep[0]["resolve_ns"]))
    for row in sweep:
        row_load = row["load"]
        assert isinstance(row_load, Load)
        resolve = float(str(row["resolve_ns"]))
        lines.append(
            f"| {row['tenants']:,} | {resolve:,.0f} | {resolve / base:.2f}x "
            f"| {row_load.query_ms:,.1f} | {row_load.parse_ms:,.1f} "
            f"| {row_load.json_loads_ms:,.2f} | {row_load.ratio:.1f}x "
            f"| {row_load.unchanged_check_ms:.2f} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, few repeats")
    args = parser.parse_args(argv)
    bin_dir = find_postgres_bin()
    if bin_dir is None:
        sys.stderr.write(
            "sources_bench: no PostgreSQL server binaries (apt-get install postgresql)\n"
        )
        return 2
    packs, tenants = QUICK_END_TO_END if args.quick else FULL_END_TO_END
    sizes = QUICK_SWEEP if args.quick else FULL_SWEEP
    repeat = 2 if args.quick else 5
    server = PostgresServer(bin_dir)
    server.start()
    try:
        e2e = end_to_end(server, packs, tenants, repeat)
        sweep = [sweep_row(server, size, repeat) for size in sizes]
    finally:
        server.stop()
    print(
        f"python {platform.python_version()} ({platform.python_implementation()}), "
        f"{os.cpu_count()} CPUs, {platform.machine()}, {platform.system()}"
    )
    print(render(e2e, sweep))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

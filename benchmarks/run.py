"""Time the tool at bank scale against baselines measured in the same run.

    python benchmarks/run.py            # 1/10, 1/2 and full scale (2,000 packs, 50,000 tenants)
    python benchmarks/run.py --quick    # a tiny scale: checks that every step runs, times nothing

Each step runs in its own process so that its peak memory (max RSS) is its own. Every figure is
printed as a ratio against a baseline from the same run, since absolute times on shared
machines say little:

* ``floor``: merely parsing the same YAML files with PyYAML's C loader, the least any YAML tool
  must do;
* ``check-jsonschema``: validating the same files against ``schema/`` with check-jsonschema,
  what a team would use for validation alone;
* ``engine re-parse``: for the runtime, re-parsing the variables on every request, as the engine
  does today.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

FULL = (2000, 50_000)
SCALES = {"1/10": 0.1, "1/2": 0.5, "full": 1.0}

# Runs in a child process: times one step and reports its CPU and wall time and peak memory.
# ``{repo}`` is the checkout whose tools/ are timed (diff_impact.py times an earlier one too).
_CHILD_TEMPLATE = textwrap.dedent(
    """
    import json, os, resource, subprocess, sys, time
    step, root, out = sys.argv[1], sys.argv[2], sys.argv[3]
    sys.path.insert(0, os.path.join({repo!r}, "tools"))
    start_wall, start_cpu = time.perf_counter(), time.process_time()
    extra = {{}}
    if step == "floor":
        import yaml
        for directory, _, files in os.walk(root):
            for name in files:
                if name.endswith(".yaml"):
                    with open(os.path.join(directory, name), "rb") as handle:
                        yaml.load(handle.read(), Loader=yaml.CSafeLoader)
    elif step == "check-jsonschema":
        for folder, schema in (("packs", "policy-pack"), ("tenants", "tenant"),
                               ("environments", "environment")):
            files = [os.path.join(d, f) for d, _, fs in os.walk(os.path.join(root, folder))
                     for f in fs if f.endswith(".yaml")]
            for index in range(0, len(files), 5000):
                subprocess.run(
                    [sys.executable, "-m", "check_jsonschema", "--schemafile",
                     os.path.join(root, "schema", schema + ".schema.json"),
                     *files[index:index + 5000]],
                    check=True, stdout=subprocess.DEVNULL)
    else:
        from dpm_policy.cli import main
        if step in ("compile", "diff"):
            # At bank scale the tenant map and the catalog outgrow the kernel's 128 KiB per
            # variable, and compile rightly refuses to write them (diff compiles both sides).
            # To measure the whole pipeline (build, write, read back, verify, swap) the budget
            # is lifted here; benchmarks/README.md records the verdict itself.
            import dpm_policy.compile.environment as environment
            environment._budget = lambda *args, **kwargs: []
        argv = {{
            "validate": ["validate", "--root", root, "--format", "json"],
            "compile": ["compile", "--root", root, "--out", out],
            "diff": ["diff", "--root", root, "--base", "HEAD~1", "--format", "json"],
            "fmt-check": ["fmt", "--check", "--root", root],
        }}[step]
        with open(os.devnull, "w") as sink:
            saved = sys.stdout, sys.stderr
            sys.stdout = sys.stderr = sink
            try:
                code = main(argv)
            finally:
                sys.stdout, sys.stderr = saved
        extra["exit"] = code
    wall, cpu = time.perf_counter() - start_wall, time.process_time() - start_cpu
    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu += children.ru_utime + children.ru_stime
    print(json.dumps({{"wall": wall, "cpu": cpu, "max_rss_kib": max(usage, children.ru_maxrss),
                      **extra}}))
    """
)


@dataclass(frozen=True)
class Figure:
    wall: float
    cpu: float
    max_rss_mib: float


def _measure(step: str, root: Path, out: Path, repo: Path = REPO) -> Figure:
    child = _CHILD_TEMPLATE.format(repo=str(repo))
    result = subprocess.run(
        [sys.executable, "-c", child, step, str(root), str(out)],
        check=False,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise SystemExit(f"{step} on {root} failed:\n{result.stderr[-3000:]}")
    data = json.loads(result.stdout.strip().splitlines()[-1])
    if data.get("exit", 0) != 0:
        raise SystemExit(f"{step} on {root} exited {data['exit']}")
    return Figure(data["wall"], data["cpu"], data["max_rss_kib"] / 1024)


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(root), *args],
        check=True,
        capture_output=True,
        env={
            **os.environ,
            "GIT_AUTHOR_NAME": "bench",
            "GIT_AUTHOR_EMAIL": "bench@invalid",
            "GIT_COMMITTER_NAME": "bench",
            "GIT_COMMITTER_EMAIL": "bench@invalid",
        },
    )


def _one_percent_change(root: Path) -> None:
    """Change 1 % of the packs (turnover cap and version) and remap 1 % of the tenants."""
    packs = sorted((root / "packs").glob("*.yaml"))
    for path in packs[::100]:
        text = path.read_text(encoding="utf-8")
        # Halve the turnover cap (a tightening) and bump the version, as the rules require.
        text = re.sub(
            r"max_turnover_pct: ([0-9.]+)",
            lambda found: f"max_turnover_pct: {Decimal(found.group(1)) / 2}",
            text,
            count=1,
        )
        text = text.replace('version: "', 'version: "1', 1)
        path.write_text(text, encoding="utf-8")
    tenants = sorted((root / "tenants").rglob("*.yaml"))
    for path in tenants[::100]:
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        lines = [line for line in lines if not line.startswith(("environments:", "  ", "    "))]
        path.write_text("".join(lines), encoding="utf-8")


def _runtime_figures(root: Path) -> dict[str, float]:
    """Per-request cost of the resolver against the engine's per-request re-parse.

    The variables are built in memory by the compiler (at bank scale they are over the size
    budget, so no ``env.json`` is written), for the environment that ships the fewest packs.
    """
    code = textwrap.dedent(
        """
        import json, sys, time
        from pathlib import Path
        sys.path.insert(0, sys.argv[2])
        from dpm_policy.compile.environment import build_environment
        from dpm_policy.inheritance import flatten
        from dpm_policy_runtime import PolicyRuntime
        from dpm_policy.validate import validate
        repository = validate(root=Path(sys.argv[1])).repository
        flat, _ = flatten(repository.pack_index())
        env = repository.environment_index()["prod" if len(repository.environments) > 2
                                             else repository.environments[0].model.environment]
        variables = build_environment(repository, env, flat, source_commit=None).variables
        start = time.perf_counter()
        runtime = PolicyRuntime.from_mapping(variables)
        load = time.perf_counter() - start
        tenants = sorted(runtime.tenant_map)[:1000] or ["none"]
        n = 20000
        start = time.perf_counter()
        for i in range(n):
            runtime.resolve(tenant_id=tenants[i % len(tenants)])
        ours = (time.perf_counter() - start) / n
        m = 50
        start = time.perf_counter()
        for i in range(m):
            catalog = json.loads(variables["DPM_POLICY_PACK_CATALOG_JSON"])
            mapping = json.loads(variables["DPM_TENANT_POLICY_PACK_MAP_JSON"])
            pack = catalog.get(mapping.get(tenants[i % len(tenants)], ""))
        baseline = (time.perf_counter() - start) / m
        print(json.dumps({"load": load, "resolve": ours, "reparse": baseline}))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(root), str(REPO / "tools")],
        check=True,
        capture_output=True,
        text=True,
    )
    figures: dict[str, float] = json.loads(result.stdout)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny scale; checks that it runs")
    parser.add_argument("--environments", type=int, default=3)
    args = parser.parse_args(argv)
    scales = {"quick": 0.01} if args.quick else SCALES
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    rows = []
    with tempfile.TemporaryDirectory(prefix="dpm-bench-") as temporary:
        base = Path(temporary)
        for label, fraction in scales.items():
            packs, tenants = max(10, int(FULL[0] * fraction)), max(20, int(FULL[1] * fraction))
            root = base / f"repo-{label.replace('/', '_')}"
            out = base / f"dist-{label.replace('/', '_')}"
            generate(root, packs=packs, tenants=tenants, environments=args.environments)
            _git(root, "init", "-q")
            _git(root, "add", "-A")
            _git(root, "commit", "-qm", "base")
            _one_percent_change(root)
            _git(root, "commit", "-qam", "one percent")
            figures = {
                step: _measure(step, root, out)
                for step in (
                    "floor",
                    "check-jsonschema",
                    "validate",
                    "compile",
                    "diff",
                    "fmt-check",
                )
            }
            runtime = _runtime_figures(root)
            shutil.rmtree(out, ignore_errors=True)
            rows.append((label, packs, tenants, figures, runtime))
    print()
    print(
        "| scale | packs | tenants | floor s | validate | vs floor | vs check-jsonschema "
        "| compile | vs floor | diff | vs 2 compiles | fmt --check | validate peak MiB "
        "| resolve µs | vs re-parse |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, packs, tenants, figures, runtime in rows:
        floor = figures["floor"].cpu
        print(
            f"| {label} | {packs} | {tenants} | {floor:.2f} "
            f"| {figures['validate'].cpu:.2f} | {figures['validate'].cpu / floor:.2f}x "
            f"| {figures['validate'].cpu / figures['check-jsonschema'].cpu:.2f}x "
            f"| {figures['compile'].cpu:.2f} "
            f"| {figures['compile'].cpu / floor:.2f}x "
            f"| {figures['diff'].cpu:.2f} "
            f"| {figures['diff'].cpu / (2 * figures['compile'].cpu):.2f}x "
            f"| {figures['fmt-check'].cpu:.2f} | {figures['validate'].max_rss_mib:.0f} "
            f"| {runtime['resolve'] * 1e6:.2f} "
            f"| {runtime['reparse'] / runtime['resolve']:.0f}x faster |"
        )
    if args.quick:
        print("\n(--quick: a smoke run; its figures mean nothing)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

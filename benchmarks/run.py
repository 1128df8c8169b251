"""Time the tool at bank scale against baselines measured in the same run.

    python benchmarks/run.py            # 1/10 and full scale (2,000 packs, 50,000 tenants)
    python benchmarks/run.py --quick    # a tiny scale: checks that every step runs, times nothing

Each step runs in its own process so that its peak memory (max RSS) is its own, as CPU time
(the process's and its children's). Every figure is a ratio against a baseline from the same
run, since absolute times on shared machines say little, and each is the median of
``--rounds`` rounds (three by default); every round measures the floor again beside its steps,
and each ratio is taken within its round:

* ``floor``: merely parsing the same YAML files with PyYAML's C loader, the least any YAML tool
  must do;
* ``check-jsonschema``: validating the same files against ``schema/`` with check-jsonschema,
  what a team would use for validation alone (measured once per scale);
* ``engine re-parse``: for the runtime, re-parsing the variables on every request, as the engine
  does today.

The repository is ``generate.py``'s with every environment delivering its catalog and tenant
map through Postgres (``catalog_delivery`` and ``tenant_map_delivery``: its public option), so
that every scale compiles within the kernel's limits on variables; plus ``repository.yaml`` and
the CODEOWNERS it implies, so that the pull-request gate has all it checks. The change is 1 % of
the packs and tenants (``_one_percent_change``), committed; the gate and the review compare it
with the commit before.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
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
SCALES = {"1/10": 0.1, "full": 1.0}

# The steps timed in every round, beside the floor.
STEPS = ("validate", "compile", "diff", "fmt-check", "check", "separate")

# The pull-request gate as the workflow ran it before ``check``: one process per command.
SEPARATE = (
    ("validate", "--format", "github"),
    ("test", "--format", "github"),
    ("schema", "--check", "--format", "github"),
    ("codeowners", "--check", "--format", "github"),
    ("fmt", "--check", "--format", "github"),
    ("diff", "--base", "HEAD~1", "--format", "markdown"),
    ("diff", "--base", "HEAD~1", "--check", "--format", "github"),
)

# Runs in a child process: times one step and reports its CPU and wall time and peak memory.
# ``{repo}`` is the checkout whose tools/ are timed (diff_impact.py times an earlier one too).
# A fourth argument ``lift-budget`` is for versions of the tool that predate Postgres delivery
# (diff_impact.py): there the size budget is lifted in the child; run.py never passes it.
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
            if "/.git" in directory:
                continue
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
    elif step == "separate":
        env = {{**os.environ, "PYTHONPATH": os.pathsep.join(
            [os.path.join({repo!r}, "tools"), os.path.join({repo!r}, "runtime"),
             os.environ.get("PYTHONPATH", "")])}}
        codes = []
        for argv in json.loads(sys.argv[4]):
            done = subprocess.run([sys.executable, "-m", "dpm_policy", *argv, "--root", root],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            codes.append(done.returncode)
        extra["exit"] = max(codes)
    else:
        from dpm_policy.cli import main
        if sys.argv[4:] == ["lift-budget"] and step in ("compile", "diff"):
            import dpm_policy.compile.environment as environment
            environment._budget = lambda *args, **kwargs: []
        argv = {{
            "validate": ["validate", "--root", root, "--format", "json"],
            "compile": ["compile", "--root", root, "--out", out],
            "diff": ["diff", "--root", root, "--base", "HEAD~1", "--format", "json"],
            "fmt-check": ["fmt", "--check", "--root", root],
            "check": ["check", "--root", root, "--base", "HEAD~1", "--format", "github",
                      "--report", os.path.join(os.path.dirname(out), "review.md")],
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

# What a step may exit with: the gate and the review's rules judge the change (prod's packs
# changed in place break a rule), so they may find problems; the other steps must pass.
_ALLOWED_EXITS = {"check": (0, 1), "separate": (0, 1)}


@dataclass(frozen=True)
class Figure:
    wall: float
    cpu: float
    max_rss_mib: float
    exit: int = 0


def _measure(step: str, root: Path, out: Path, repo: Path = REPO, *extra: str) -> Figure:
    child = _CHILD_TEMPLATE.format(repo=str(repo))
    if step == "separate":
        extra = (json.dumps(SEPARATE),)
    result = subprocess.run(
        [sys.executable, "-c", child, step, str(root), str(out), *extra],
        check=False,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise SystemExit(f"{step} on {root} failed:\n{result.stderr[-3000:]}")
    data = json.loads(result.stdout.strip().splitlines()[-1])
    code = int(data.get("exit", 0))
    if code not in _ALLOWED_EXITS.get(step, (0,)):
        raise SystemExit(f"{step} on {root} exited {code}")
    return Figure(data["wall"], data["cpu"], data["max_rss_kib"] / 1024, code)


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


def _prepare(root: Path, packs: int, tenants: int, environments: int) -> None:
    """The generated repository, with its settings and CODEOWNERS, committed; then the 1 %
    change, committed on top."""
    generate(root, packs=packs, tenants=tenants, environments=environments, postgres=True)
    (root / "repository.yaml").write_text(
        "# yaml-language-server: $schema=schema/repository.schema.json\n"
        'owners: ["@bank/dpm-platform"]\n',
        encoding="utf-8",
    )
    subprocess.run(
        [sys.executable, "-m", "dpm_policy", "codeowners", "--root", str(root)],
        check=True,
        capture_output=True,
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(REPO / "tools"), str(REPO / "runtime")]),
        },
    )
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "base")
    _one_percent_change(root)
    _git(root, "commit", "-qam", "one percent")


def _runtime_figures(root: Path) -> dict[str, float]:
    """Per-request cost of the resolver against the engine's per-request re-parse.

    The variables are built in memory by the compiler, for the environment that ships the
    fewest packs, all six of them as ``env.json`` holds them.
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


# The phases of the gate the profile reports: (label, module file, function).
_PHASES = (
    ("validate (head and base)", "dpm_policy/validate.py", "validate"),
    ("  parse YAML (every file loaded)", "dpm_policy/load/yaml_source.py", "parse_yaml"),
    ("  check against the models", "pydantic/main.py", "model_validate"),
    ("  cross-file rules", "dpm_policy/checks/__init__.py", "run_checks"),
    (
        "compile the head (validation handed on)",
        "dpm_policy/compile/pipeline.py",
        "compile_repository",
    ),
    ("  write and read back, verified", "dpm_policy/compile/verify.py", "verify_outputs"),
    ("build the base in memory, read strictly", "dpm_policy/review/compiled.py", "build_side"),
    ("build environments (both sides)", "dpm_policy/compile/environment.py", "build_environment"),
    ("compare sides and change rules", "dpm_policy/review/__init__.py", "compare_sides"),
    ("formatting check", "dpm_policy/fmt/__init__.py", "format_sources"),
    ("CODEOWNERS check", "dpm_policy/codeowners.py", "check_codeowners"),
    ("schema check", "dpm_policy/schema.py", "check_schemas"),
    ("policy tests", "dpm_policy/governance/policy_tests.py", "answer_policy_tests"),
    ("review report (markdown)", "dpm_policy/review/render/markdown.py", "render"),
    ("git: list and read the base", "dpm_policy/load/trees.py", "_fetch"),
)


def _profile_gate(root: Path, out: Path) -> list[tuple[str, float, float]]:
    """The gate once under cProfile: each phase's cumulative seconds and share of the whole."""
    code = textwrap.dedent(
        """
        import cProfile, json, os, pstats, sys
        sys.path.insert(0, sys.argv[3])
        from dpm_policy.cli import main
        profile = cProfile.Profile()
        with open(os.devnull, "w") as sink:
            saved = sys.stdout, sys.stderr
            sys.stdout = sys.stderr = sink
            try:
                profile.runcall(main, ["check", "--root", sys.argv[1], "--base", "HEAD~1",
                                       "--format", "github", "--report", sys.argv[2]])
            finally:
                sys.stdout, sys.stderr = saved
        stats = pstats.Stats(profile).stats
        total = max(ct for (_, _, name), (_, _, _, ct, _) in stats.items() if name == "main")
        phases = json.loads(sys.argv[4])
        found = []
        for label, suffix, function in phases:
            seconds = sum(ct for (file, _, name), (_, _, _, ct, _) in stats.items()
                          if name == function and file.endswith(suffix))
            found.append((label, seconds, seconds / total))
        print(json.dumps({"total": total, "phases": found}))
        """
    )
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            str(root),
            str(out / "review.md"),
            str(REPO / "tools"),
            json.dumps(_PHASES),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    data = json.loads(result.stdout.strip().splitlines()[-1])
    return [("the whole gate", data["total"], 1.0), *map(tuple, data["phases"])]


@dataclass(frozen=True)
class Scale:
    label: str
    packs: int
    tenants: int
    # step -> one Figure per round; "floor" too.
    rounds: dict[str, list[Figure]]
    jsonschema: Figure
    runtime: dict[str, float]

    def seconds(self, step: str) -> float:
        return statistics.median(figure.cpu for figure in self.rounds[step])

    def ratio(self, step: str, over: str = "floor") -> float:
        """The median over rounds of ``step`` / ``over``, each taken within its round."""
        return statistics.median(
            mine.cpu / theirs.cpu
            for mine, theirs in zip(self.rounds[step], self.rounds[over], strict=True)
        )

    def peak(self, step: str) -> float:
        return max(figure.max_rss_mib for figure in self.rounds[step])


def _measure_scale(
    label: str, fraction: float, base: Path, environments: int, rounds: int
) -> Scale:
    packs, tenants = max(10, int(FULL[0] * fraction)), max(20, int(FULL[1] * fraction))
    name = label.replace("/", "_")
    root, out = base / f"repo-{name}", base / f"out-{name}" / "dist"
    out.parent.mkdir()
    _prepare(root, packs, tenants, environments)
    measured: dict[str, list[Figure]] = {step: [] for step in ("floor", *STEPS)}
    for _ in range(rounds):
        for step in ("floor", *STEPS):
            measured[step].append(_measure(step, root, out))
    jsonschema = _measure("check-jsonschema", root, out)
    return Scale(label, packs, tenants, measured, jsonschema, _runtime_figures(root))


def _report(scales: list[Scale], rounds: int) -> None:
    print(
        f"\nCPU seconds, medians of {rounds} round(s); ratios within each round, then the median.\n"
    )
    print(
        "| scale | packs | tenants | floor s | validate s | vs floor | compile s | vs floor "
        "| diff s | vs 1 compile | fmt --check s | vs floor | gate (check) s | vs floor "
        "| gate peak MiB | separate commands s | vs floor |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for s in scales:
        print(
            f"| {s.label} | {s.packs:,} | {s.tenants:,} | {s.seconds('floor'):.2f} "
            f"| {s.seconds('validate'):.2f} | {s.ratio('validate'):.2f}x "
            f"| {s.seconds('compile'):.2f} | {s.ratio('compile'):.2f}x "
            f"| {s.seconds('diff'):.2f} | {s.ratio('diff', 'compile'):.2f}x "
            f"| {s.seconds('fmt-check'):.2f} | {s.ratio('fmt-check'):.2f}x "
            f"| {s.seconds('check'):.2f} | {s.ratio('check'):.2f}x | {s.peak('check'):.0f} "
            f"| {s.seconds('separate'):.2f} | {s.ratio('separate'):.2f}x |"
        )
    print(
        "\n| scale | every round's ratio: validate; compile; fmt; gate (to the floor); "
        "diff (to one compile) |"
    )
    print("|---|---|")
    for s in scales:
        per_round = []
        for step, over in (
            ("validate", "floor"),
            ("compile", "floor"),
            ("fmt-check", "floor"),
            ("check", "floor"),
            ("diff", "compile"),
        ):
            ratios = [
                f"{mine.cpu / base.cpu:.2f}"
                for mine, base in zip(s.rounds[step], s.rounds[over], strict=True)
            ]
            per_round.append(", ".join(ratios))
        print(f"| {s.label} | {'; '.join(per_round)} |")
    print(
        "\n| scale | validate vs check-jsonschema | resolve µs | vs re-parse "
        "| exits: gate, separate |"
    )
    print("|---|---:|---:|---:|---|")
    for s in scales:
        exits = f"{s.rounds['check'][0].exit}, {s.rounds['separate'][0].exit}"
        print(
            f"| {s.label} | {s.seconds('validate') / s.jsonschema.cpu:.2f}x "
            f"| {s.runtime['resolve'] * 1e6:.2f} "
            f"| {s.runtime['reparse'] / s.runtime['resolve']:.0f}x faster | {exits} |"
        )
    if len(scales) > 1:
        small, large = scales[0], scales[-1]
        growth = large.packs / small.packs
        print(f"\nGrowth from {small.label} to {large.label} ({growth:.0f}x the data), CPU time:\n")
        print("| step | growth |")
        print("|---|---:|")
        for step in ("floor", *STEPS):
            print(f"| {step} | {large.seconds(step) / small.seconds(step):.1f}x |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny scale; checks that it runs")
    parser.add_argument("--environments", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3, help="rounds per scale (default: 3)")
    parser.add_argument(
        "--profile", action="store_true", help="then profile the gate once at the largest scale"
    )
    args = parser.parse_args(argv)
    scales = {"quick": 0.01} if args.quick else SCALES
    rounds = 1 if args.quick else args.rounds
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    measured = []
    with tempfile.TemporaryDirectory(prefix="dpm-bench-") as temporary:
        base = Path(temporary)
        for label, fraction in scales.items():
            measured.append(_measure_scale(label, fraction, base, args.environments, rounds))
        _report(measured, rounds)
        if args.profile or args.quick:
            largest = measured[-1].label.replace("/", "_")
            phases = _profile_gate(base / f"repo-{largest}", base / f"out-{largest}")
            print(f"\nWhere the gate's time goes ({measured[-1].label}, one run under cProfile):\n")
            print("| phase | s (profiled) | share |")
            print("|---|---:|---:|")
            for label, seconds, share in phases:
                print(f"| {label} | {seconds:.2f} | {share:.0%} |")
    if args.quick:
        print("\n(--quick: a smoke run; its figures mean nothing)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

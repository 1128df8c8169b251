"""``diff`` with its impact analysis against ``diff`` of an earlier commit, on the same files.

    python benchmarks/diff_impact.py --before 603a401          # full scale, two rounds
    python benchmarks/diff_impact.py --before 603a401 --quick  # a tiny scale: checks it runs

The earlier commit's ``tools/`` and ``runtime/`` are exported with ``git archive`` into a
temporary folder; both versions then time ``compile`` and ``diff`` (``run.py``'s steps, each in
its own process, CPU time) on one generated repository with ``run.py``'s 1 % change, in
alternating rounds so that the machine's load falls on both alike. Printed: each figure and the
ratio of the two diffs.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import run  # noqa: E402
from generate import generate  # noqa: E402


def _export(commit: str, dest: Path) -> Path:
    """``tools/`` and ``runtime/`` as they were at ``commit``, with ``run.py``'s child code."""
    dest.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", commit, "tools", "runtime"],
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", required=True, metavar="COMMIT", help="the earlier commit")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="tiny scale; checks that it runs")
    args = parser.parse_args(argv)
    packs, tenants = (20, 200) if args.quick else run.FULL
    with tempfile.TemporaryDirectory(prefix="dpm-bench-impact-") as temporary:
        base = Path(temporary)
        before = _export(args.before, base / "before")
        root, out = base / "repo", base / "dist"
        generate(root, packs=packs, tenants=tenants, environments=3)
        run._git(root, "init", "-q")
        run._git(root, "add", "-A")
        run._git(root, "commit", "-qm", "base")
        run._one_percent_change(root)
        run._git(root, "commit", "-qam", "one percent")
        versions = {"before": before, "now": REPO}
        diffs: dict[str, list[float]] = {name: [] for name in versions}
        for round_ in range(args.rounds):
            for name, tree in versions.items():
                # The child imports the tool from PYTHONPATH first: this version's sources.
                os.environ["PYTHONPATH"] = f"{tree / 'runtime'}{os.pathsep}{tree / 'tools'}"
                for step in ("compile", "diff"):
                    figure = run._measure(step, root, out, tree, "lift-budget")
                    print(f"round {round_ + 1}: {name:>6} {step:<7} {figure.cpu:7.2f} s CPU")
                    if step == "diff":
                        diffs[name].append(figure.cpu)
    ratio = sum(diffs["now"]) / sum(diffs["before"])
    print(f"\ndiff now / diff at {args.before}: {ratio:.2f}x")
    if args.quick:
        print("(--quick: a smoke run; its figures mean nothing)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

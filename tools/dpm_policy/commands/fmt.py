"""``dpm-policy fmt``: rewrite policy files in canonical layout, or check that they are."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dpm_policy.commands.common import add_root_argument, find_root, report_problems
from dpm_policy.fmt import format_files

NAME = "fmt"
HELP = (
    "put policy files in canonical key order and indentation, keeping comments "
    "(--check: change nothing, exit 1 naming the files that need it)"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_root_argument(parser)
    parser.add_argument(
        "--check",
        action="store_true",
        help="change nothing; exit 1 and name each file that is not formatted",
    )
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="files or folders to format (default: packs/, tenants/ and environments/)",
    )


def run(args: argparse.Namespace) -> int:
    root = find_root(args.root)
    result = format_files(root=root, paths=list(args.paths), check=args.check)
    report_problems(result.problems, "text")
    for name in result.changed:
        if args.check:
            sys.stderr.write(f"{name}: not formatted; run dpm-policy fmt\n")
        else:
            sys.stderr.write(f"formatted {name}\n")
    if args.check and result.changed:
        sys.stderr.write(f"{len(result.changed)} of {result.checked} file(s) need formatting\n")
        return 1
    return 1 if result.errors else 0

"""``dpm-policy fmt``: rewrite policy files in canonical layout, or check that they are."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dpm_policy.commands.common import (
    add_check_argument,
    add_format_argument,
    add_root_argument,
    find_root,
    report_problems,
)
from dpm_policy.fmt import format_files, formatting_problems

NAME = "fmt"
HELP = (
    "put policy files in canonical key order and layout, keeping each comment by what it "
    "annotates (--check: change nothing, exit 1 naming the files that need it; --diff: show "
    "the changes)"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_root_argument(parser)
    add_format_argument(parser)
    add_check_argument(parser, "change nothing; exit 1 and name each file that is not formatted")
    parser.add_argument(
        "--diff",
        action="store_true",
        help="print a unified diff of each change (with --check: of each change it would make)",
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
    result = format_files(root=root, paths=list(args.paths), check=args.check, diff=args.diff)
    problems = formatting_problems(result) if args.check else result.problems
    report_problems(problems, args.format)
    # The diff goes to stdout, unless the problems' JSON is there.
    diff_stream = sys.stderr if args.format == "json" else sys.stdout
    for patch in result.diffs:
        diff_stream.write(patch)
    if args.format == "text":
        if args.check and result.changed:
            sys.stderr.write(f"{len(result.changed)} of {result.checked} file(s) need formatting\n")
        elif not args.check:
            for name in result.changed:
                sys.stderr.write(f"formatted {name}\n")
    return 1 if any(problem.is_error for problem in problems) else 0

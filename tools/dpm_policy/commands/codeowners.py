"""``dpm-policy codeowners``: write, or check, ``.github/CODEOWNERS`` from the files' owners."""

from __future__ import annotations

import argparse
import sys

from dpm_policy.codeowners import CODEOWNERS_PATH, write_codeowners
from dpm_policy.commands.common import add_root_argument, find_root, report_problems

NAME = "codeowners"
HELP = (
    f"write {CODEOWNERS_PATH} from the owners of packs, tenants and environments "
    "(--check: exit 1 if it is stale)"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_root_argument(parser)
    parser.add_argument(
        "--check", action="store_true", help=f"change nothing; exit 1 if {CODEOWNERS_PATH} is stale"
    )


def run(args: argparse.Namespace) -> int:
    result = write_codeowners(root=find_root(args.root), check=args.check)
    if result.problems:
        report_problems(result.problems, "text")
        sys.stderr.write(
            "these files have no valid owners and are left out; fix them (dpm-policy validate)\n"
        )
    if args.check:
        if result.stale:
            sys.stderr.write(f"{CODEOWNERS_PATH}: stale; run dpm-policy codeowners\n")
        return 1 if result.stale or result.problems else 0
    if result.written:
        sys.stderr.write(f"wrote {CODEOWNERS_PATH}\n")
    return 1 if result.problems else 0

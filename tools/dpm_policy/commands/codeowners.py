"""``dpm-policy codeowners``: write, or check, ``.github/CODEOWNERS`` from the owners."""

from __future__ import annotations

import argparse
import sys

from dpm_policy.codeowners import CODEOWNERS_PATH, codeowners_problems, write_codeowners
from dpm_policy.commands.common import (
    add_check_argument,
    add_format_argument,
    add_root_argument,
    find_root,
    report_problems,
)

NAME = "codeowners"
HELP = (
    f"write {CODEOWNERS_PATH} from the owners of packs, tenants and environments and of the "
    "tooling (repository.yaml); refused while a file is invalid (--check: exit 1 if it is "
    "stale or missing)"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_root_argument(parser)
    add_format_argument(parser)
    add_check_argument(parser, f"change nothing; exit 1 if {CODEOWNERS_PATH} is stale or missing")


def run(args: argparse.Namespace) -> int:
    result = write_codeowners(root=find_root(args.root), check=args.check)
    problems = codeowners_problems(result) if args.check else list(result.problems)
    report_problems(problems, args.format)
    if result.state == "refused":
        if args.format == "text":
            done = "not checked" if args.check else "not written, the previous file is kept"
            sys.stderr.write(
                f"{CODEOWNERS_PATH}: {done}: the owners of invalid files cannot be known; fix "
                "the problems above, then run dpm-policy codeowners\n"
            )
        return 1
    if result.written and args.format == "text":
        sys.stderr.write(f"wrote {CODEOWNERS_PATH}\n")
    return 1 if problems else 0

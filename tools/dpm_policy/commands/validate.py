"""``dpm-policy validate``: check every file and every cross-file rule."""

from __future__ import annotations

import argparse
import sys

from dpm_policy.checks import CHECKS
from dpm_policy.commands.common import (
    add_format_argument,
    add_root_argument,
    add_today_argument,
    find_root,
    report_problems,
)
from dpm_policy.validate import validate

NAME = "validate"
HELP = "check packs, tenants and environments; exit 1 if anything is wrong"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_root_argument(parser)
    add_format_argument(parser)
    parser.add_argument(
        "--list-checks", action="store_true", help="describe the cross-file rules and exit"
    )
    add_today_argument(parser)


def run(args: argparse.Namespace) -> int:
    if args.list_checks:
        for name, check in CHECKS.items():
            doc = " ".join((check.__doc__ or "").split())
            sys.stdout.write(f"{name}: {doc}\n")
        return 0
    result = validate(root=find_root(args.root), today=args.today)
    report_problems(result.problems, args.format)
    if args.format == "text":
        sys.stderr.write(result.summary() + "\n")
    return 0 if result.ok else 1

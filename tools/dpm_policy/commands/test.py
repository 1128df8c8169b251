"""``dpm-policy test``: run the policy tests (``policy-tests/*.yaml``) on the compiled output."""

from __future__ import annotations

import argparse
import sys

from dpm_policy.commands.common import (
    add_environments_argument,
    add_format_argument,
    add_root_argument,
    add_today_argument,
    find_root,
    report_problems,
)
from dpm_policy.governance.policy_tests import run_policy_tests

NAME = "test"
HELP = (
    "run the policy tests through the runtime resolver on the compiled output; exit 1 if one "
    "fails (each failure at its expectation's file:line, with expected and actual)"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_root_argument(parser)
    add_format_argument(parser)
    add_environments_argument(
        parser, "only the tests of this environment (repeatable; default: all)"
    )
    parser.add_argument(
        "--update",
        action="store_true",
        help="also write every answer beside its test file as <name>.snapshot.json, for reviewers",
    )
    add_today_argument(parser)


def run(args: argparse.Namespace) -> int:
    result = run_policy_tests(
        root=find_root(args.root),
        environments=args.environments,
        update=args.update,
        today=args.today,
    )
    report_problems(result.problems, args.format)
    if args.format == "text":
        for name in result.snapshots:
            sys.stderr.write(f"wrote {name}\n")
        if result.answers or result.ok:
            verdict = "passed" if result.ok else "failed"
            sys.stderr.write(
                f"{verdict}: {result.passed} policy test(s) passed, {result.failed} failed\n"
            )
    return 0 if result.ok else 1

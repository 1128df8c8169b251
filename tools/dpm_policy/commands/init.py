"""``dpm-policy init``: set up a new policy repository that uses this tool's hooks."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dpm_policy.commands.common import add_format_argument, report_problems
from dpm_policy.init import init_repository

__all__ = ["HELP", "NAME", "add_arguments", "run"]

NAME = "init"
HELP = (
    "create a policy repository's folders, repository.yaml, schemas, CODEOWNERS, pre-commit "
    "configuration and workflow (existing files are kept)"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--root",
        type=Path,
        default=Path("."),
        help="the new repository's folder (default: the current folder)",
    )
    add_format_argument(parser)
    parser.add_argument(
        "--owner",
        dest="owners",
        action="append",
        default=[],
        required=True,
        metavar="OWNER",
        help="who approves changes to the tooling and workflows (@org/team); repeatable",
    )
    parser.add_argument(
        "--tool-repo",
        required=True,
        metavar="URL",
        help="where pre-commit gets dpm-policy's hooks: its repository's URL (or a path)",
    )
    parser.add_argument(
        "--tool-rev",
        required=True,
        metavar="REV",
        help="the tag or commit of dpm-policy to use",
    )


def run(args: argparse.Namespace) -> int:
    result = init_repository(
        root=args.root.resolve(),
        owners=args.owners,
        tool_repo=args.tool_repo,
        tool_rev=args.tool_rev,
    )
    report_problems(result.problems, args.format)
    if args.format != "text":
        return 1 if result.problems else 0
    for name in result.created:
        sys.stderr.write(f"created {name}\n")
    for name in result.kept:
        sys.stderr.write(f"kept {name} (it exists)\n")
    if result.problems:
        sys.stderr.write("nothing written: fix the problems above, then run dpm-policy init\n")
        return 1
    sys.stderr.write(
        "next: git init (if need be), pip install pre-commit && pre-commit install, then "
        "dpm-policy new pack ID or write packs/<id>.yaml\n"
    )
    return 0

"""``dpm-policy schema``: write, or check, the JSON Schemas generated from the models."""

from __future__ import annotations

import argparse
import sys

from dpm_policy.commands.common import add_root_argument, find_root
from dpm_policy.schema import write_schemas

NAME = "schema"
HELP = "write schema/*.schema.json from the models (--check: exit 1 if one is stale or missing)"

_HOW = "run dpm-policy schema (or pre-commit run dpm-policy-schema --all-files)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_root_argument(parser)
    parser.add_argument(
        "--check",
        action="store_true",
        help="change nothing; exit 1 if a schema is stale or missing",
    )


def run(args: argparse.Namespace) -> int:
    result = write_schemas(root=find_root(args.root), check=args.check)
    if args.check:
        for name in result.missing:
            sys.stderr.write(f"{name}: missing; {_HOW} to create it\n")
        for name in result.stale:
            sys.stderr.write(f"{name}: stale; {_HOW} to update it\n")
        return 1 if result.stale or result.missing else 0
    for name in result.written:
        sys.stderr.write(f"wrote {name}\n")
    return 0

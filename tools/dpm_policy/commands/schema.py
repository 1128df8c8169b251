"""``dpm-policy schema``: write, or check, the JSON Schemas generated from the models."""

from __future__ import annotations

import argparse
import sys

from dpm_policy.commands.common import (
    add_check_argument,
    add_format_argument,
    add_root_argument,
    find_root,
    report_problems,
)
from dpm_policy.schema import schema_problems, write_schemas

NAME = "schema"
HELP = "write schema/*.schema.json from the models (--check: exit 1 if one is stale or missing)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_root_argument(parser)
    add_format_argument(parser)
    add_check_argument(parser, "change nothing; exit 1 if a schema is stale or missing")


def run(args: argparse.Namespace) -> int:
    result = write_schemas(root=find_root(args.root), check=args.check)
    if args.check:
        problems = schema_problems(result)
        report_problems(problems, args.format)
        return 1 if problems else 0
    if args.format == "text":
        for name in result.written:
            sys.stderr.write(f"wrote {name}\n")
    else:
        report_problems([], args.format)
    return 0

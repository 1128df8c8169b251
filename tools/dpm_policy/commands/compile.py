"""``dpm-policy compile``: build what the engine reads, for every environment or the named ones."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dpm_policy.commands.common import (
    add_environments_argument,
    add_format_argument,
    add_root_argument,
    find_root,
    report_problems,
)
from dpm_policy.compile import FILE_NAMES, compile_repository
from dpm_policy.compile.commit import COMMIT_PATTERN
from dpm_policy.compile.delivery import tenant_map_summary
from dpm_policy.errors import UsageError

__all__ = ["HELP", "NAME", "add_arguments", "run"]

NAME = "compile"
HELP = "validate, then build dist/<env>/ (" + ", ".join(FILE_NAMES) + ") for the engine"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_root_argument(parser)
    add_format_argument(parser)
    add_environments_argument(
        parser, "an environment to compile; repeat for several (default: every environment)"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="output folder (default: <root>/dist); each environment gets DIR/<env>/",
    )
    parser.add_argument(
        "--source-commit",
        default=None,
        metavar="SHA",
        help="the commit the sources come from, for the ConfigMap label and the manifest "
        "(default: HEAD when the checkout is clean, else none)",
    )


def run(args: argparse.Namespace) -> int:
    commit = args.source_commit
    if commit is not None and not COMMIT_PATTERN.fullmatch(commit):
        raise UsageError(
            f"--source-commit {commit!r} is not a commit id; pass 7 to 64 lower-case hex digits"
        )
    root = find_root(args.root)
    result = compile_repository(
        root=root,
        out=args.out,
        environments=args.environments,
        source_commit=commit,
    )
    report_problems(result.problems, args.format)
    if args.format == "text":
        for written in result.written:
            sys.stderr.write(
                f"compiled {written.environment}: {written.pack_count} pack(s), "
                f"{written.tenant_count} tenant(s), ConfigMap {written.configmap_name} "
                f"-> {written.path}\n"
            )
            summary = tenant_map_summary(written.environment, written.tenant_map_delivery)
            if summary is not None:
                sys.stderr.write(f"  {summary}\n")
        if not result.ok:
            stage = "validation" if not result.validated else "the build"
            sys.stderr.write(f"nothing written: {stage} found errors; fix them and compile again\n")
        elif result.written:
            sys.stderr.write(
                "the engine reads pack definitions from its Postgres catalog: publish them with "
                "dpm-policy publish --env NAME\n"
            )
    return 0 if result.ok else 1

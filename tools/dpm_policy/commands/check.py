"""``dpm-policy check``: the whole pull-request gate in one pass."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dpm_policy.commands.change_arguments import add_change_arguments, approvals_line, protected
from dpm_policy.commands.common import (
    add_format_argument,
    add_root_argument,
    add_today_argument,
    find_root,
    report_problems,
)
from dpm_policy.errors import InputError, UsageError
from dpm_policy.files import write_whole
from dpm_policy.gate import STEPS, GateResult, run_gate
from dpm_policy.review import RENDERERS

NAME = "check"
HELP = (
    "the pull-request gate in one pass: validate, schemas and CODEOWNERS current, formatting, "
    "policy tests, and the review of the change against --base with its change rules; exit 1 "
    "if any of them finds an error"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_root_argument(parser)
    add_change_arguments(parser)
    add_format_argument(parser)
    parser.add_argument(
        "--report",
        type=Path,
        metavar="FILE",
        default=None,
        help="also write the review report to FILE ('-': standard output), written even when "
        "a side does not compile",
    )
    parser.add_argument(
        "--report-format",
        choices=list(RENDERERS),
        default="markdown",
        help=f"the report's format: {', '.join(RENDERERS)} (default: markdown)",
    )
    add_today_argument(parser)


def _write_report(path: Path, text: str) -> None:
    """The report to ``path`` whole; to standard output for ``-``, and straight into a
    device or pipe (``/dev/stdout``), which cannot be replaced."""
    if str(path) == "-":
        sys.stdout.write(text)
        return
    if path.exists() and not path.is_file():
        try:
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as error:
            raise InputError(f"{path}: cannot write: {error.strerror or error}") from None
        return
    write_whole(path, text)


def _summary(result: GateResult) -> str:
    lines = []
    for step in result.steps:
        verdict = (
            "ok" if not step.problems else f"{step.errors} error(s), {step.warnings} warning(s)"
        )
        lines.append(f"{step.name} ({STEPS[step.name]}): {verdict}\n")
    return "".join(lines)


def run(args: argparse.Namespace) -> int:
    if args.report is not None and str(args.report) == "-" and args.format == "json":
        raise UsageError("--report - and --format json both print to standard output; pick one")
    result = run_gate(
        root=find_root(args.root),
        base=args.base,
        head=args.head,
        protected=protected(args),
        base_label=args.base_label,
        head_label=args.head_label,
        today=args.today,
        pull_request=args.pull_request,
        reviews=args.reviews,
        team_members=args.team_members,
    )
    if args.report is not None:
        _write_report(args.report, RENDERERS[args.report_format](result.review))
    report_problems(result.problems, args.format)
    if args.format == "text":
        sys.stderr.write(_summary(result))
        if not result.review.failed:
            sys.stderr.write(approvals_line(result.review))
    return 0 if result.ok else 1

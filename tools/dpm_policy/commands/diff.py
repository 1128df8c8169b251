"""``dpm-policy diff``: what a change does to each environment, and whether it keeps the rules."""

from __future__ import annotations

import argparse
import sys

from dpm_policy.commands.change_arguments import (
    add_change_arguments,
    approvals_line,
    protected,
    with_approvals,
)
from dpm_policy.commands.common import (
    add_check_argument,
    add_format_argument,
    add_root_argument,
    emit,
    find_root,
    report_problems,
)
from dpm_policy.formats import FORMATS
from dpm_policy.review import RENDERERS, diff_report

NAME = "diff"
HELP = (
    "compile --base REF and the head (default: the working tree) and report, per environment, "
    "what the engine would get differently (--check: exit 1 on a broken change rule)"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_root_argument(parser)
    add_change_arguments(parser)
    add_format_argument(parser, RENDERERS, default="markdown")
    add_check_argument(
        parser,
        "print each broken change rule as a problem (text unless --format names a "
        "problem format) and exit 1 if there is one",
    )


def run(args: argparse.Namespace) -> int:
    root = find_root(args.root)
    review = diff_report(
        root=root,
        base=args.base,
        head=args.head,
        protected=protected(args),
        base_label=args.base_label,
        head_label=args.head_label,
    )
    review = with_approvals(review, args, root)
    if args.check:
        format_name = args.format if args.format in FORMATS else "text"
        report_problems(review.problems, format_name)
        if format_name == "text":
            rules_kept = not any(
                p.is_error and p.code != "approval-missing" for p in review.problems
            )
            if rules_kept:
                sys.stderr.write("change rules: all kept\n")
            if not review.failed:
                sys.stderr.write(approvals_line(review))
        return 0 if review.ok else 1
    emit(review.problems, args.format, RENDERERS, review, beside_annotations="markdown")
    # Broken change rules fail only --check; a side that does not compile fails the report.
    return 1 if review.failed else 0

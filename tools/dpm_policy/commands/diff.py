"""``dpm-policy diff``: what a change does to each environment, and whether it keeps the rules."""

from __future__ import annotations

import argparse
import sys

from dpm_policy.commands.common import (
    add_format_argument,
    add_root_argument,
    emit,
    find_root,
    report_problems,
)
from dpm_policy.formats import FORMATS
from dpm_policy.review import DEFAULT_PROTECTED, RENDERERS, diff_report

NAME = "diff"
HELP = (
    "compile --base REF and the head (default: the working tree) and report, per environment, "
    "what the engine would get differently (--check: exit 1 on a broken change rule)"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_root_argument(parser)
    parser.add_argument("--base", required=True, metavar="REF", help="the commit to compare with")
    parser.add_argument(
        "--head", metavar="REF", default=None, help="compare this commit (default: working tree)"
    )
    parser.add_argument(
        "--base-label",
        metavar="TEXT",
        default=None,
        help="how the report's header names the base (default: the ref and its commit)",
    )
    parser.add_argument(
        "--head-label",
        metavar="TEXT",
        default=None,
        help="how the report's header names the head, e.g. a pull request's head commit "
        "(default: the ref and its commit, or the commit the working tree is on)",
    )
    add_format_argument(parser, RENDERERS, default="markdown")
    parser.add_argument(
        "--check",
        action="store_true",
        help="print each broken change rule as a problem (text unless --format names a "
        "problem format) and exit 1 if there is one",
    )
    parser.add_argument(
        "--protect",
        action="append",
        metavar="ENV",
        default=None,
        help="an environment whose packs may not change in place (repeatable; default: "
        + ", ".join(DEFAULT_PROTECTED)
        + ")",
    )


def run(args: argparse.Namespace) -> int:
    protected = tuple(args.protect) if args.protect else DEFAULT_PROTECTED
    review = diff_report(
        root=find_root(args.root),
        base=args.base,
        head=args.head,
        protected=protected,
        base_label=args.base_label,
        head_label=args.head_label,
    )
    if args.check:
        format_name = args.format if args.format in FORMATS else "text"
        report_problems(review.problems, format_name)
        if format_name == "text" and review.ok:
            sys.stderr.write("change rules: all kept\n")
        return 0 if review.ok else 1
    emit(review.problems, args.format, RENDERERS, review, beside_annotations="markdown")
    # Broken change rules fail only --check; a side that does not compile fails the report.
    return 1 if review.failed else 0

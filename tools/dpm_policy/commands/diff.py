"""``dpm-policy diff``: what a change does to each environment, and whether it keeps the rules."""

from __future__ import annotations

import argparse
import sys

from dpm_policy.commands.common import add_root_argument, find_root
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
    parser.add_argument(
        "--format",
        choices=sorted(RENDERERS),
        default="markdown",
        help="markdown for a pull-request comment, json for machines (default: markdown)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="print each broken change rule as path:line:col and exit 1 if there is one",
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
        sys.stderr.write(FORMATS["text"](list(review.violations)))
        if review.ok:
            sys.stderr.write("change rules: all kept\n")
        return 0 if review.ok else 1
    sys.stdout.write(RENDERERS[args.format](review))
    return 0

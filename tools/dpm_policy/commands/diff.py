"""``dpm-policy diff``: what a change does to each environment, and whether it keeps the rules."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dpm_policy.commands.common import (
    add_check_argument,
    add_format_argument,
    add_root_argument,
    emit,
    find_root,
    report_problems,
)
from dpm_policy.errors import UsageError
from dpm_policy.formats import FORMATS
from dpm_policy.review import DEFAULT_PROTECTED, RENDERERS, Review, diff_report
from dpm_policy.review.approvals import apply_review_state
from dpm_policy.review.github_reviews import read_review_state
from dpm_policy.review.sources import ref_side
from dpm_policy.review.teams import TEAMS_FILE, read_team_members, team_members_at

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
    add_check_argument(
        parser,
        "print each broken change rule as a problem (text unless --format names a "
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
    approvals = parser.add_argument_group(
        "approvals", "check the environments' approval tiers against the pull request's reviews"
    )
    approvals.add_argument(
        "--pull-request",
        type=Path,
        metavar="FILE",
        help="GitHub's answer to GET /repos/{owner}/{repo}/pulls/{number}, saved as JSON",
    )
    approvals.add_argument(
        "--reviews",
        type=Path,
        metavar="FILE",
        help="GitHub's answer to GET /repos/{owner}/{repo}/pulls/{number}/reviews (gh api "
        "--paginate)",
    )
    approvals.add_argument(
        "--team-members",
        type=Path,
        metavar="FILE",
        help=f"who is in each owning team (default: {TEAMS_FILE} as the base commit holds it)",
    )


def _with_reviews(review: Review, args: argparse.Namespace, root: Path) -> Review:
    """The review with its required approvals checked, when the reviews were given."""
    if (args.pull_request is None) != (args.reviews is None):
        raise UsageError("--pull-request and --reviews go together: pass both GitHub answers")
    if args.reviews is None or review.failed:
        return review
    state = read_review_state(pull_request=args.pull_request, reviews=args.reviews)
    reviewed = ref_side(root, args.head or "HEAD").commit
    if reviewed != state.head_sha:
        raise UsageError(
            f"the pull request's head is {state.head_sha[:12]}, but this review compares "
            f"{(reviewed or '?')[:12]}; check out the pull request's head (or pass --head) and "
            "fetch its reviews again"
        )
    teams = (
        read_team_members(root, args.team_members)
        if args.team_members is not None
        else team_members_at(ref_side(root, args.base))
    )
    return apply_review_state(review, state, teams)


def _approvals_line(review: Review) -> str:
    """What ``--check`` says about approvals, after the problems."""
    if not review.approvals:
        return "approvals: none required\n"
    if review.approvals[0].approved_by is None:
        owners = sorted(
            {
                f"{s.required.environment} {s.required.kind}: {s.required.owner}"
                for s in review.approvals
            }
        )
        return "approvals required (checked on the pull request):\n" + "".join(
            f"  {line}\n" for line in owners
        )
    if all(status.satisfied for status in review.approvals):
        return "approvals: all given\n"
    return ""


def run(args: argparse.Namespace) -> int:
    protected = tuple(args.protect) if args.protect else DEFAULT_PROTECTED
    root = find_root(args.root)
    review = diff_report(
        root=root,
        base=args.base,
        head=args.head,
        protected=protected,
        base_label=args.base_label,
        head_label=args.head_label,
    )
    review = _with_reviews(review, args, root)
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
                sys.stderr.write(_approvals_line(review))
        return 0 if review.ok else 1
    emit(review.problems, args.format, RENDERERS, review, beside_annotations="markdown")
    # Broken change rules fail only --check; a side that does not compile fails the report.
    return 1 if review.failed else 0

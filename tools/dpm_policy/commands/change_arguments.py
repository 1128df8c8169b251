"""What ``diff`` and ``check`` share: the arguments that name a change and its pull request's
reviews, and what ``--check`` says about approvals."""

from __future__ import annotations

import argparse
from pathlib import Path

from dpm_policy.review import DEFAULT_PROTECTED, Review
from dpm_policy.review.approvals import check_approvals
from dpm_policy.review.teams import TEAMS_FILE

__all__ = ["add_change_arguments", "approvals_line", "protected", "with_approvals"]


def add_change_arguments(parser: argparse.ArgumentParser) -> None:
    """``--base``, ``--head``, the sides' labels, ``--protect`` and the approvals' inputs."""
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


def protected(args: argparse.Namespace) -> tuple[str, ...]:
    """The environments ``--protect`` names, else the default ones."""
    return tuple(args.protect) if args.protect else DEFAULT_PROTECTED


def with_approvals(review: Review, args: argparse.Namespace, root: Path) -> Review:
    """The review with its required approvals checked, when the reviews were given."""
    return check_approvals(
        review,
        root=root,
        base=args.base,
        head=args.head,
        pull_request=args.pull_request,
        reviews=args.reviews,
        team_members=args.team_members,
    )


def approvals_line(review: Review) -> str:
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

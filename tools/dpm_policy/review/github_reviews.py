"""The pull request's real review state, from GitHub's REST answers saved as JSON files.

The workflow saves ``GET /repos/{owner}/{repo}/pulls/{number}`` (the pull request: its head
commit and author) and ``GET /repos/{owner}/{repo}/pulls/{number}/reviews`` (every review,
paginated). A reviewer's approval counts only if it is their latest decisive review (a later
"changes requested" cancels it, and a dismissed approval reads ``DISMISSED``), it was given on
the head commit (an approval before the latest push does not count), and they are not the
author. Comments and pending reviews decide nothing; nothing written in the pull request's text
is read at all.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dpm_policy.errors import InputError

__all__ = ["ReviewState", "read_review_state", "review_state"]

_DECISIVE = frozenset({"APPROVED", "CHANGES_REQUESTED", "DISMISSED"})


@dataclass(frozen=True)
class ReviewState:
    """Who approved the head commit, and whose approvals do not count and why (logins in
    lower case: GitHub matches them without regard to case)."""

    head_sha: str
    author: str
    approvers: frozenset[str]
    discounted: tuple[tuple[str, str], ...] = ()


def _text(value: object, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise InputError(f"{what} is missing from GitHub's answer; save it with gh api")
    return value


def _login(user: object, what: str) -> str:
    if not isinstance(user, Mapping):
        raise InputError(f"{what} has no user in GitHub's answer")
    return _text(user.get("login"), f"{what}'s user.login").lower()


def review_state(pull_request: Mapping[str, Any], reviews: Sequence[Any]) -> ReviewState:
    """The counted approvals of a pull request, from GitHub's two answers."""
    head = pull_request.get("head")
    head_sha = _text(head.get("sha") if isinstance(head, Mapping) else None, "head.sha")
    author = _login(pull_request.get("user"), "the pull request")
    latest: dict[str, Mapping[str, Any]] = {}
    approved_once: set[str] = set()
    ordered = sorted(
        (review for review in reviews if isinstance(review, Mapping)),
        key=lambda review: (str(review.get("submitted_at") or ""), int(review.get("id") or 0)),
    )
    for index, review in enumerate(ordered):
        state = review.get("state")
        if state not in _DECISIVE:
            continue
        login = _login(review.get("user"), f"review {review.get('id', index)}")
        latest[login] = review
        if state in ("APPROVED", "DISMISSED"):
            approved_once.add(login)
    approvers: set[str] = set()
    discounted: list[tuple[str, str]] = []
    for login, review in sorted(latest.items()):
        state = review.get("state")
        commit = str(review.get("commit_id") or "")
        if state == "DISMISSED":
            discounted.append((login, "approval dismissed"))
        elif state == "CHANGES_REQUESTED":
            if login in approved_once:
                discounted.append((login, "requested changes after approving"))
        elif login == author:
            discounted.append((login, "the author"))
        elif commit != head_sha:
            discounted.append(
                (login, f"approved {commit[:12] or 'an unknown commit'}, before the latest push")
            )
        else:
            approvers.add(login)
    return ReviewState(head_sha, author, frozenset(approvers), tuple(discounted))


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(f"{path}: not GitHub's JSON answer ({error})") from None


def read_review_state(*, pull_request: Path, reviews: Path) -> ReviewState:
    """Read the two saved answers. ``gh api --paginate`` may write the reviews as several
    arrays one after another; they are read as one list."""
    pull = _read_json(pull_request)
    if not isinstance(pull, Mapping):
        raise InputError(f"{pull_request}: not a pull request object; save GET .../pulls/N")
    try:
        text = reviews.read_text(encoding="utf-8")
    except OSError as error:
        raise InputError(f"{reviews}: cannot read: {error.strerror}") from None
    items: list[Any] = []
    decoder = json.JSONDecoder()
    index = 0
    while index < len(text):
        while index < len(text) and text[index].isspace():
            index += 1
        if index == len(text):
            break
        try:
            page, index = decoder.raw_decode(text, index)
        except json.JSONDecodeError as error:
            raise InputError(f"{reviews}: not GitHub's JSON answer ({error})") from None
        if not isinstance(page, list):
            raise InputError(f"{reviews}: not a list of reviews; save GET .../pulls/N/reviews")
        items.extend(page)
    return review_state(pull, items)

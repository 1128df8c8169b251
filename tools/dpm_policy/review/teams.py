"""Who belongs to each owning team: a reviewed file, ``teams.yaml`` at the repository root,
read from the base side of the review.

::

    "@bank/dpm-risk": [alice-risk, bob-risk]
    "@bank/dpm-platform": [carol-ops]

An owner that is a user (``@alice``) is satisfied by that user alone. Where the workflow's token
may read the organisation's teams, it can write the same mapping from GitHub's team API
(``GET /orgs/{org}/teams/{slug}/members``) and pass that file instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dpm_policy.errors import InputError
from dpm_policy.load.source_files import read_document
from dpm_policy.load.trees import DiskTree
from dpm_policy.load.yaml_source import YamlDocument, YamlLoadError
from dpm_policy.model.types import OWNER_PATTERN
from dpm_policy.problems import file_name
from dpm_policy.review.sources import Side

__all__ = ["TEAMS_FILE", "TeamMembers", "read_team_members", "team_members_at"]

TEAMS_FILE = "teams.yaml"
_LOGIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})")


@dataclass(frozen=True)
class TeamMembers:
    """Team -> member logins (lower case)."""

    teams: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def members(self, owner: str) -> frozenset[str]:
        """The logins whose approval counts for ``owner``."""
        if "/" not in owner:
            return frozenset({owner.removeprefix("@").lower()})
        return self.teams.get(owner.lower(), frozenset())


def _parse(document: YamlDocument) -> TeamMembers:
    data = document.data
    name = file_name(document.file)
    if not isinstance(data, dict):
        raise InputError(f"{name}: write one '\"@org/team\": [login, ...]' per line")
    teams: dict[str, frozenset[str]] = {}
    for team, logins in data.items():
        where = document.position((team,), key=True)
        at = f"{name}:{where.line}:{where.col}"
        if not isinstance(team, str) or not re.fullmatch(OWNER_PATTERN, team) or "/" not in team:
            raise InputError(f"{at}: {team!r} is not a team; write '@org/team'")
        if not isinstance(logins, list) or not all(
            isinstance(login, str) and _LOGIN.fullmatch(login) for login in logins
        ):
            raise InputError(f"{at}: {team} must list GitHub logins, such as [alice-risk]")
        teams[team.lower()] = frozenset(login.lower() for login in logins)
    return TeamMembers(teams)


def read_team_members(root: Path, path: Path) -> TeamMembers:
    """Read a mapping given on the command line; a mistake is an ``InputError`` at its line."""
    if not path.is_file():
        raise InputError(f"{path}: no such file; pass the team members with --team-members")
    try:
        document = read_document(DiskTree(path.parent), path.name)
    except YamlLoadError as error:
        first = error.problems[0]
        raise InputError(f"{path}:{first.line}:{first.col}: {first.message}") from None
    return _parse(document)


def team_members_at(side: Side) -> TeamMembers:
    """The reviewed mapping as the base side holds it (none when it has no ``teams.yaml``),
    so that a pull request cannot add its own author to a team."""
    try:
        document = read_document(side.tree, TEAMS_FILE)
    except YamlLoadError as error:
        if error.problems[0].code == "io":
            # Absent (or unreadable): no team has members, so only users' own approvals
            # count; the safe side to err on.
            return TeamMembers()
        first = error.problems[0]
        raise InputError(f"{first.file}:{first.line}:{first.col}: {first.message}") from None
    return _parse(document)

"""Inheritance chains resolve: no cycles, no missing bases, no overrides that change nothing."""

from __future__ import annotations

from dpm_policy.inheritance import flatten_repository
from dpm_policy.problems import Problem
from dpm_policy.repository import Repository

__all__ = ["check"]


def check(repository: Repository) -> list[Problem]:
    """A pack's ``extends`` names an existing pack, chains end within eight packs without a
    cycle, and (a warning) a pack does not repeat a value it already inherits."""
    _, problems = flatten_repository(repository)
    return problems

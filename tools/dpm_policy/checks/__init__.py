"""Cross-file rules, one module each, listed in one registry.

Each rule is a function from the loaded repository to the problems it finds; its docstring is
its documentation (``dpm-policy validate --list-checks`` prints them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from dpm_policy.checks import (
    extends,
    file_names,
    guardrails,
    ids,
    modeline,
    policy_tests,
    promotion,
    references,
    size_budget,
    waivers,
)
from dpm_policy.problems import Problem
from dpm_policy.repository import Repository

__all__ = ["CHECKS", "Check", "run_checks"]

Check = Callable[[Repository], Iterable[Problem]]

CHECKS: dict[str, Check] = {
    "file-names": file_names.check,
    "unique-ids": ids.check,
    "references": references.check,
    "promotion": promotion.check,
    "extends": extends.check,
    "modeline": modeline.check,
    "size-budget": size_budget.check,
    "guardrails": guardrails.check,
    "waivers": waivers.check,
    "policy-tests": policy_tests.check,
}


def run_checks(repository: Repository) -> list[Problem]:
    """Every registered rule's problems."""
    problems: list[Problem] = []
    for check in CHECKS.values():
        problems.extend(check(repository))
    return problems

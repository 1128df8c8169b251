"""The one exception strict loading raises."""

from __future__ import annotations

from collections.abc import Iterable

from dpm_policy_runtime.problems import ConfigProblem

__all__ = ["PolicyConfigError"]


class PolicyConfigError(ValueError):
    """The configuration is invalid; ``problems`` lists every reason, not just the first."""

    def __init__(self, problems: Iterable[ConfigProblem]) -> None:
        self.problems: tuple[ConfigProblem, ...] = tuple(problems)
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        lines = [f"invalid policy-pack configuration ({count} {noun}):"]
        lines.extend(f"  {problem}" for problem in self.problems)
        super().__init__("\n".join(lines))

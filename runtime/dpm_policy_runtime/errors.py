"""The exceptions of the runtime: a configuration strict loading refuses, and a request header
strict resolution refuses."""

from __future__ import annotations

from collections.abc import Iterable

from dpm_policy_runtime.problems import ConfigProblem

__all__ = ["PolicyConfigError", "PolicyHeaderError"]


class PolicyConfigError(ValueError):
    """The configuration is invalid; ``problems`` lists every reason, not just the first."""

    def __init__(self, problems: Iterable[ConfigProblem]) -> None:
        self.problems: tuple[ConfigProblem, ...] = tuple(problems)
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        lines = [f"invalid policy-pack configuration ({count} {noun}):"]
        lines.extend(f"  {problem}" for problem in self.problems)
        super().__init__("\n".join(lines))


class PolicyHeaderError(ValueError):
    """A request header the engine would misread (strict mode only); answer HTTP 400.

    ``header`` is the header's name and ``reason`` why it is refused. The message shows the
    value only escaped and truncated, so it is safe to return to the client or to log.
    """

    def __init__(self, header: str, shown: str, reason: str) -> None:
        self.header = header
        self.reason = reason
        consequence = _TENANT_ID if header == "X-Tenant-Id" else _PACK_ID
        super().__init__(f"{header} header {shown} refused: {reason}; {consequence}")


# What the engine would do with such a value (docs/engine-contract.md section 5), and the fix.
_PACK_ID = (
    "the engine would select it as a pack id that no catalog holds and apply nothing; send a "
    "pack id of the catalog"
)
_TENANT_ID = "the engine would look it up as a tenant that no map holds; send the tenant's id"

"""Findings as values: what strict loading rejects and what lenient loading drops."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["ConfigProblem", "DropKind", "Dropped", "Unchecked", "location_of"]

# What happened to a piece of configuration the lenient (engine-faithful) parse did not keep:
# "invalid"    the item is lost (a whole variable, a pack, a map entry);
# "ignored"    an unknown key the engine skips without a word (pydantic's extra="ignore");
# "superseded" an earlier entry replaced by a later one whose stripped key collides;
# "coerced"    a value the engine reads differently from how it is written (flag text).
DropKind = Literal["invalid", "ignored", "superseded", "coerced"]


def location_of(variable: str, path: str) -> str:
    """``VARIABLE: dotted.path``, or just the variable when the path is empty."""
    return f"{variable}: {path}" if path else variable


class _Located:
    """``location``, from a finding's ``variable`` and ``path``."""

    variable: str
    path: str

    @property
    def location(self) -> str:
        """E.g. ``DPM_POLICY_PACK_CATALOG_JSON: dpm_x.turnover_policy.max_turnover_pct``."""
        return location_of(self.variable, self.path)


@dataclass(frozen=True)
class ConfigProblem(_Located):
    """One reason strict loading refused the configuration.

    ``code`` is stable (for tests and tooling), ``message`` is written for the author and ends
    with the fix where one is known.
    """

    variable: str
    path: str
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.code}: {self.message}"


@dataclass(frozen=True)
class Dropped(_Located):
    """One thing the lenient parse lost or reinterpreted, as the engine does silently."""

    variable: str
    path: str
    kind: DropKind
    reason: str

    def __str__(self) -> str:
        return f"{self.location}: {self.kind}: {self.reason}"


@dataclass(frozen=True)
class Unchecked(_Located):
    """A value the engine applies as written although its ``EngineOptions`` would refuse it.

    The engine's pack model does not check these bounds and ``model_copy`` does not validate
    (docs/engine-contract.md section 3), so the value reaches the solver; lenient loading
    applies it the same way and lists it here.
    """

    variable: str
    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.location}: unchecked: {self.reason}"

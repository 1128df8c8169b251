"""The ``approvals`` block of an environment file: which kinds of change need which owners.

The review computes the kinds a change holds from what the engine would get differently
(``dpm-policy diff``; ``EnvironmentDiff.change_kinds``), and ``diff --check`` with the pull
request's reviews requires an approval from every owner a kind lists: a team by any one of its
members. The base side's tiers decide, so a change cannot lower the bar it is judged by.
"""

from __future__ import annotations

import difflib
import typing
from typing import Annotated, Literal

from pydantic import BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from dpm_policy.model.types import NotNull, OwnerList
from dpm_policy.shown import shown

__all__ = ["CHANGE_KINDS", "ApprovalTiers", "ChangeKind"]

# The kinds of change an environment holds, as the review computes them
# (``EnvironmentDiff.change_kinds``); the review reads them from here, so the tiers and the
# review cannot name different kinds.
ChangeKind = Literal[
    "loosening",
    "tightening",
    "neutral-change",
    "switch-changed",
    "default-moved",
    "pack-added",
    "pack-removed",
    "pack-changed-in-place",
    "tenant-moved",
]
CHANGE_KINDS: tuple[ChangeKind, ...] = typing.get_args(ChangeKind)


def _kind(value: object) -> str:
    if isinstance(value, str) and value in CHANGE_KINDS:
        return value
    near = (
        difflib.get_close_matches(value, CHANGE_KINDS, n=1, cutoff=0.6)
        if isinstance(value, str)
        else []
    )
    fix = f"did you mean '{near[0]}'?" if near else "use one of: " + ", ".join(CHANGE_KINDS)
    raise PydanticCustomError("unknown-name", f"{shown(value)} is not a kind of change; {fix}")


ApprovalKind = Annotated[
    str, BeforeValidator(_kind), WithJsonSchema({"type": "string", "enum": list(CHANGE_KINDS)})
]

ApprovalTiers = Annotated[dict[ApprovalKind, OwnerList] | None, NotNull]

"""Ids are unique, and no two differ only in case or punctuation."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from pydantic import BaseModel

from dpm_policy.problems import Problem
from dpm_policy.repository import Entry, Repository
from dpm_policy.suggest import near_key

__all__ = ["check"]


def _unique(
    kind: str, id_field: str, entries: Sequence[tuple[str, Entry[BaseModel]]]
) -> Iterator[Problem]:
    exact: dict[str, Entry[BaseModel]] = {}
    near: dict[str, tuple[str, Entry[BaseModel]]] = {}
    for identifier, entry in entries:
        first = exact.get(identifier)
        if first is not None:
            yield Problem(
                entry.file,
                entry.document.position((id_field,)),
                "duplicate-id",
                f"{kind} '{identifier}' is also defined in {first.file}; keep one",
            )
            continue
        exact[identifier] = entry
        folded = near_key(identifier)
        similar = near.get(folded)
        if similar is not None:
            yield Problem(
                entry.file,
                entry.document.position((id_field,)),
                "near-duplicate-id",
                f"{kind} '{identifier}' differs from '{similar[0]}' ({similar[1].file}) only in "
                "case or punctuation; the engine matches ids exactly, so requests for one "
                "would silently miss the other; rename one",
            )
            continue
        near[folded] = (identifier, entry)


def check(repository: Repository) -> Iterator[Problem]:
    """Pack, tenant and environment ids are unique. Ids that differ only in case or in ``_``,
    ``-`` and ``.`` are refused too: the engine compares ids exactly (``T1`` is not ``t1``),
    so such a pair would be a silent mismatch waiting to happen."""
    yield from _unique(
        "pack", "policy_pack_id", [(e.model.policy_pack_id, e) for e in repository.packs]
    )
    yield from _unique("tenant", "tenant_id", [(e.model.tenant_id, e) for e in repository.tenants])
    yield from _unique(
        "environment",
        "environment",
        [(e.model.environment, e) for e in repository.environments],
    )

"""Inheritance chains resolve: no cycles, no missing bases, no overrides that change nothing."""

from __future__ import annotations

from collections.abc import Mapping

from dpm_policy.inheritance import MAX_CHAIN, flatten
from dpm_policy.model.pack import PackHeader
from dpm_policy.problems import Problem
from dpm_policy.repository import Entry, Repository

__all__ = ["check"]


def _on_invalid_base(packs: Mapping[str, Entry[PackHeader]], repository: Repository) -> set[str]:
    """Packs whose chain reaches a pack file that is present but invalid.

    That file's own problems are reported; its heirs cannot be resolved until it is fixed, and
    calling their base missing would send the author to the wrong file.
    """
    blocked: set[str] = set()
    for pack_id in packs:
        chain: list[str] = []
        current: str | None = pack_id
        while current is not None and current in packs and current not in chain:
            if len(chain) > MAX_CHAIN:
                break
            chain.append(current)
            current = packs[current].model.extends
        if current is not None and current not in packs and repository.is_invalid("pack", current):
            blocked.update(chain)
    return blocked


def check(repository: Repository) -> list[Problem]:
    """A pack's ``extends`` names an existing pack, chains end within eight packs without a
    cycle, and (a warning) a pack does not repeat a value it already inherits."""
    packs = repository.pack_index()
    blocked = _on_invalid_base(packs, repository)
    _, problems = flatten({k: v for k, v in packs.items() if k not in blocked})
    return problems

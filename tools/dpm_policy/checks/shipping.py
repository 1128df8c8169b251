"""Which packs each environment ships, as its author meant them."""

from __future__ import annotations

from dpm_policy.repository import Repository
from dpm_policy.suggest import closest

__all__ = ["shipped_packs"]


def shipped_packs(repository: Repository) -> dict[str, frozenset[str]]:
    """Environment name -> the pack ids it ships.

    A listed id that names no pack but is close to one (``dpm_bse_v1``) counts as the pack it
    is close to: its own problem names the typo, and the rules that ask whether a pack ships
    (tenant defaults, promotion) would otherwise report the same mistake again elsewhere.
    """
    packs = repository.pack_index()
    shipped: dict[str, frozenset[str]] = {}
    for env in repository.environments:
        listed = set(env.model.packs)
        for pack_id in env.model.packs:
            if pack_id not in packs and not repository.is_invalid("pack", pack_id):
                meant = closest(pack_id, packs)
                if meant is not None:
                    listed.add(meant)
        shipped.setdefault(env.model.environment, frozenset(listed))
    return shipped

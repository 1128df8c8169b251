"""The engine's read endpoints as JSON-ready dicts (contract section 6), and its metric labels."""

from __future__ import annotations

from collections.abc import Mapping

from dpm_policy_runtime.pack import PolicyPack
from dpm_policy_runtime.resolution import Resolution

__all__ = ["catalog_body", "effective_body", "metric_labels"]


def effective_body(resolution: Resolution) -> dict[str, object]:
    """``GET /api/v1/rebalance/policies/effective``: never touches the catalog."""
    return {
        "enabled": resolution.enabled,
        "selected_policy_pack_id": resolution.selected_policy_pack_id,
        "source": resolution.source,
    }


def catalog_body(catalog: Mapping[str, PolicyPack], resolution: Resolution) -> dict[str, object]:
    """``GET /api/v1/rebalance/policies/catalog``: always lists the catalog, even when disabled.

    Items sorted by id and fully expanded (:meth:`PolicyPack.to_item`).
    """
    selected = resolution.selected_policy_pack_id
    return {
        "enabled": resolution.enabled,
        "total": len(catalog),
        "selected_policy_pack_id": selected,
        "selected_policy_pack_present": selected is not None and selected in catalog,
        "selected_policy_pack_source": resolution.source,
        "items": [catalog[pack_id].to_item() for pack_id in sorted(catalog)],
    }


def metric_labels(resolution: Resolution, surface: str = "api") -> dict[str, str]:
    """Labels of ``lotus_manage_policy_pack_resolution_total`` as the engine sets them.

    ``selected`` is true for any selected id, existing or not: no label shows "missing".
    """
    return {
        "surface": surface,
        "enabled": str(resolution.enabled).lower(),
        "source": resolution.source.lower(),
        "selected": str(resolution.selected_policy_pack_id is not None).lower(),
    }

"""Deliver a compiled bundle to the GitOps branch that Argo CD or Flux watches.

The flow is one way: ``dist/<env>/`` (compiled, checked whole) -> order rule against the
engine's Postgres catalog -> one commit on the branch's ``<env>/`` -> one fast-forward push.
``deliver --check`` and ``publish --prune`` read what is delivered through the same code.
Only ``commands.deliver`` prints or exits.
"""

from __future__ import annotations

from dpm_policy.deliver.compiled import Bundle, bundle_from_files, load_compiled, named_packs
from dpm_policy.deliver.delivered import DeliveredBundle, fetch_delivered
from dpm_policy.deliver.drift import Drift, compare_delivery
from dpm_policy.deliver.errors import DeliveryError, DeliveryRefused
from dpm_policy.deliver.order import missing_from_catalog, prune_guard, refuse_missing_packs
from dpm_policy.deliver.push import Delivered, commit_message, push_bundle
from dpm_policy.deliver.remote import shown_url

__all__ = [
    "Bundle",
    "Delivered",
    "DeliveredBundle",
    "DeliveryError",
    "DeliveryRefused",
    "Drift",
    "bundle_from_files",
    "commit_message",
    "compare_delivery",
    "fetch_delivered",
    "load_compiled",
    "missing_from_catalog",
    "named_packs",
    "prune_guard",
    "push_bundle",
    "refuse_missing_packs",
    "shown_url",
]

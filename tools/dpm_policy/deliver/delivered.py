"""What is delivered: the bundle in ``<env>/`` at the tip of the GitOps branch.

``publish --prune``, ``deliver --check`` and ``deliver`` itself read it here, the same way.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from dpm_policy.deliver.compiled import Bundle, bundle_from_files
from dpm_policy.deliver.errors import DeliveryRefused
from dpm_policy.deliver.remote import Scratch, shown_url

__all__ = ["DeliveredBundle", "fetch_delivered", "read_delivered"]


@dataclass(frozen=True)
class DeliveredBundle:
    """The branch tip (None when the branch does not exist) and its bundle (None when absent)."""

    url: str
    branch: str
    tip: str | None
    bundle: Bundle | None

    def describe(self) -> str:
        """``URL branch B at 0123456789ab`` for messages (no credentials)."""
        where = f"{shown_url(self.url)} branch {self.branch}"
        return where if self.tip is None else f"{where} at {self.tip[:12]}"


def _where(scratch: Scratch, commit: str) -> str:
    return f"{shown_url(scratch.url)} branch {scratch.branch} at {commit[:12]}"


def read_delivered(scratch: Scratch, environment: str) -> tuple[str | None, Bundle | None]:
    """The branch tip and the bundle in its ``<env>/`` (None for either when absent).

    Raises DeliveryRefused when ``<env>/`` is there but is not a bundle as dpm-policy wrote it.
    """
    tip = scratch.fetch_tip()
    if tip is None:
        return None, None
    snapshot = scratch.read_folder(tip, environment)
    if not snapshot.files:
        return tip, None
    bundle = bundle_from_files(snapshot.files)
    if not bundle.intact:
        raise DeliveryRefused(
            f"{environment}/ on {_where(scratch, tip)} is not the bundle dpm-policy delivered: "
            f"its files do not match the content hash its provenance.yaml records (edited by "
            "hand?), which deliver does not expect, so it changed nothing. Revert that change on "
            "the branch, then run again"
        )
    return tip, bundle


def fetch_delivered(url: str, branch: str, environment: str) -> DeliveredBundle:
    """The bundle delivered for ``environment``, read in a scratch repository."""
    with tempfile.TemporaryDirectory(prefix="dpm-policy-delivered-") as folder:
        tip, bundle = read_delivered(Scratch(Path(folder), url, branch), environment)
    return DeliveredBundle(url, branch, tip, bundle)

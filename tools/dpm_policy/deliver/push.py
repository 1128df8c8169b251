"""``deliver``: the compiled bundle onto the GitOps branch, one commit per change.

The rendered-manifests pattern: Argo CD or Flux watches a branch whose ``<env>/`` folder is
exactly a compiled bundle. Each attempt, in a scratch repository:

1. fetch the branch tip (a branch that does not exist yet is created by the first push);
2. read ``<env>/`` there; when it is not a bundle as dpm-policy wrote it (its files no longer
   match the content hash its provenance records), refuse: someone edited the branch by hand;
3. when its content hash is the compiled one, stop: nothing changed, nothing is committed;
4. commit the tip's tree with ``<env>/`` replaced, trailers naming the environment, the
   source commit and the content hash;
5. push, fast-forward only. When the push is refused because the branch moved meanwhile
   (another environment's delivery, a change outside ``<env>/``), start again from 1: step 2
   still refuses anything unexpected.

Nothing is written locally outside a temporary folder, and the remote changes only by the one
push, so a run that fails at any step can simply be run again.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from dpm_policy.deliver.compiled import Bundle
from dpm_policy.deliver.delivered import read_delivered
from dpm_policy.deliver.errors import DeliveryError, DeliveryRefused
from dpm_policy.deliver.remote import Scratch, shown_url

__all__ = [
    "COMMIT_TRAILER",
    "ENVIRONMENT_TRAILER",
    "HASH_TRAILER",
    "Delivered",
    "commit_message",
    "push_bundle",
]

ENVIRONMENT_TRAILER = "Dpm-Policy-Environment"
COMMIT_TRAILER = "Dpm-Policy-Source-Commit"
HASH_TRAILER = "Dpm-Policy-Content-Hash"
_ATTEMPTS = 3


@dataclass(frozen=True)
class Delivered:
    """What a delivery did: the branch's commit afterwards, and whether it made it."""

    commit: str
    committed: bool
    content_hash: str


def commit_message(environment: str, bundle: Bundle) -> str:
    """The delivery commit's message: a subject, then git trailers."""
    commit = bundle.source_commit or "unknown"
    return (
        f"Deliver dpm-policy bundle for {environment} from {commit[:12]}\n\n"
        f"{ENVIRONMENT_TRAILER}: {environment}\n"
        f"{COMMIT_TRAILER}: {commit}\n"
        f"{HASH_TRAILER}: {bundle.content_hash}\n"
    )


def _attempt(scratch: Scratch, environment: str, bundle: Bundle) -> Delivered | None:
    """One fetch-check-commit-push; None when the push lost a race and must be retried."""
    tip, delivered = read_delivered(scratch, environment)
    if tip is not None and delivered is not None and delivered.content_hash == bundle.content_hash:
        return Delivered(tip, committed=False, content_hash=bundle.content_hash)
    commit = scratch.commit_folder(
        tip, environment, bundle.files, commit_message(environment, bundle)
    )
    try:
        scratch.push(commit)
    except DeliveryError:
        if scratch.fetch_tip() == tip:
            raise  # the branch did not move: the push failed for another reason
        return None
    return Delivered(commit, committed=True, content_hash=bundle.content_hash)


def push_bundle(*, url: str, branch: str, environment: str, bundle: Bundle) -> Delivered:
    """Make ``<environment>/`` on ``branch`` of ``url`` hold ``bundle``; see the module doc."""
    for _ in range(_ATTEMPTS):
        with tempfile.TemporaryDirectory(prefix="dpm-policy-deliver-") as folder:
            done = _attempt(Scratch(Path(folder), url, branch), environment, bundle)
        if done is not None:
            return done
    raise DeliveryRefused(
        f"{shown_url(url)} branch {branch} kept moving while delivering {environment} "
        f"({_ATTEMPTS} attempts); nothing was pushed by this run. Run deliver again"
    )

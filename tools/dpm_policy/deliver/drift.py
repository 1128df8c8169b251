"""Drift of a delivery: the bundle on the GitOps branch against the one compiled now."""

from __future__ import annotations

from dataclasses import dataclass

from dpm_policy.compile.bundle import VARIABLES_DIR
from dpm_policy.deliver.compiled import Bundle
from dpm_policy.deliver.delivered import DeliveredBundle

__all__ = ["Drift", "compare_delivery"]


@dataclass(frozen=True)
class Drift:
    """How the delivered bundle differs from the compiled one; no lines when it does not."""

    where: str
    lines: tuple[str, ...]

    @property
    def drifted(self) -> bool:
        return bool(self.lines)


def _describe(path: str) -> str:
    if path.startswith(f"{VARIABLES_DIR}/"):
        return f"variable {path.removeprefix(f'{VARIABLES_DIR}/')}"
    return path


def compare_delivery(compiled: Bundle, delivered: DeliveredBundle, environment: str) -> Drift:
    """Every file that is missing, extra or different on the branch, named for people."""
    where = delivered.describe()
    if delivered.bundle is None:
        return Drift(where, (f"nothing is delivered for {environment} on {where}",))
    theirs, ours = delivered.bundle.files, compiled.files
    if delivered.bundle.content_hash == compiled.content_hash:
        return Drift(where, ())
    lines = [
        f"{_describe(path)}: {'only on the branch' if path not in ours else 'not delivered'}"
        for path in sorted(theirs.keys() ^ ours.keys())
    ]
    lines += [
        f"{_describe(path)}: differs"
        for path in sorted(theirs.keys() & ours.keys())
        if theirs[path] != ours[path] and not path.endswith("provenance.yaml")
    ]
    lines.append(
        f"delivered content hash {delivered.bundle.content_hash} (from commit "
        f"{delivered.bundle.source_commit}), compiled {compiled.content_hash} (from commit "
        f"{compiled.source_commit})"
    )
    return Drift(where, tuple(lines))

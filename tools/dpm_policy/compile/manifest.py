"""``manifest.json``: what was built, from what, and how big: for reviewers and for deploy checks.

It holds no wall-clock time, so two builds of the same sources are byte-identical.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from dpm_policy import __version__
from dpm_policy.compile.budget import CONFIGMAP_LIMIT, variable_limit
from dpm_policy.compile.encode import pretty_json

__all__ = ["MANIFEST_VERSION", "describe_bytes", "render_manifest"]

MANIFEST_VERSION = 1


def describe_bytes(data: bytes) -> dict[str, object]:
    """Size and SHA-256 of some bytes."""
    return {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def render_manifest(
    *,
    environment: str,
    variables: Mapping[str, str],
    files: Mapping[str, bytes],
    configmap_name: str,
    configmap_size: int,
    pack_count: int,
    tenant_count: int,
    source_commit: str | None,
) -> str:
    """The manifest's text; ``files`` are the other files of the environment's folder."""
    document = {
        "manifest_version": MANIFEST_VERSION,
        "environment": environment,
        "tool": {"name": "dpm-policy", "version": __version__},
        "source_commit": source_commit,
        "packs": pack_count,
        "tenants": tenant_count,
        "variables": {
            name: {**describe_bytes(value.encode("utf-8")), "limit": variable_limit(name)}
            for name, value in variables.items()
        },
        "configmap": {"name": configmap_name, "bytes": configmap_size, "limit": CONFIGMAP_LIMIT},
        "files": {name: describe_bytes(data) for name, data in sorted(files.items())},
    }
    return pretty_json(document)

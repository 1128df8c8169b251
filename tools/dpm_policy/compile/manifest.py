"""``manifest.json``: what was built, from what, and how big: for reviewers and for deploy checks.

It holds no wall-clock time, so two builds of the same sources are byte-identical.

``variables`` lists what is delivered into the engine's process environment (``dpm-policy.env``
and the ConfigMap), each with its size and limit. ``catalog_delivery`` is written only for
``postgres``: the catalog variable is then not among ``variables`` (``env.json`` and
``catalog.json`` hold it, see ``files``) and reaches the engine through ``dpm-policy publish``.
A manifest without the key, like every one written before it existed, means ``environment``.
``tenant_map_delivery`` likewise, only for ``file`` or ``postgres``: the tenant map is then not
among ``variables``; with ``file``, ``mounted`` gives the size of the ConfigMap that holds
``env.json`` against Kubernetes' limit.
``bundle`` is written for an environment that names its engine: the bundle's content hash and
the ConfigMaps Kustomize generates from it, each with its size and limit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from dpm_policy import __version__
from dpm_policy.compile.budget import CONFIGMAP_LIMIT, OBJECT_LIMIT, variable_limit
from dpm_policy.compile.bundle import Bundle
from dpm_policy.compile.encode import pretty_json
from dpm_policy.model.types import (
    DEFAULT_CATALOG_DELIVERY,
    DEFAULT_TENANT_MAP_DELIVERY,
    CatalogDeliveryName,
    TenantMapDeliveryName,
)

__all__ = ["MANIFEST_VERSION", "describe_bytes", "render_manifest"]

MANIFEST_VERSION = 1


def describe_bytes(data: bytes) -> dict[str, object]:
    """Size and SHA-256 of some bytes."""
    return {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def render_manifest(
    *,
    environment: str,
    delivered: Mapping[str, str],
    catalog_delivery: CatalogDeliveryName,
    tenant_map_delivery: TenantMapDeliveryName = DEFAULT_TENANT_MAP_DELIVERY,
    mounted_size: int = 0,
    files: Mapping[str, bytes],
    configmap_name: str,
    configmap_size: int,
    bundle: Bundle | None,
    pack_count: int,
    tenant_count: int,
    source_commit: str | None,
) -> str:
    """The manifest's text; ``files`` are the other files of the environment's folder."""
    document: dict[str, object] = {
        "manifest_version": MANIFEST_VERSION,
        "environment": environment,
        "tool": {"name": "dpm-policy", "version": __version__},
        "source_commit": source_commit,
        "packs": pack_count,
        "tenants": tenant_count,
        "variables": {
            name: {**describe_bytes(value.encode("utf-8")), "limit": variable_limit(name)}
            for name, value in delivered.items()
        },
        "configmap": {"name": configmap_name, "bytes": configmap_size, "limit": CONFIGMAP_LIMIT},
        "files": {name: describe_bytes(data) for name, data in sorted(files.items())},
    }
    if bundle is not None:
        document["bundle"] = {
            "content_hash": bundle.content_hash,
            "configmaps": {
                generated.name: {"bytes": generated.size, "limit": OBJECT_LIMIT}
                for generated in bundle.objects
            },
        }
    if catalog_delivery != DEFAULT_CATALOG_DELIVERY:
        document["catalog_delivery"] = catalog_delivery
    if tenant_map_delivery != DEFAULT_TENANT_MAP_DELIVERY:
        document["tenant_map_delivery"] = tenant_map_delivery
    if tenant_map_delivery == "file":
        document["mounted"] = {"file": "env.json", "bytes": mounted_size, "limit": CONFIGMAP_LIMIT}
    return pretty_json(document)

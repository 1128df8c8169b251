"""The compiled bundle of one environment, read from ``dist/<env>/`` and checked whole."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from dpm_policy.compile.bundle import (
    CONTENT_HASH_KEY,
    KUSTOMIZATION,
    PROVENANCE,
    SNAPSHOT,
    VARIABLES_DIR,
    content_hash,
    read_bundle,
)
from dpm_policy.compile.configmap import COMMIT_KEY
from dpm_policy.deliver.errors import DeliveryError
from dpm_policy.load import libyaml
from dpm_policy_runtime import PolicyRuntime
from dpm_policy_runtime.env_files import variables_from_bytes

__all__ = ["Bundle", "bundle_from_files", "load_compiled", "named_packs"]


@dataclass(frozen=True)
class Bundle:
    """A bundle's files and what its provenance says about them."""

    files: dict[str, bytes]
    content_hash: str
    # What provenance.yaml claims; differs from ``content_hash`` when a file was edited.
    claimed_hash: str | None
    source_commit: str | None

    @property
    def intact(self) -> bool:
        """Its files are exactly those its provenance describes."""
        return self.claimed_hash == self.content_hash


def bundle_from_files(files: Mapping[str, bytes]) -> Bundle:
    """A bundle from its files, with what ``provenance.yaml`` claims when it can be read."""
    claimed: str | None = None
    commit: str | None = None
    try:
        document: Any = libyaml.load(files[PROVENANCE].decode("utf-8"))
        annotations = document["annotations"]
        claimed = str(annotations[CONTENT_HASH_KEY])
        commit = annotations.get(COMMIT_KEY)
    except (KeyError, TypeError, UnicodeError, yaml.YAMLError):
        pass
    return Bundle(dict(files), content_hash(files), claimed, commit)


def load_compiled(dist: Path, environment: str) -> tuple[Bundle, str]:
    """The compiled bundle in ``dist/<environment>/`` and its catalog delivery.

    Raises DeliveryError when it is missing, was edited after compile, or names no commit.
    """
    folder = dist / environment
    compile_first = f"run dpm-policy compile --env {environment} first"
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        files = read_bundle(folder)
    except (OSError, ValueError) as error:
        raise DeliveryError(f"{folder}: no compiled output ({error}); {compile_first}") from None
    if KUSTOMIZATION not in files or "bundle" not in manifest:
        raise DeliveryError(
            f"{folder} holds no Kustomize bundle: environments/{environment}.yaml names no "
            "engine; add kubernetes: {namespace, deployment, container} and compile again"
        )
    bundle = bundle_from_files(files)
    if not bundle.intact or manifest["bundle"].get("content_hash") != bundle.content_hash:
        raise DeliveryError(
            f"{folder}: the bundle was changed after compile (its content hash does not match); "
            f"{compile_first}"
        )
    if bundle.source_commit is None:
        raise DeliveryError(
            f"{folder}: the bundle names no source commit (it was compiled from a checkout "
            "with uncommitted changes); commit them, or deliver from a clean checkout"
        )
    return bundle, str(manifest.get("catalog_delivery", "environment"))


def named_packs(files: Mapping[str, bytes]) -> set[str]:
    """The packs a bundle names, in its variables and in its snapshot if it has one: those
    they ship (a request may select any of them by id), the default pack and every tenant's
    pack."""
    prefix = f"{VARIABLES_DIR}/"
    readings = [
        {
            path.removeprefix(prefix): data.decode("utf-8", "replace")
            for path, data in files.items()
            if path.startswith(prefix)
        }
    ]
    if SNAPSHOT in files:
        readings.append(variables_from_bytes(files[SNAPSHOT], SNAPSHOT, strict=False))
    named: set[str] = set()
    for variables in readings:
        # The engine's own lenient reading: what it would resolve is what it names.
        runtime = PolicyRuntime.from_mapping(variables, strict=False)
        named.update(runtime.catalog)
        if runtime.default_policy_pack_id is not None:
            named.add(runtime.default_policy_pack_id)
        named.update(runtime.tenant_map.values())
    return named

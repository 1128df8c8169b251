"""Read the Kustomize bundle back as Kustomize will, and compare it with what was compiled.

The variables are read through ``kustomization.yaml``'s generator (``KEY=path`` entries, each
file's bytes the value), the snapshot generator, when the bundle has one, must hold
``env.json`` alone, the component's patch must give the container every delivered variable
from the variables ConfigMap and mount the snapshot (or nothing) where the runtime watches it,
and ``provenance.yaml`` must carry the hash of the
files as written. Rendering with the real Kustomize is the tests' job (tests/compile); this is
the check every compile runs, without it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import yaml

from dpm_policy.compile.bundle import (
    CONTENT_HASH_KEY,
    KUSTOMIZATION,
    MOUNT_PATH,
    PATCH,
    PROVENANCE,
    SNAPSHOT,
    content_hash,
    read_bundle,
    snapshot_name,
    variables_name,
)
from dpm_policy.load import libyaml

__all__ = ["verify_bundle"]


class _Unreadable(ValueError):
    """A bundle file that does not have the shape compile writes."""


def _mapping(value: object, what: str) -> dict[str, object]:
    if not isinstance(value, dict):
        raise _Unreadable(f"{what} is not a mapping")
    return value


def _list(value: object, what: str) -> list[object]:
    if not isinstance(value, list):
        raise _Unreadable(f"{what} is not a list")
    return value


def _load(files: Mapping[str, bytes], name: str) -> dict[str, object]:
    return _mapping(libyaml.load(files[name].decode("utf-8")), name)


def _generators(kustomization: dict[str, object]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for entry in _list(kustomization.get("configMapGenerator"), "configMapGenerator"):
        generator = _mapping(entry, "a configMapGenerator entry")
        files = _list(generator.get("files"), f"files of {generator.get('name')}")
        found[str(generator.get("name"))] = [str(item) for item in files]
    return found


def _generated_variables(files: Mapping[str, bytes], entries: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for entry in entries:
        key, _, path = entry.partition("=")
        if path not in files:
            raise _Unreadable(f"{KUSTOMIZATION} names {path}, which the bundle lacks")
        values[key] = files[path].decode("utf-8")
    return values


def _patched_container(patch: dict[str, object]) -> tuple[dict[str, object], dict[str, object]]:
    spec = _mapping(_mapping(patch.get("spec"), "spec").get("template"), "spec.template")
    pod = _mapping(spec.get("spec"), "spec.template.spec")
    containers = _list(pod.get("containers"), "containers")
    return _mapping(containers[0], "the container"), pod


def _check_mount(
    container: dict[str, object], pod: dict[str, object], environment: str, snapshot: bool
) -> list[str]:
    if not snapshot:
        if "volumeMounts" in container or "volumes" in pod:
            return [f"{PATCH} mounts a volume, but the bundle has no snapshot"]
        return []
    mounts = _list(container.get("volumeMounts"), "volumeMounts")
    volume = _mapping(_list(pod.get("volumes"), "volumes")[0], "the volume")
    config_map = _mapping(volume.get("configMap"), "the volume's configMap")
    mount = _mapping(mounts[0], "the volume mount")
    if config_map.get("name") != snapshot_name(environment) or mount.get("mountPath") != MOUNT_PATH:
        return [f"{PATCH} does not mount {snapshot_name(environment)} at {MOUNT_PATH}"]
    return []


def _check_patch(
    patch: dict[str, object], environment: str, delivered: Mapping[str, str], snapshot: bool
) -> list[str]:
    found: list[str] = []
    container, pod = _patched_container(patch)
    wired: list[str] = []
    for item in _list(container.get("env"), "env"):
        entry = _mapping(item, "an env entry")
        value_from = _mapping(entry.get("valueFrom"), "valueFrom")
        source = _mapping(value_from.get("configMapKeyRef"), "configMapKeyRef")
        if source.get("name") != variables_name(environment) or source.get("key") != entry.get(
            "name"
        ):
            found.append(f"{PATCH}: {entry.get('name')} does not read its own key")
        wired.append(str(entry.get("name")))
    if wired != list(delivered):
        found.append(
            f"{PATCH} wires {', '.join(wired) or 'no variable'}, not the delivered "
            f"{', '.join(delivered)}"
        )
    found.extend(_check_mount(container, pod, environment, snapshot))
    return found


def _check(
    directory: Path, environment: str, delivered: Mapping[str, str], snapshot: bool
) -> list[str]:
    files = read_bundle(directory)
    found: list[str] = []
    generators = _generators(_load(files, KUSTOMIZATION))
    variables = _generated_variables(files, generators.get(variables_name(environment), []))
    if variables != dict(delivered):
        differing = sorted(
            name
            for name in set(variables) | set(delivered)
            if variables.get(name) != delivered.get(name)
        )
        found.append(
            f"the bundle's variables ConfigMap does not hold the compiled variables exactly "
            f"(differs in: {', '.join(differing)})"
        )
    if snapshot and generators.get(snapshot_name(environment)) != [SNAPSHOT]:
        found.append(f"the bundle's snapshot ConfigMap does not hold {SNAPSHOT} alone")
    if not snapshot and (SNAPSHOT in files or snapshot_name(environment) in generators):
        found.append(f"the bundle holds {SNAPSHOT}, which tenant_map_delivery: postgres leaves out")
    found.extend(_check_patch(_load(files, PATCH), environment, delivered, snapshot))
    annotations = _mapping(_load(files, PROVENANCE).get("annotations"), "annotations")
    if annotations.get(CONTENT_HASH_KEY) != content_hash(files):
        found.append(f"{PROVENANCE} does not carry the content hash of the bundle as written")
    return found


def verify_bundle(
    directory: Path, *, environment: str, delivered: Mapping[str, str], snapshot: bool = True
) -> list[str]:
    """Every way the bundle in ``directory`` differs from what was compiled (empty if none);
    ``snapshot``: whether it was compiled with ``env.json`` mounted."""
    try:
        return _check(directory, environment, delivered, snapshot)
    except (OSError, KeyError, IndexError, UnicodeError, yaml.YAMLError, _Unreadable) as error:
        return [f"cannot read back the bundle: {error}"]

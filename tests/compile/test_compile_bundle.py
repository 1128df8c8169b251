"""The Kustomize bundle: rendered by the real Kustomize over the example engine overlay.

``dist/<env>/`` is a Kustomize base with a component (``engine/``). Rendered with
``kubectl kustomize`` under ``docs/examples/engine-overlay``, it must give valid Kubernetes
objects in which the engine's container reads exactly the compiled variables from a
hash-named ConfigMap and mounts env.json at /etc/dpm-policy, and in which the Deployment's own
settings are kept.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from compile_repos import copy_content

from dpm_policy.cli import main
from dpm_policy.compile.bundle import (
    CONTENT_HASH_KEY,
    PROVENANCE,
    content_hash,
    read_bundle,
)
from dpm_policy.compile.verify_bundle import verify_bundle
from dpm_policy_runtime.env_files import read_variables
from kube_tools import kustomize, lay_out_overlay, validate_objects

COMMIT = "0123456789abcdef0123456789abcdef01234567"
OTHER_COMMIT = "89abcdef0123456789abcdef0123456789abcdef"
ENVIRONMENTS = ("dev", "uat", "prod")


def _compile(root: Path, out: Path, commit: str = COMMIT) -> None:
    args = ["compile", "--root", str(root), "--out", str(out), "--source-commit", commit]
    assert main(args) == 0


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("bundle")
    root = copy_content(base / "repo")
    _compile(root, base / "dist")
    return base / "dist"


def _objects(rendered: str) -> dict[tuple[str, str], dict[str, object]]:
    found = {}
    for document in yaml.safe_load_all(rendered):
        name = document["metadata"]["name"]
        kind = document["kind"]
        prefix = name.rsplit("-", 1)[0] if kind == "ConfigMap" else name
        found[(kind, prefix)] = document
    return found


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_bundle_renders_valid_objects_wiring_the_engine(
    compiled: Path, tmp_path: Path, environment: str
) -> None:
    overlay = lay_out_overlay(tmp_path / "gitops", environment, compiled / environment)
    rendered = kustomize(overlay)
    validate_objects(rendered, tmp_path)
    objects = _objects(rendered)
    variables = objects[("ConfigMap", f"dpm-policy-{environment}-variables")]
    snapshot = objects[("ConfigMap", f"dpm-policy-{environment}-snapshot")]
    deployment = objects[("Deployment", "dpm-engine")]

    # The variables byte for byte as dpm-policy.env holds them, the snapshot as env.json.
    delivered = read_variables(compiled / environment / "dpm-policy.env", strict=True)
    assert variables["data"] == delivered
    assert snapshot["data"] == {
        "env.json": (compiled / environment / "env.json").read_text(encoding="utf-8")
    }
    manifest = json.loads((compiled / environment / "manifest.json").read_text())
    for config_map in (variables, snapshot):
        metadata = config_map["metadata"]
        assert metadata["namespace"] == f"dpm-{environment}"
        assert metadata["labels"]["dpm-policy/environment"] == environment
        assert metadata["annotations"] == {
            "dpm-policy/source-commit": COMMIT,
            CONTENT_HASH_KEY: manifest["bundle"]["content_hash"],
        }

    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    wired = {
        entry["name"]: entry["valueFrom"]["configMapKeyRef"]
        for entry in container["env"]
        if "configMapKeyRef" in entry.get("valueFrom", {})
    }
    assert wired == {
        name: {"name": variables["metadata"]["name"], "key": name} for name in delivered
    }
    assert {"name": "dpm-policy", "mountPath": "/etc/dpm-policy", "readOnly": True} in container[
        "volumeMounts"
    ]
    assert {"name": "dpm-policy", "configMap": {"name": snapshot["metadata"]["name"]}} in pod[
        "volumes"
    ]
    # The engine's own env entry, envFrom source and probe are kept.
    assert container["env"][-1]["name"] == "DPM_POLICY_PACK_POSTGRES_DSN"
    assert container["envFrom"] == [{"secretRef": {"name": "dpm-engine-secrets"}}]
    assert "readinessProbe" in container


def test_postgres_delivery_leaves_the_catalog_out_of_the_variables(compiled: Path) -> None:
    prod = read_bundle(compiled / "prod")
    assert "variables/DPM_POLICY_PACK_CATALOG_JSON" not in prod
    assert "variables/DPM_POLICY_PACK_CATALOG_JSON" in read_bundle(compiled / "dev")
    # The runtime's snapshot holds the whole catalog either way.
    assert "DPM_POLICY_PACK_CATALOG_JSON" in json.loads(prod["env.json"])


def test_a_new_commit_with_the_same_content_changes_only_provenance(
    compiled: Path, tmp_path: Path
) -> None:
    root = copy_content(tmp_path / "repo")
    _compile(root, tmp_path / "dist", OTHER_COMMIT)
    before, after = read_bundle(compiled / "dev"), read_bundle(tmp_path / "dist" / "dev")
    assert sorted(name for name in before if before[name] != after[name]) == [PROVENANCE]
    assert content_hash(before) == content_hash(after)


def test_a_content_change_renames_the_generated_config_maps(compiled: Path, tmp_path: Path) -> None:
    root = copy_content(tmp_path / "repo")
    path = root / "environments" / "dev.yaml"
    path.write_text(
        path.read_text().replace(
            "idempotency_replay_enabled: true", "idempotency_replay_enabled: false"
        )
    )
    _compile(root, tmp_path / "dist")
    names = {}
    for label, dist in (("before", compiled), ("after", tmp_path / "dist")):
        overlay = lay_out_overlay(tmp_path / f"gitops-{label}", "dev", dist / "dev")
        names[label] = {
            document["metadata"]["name"]
            for document in yaml.safe_load_all(kustomize(overlay))
            if document["kind"] == "ConfigMap"
        }
    # Both ConfigMaps' content changed (the variables, and env.json), so both names do.
    assert not names["before"] & names["after"]


def test_no_bundle_without_a_kubernetes_block(tmp_path: Path) -> None:
    root = copy_content(tmp_path / "repo")
    path = root / "environments" / "dev.yaml"
    text = path.read_text()
    start = text.index("kubernetes:")
    end = text.index("packs:")
    path.write_text(text[:start] + text[end:])
    _compile(root, tmp_path / "dist")
    assert read_bundle(tmp_path / "dist" / "dev") == {}
    assert "bundle" not in json.loads((tmp_path / "dist" / "dev" / "manifest.json").read_text())
    assert read_bundle(tmp_path / "dist" / "uat").keys() > {"kustomization.yaml"}


def test_a_tenant_map_in_postgres_leaves_the_snapshot_out_of_the_bundle(tmp_path: Path) -> None:
    """PostgresSource reads the map from Postgres: env.json, which may hold any number of
    tenants, is neither generated into a ConfigMap nor mounted."""
    root = copy_content(tmp_path / "repo")
    path = root / "environments" / "dev.yaml"
    path.write_text(
        path.read_text().replace("\nkubernetes:", "tenant_map_delivery: postgres\n\nkubernetes:")
    )
    _compile(root, tmp_path / "dist")
    folder = tmp_path / "dist" / "dev"
    bundle = read_bundle(folder)
    assert "env.json" not in bundle
    assert (folder / "env.json").is_file()
    assert "variables/DPM_TENANT_POLICY_PACK_MAP_JSON" not in bundle
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["bundle"]["content_hash"] == content_hash(bundle)
    assert list(manifest["bundle"]["configmaps"]) == ["dpm-policy-dev-variables"]
    overlay = lay_out_overlay(tmp_path / "gitops", "dev", folder)
    rendered = kustomize(overlay)
    validate_objects(rendered, tmp_path)
    objects = _objects(rendered)
    assert ("ConfigMap", "dpm-policy-dev-snapshot") not in objects
    (container,) = objects[("Deployment", "dpm-engine")]["spec"]["template"]["spec"]["containers"]
    assert "DPM_TENANT_POLICY_PACK_MAP_JSON" not in {entry["name"] for entry in container["env"]}
    assert not [
        mount for mount in container.get("volumeMounts", []) if mount["name"] == "dpm-policy"
    ]
    delivered = read_variables(folder / "dpm-policy.env", strict=True)
    assert verify_bundle(folder, environment="dev", delivered=delivered, snapshot=False) == []
    # Read back as a bundle that mounts env.json, it is refused.
    assert verify_bundle(folder, environment="dev", delivered=delivered) != []


def test_read_back_names_a_variable_edited_in_the_bundle(compiled: Path, tmp_path: Path) -> None:
    copy = tmp_path / "dev"
    shutil.copytree(compiled / "dev", copy)
    delivered = read_variables(copy / "dpm-policy.env", strict=True)
    (copy / "variables" / "DPM_POLICY_PACKS_ENABLED").write_text("false")
    found = verify_bundle(copy, environment="dev", delivered=delivered)
    assert found == [
        "the bundle's variables ConfigMap does not hold the compiled variables exactly "
        "(differs in: DPM_POLICY_PACKS_ENABLED)",
        "provenance.yaml does not carry the content hash of the bundle as written",
    ]


def test_read_back_names_a_missing_variable_file(compiled: Path, tmp_path: Path) -> None:
    copy = tmp_path / "dev"
    shutil.copytree(compiled / "dev", copy)
    delivered = read_variables(copy / "dpm-policy.env", strict=True)
    (copy / "variables" / "DPM_IDEMPOTENCY_REPLAY_ENABLED").unlink()
    (found,) = verify_bundle(copy, environment="dev", delivered=delivered)
    assert found == (
        "cannot read back the bundle: kustomization.yaml names "
        "variables/DPM_IDEMPOTENCY_REPLAY_ENABLED, which the bundle lacks"
    )

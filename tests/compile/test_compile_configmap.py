"""The ConfigMap: content-hashed name, labels, and data that YAML reads back exactly."""

from __future__ import annotations

import json

import yaml

from dpm_policy.compile.configmap import content_hash, render_configmap
from dpm_policy.compile.encode import canonical_json

VARIABLES = {
    "DPM_POLICY_PACKS_ENABLED": "true",
    "DPM_POLICY_PACK_CATALOG_JSON": canonical_json({"p": {"version": "1"}}),
}
COMMIT = "0123456789abcdef0123456789abcdef01234567"


def test_name_carries_a_hash_of_the_data_only() -> None:
    a = render_configmap("dev", VARIABLES, None)
    b = render_configmap("dev", VARIABLES, COMMIT)
    c = render_configmap("dev", {**VARIABLES, "DPM_POLICY_PACKS_ENABLED": "false"}, None)
    assert a.name == b.name != c.name
    assert a.name.startswith("dpm-policy-dev-")
    suffix = a.name.removeprefix("dpm-policy-dev-")
    assert len(suffix) == 10
    assert not set(suffix) & set("013ae")
    assert suffix == content_hash("dpm-policy-dev", VARIABLES)


def test_labels_with_and_without_commit() -> None:
    without = yaml.safe_load(render_configmap("uat", VARIABLES, None).text)
    assert without["metadata"]["labels"] == {
        "app.kubernetes.io/name": "dpm-policy",
        "dpm-policy/environment": "uat",
    }
    assert "annotations" not in without["metadata"]
    labelled = yaml.safe_load(render_configmap("uat", VARIABLES, COMMIT).text)
    assert labelled["metadata"]["labels"]["dpm-policy/source-commit"] == COMMIT
    long_commit = "a" * 64  # SHA-256 ids do not fit a label value
    annotated = yaml.safe_load(render_configmap("uat", VARIABLES, long_commit).text)
    assert "dpm-policy/source-commit" not in annotated["metadata"]["labels"]
    assert annotated["metadata"]["annotations"] == {"dpm-policy/source-commit": long_commit}


def test_hostile_data_reads_back_and_size_counts_the_larger_form() -> None:
    hostile = {"DPM_X": canonical_json({"a'b\"c: #d\n": "é"}), "DPM_Y": "true", "DPM_Z": "- x"}
    rendered = render_configmap("prod", hostile, None)
    document = yaml.safe_load(rendered.text)
    assert document["kind"] == "ConfigMap"
    assert document["apiVersion"] == "v1"
    assert document["data"] == hostile
    as_json = json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()
    assert rendered.size == max(len(rendered.text.encode()), len(as_json))

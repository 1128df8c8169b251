"""``configmap.yaml``: the variables as a Kubernetes ConfigMap for ``envFrom``.

The name carries a hash of the content, as kustomize's ``configMapGenerator`` does, so that a
changed catalog is a new object and Deployments that reference it roll; an unchanged catalog
keeps its name, whatever commit it was built from.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from dpm_policy.compile.budget import object_size
from dpm_policy.compile.encode import canonical_json
from dpm_policy.compile.kube_yaml import dump_yaml

__all__ = [
    "APP_LABEL",
    "COMMIT_KEY",
    "ENVIRONMENT_LABEL",
    "RenderedConfigMap",
    "content_hash",
    "render_configmap",
]

APP_LABEL = "app.kubernetes.io/name"
ENVIRONMENT_LABEL = "dpm-policy/environment"
COMMIT_KEY = "dpm-policy/source-commit"

# Kubernetes label values: at most 63 characters.
_LABEL_VALUE = re.compile(r"(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?")
# kustomize's hash encoding swaps these characters so that the suffix never spells words.
_KUSTOMIZE_SWAPS = str.maketrans({"0": "g", "1": "h", "3": "k", "a": "m", "e": "t"})


@dataclass(frozen=True)
class RenderedConfigMap:
    """The file's text, the object's name and its size as the API server receives it."""

    name: str
    text: str
    size: int


def content_hash(base_name: str, data: Mapping[str, str]) -> str:
    """Ten characters of the SHA-256 of kind, name and data, encoded as kustomize does."""
    document = canonical_json({"kind": "ConfigMap", "name": base_name, "data": dict(data)})
    digest = hashlib.sha256(document.encode("utf-8")).hexdigest()
    return digest[:10].translate(_KUSTOMIZE_SWAPS)


def render_configmap(
    environment: str,
    variables: Mapping[str, str],
    source_commit: str | None,
    header: Iterable[str] = (),
) -> RenderedConfigMap:
    """The ConfigMap of one environment, labelled with the commit when it is known.

    ``header`` lines open the file as ``#`` comments.
    """
    base_name = f"dpm-policy-{environment}"
    name = f"{base_name}-{content_hash(base_name, variables)}"
    labels = {APP_LABEL: "dpm-policy", ENVIRONMENT_LABEL: environment}
    metadata: dict[str, object] = {"name": name, "labels": labels}
    if source_commit is not None:
        if _LABEL_VALUE.fullmatch(source_commit):
            labels[COMMIT_KEY] = source_commit
        else:  # a SHA-256 commit id is longer than a label value may be
            metadata["annotations"] = {COMMIT_KEY: source_commit}
    document = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": metadata,
        "data": dict(variables),
    }
    text = dump_yaml(document, header)
    return RenderedConfigMap(name, text, object_size(document, text))

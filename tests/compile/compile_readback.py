"""Read compiled files back the way their consumers do: bash, python-dotenv, YAML, JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import yaml
from dotenv import dotenv_values

from dpm_policy_runtime.env_files import FORMAT_KEY, FORMAT_VERSION, parse_dotenv


def bash_source(
    folder: Path, names: Iterable[str], file_name: str = "dpm-policy.env"
) -> dict[str, str]:
    """``set -a; . ./file`` in a clean bash, then the variables as Python sees them."""
    wanted = json.dumps(sorted(names))
    printer = (
        "import json, os, sys; names = json.loads(sys.argv[1]); "
        "print(json.dumps({k: os.environ[k] for k in names if k in os.environ}))"
    )
    script = f'set -a; . ./{file_name}; set +a; exec {sys.executable} -c "$2" "$1"'
    done = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", script, "bash", wanted, printer],
        cwd=folder,
        capture_output=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"},
    )
    assert done.stderr == b"", done.stderr.decode("utf-8", "replace")
    loaded: dict[str, str] = json.loads(done.stdout)
    return loaded


def python_dotenv(path: Path) -> dict[str, str | None]:
    """python-dotenv's default reading (interpolation on)."""
    values: dict[str, str | None] = dict(dotenv_values(path))
    return values


def runtime_dotenv(path: Path) -> dict[str, str]:
    return parse_dotenv(path.read_text(encoding="utf-8"), path.name)


def env_json(path: Path) -> dict[str, str]:
    """The variables of an ``env.json``: every key but its format version."""
    loaded: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    assert loaded[FORMAT_KEY] == FORMAT_VERSION
    return {name: str(value) for name, value in loaded.items() if name != FORMAT_KEY}


def configmap_data(path: Path) -> dict[str, str]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    data: dict[str, str] = document["data"]
    return data


def every_reading(folder: Path, names: Iterable[str]) -> dict[str, dict[str, object]]:
    """Each consumer's view of the folder's variables."""
    names = list(names)
    return {
        "bash": dict(bash_source(folder, names)),
        "python-dotenv": dict(python_dotenv(folder / "dpm-policy.env")),
        "runtime dotenv": dict(runtime_dotenv(folder / "dpm-policy.env")),
        "env.json": dict(env_json(folder / "env.json")),
        "configmap": dict(configmap_data(folder / "configmap.yaml")),
    }

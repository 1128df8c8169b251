"""dpm-policy-runtime is a wheel of its own: standard library only, typed, built from runtime/.

The wheel is built from the repository's runtime/ (no copy of the source is kept anywhere),
installed into a bare virtual environment that holds no third-party package, not even pip, and
resolves against what ``dpm-policy compile`` makes of the repository's own content.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from dpm_policy_runtime import PolicyRuntime

ROOT = Path(__file__).resolve().parents[2]
RUNTIME = ROOT / "runtime"
PACKAGE = RUNTIME / "dpm_policy_runtime"

# Run inside the bare environment: every environment's env.json (strict) and dpm-policy.env,
# one resolution per tenant plus a request and no headers, and the modules that got loaded.
_PROBE = """
import json, sys
from pathlib import Path
import dpm_policy_runtime
from dpm_policy_runtime import PolicyRuntime
out = {}
for folder in sorted(Path(sys.argv[1]).iterdir()):
    runtime = PolicyRuntime.from_file(folder / "env.json")
    answers = [runtime.effective_response()]
    answers += [runtime.effective_response(tenant_id=t) for t in runtime.tenant_map]
    answers += [runtime.catalog_response(policy_pack_id=p) for p in runtime.catalog]
    out[folder.name] = {"fingerprint": runtime.fingerprint, "answers": answers}
foreign = sorted(
    name for name in sys.modules
    if name.split(".")[0] not in (*sys.stdlib_module_names, "__main__", "dpm_policy_runtime")
)
print(json.dumps({"environments": out, "foreign": foreign, "file": dpm_policy_runtime.__file__}))
"""


def _run(*command: str | Path, cwd: Path | None = None) -> str:
    result = subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, cwd=cwd, check=False
    )
    assert result.returncode == 0, f"{command}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _project(path: Path) -> dict[str, object]:
    project: dict[str, object] = tomllib.loads(path.read_text(encoding="utf-8"))["project"]
    return project


def test_the_tool_depends_on_this_runtime_version_and_nothing_else_does() -> None:
    runtime = _project(RUNTIME / "pyproject.toml")
    tool = _project(ROOT / "pyproject.toml")
    assert runtime["dependencies"] == []
    assert f"dpm-policy-runtime=={runtime['version']}" in tool["dependencies"]  # type: ignore[operator]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built from runtime/ without build isolation (no network needed)."""
    work = tmp_path_factory.mktemp("wheel")
    # Built from a scratch copy so that the build's own folders stay out of the checkout.
    source = work / "runtime"
    shutil.copytree(
        RUNTIME, source, ignore=shutil.ignore_patterns("*.egg-info", "__pycache__", "build")
    )
    out = work / "dist"
    _run(
        sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-index",
        "--no-build-isolation", "--wheel-dir", out, source,
    )  # fmt: skip
    (built,) = out.glob("dpm_policy_runtime-*.whl")
    return built


@pytest.mark.slow
def test_the_wheel_holds_the_package_source_exactly_and_is_typed(wheel: Path) -> None:
    version = _project(RUNTIME / "pyproject.toml")["version"]
    assert wheel.name == f"dpm_policy_runtime-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        package = {name for name in names if name.startswith("dpm_policy_runtime/")}
        expected = {f"dpm_policy_runtime/{file.name}" for file in PACKAGE.glob("*.py")}
        assert package == expected | {"dpm_policy_runtime/py.typed"}
        for name in expected:
            assert archive.read(name) == (PACKAGE / name.split("/")[1]).read_bytes(), name
        (metadata_name,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        metadata = archive.read(metadata_name).decode("utf-8")
    assert "Name: dpm-policy-runtime\n" in metadata
    assert f"Version: {version}\n" in metadata
    assert "Requires-Dist" not in metadata


@pytest.mark.slow
def test_the_wheel_alone_resolves_compiled_output(wheel: Path, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    dpm_policy = Path(sys.executable).with_name("dpm-policy")
    _run(dpm_policy, "compile", "--root", ROOT, "--out", dist, cwd=tmp_path)

    bare = tmp_path / "bare"
    _run(sys.executable, "-m", "venv", "--without-pip", bare)
    python = bare / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    _run(
        sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-index",
        "--no-deps", wheel,
    )  # fmt: skip
    names = "sorted(d.metadata['Name'] for d in m.distributions())"
    installed = _run(python, "-c", f"import importlib.metadata as m; print({names})")
    assert installed.strip() == "['dpm-policy-runtime']"

    report = json.loads(_run(python, "-I", "-c", _PROBE, dist, cwd=tmp_path))
    assert report["foreign"] == []
    assert Path(report["file"]).is_relative_to(bare)
    environments = report["environments"]
    assert sorted(environments) == sorted(p.stem for p in (ROOT / "environments").glob("*.yaml"))
    # The same answers as the runtime this suite runs on, environment by environment.
    for name, seen in environments.items():
        runtime = PolicyRuntime.from_file(dist / name / "env.json")
        assert seen["fingerprint"] == runtime.fingerprint
        answers = [runtime.effective_response()]
        answers += [runtime.effective_response(tenant_id=t) for t in runtime.tenant_map]
        answers += [runtime.catalog_response(policy_pack_id=p) for p in runtime.catalog]
        assert seen["answers"] == json.loads(json.dumps(answers))
        assert any(answer.get("source") == "TENANT_DEFAULT" for answer in seen["answers"])

"""The runtime's import boundary: standard library only, nothing else from dpm_policy, fast."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import dpm_policy_runtime as runtime

PACKAGE_DIR = Path(runtime.__file__).parent
SRC_ROOT = PACKAGE_DIR.parent

_PROBE = """
import json, sys
before = set(sys.modules)
from dpm_policy_runtime import *
after = sorted(set(sys.modules) - before)
print(json.dumps(after))
"""


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(SRC_ROOT)!r})\n" + code],
        capture_output=True,
        text=True,
        check=True,
    )


def test_import_loads_only_stdlib_and_the_runtime() -> None:
    loaded = json.loads(_run(_PROBE).stdout)
    foreign = [
        name
        for name in loaded
        if name.split(".")[0] not in sys.stdlib_module_names
        and name.split(".")[0] != "dpm_policy_runtime"
    ]
    assert foreign == []
    for heavy in ("pydantic", "yaml", "ruamel", "fastapi", "psycopg"):
        assert not any(n.split(".")[0] == heavy for n in loaded)


def test_sources_import_only_stdlib_and_runtime_modules() -> None:
    """A static check too, so a lazy import inside a function cannot slip past."""
    for source in PACKAGE_DIR.glob("*.py"):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                assert top in sys.stdlib_module_names or name.startswith("dpm_policy_runtime"), (
                    f"{source.name} imports {name}"
                )


def test_public_names_are_exported() -> None:
    assert sorted(runtime.__all__) == sorted(set(runtime.__all__))
    for name in runtime.__all__:
        assert hasattr(runtime, name), name
    for module in PACKAGE_DIR.glob("*.py"):
        text = module.read_text(encoding="utf-8")
        assert "from __future__ import annotations" in text, module.name
        assert "__all__" in text, module.name
    assert (PACKAGE_DIR / "py.typed").exists()


IMPORT_BUDGET_US = 50_000


def _cumulative_import_us(code: str, module: str) -> int:
    """The cumulative microseconds ``-X importtime`` reports for ``module`` running ``code``."""
    result = subprocess.run(
        [
            sys.executable,
            "-I",
            "-X",
            "importtime",
            "-c",
            f"import sys; sys.path.insert(0, {str(SRC_ROOT)!r})\n" + code,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    for line in result.stderr.splitlines():
        # "import time: <self us> | <cumulative us> | <indented module name>"
        fields = [field.strip() for field in line.removeprefix("import time:").split("|")]
        if len(fields) == 3 and fields[2] == module:
            return int(fields[1])
    raise AssertionError(f"{module} not in the importtime report:\n{result.stderr[-2000:]}")


def test_import_stays_under_50_ms_of_cumulative_import_time() -> None:
    """The importtime report's own figure for the package, not wall time; best of three, as
    the machine may be busy. Names load their modules on first use (PEP 562)."""
    best = min(
        _cumulative_import_us("import dpm_policy_runtime", "dpm_policy_runtime") for _ in range(3)
    )
    assert best < IMPORT_BUDGET_US, f"import dpm_policy_runtime took {best} us cumulative"


def test_every_public_name_loads_on_first_use() -> None:
    loaded = json.loads(
        _run(
            "import json, sys\n"
            "import dpm_policy_runtime\n"
            "before = set(sys.modules)\n"
            "from dpm_policy_runtime import *\n"
            "print(json.dumps(sorted(set(sys.modules) - before)))"
        ).stdout
    )
    assert "dpm_policy_runtime.snapshot" in loaded
    for name in runtime.__all__:
        assert getattr(runtime, name) is getattr(
            __import__(f"dpm_policy_runtime.{runtime._MODULES[name]}", fromlist=[name]), name
        )
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        _ = runtime.nothing_here


def test_no_module_level_mutable_containers() -> None:
    """Module globals are constants: immutable containers only (fields.py is shared with the
    rest of the tooling and keeps its plain dicts, which nothing here mutates)."""
    import importlib

    from dpm_policy_runtime import fields

    for source in PACKAGE_DIR.glob("*.py"):
        if source.stem in ("__init__", "fields"):
            continue
        module = importlib.import_module(f"dpm_policy_runtime.{source.stem}")
        for name, value in vars(module).items():
            if name.startswith("__") or value is getattr(fields, name, None):
                continue
            assert not isinstance(value, (dict, list, set, bytearray)) or name == "__all__", (
                f"{source.name}: {name} is a mutable {type(value).__name__}"
            )

"""The runtime's import boundary: standard library only, nothing else from dpm_policy, fast."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import time
from pathlib import Path

import dpm_policy_runtime as runtime

PACKAGE_DIR = Path(runtime.__file__).parent
SRC_ROOT = PACKAGE_DIR.parent

_PROBE = """
import json, sys
before = set(sys.modules)
import dpm_policy_runtime
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


def test_import_is_fast_relative_to_a_bare_interpreter() -> None:
    def best_of(code: str) -> float:
        timings = []
        for _ in range(3):
            start = time.perf_counter()
            _run(code)
            timings.append(time.perf_counter() - start)
        return min(timings)

    bare = best_of("pass")
    with_runtime = best_of("import dpm_policy_runtime")
    # Generous: the stdlib modules it needs (json, decimal, re, threading...) cost a little.
    assert with_runtime < bare * 4 + 0.2, (bare, with_runtime)


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

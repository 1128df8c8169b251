"""Each small shared piece has one home in ``tools/``, and the models know nothing of how
files are read."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from git_repos import REPO_ROOT

PACKAGE = REPO_ROOT / "tools" / "dpm_policy"


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def _defined(name: str) -> list[str]:
    """The modules that define a top-level function ``name``."""
    homes = []
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if any(isinstance(node, ast.FunctionDef) and node.name == name for node in tree.body):
            homes.append(path.relative_to(PACKAGE).as_posix())
    return homes


def test_the_models_do_not_import_the_loader() -> None:
    for path in sorted((PACKAGE / "model").glob("*.py")):
        loaders = {m for m in _imports(path) if m.startswith("dpm_policy.load")}
        assert not loaders, f"{path.name} imports {sorted(loaders)}"


def test_one_entry_point_to_pyyaml_s_parser() -> None:
    """libyaml's loader is chosen once; nothing else names a PyYAML loader."""
    pattern = re.compile(r"CSafeLoader|Loader=")
    users = [
        path.relative_to(PACKAGE).as_posix()
        for path in _modules()
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert users == ["load/libyaml.py"]


def test_one_home_for_showing_values_flags_writing_files_and_running_git() -> None:
    assert _defined("shown") == ["shown.py"]
    assert _defined("setting_text") == ["shown.py"]
    assert _defined("write_whole") == ["files.py"]
    assert _defined("flag_text") == []  # the runtime's switch table owns it
    assert _defined("effective_pack") == ["model/tenant.py"]
    assert _defined("run_git") == ["git.py"]


def test_git_is_run_from_one_module() -> None:
    """Every git process starts in git.py, with git's own variables scrubbed."""
    spawners = [
        path.relative_to(PACKAGE).as_posix()
        for path in _modules()
        if '["git"' in path.read_text(encoding="utf-8")
    ]
    assert spawners == ["git.py"]


def test_engine_variable_names_are_written_only_in_the_runtime_s_variable_module() -> None:
    """The tool names the engine's variables through ``dpm_policy_runtime.variables`` (and the
    switch table built on it), never as string literals of its own."""
    from dpm_policy_runtime import variables

    names = {
        value
        for key, value in vars(variables).items()
        if key.isupper() and isinstance(value, str) and value.startswith("DPM_")
    }
    assert names
    literals = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in names:
                literals.append(f"{path.relative_to(PACKAGE).as_posix()}:{node.lineno}")
    assert literals == []

"""Compare an output tree with its golden copy, listing what is missing, extra or different."""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

UPDATE_VARIABLE = "DPM_POLICY_UPDATE_GOLDEN"


def _files(root: Path) -> dict[str, bytes]:
    if not root.is_dir():
        return {}
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _first_difference(expected: bytes, actual: bytes) -> str:
    try:
        old, new = expected.decode("utf-8"), actual.decode("utf-8")
    except UnicodeDecodeError:
        return f"binary, {len(expected)} vs {len(actual)} bytes"
    diff = list(
        difflib.unified_diff(
            old.splitlines(), new.splitlines(), "golden", "actual", n=0, lineterm=""
        )
    )
    shown = [line if len(line) <= 160 else line[:157] + "..." for line in diff[2:8]]
    return "\n    ".join(shown)


def tree_differences(expected: Path, actual: Path) -> list[str]:
    """``missing: path``, ``extra: path`` and ``differs: path`` (with the first changed lines)."""
    want, got = _files(expected), _files(actual)
    found = [f"missing: {name}" for name in sorted(want.keys() - got.keys())]
    found += [f"extra: {name}" for name in sorted(got.keys() - want.keys())]
    for name in sorted(want.keys() & got.keys()):
        if want[name] != got[name]:
            found.append(f"differs: {name}\n    {_first_difference(want[name], got[name])}")
    return found


def check_golden(actual: Path, golden: Path) -> list[str]:
    """The differences from the golden tree; with DPM_POLICY_UPDATE_GOLDEN=1, rewrite it."""
    if os.environ.get(UPDATE_VARIABLE) == "1":
        if golden.exists():
            shutil.rmtree(golden)
        shutil.copytree(actual, golden)
        return []
    return tree_differences(golden, actual)

"""What formatting changes in a file, as a unified diff (``fmt --diff``)."""

from __future__ import annotations

import difflib

__all__ = ["unified_diff"]


def unified_diff(name: str, before: str, after: str) -> str:
    """The diff from ``before`` to ``after``, with ``a/`` and ``b/`` names as git writes them.

    A last line without its line break is marked as diff and patch expect.
    """
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=f"a/{name}",
        tofile=f"b/{name}",
    )
    return "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
    )

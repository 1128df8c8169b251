"""``dpm-policy.env``: the variables as ``NAME='value'`` lines.

The one form that bash (``set -a; . ./dpm-policy.env``), python-dotenv and the runtime's reader
all read back to the same strings is a single-quoted value holding no quote, no backslash pair,
no ``${`` and no line break: bash keeps single-quoted text literally, python-dotenv unescapes
only ``\\\\`` and ``\\'`` there and expands ``${NAME}`` in every quoting. The ``'\\''`` idiom
works in bash but makes python-dotenv skip the line, so it is not used. Values come from
:func:`~dpm_policy.compile.encode.canonical_json`, which escapes exactly those characters; this
module refuses anything else rather than write a line that some reader would change.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from dpm_policy.errors import UnsafeOutput

__all__ = ["DotenvUnsafe", "dotenv_problem", "render_dotenv"]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class DotenvUnsafe(UnsafeOutput):
    """A value that bash and python-dotenv would not both read back unchanged."""


def dotenv_problem(value: str) -> str | None:
    """Why ``value`` cannot be written single-quoted, or None when it can."""
    if "'" in value:
        return "it holds a single quote"
    if "\\\\" in value or value.endswith("\\"):
        return "it holds a backslash that python-dotenv would unescape"
    if "${" in value:
        return "it holds '${', which python-dotenv expands"
    if any(char in value for char in "\n\r\x00"):
        return "it holds a line break or NUL"
    return None


def render_dotenv(variables: Mapping[str, str], header: Iterable[str] = ()) -> str:
    """The file's text: ``#`` header lines, then one line per variable, in the given order."""
    lines = [f"# {line}".rstrip() for line in header]
    for name, value in variables.items():
        if not _NAME.fullmatch(name):
            raise DotenvUnsafe(f"{name!r} is not a shell variable name")
        reason = dotenv_problem(value)
        if reason is not None:
            raise DotenvUnsafe(f"{name} cannot be written to a dotenv file: {reason}")
        lines.append(f"{name}='{value}'")
    return "\n".join(lines) + "\n"

"""Canonical JSON text: the exact bytes every compiled variable holds.

The text is ``json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)``
with one refinement: inside strings, ``'``, ``$``, a backslash and every character that is not
printable are written as ``\\uXXXX`` escapes. JSON readers decode them to the same strings, and
the text then survives every container we write it into unchanged:

* python-dotenv unescapes ``\\\\`` and ``\\'`` even inside single quotes and expands ``${NAME}``
  whatever the quoting (``dotenv.main.resolve_variables``), so a value holding a backslash, a
  quote or ``${`` could not be read back by both bash and python-dotenv in any quoting;
* with none of those characters, ``NAME='text'`` reads back byte for byte in bash
  (``set -a; . file``), in python-dotenv and in the runtime's own dotenv reader.

For the repository's content (ids, decimals, booleans and plain group keys) the text equals the
plain ``json.dumps`` output; the escapes appear only for unusual group keys.
"""

from __future__ import annotations

import json
import re

__all__ = ["canonical_json", "pretty_json"]

# In compact JSON these characters occur only inside strings, and a backslash pair occurs only
# as the escape of one backslash (every other escape is a backslash and a non-backslash), so a
# left-to-right substitution over the whole text rewrites exactly the string contents.
_UNSAFE = re.compile(r"\\\\|['$]|[^\x20-\x7e]")
_UNPRINTABLE = re.compile(r"[^\x20-\x7e\n]")


def _escape(match: re.Match[str]) -> str:
    text = match.group(0)
    if text == "\\\\":
        return "\\u005c"
    char = text
    if char not in "'$" and char.isprintable():
        return char
    code = ord(char)
    if code > 0xFFFF:
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def canonical_json(value: object) -> str:
    """Compact, key-sorted JSON with shell- and dotenv-safe string escapes."""
    text = json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    return _UNSAFE.sub(_escape, text)


def _escape_unprintable(match: re.Match[str]) -> str:
    char = match.group(0)
    return char if char.isprintable() else _escape(match)


def pretty_json(value: object, *, sort_keys: bool = True) -> str:
    """Indented JSON for people, with a final newline; unprintable characters escaped."""
    text = json.dumps(value, indent=2, sort_keys=sort_keys, ensure_ascii=False)
    return _UNPRINTABLE.sub(_escape_unprintable, text) + "\n"

"""Untrusted text (request headers, ids) made safe to put into a log line or an error."""

from __future__ import annotations

import re

__all__ = ["MAX_HEADER_LENGTH", "display_key", "header_defect", "safe_repr"]

# The engine limits neither the length nor the content of a header (docs/engine-contract.md
# section 5). Strict mode refuses longer header values, and ids that only such a header could
# carry: real ids are short, and 256 leaves room for any sane naming scheme.
MAX_HEADER_LENGTH = 256

# C0, DEL and C1 controls (Unicode category Cc).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def header_defect(raw: str) -> str | None:
    """Why strict mode refuses ``raw`` as an id-bearing header value, or None when it is fine.

    Length is measured on the raw value; control characters are looked for after the
    engine's ``strip()``, so surrounding tabs and newlines stay as harmless as the engine
    makes them.
    """
    if len(raw) > MAX_HEADER_LENGTH:
        return f"longer than {MAX_HEADER_LENGTH} characters ({len(raw)})"
    stripped = raw.strip()
    # isprintable() is a fast C check that is False for every control character; only
    # text that fails it (rare: controls, but also e.g. U+00A0) needs the exact search.
    if not stripped.isprintable() and _CONTROL.search(stripped) is not None:
        return "contains control characters"
    return None


def safe_repr(value: str, limit: int = 64) -> str:
    """A quoted, escaped, truncated rendering: never the raw text of untrusted input."""
    shown = value if len(value) <= limit else value[:limit]
    text = ascii(shown)
    if len(value) > limit:
        text += f"...(+{len(value) - limit} chars)"
    return text


def display_key(key: str) -> str:
    """A key as shown in a location: itself when plain, else its escaped :func:`safe_repr`."""
    if key and len(key) <= 64 and key.isprintable() and key == key.strip():
        return key
    return safe_repr(key)

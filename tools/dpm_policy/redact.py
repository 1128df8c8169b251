"""The secret filter: how a database password is kept out of everything the tool writes.

One filter covers every stream (stdout, stderr, reports, JSON): ``cli.main`` wraps both
standard streams in a ``MaskedStream`` before any command runs, and the filter masks

- every spelling of each password it was told about (``--dsn``, the catalog DSN variable,
  ``PGPASSWORD``), as given and as a URL or keyword string would encode it, and
- whatever reads as a password in a connection string (``scheme://user:PASSWORD@host``,
  ``password=PASSWORD`` or ``password='PASS WORD'``), for DSNs the filter was not told about.

A secret a message quotes in its raw spelling is masked too: libpq may echo the string as given.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TextIO
from urllib.parse import quote, quote_plus, unquote, urlsplit

__all__ = [
    "MASK",
    "MaskedStream",
    "SecretFilter",
    "filter_for",
    "libpq_parts",
    "password_spellings",
    "redact",
    "secrets_of",
]

MASK = "********"

_URL_PASSWORD = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://[^:/@\s]*:)([^@\s]*)@")
_KEYWORD_PASSWORD = re.compile(
    r"((?<![A-Za-z0-9_])password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", re.IGNORECASE
)


def password_spellings(password: str) -> set[str]:
    """The password as given and as a URL or a keyword string would spell it."""
    return {
        password,
        quote(password, safe=""),
        quote(password),
        quote_plus(password),
        password.replace("\\", "\\\\").replace("'", "\\'"),
    }


def libpq_parts(value: str) -> dict[str, object] | None:
    """libpq's reading of a connection string, or None when it is not one.

    The driver's error is dropped, not chained: its text may quote the string, password
    included. Without psycopg installed, a plain reading of URLs and keyword strings stands in.
    """
    try:
        # libpq's own parser, so the string is read exactly as a connection would read it.
        from psycopg import conninfo

        return dict(conninfo.conninfo_to_dict(value))
    except ImportError:
        return _parts_without_driver(value)
    except Exception:
        return None


def _parts_without_driver(value: str) -> dict[str, object] | None:
    url = urlsplit(value.strip())
    if url.scheme in ("postgres", "postgresql"):
        return {
            "host": url.hostname or "",
            "port": str(url.port or ""),
            "dbname": url.path.lstrip("/"),
            "user": unquote(url.username or ""),
            "password": unquote(url.password or ""),
        }
    parts: dict[str, object] = {}
    for token in value.split():
        key, equals, text = token.partition("=")
        if not equals:
            return None
        parts[key] = text.strip("'")
    return parts


def secrets_of(value: str) -> set[str]:
    """Every spelling of the password a connection string holds, parsed or not."""
    found: set[str] = set()
    for match in _URL_PASSWORD.finditer(value):
        if match.group(2):
            found.add(match.group(2))
    for match in _KEYWORD_PASSWORD.finditer(value):
        raw = match.group(2)
        found.add(raw)
        if raw.startswith("'") and raw.endswith("'") and len(raw) > 2:
            found.add(raw[1:-1])
    if "=" in value or "://" in value:
        password = (libpq_parts(value) or {}).get("password")
        if isinstance(password, str) and password:
            found.update(password_spellings(password))
    return {secret for secret in found if secret}


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with each of ``secrets``, and every password a connection string in it holds,
    replaced by ``********``."""
    # Longest first, so that a secret containing another is masked whole.
    for secret in sorted(secrets, key=len, reverse=True):
        if secret:
            text = text.replace(secret, MASK)
    text = _URL_PASSWORD.sub(rf"\1{MASK}@", text)
    return _KEYWORD_PASSWORD.sub(rf"\1{MASK}", text)


class SecretFilter:
    """The passwords of one run; applying it masks them in a text."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = {secret for secret in secrets if secret}

    def add(self, secrets: Iterable[str]) -> None:
        """Mask these too from now on (say, a password only libpq's reading revealed)."""
        self._secrets.update(secret for secret in secrets if secret)

    def __call__(self, text: str) -> str:
        return redact(text, self._secrets)


def filter_for(
    argv: Sequence[str], environ: Mapping[str, str], variables: Iterable[str]
) -> SecretFilter:
    """The filter of one run: the passwords in any argument (a DSN given with or without
    ``--dsn``), in each of ``variables`` (the DSN variables) and ``PGPASSWORD``."""
    secrets: set[str] = set()
    for value in (*argv, *(environ.get(name, "") for name in variables)):
        if value.strip():
            secrets.update(secrets_of(value))
    env_password = environ.get("PGPASSWORD", "")
    if env_password:
        secrets.update(password_spellings(env_password))
    return SecretFilter(secrets)


class MaskedStream(io.TextIOBase):
    """A text stream that writes through a ``SecretFilter`` to the stream it wraps."""

    def __init__(self, stream: TextIO, secret_filter: SecretFilter) -> None:
        super().__init__()
        self._stream = stream
        self._filter = secret_filter

    def write(self, text: str) -> int:
        self._stream.write(self._filter(text))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self._stream.isatty()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._stream.encoding

"""Where the catalog's DSN comes from, and how its password is kept out of every output.

The DSN is taken from ``--dsn`` or else ``DPM_POLICY_PACK_POSTGRES_DSN``, the engine's own
variable (docs/engine-contract.md section 7). We do not fall back to the engine's second choice,
``DPM_SUPPORTABILITY_POSTGRES_DSN``: a production engine refuses to start without the explicit
catalog DSN, so publishing through the fallback would target a database the engine may not read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import quote, quote_plus, unquote, urlsplit

from dpm_policy.publish.errors import DsnError

__all__ = ["DSN_ENV_VAR", "MASK", "Dsn", "known_secrets", "parse_dsn", "redact", "resolve_dsn"]

DSN_ENV_VAR = "DPM_POLICY_PACK_POSTGRES_DSN"
MASK = "********"

# The password as written in a URL (``scheme://user:PASSWORD@host``) or in a keyword string
# (``password=PASSWORD`` or ``password='PASS WORD'``): redacted in its raw spelling too, because
# a libpq message may quote the string as given, before any decoding.
_URL_PASSWORD = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^:/@?#]*:([^@/?#]*)@")
_KEYWORD_PASSWORD = re.compile(r"(?:^|\s)password\s*=\s*('(?:[^'\\]|\\.)*'|\S+)")


@dataclass(frozen=True)
class Dsn:
    """A resolved DSN. Its ``repr`` hides the connection string and the secrets."""

    conninfo: str = field(repr=False)
    source: str
    secrets: tuple[str, ...] = field(default=(), repr=False)
    host: str = ""
    port: str = ""
    dbname: str = ""
    user: str = ""

    def redact(self, text: str) -> str:
        """``text`` with every spelling of the password replaced by ``********``."""
        return redact(text, self.secrets)

    def describe(self) -> str:
        """Where the DSN points, without the password: ``user@host:port/dbname``."""
        where = self.host or "localhost"
        if self.port:
            where = f"{where}:{self.port}"
        who = f"{self.user}@" if self.user else ""
        return f"{who}{where}/{self.dbname}"


def resolve_dsn(explicit: str | None, environ: Mapping[str, str]) -> Dsn:
    """The DSN from ``--dsn`` if given, else from ``DPM_POLICY_PACK_POSTGRES_DSN``.

    Raises DsnError when neither is set or the value is not a PostgreSQL connection string.
    The error never quotes the value, which may hold a password.
    """
    if explicit is not None and explicit.strip():
        return parse_dsn(explicit, source="--dsn", environ=environ)
    from_env = environ.get(DSN_ENV_VAR, "")
    if from_env.strip():
        return parse_dsn(from_env, source=DSN_ENV_VAR, environ=environ)
    raise DsnError(f"no database given; pass --dsn or set {DSN_ENV_VAR}")


def parse_dsn(value: str, *, source: str, environ: Mapping[str, str] | None = None) -> Dsn:
    """Parse a libpq keyword string or URL; collect every spelling of its password."""
    secrets = set(_raw_passwords(value))
    parts = _parse(value)
    if parts is None:
        raise DsnError(
            f"the DSN from {source} is not a valid PostgreSQL connection string "
            "(expected 'host=... dbname=... user=...' or 'postgresql://user@host/dbname')"
        )
    password = parts.get("password")
    if isinstance(password, str) and password:
        secrets.update(_spellings(password))
    # libpq also reads PGPASSWORD; it never appears in messages, but masking it costs nothing.
    env_password = (environ or {}).get("PGPASSWORD", "")
    if env_password:
        secrets.update(_spellings(env_password))
    return Dsn(
        conninfo=value,
        source=source,
        secrets=tuple(sorted(secret for secret in secrets if secret)),
        host=str(parts.get("host") or parts.get("hostaddr") or ""),
        port=str(parts.get("port") or ""),
        dbname=str(parts.get("dbname") or ""),
        user=str(parts.get("user") or ""),
    )


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with each of ``secrets`` replaced by ``********``."""
    # Longest first, so that a secret containing another is masked whole.
    for secret in sorted(secrets, key=len, reverse=True):
        if secret:
            text = text.replace(secret, MASK)
    return text


def known_secrets(explicit: str | None, environ: Mapping[str, str]) -> tuple[str, ...]:
    """Every password spelling in ``--dsn``, the DSN variable and ``PGPASSWORD``, parsed or not.

    For masking output on paths where no valid DSN was resolved (an unexpected error, an
    invalid DSN): whatever the user passed is masked even when libpq cannot parse it.
    """
    secrets: set[str] = set()
    for value in (explicit or "", environ.get(DSN_ENV_VAR, "")):
        if not value.strip():
            continue
        secrets.update(_raw_passwords(value))
        # For an unparsable DSN, the raw spellings above are all we have.
        password = (_parse(value) or {}).get("password")
        if isinstance(password, str) and password:
            secrets.update(_spellings(password))
    env_password = environ.get("PGPASSWORD", "")
    if env_password:
        secrets.update(_spellings(env_password))
    return tuple(sorted(secret for secret in secrets if secret))


def _parse(value: str) -> dict[str, object] | None:
    """libpq's reading of a DSN, or None; the driver's error is dropped, not chained, because
    its text may quote the DSN, password included."""
    try:
        # libpq's own parser, so we read the DSN exactly as the connection will.
        from psycopg import conninfo

        return dict(conninfo.conninfo_to_dict(value))
    except ImportError:
        return _parse_without_driver(value)
    except Exception:
        return None


def _parse_without_driver(value: str) -> dict[str, object] | None:
    """Enough of a DSN to describe it when psycopg is missing (connecting will fail anyway)."""
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


def _raw_passwords(value: str) -> list[str]:
    found: list[str] = []
    url = _URL_PASSWORD.match(value.strip())
    if url is not None and url.group(1):
        found.append(url.group(1))
    for match in _KEYWORD_PASSWORD.finditer(value):
        raw = match.group(1)
        found.append(raw)
        if raw.startswith("'") and raw.endswith("'") and len(raw) > 2:
            found.append(raw[1:-1])
    return found


def _spellings(password: str) -> set[str]:
    """The password as given and as a URL or a keyword string would spell it."""
    return {
        password,
        quote(password, safe=""),
        quote(password),
        quote_plus(password),
        password.replace("\\", "\\\\").replace("'", "\\'"),
    }

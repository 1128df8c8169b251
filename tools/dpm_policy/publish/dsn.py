"""Where the catalog's DSN comes from; its password is kept out of every output by the CLI's
secret filter (``dpm_policy.redact``).

The DSN is taken from ``--dsn`` or else the engine's own catalog DSN variable
(``dpm_policy_runtime.variables.POSTGRES_DSN``, docs/engine-contract.md section 7). We do not
fall back to the engine's second choice, its supportability DSN: a production engine refuses to
start without the explicit catalog DSN, so publishing through the fallback would target a
database the engine may not read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from dpm_policy.errors import UsageError
from dpm_policy.redact import libpq_parts, password_spellings, redact, secrets_of
from dpm_policy_runtime.variables import POSTGRES_DSN

__all__ = ["DSN_ENV_VAR", "Dsn", "DsnError", "parse_dsn", "resolve_dsn"]

DSN_ENV_VAR = POSTGRES_DSN


class DsnError(UsageError):
    """No DSN was given, or it is not a PostgreSQL connection string (exit 2)."""


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
    """The DSN from ``--dsn`` if given, else from the catalog DSN variable.

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
    secrets = secrets_of(value)
    parts = libpq_parts(value)
    if parts is None:
        raise DsnError(
            f"the DSN from {source} is not a valid PostgreSQL connection string "
            "(expected 'host=... dbname=... user=...' or 'postgresql://user@host/dbname')"
        )
    password = parts.get("password")
    if isinstance(password, str) and password:
        secrets.update(password_spellings(password))
    # libpq also reads PGPASSWORD; it never appears in messages, but masking it costs nothing.
    env_password = (environ or {}).get("PGPASSWORD", "")
    if env_password:
        secrets.update(password_spellings(env_password))
    return Dsn(
        conninfo=value,
        source=source,
        secrets=tuple(sorted(secret for secret in secrets if secret)),
        host=str(parts.get("host") or parts.get("hostaddr") or ""),
        port=str(parts.get("port") or ""),
        dbname=str(parts.get("dbname") or ""),
        user=str(parts.get("user") or ""),
    )

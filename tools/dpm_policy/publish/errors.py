"""Errors of the publish path, in the tool's one exception tree (``dpm_policy.errors``)."""

from __future__ import annotations

from dpm_policy.errors import DatabaseError, InputError
from dpm_policy.publish.dsn import DsnError

__all__ = [
    "CatalogNotFound",
    "ConnectionFailed",
    "DatabaseEncoding",
    "DsnError",
]


class CatalogNotFound(InputError):
    """The compiled catalog of the environment is missing or cannot be read (exit 2)."""


class ConnectionFailed(DatabaseError):
    """The database could not be reached, or the connection broke mid-way (exit 2).

    Raised inside a transaction, it means the transaction was rolled back: nothing was written.
    """


class DatabaseEncoding(DatabaseError):
    """The database does not store text as UTF-8, so the catalog's JSON cannot be kept exactly
    (exit 2). Nothing was read or written."""

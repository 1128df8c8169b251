"""Errors of the publish path; ``commands.publish`` maps each class to an exit code."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dpm_policy.publish.strict import RowProblem

__all__ = [
    "CatalogNotFound",
    "ConnectionFailed",
    "DatabaseEncoding",
    "DsnError",
    "PublishError",
    "RefusedRows",
]


class PublishError(Exception):
    """Base of every error the publish path reports on purpose. Messages never hold a password."""


class DsnError(PublishError):
    """No DSN was given, or it is not a PostgreSQL connection string (exit 2)."""


class CatalogNotFound(PublishError):
    """The compiled catalog of the environment is missing or unreadable (exit 2)."""


class ConnectionFailed(PublishError):
    """The database could not be reached, or the connection broke mid-way (exit 2).

    Raised inside a transaction, it means the transaction was rolled back: nothing was written.
    """


class DatabaseEncoding(PublishError):
    """The database does not store text as UTF-8, so the catalog's JSON cannot be kept exactly
    (exit 2). Nothing was read or written."""


class RefusedRows(PublishError):
    """Rows the engine's strict catalog read would refuse; nothing was written (exit 1)."""

    def __init__(self, message: str, problems: Sequence[RowProblem]) -> None:
        super().__init__(message)
        self.problems: tuple[RowProblem, ...] = tuple(problems)

"""Errors of the publish path, in the tool's one exception tree (``dpm_policy.errors``)."""

from __future__ import annotations

from collections.abc import Sequence

from dpm_policy.errors import DatabaseError, InputError, ProblemsFound
from dpm_policy.findings import from_row_problems
from dpm_policy.publish.dsn import DsnError
from dpm_policy.publish.rows import TABLE
from dpm_policy.publish.strict import RowProblem

__all__ = [
    "CatalogNotFound",
    "ConnectionFailed",
    "DatabaseEncoding",
    "DsnError",
    "RefusedRows",
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


class RefusedRows(ProblemsFound):
    """Rows the engine's strict catalog read would refuse; nothing was written (exit 1).

    ``rows`` holds the strict check's findings by pack and path; ``problems`` the same as the
    ``Problem`` values every command prints.
    """

    def __init__(self, message: str, rows: Sequence[RowProblem]) -> None:
        super().__init__(message, from_row_problems(rows, file=TABLE))
        self.rows: tuple[RowProblem, ...] = tuple(rows)

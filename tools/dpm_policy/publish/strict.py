"""A strict check of one stored row, as the engine's catalog read sees it.

The engine reads a row by loading ``definition_json``, letting the ``policy_pack_id`` and
``version`` columns override the JSON, and validating the result with its pack model; one row
that fails makes the whole catalog read raise, and every request that selects a pack gets an
HTTP 500 (docs/engine-contract.md section 7).

The rules are the runtime's, not ours: the row is turned into one entry of the catalog wire
shape and read by the runtime's strict parser (every problem, in the author's terms) and by its
engine-faithful lenient parser (whether the engine itself would refuse the row). Only what
differs between the Postgres read and the env-var parse is the runtime's
:func:`~dpm_policy_runtime.catalog_rows.row_entry` (the columns override the JSON, stored rows
spell "no override" as ``null``, and a null or non-object section fails the Postgres read where
the env-var parse reads it as ``{}``), which the runtime's Postgres source shares.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from dpm_policy_runtime.catalog_lenient import parse_catalog_lenient
from dpm_policy_runtime.catalog_rows import row_entry
from dpm_policy_runtime.catalog_strict import parse_catalog_strict
from dpm_policy_runtime.problems import ConfigProblem, Dropped
from dpm_policy_runtime.safe_text import display_key

__all__ = ["RowProblem", "check_row"]


@dataclass(frozen=True)
class RowProblem:
    """One reason a row is refused, in the author's terms.

    ``engine_fails`` is true when the engine's read of this row raises (an HTTP 500 for every
    selection); false when the engine would take the row but misread or ignore part of it.
    """

    policy_pack_id: str
    path: str
    message: str
    engine_fails: bool

    def render(self) -> str:
        """``pack_id: path: message``."""
        where = f"{self.policy_pack_id}: {self.path}" if self.path else self.policy_pack_id
        return f"{where}: {self.message}"


def check_row(policy_pack_id: str, version: str, definition_json: str) -> tuple[RowProblem, ...]:
    """Every problem the strict read finds in one row; empty when the row is sound."""
    entry, faults = row_entry(policy_pack_id, version, definition_json)
    fatal = [
        RowProblem(policy_pack_id, fault.path, fault.message, engine_fails=True) for fault in faults
    ]
    if entry is None:
        return tuple(fatal)
    text = json.dumps({policy_pack_id: entry})
    problems: list[ConfigProblem] = []
    parse_catalog_strict(text, problems)
    # The engine's read does not strip or check the id column; only the body can fail it, so
    # the lenient parse reads the body under a neutral id.
    dropped: list[Dropped] = []
    kept = parse_catalog_lenient(json.dumps({"pack": entry}), dropped)
    engine_fails = bool(fatal) or "pack" not in kept
    prefix = display_key(policy_pack_id)
    found = [
        RowProblem(policy_pack_id, _relative(problem.path, prefix), problem.message, engine_fails)
        for problem in problems
    ]
    return tuple(fatal + found)


def _relative(path: str, prefix: str) -> str:
    if path == prefix:
        return ""
    return path.removeprefix(f"{prefix}.")

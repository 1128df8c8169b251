"""A strict check of one stored row, as the engine's catalog read sees it.

The engine reads a row by loading ``definition_json``, letting the ``policy_pack_id`` and
``version`` columns override the JSON, and validating the result with its pack model; one row
that fails makes the whole catalog read raise, and every request that selects a pack gets an
HTTP 500 (docs/engine-contract.md section 7).

The rules are the runtime's, not ours: the row is turned into one entry of the catalog wire
shape and read by the runtime's strict parser (every problem, in the author's terms) and by its
engine-faithful lenient parser (whether the engine itself would refuse the row). Only what
differs between the Postgres read and the env-var parse is handled here: the columns override
the JSON, stored rows spell "no override" as ``null``, and a null or non-object section fails
the Postgres read where the env-var parse reads it as ``{}``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from dpm_policy_runtime.catalog_lenient import parse_catalog_lenient
from dpm_policy_runtime.catalog_strict import parse_catalog_strict
from dpm_policy_runtime.fields import SECTIONS
from dpm_policy_runtime.json_text import JsonObject, JsonTextError, engine_json
from dpm_policy_runtime.problems import ConfigProblem, Dropped
from dpm_policy_runtime.safe_text import display_key

__all__ = ["RowProblem", "check_row"]

_GROUPS = "group_constraints"


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
    try:
        payload = engine_json(definition_json)
    except JsonTextError as error:
        return (RowProblem(policy_pack_id, "definition_json", str(error), engine_fails=True),)
    if not isinstance(payload, JsonObject):
        return (
            RowProblem(
                policy_pack_id, "definition_json", "must be a JSON object", engine_fails=True
            ),
        )
    fatal: list[RowProblem] = []
    # The version column overrides the JSON's; the id is the entry's key.
    entry: dict[str, object] = {"version": version}
    for key, value in payload.items():
        if key in ("policy_pack_id", "version"):
            continue
        if key not in SECTIONS:
            entry[key] = value  # the strict parser names it and suggests the nearest key
        elif not isinstance(value, dict):
            fatal.append(
                RowProblem(
                    policy_pack_id,
                    key,
                    f"must be an object (got {json.dumps(value)})",
                    engine_fails=True,
                )
            )
        else:
            entry[key] = _without_nulls(key, value, policy_pack_id, fatal)
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


def _without_nulls(
    section: str, fields: dict[str, object], pack_id: str, fatal: list[RowProblem]
) -> dict[str, object]:
    """A stored section in the wire shape: ``null`` (no override) and ``{}`` groups omitted."""
    kept: dict[str, object] = {}
    for name, value in fields.items():
        if section == "constraint_policy" and name == _GROUPS and value is None:
            # The pack model's group map is not optional: null fails the read.
            fatal.append(
                RowProblem(
                    pack_id,
                    f"{section}.{name}",
                    "is null; write {} for no group constraints",
                    engine_fails=True,
                )
            )
        elif value is not None and not (name == _GROUPS and value == {}):
            kept[name] = value
    return kept


def _relative(path: str, prefix: str) -> str:
    if path == prefix:
        return ""
    return path.removeprefix(f"{prefix}.")

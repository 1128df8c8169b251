"""A strict check of one stored row, as the engine's catalog read sees it.

The engine reads a row by loading ``definition_json``, letting the ``policy_pack_id`` and
``version`` columns override the JSON, and validating the result with its pack model; one row
that fails makes the whole catalog read raise, and every request that selects a pack gets an
HTTP 500 (ENGINE_CONTRACT.md section 7). This check refuses everything that read refuses, and
also what the engine would accept but misread (sections 3 and 9): unknown or renamed keys,
numbers where Decimal strings belong, lax bools and ints, a turnover cap above 1, group keys
that are not ``attribute:value``.

TODO(runtime): replace the field checks with the runtime's strict pack parser once
``dpm_policy.runtime`` exposes one; keep ``check_row`` as the entry point.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Protocol

from dpm_policy.runtime.decimals import PLAIN_DECIMAL
from dpm_policy.runtime.fields import (
    GROUP_MAX_WEIGHT,
    RENAMED_FIELDS,
    SECTIONS,
    FieldSpec,
    fields_of,
)

__all__ = ["RowProblem", "check_row"]

_TOP_LEVEL = frozenset({"policy_pack_id", "version", *SECTIONS})

# Strings pydantic's lax mode takes as bools (case-insensitive); the engine would accept them.
_LAX_BOOLS = frozenset({"0", "1", "true", "false", "yes", "no", "on", "off", "t", "f", "y", "n"})


@dataclass(frozen=True)
class RowProblem:
    """One reason a row is refused, in the author's terms.

    ``engine_fails`` is true when the engine's read itself would raise (an HTTP 500 for every
    selection); false when the engine would take the row but misread it.
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
    found: list[RowProblem] = []

    def problem(path: str, message: str, *, engine_fails: bool) -> None:
        found.append(RowProblem(policy_pack_id, path, message, engine_fails))

    if not policy_pack_id or policy_pack_id != policy_pack_id.strip():
        problem(
            "policy_pack_id",
            "must be non-blank, without surrounding whitespace",
            engine_fails=False,
        )
    if not version:
        problem("version", "must be a non-empty string", engine_fails=False)
    try:
        payload = json.loads(definition_json)
    except ValueError:
        problem("definition_json", "is not valid JSON", engine_fails=True)
        return tuple(found)
    if not isinstance(payload, dict):
        problem("definition_json", "must be a JSON object", engine_fails=True)
        return tuple(found)
    for key in sorted(set(payload) - _TOP_LEVEL):
        problem(key, "is not a section the engine knows; it would be ignored", engine_fails=False)
    for section in SECTIONS:
        if section not in payload:
            continue
        value = payload[section]
        if not isinstance(value, dict):
            problem(section, f"must be an object (got {_show(value)})", engine_fails=True)
            continue
        _check_section(section, value, problem)
    return tuple(found)


class _Report(Protocol):
    """The ``problem`` callback's shape."""

    def __call__(self, path: str, message: str, *, engine_fails: bool) -> None: ...


def _check_section(section: str, values: Mapping[str, object], problem: _Report) -> None:
    specs = {spec.name: spec for spec in fields_of(section)}
    for key in sorted(set(values) - set(specs)):
        renamed = RENAMED_FIELDS.get((section, key))
        hint = f"renamed to {renamed}" if renamed else "not a field the engine knows"
        problem(f"{section}.{key}", f"{hint}; the engine would ignore it", engine_fails=False)
    for name, spec in specs.items():
        if name not in values:
            continue
        value = values[name]
        if spec.kind == "group_constraints":
            _check_groups(spec, value, problem)
        elif value is None:
            continue
        elif spec.kind == "decimal":
            _check_decimal(
                spec.path, value, spec.minimum, spec.maximum, _pack_bounded(spec), problem
            )
        elif spec.kind == "bool":
            _check_bool(spec.path, value, problem)
        else:
            _check_int(spec, value, problem)


def _pack_bounded(spec: FieldSpec) -> bool:
    # The turnover cap is bounded by EngineOptions only: the pack model takes any value, so the
    # read succeeds and the bad cap reaches the solver (ENGINE_CONTRACT.md section 3).
    return spec.path != "turnover_policy.max_turnover_pct"


def _check_decimal(
    path: str,
    value: object,
    minimum: Decimal | int | None,
    maximum: Decimal | int | None,
    engine_bounded: bool,
    problem: _Report,
) -> None:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        problem(path, f"must be a decimal string (got {_show(value)})", engine_fails=True)
        return
    if not isinstance(value, str) or not PLAIN_DECIMAL.fullmatch(value):
        try:
            Decimal(str(value).strip())
            lax_ok = True
        except InvalidOperation:
            lax_ok = False
        problem(
            path,
            f'must be a plain decimal string such as "0.15" (got {_show(value)})',
            engine_fails=not lax_ok,
        )
        return
    number = Decimal(value)
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        problem(path, f"{_bounds(minimum, maximum)} (got {value})", engine_fails=engine_bounded)


def _check_bool(path: str, value: object, problem: _Report) -> None:
    if isinstance(value, bool):
        return
    lax_ok = (isinstance(value, int) and value in (0, 1)) or (
        isinstance(value, str) and value.lower() in _LAX_BOOLS
    )
    problem(path, f"must be true or false (got {_show(value)})", engine_fails=not lax_ok)


def _check_int(spec: FieldSpec, value: object, problem: _Report) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        lax_ok = (
            isinstance(value, bool)
            or (isinstance(value, float) and value.is_integer())
            or (isinstance(value, str) and value.strip().lstrip("-").isdigit())
        )
        problem(spec.path, f"must be a whole number (got {_show(value)})", engine_fails=not lax_ok)
        return
    if (spec.minimum is not None and value < spec.minimum) or (
        spec.maximum is not None and value > spec.maximum
    ):
        problem(
            spec.path, f"{_bounds(spec.minimum, spec.maximum)} (got {value})", engine_fails=True
        )


def _check_groups(spec: FieldSpec, value: object, problem: _Report) -> None:
    if not isinstance(value, dict):
        # null included: the pack model's map is not optional, so the read fails.
        problem(
            spec.path, f"must be an object of group caps (got {_show(value)})", engine_fails=True
        )
        return
    low, high = GROUP_MAX_WEIGHT
    for key in sorted(value):
        path = f"{spec.path}.{key}"
        attribute, colon, group = key.partition(":")
        if not colon or not attribute or not group or ":" in group:
            # The read takes it; the solver raises on it (ENGINE_CONTRACT.md section 3).
            problem(
                path, "the key must be 'attribute:value', e.g. 'sector:TECH'", engine_fails=False
            )
        cap = value[key]
        if not isinstance(cap, dict):
            problem(
                path, f"must be an object with max_weight (got {_show(cap)})", engine_fails=True
            )
            continue
        for extra in sorted(set(cap) - {"max_weight"}):
            problem(
                f"{path}.{extra}",
                "not a field the engine knows; the engine would ignore it",
                engine_fails=False,
            )
        if cap.get("max_weight") is None:
            problem(f"{path}.max_weight", "is required", engine_fails=True)
            continue
        _check_decimal(f"{path}.max_weight", cap["max_weight"], low, high, True, problem)


def _bounds(minimum: Decimal | int | None, maximum: Decimal | int | None) -> str:
    if maximum is None:
        return f"must be at least {minimum}"
    return f"must be between {minimum} and {maximum}"


def _show(value: object) -> str:
    return json.dumps(value)

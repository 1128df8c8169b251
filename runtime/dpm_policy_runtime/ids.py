"""Hygiene of the keys of the catalog and the tenant map (strict mode only).

The engine strips keys and lets the last of a colliding set win; the admin and Postgres
paths do not strip. So a key must already be stripped, unique after stripping, and usable
as a header value (length and control characters, see :mod:`safe_text`).
"""

from __future__ import annotations

from collections.abc import Iterable

from dpm_policy_runtime.problems import ConfigProblem
from dpm_policy_runtime.safe_text import display_key, header_defect, safe_repr

__all__ = ["check_keys", "check_reference_text"]


def check_keys(
    variable: str,
    keys: Iterable[str],
    duplicates: Iterable[str],
    *,
    noun: str,
    case_insensitive: bool = False,
) -> list[ConfigProblem]:
    """Problems with the keys of one JSON object; ``duplicates`` are keys written twice."""
    problems: list[ConfigProblem] = []
    for key in duplicates:
        problems.append(
            ConfigProblem(
                variable,
                display_key(key),
                "duplicate",
                f"{noun} {safe_repr(key)} appears more than once; keep one entry",
            )
        )
    groups: dict[str, list[str]] = {}
    for key in keys:
        stripped = key.strip()
        if not stripped:
            problems.append(
                ConfigProblem(variable, display_key(key), "blank-id", f"{noun} is blank")
            )
            continue
        if stripped != key:
            problems.append(
                ConfigProblem(
                    variable,
                    display_key(key),
                    "whitespace",
                    f"{noun} {safe_repr(key)} has surrounding whitespace; "
                    f"write {safe_repr(stripped)}",
                )
            )
        defect = header_defect(key)
        if defect is not None:
            problems.append(
                ConfigProblem(
                    variable,
                    display_key(key),
                    "header-unsafe",
                    f"{noun} {defect}, so no request header can carry it; shorten it",
                )
            )
        group = stripped.casefold() if case_insensitive else stripped
        groups.setdefault(group, []).append(key)
    for members in groups.values():
        if len(members) > 1:
            shown = ", ".join(safe_repr(member) for member in members)
            how = (
                "differ only in case or surrounding whitespace"
                if case_insensitive
                else ("are equal after stripping whitespace")
            )
            problems.append(
                ConfigProblem(
                    variable,
                    display_key(members[-1]),
                    "collision",
                    f"{noun}s {shown} {how}; the engine would keep only one; keep one entry",
                )
            )
    return problems


def check_reference_text(variable: str, path: str, value: str, *, noun: str) -> list[ConfigProblem]:
    """Problems with a pack id used as a value (tenant-map value, global default)."""
    if not value.strip():
        return [ConfigProblem(variable, path, "blank-id", f"{noun} is blank")]
    problems: list[ConfigProblem] = []
    if value != value.strip():
        problems.append(
            ConfigProblem(
                variable,
                path,
                "whitespace",
                f"{noun} {safe_repr(value)} has surrounding whitespace; "
                f"write {safe_repr(value.strip())}",
            )
        )
    defect = header_defect(value)
    if defect is not None:
        problems.append(ConfigProblem(variable, path, "header-unsafe", f"{noun} {defect}"))
    return problems

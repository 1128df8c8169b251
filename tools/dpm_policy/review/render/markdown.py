"""The review for a pull-request comment: markdown that fits one GitHub comment.

GitHub refuses a comment over 65,536 characters. The report is rendered in full first; when it
would not fit, it is rendered again with less detail (field tables folded into counts, fewer
tenant ids), and as a last resort cut, always saying so.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from dpm_policy.review.model import (
    EnvironmentDiff,
    FieldChange,
    PackChange,
    Review,
    SizeChange,
    TenantChanges,
)

__all__ = ["COMMENT_LIMIT", "render"]

COMMENT_LIMIT = 65_536
# Room for the marker the workflow puts in front, so it can find and update its comment.
_BUDGET = COMMENT_LIMIT - 512

Detail = Literal["full", "compact", "minimal"]
_TENANT_IDS: dict[Detail, int] = {"full": 10, "compact": 5, "minimal": 0}
_VIOLATIONS: dict[Detail, int] = {"full": 1_000, "compact": 100, "minimal": 20}


def _code(text: str | None) -> str:
    if text is None:
        return "_unset_"
    return "`" + text.replace("`", "'").replace("|", "\\|") + "`"


def _direction(change: FieldChange) -> str:
    if change.direction == "loosened":
        return "**loosened**"
    if change.direction == "tightened":
        return "tightened"
    return ""


def _fields_table(fields: Sequence[FieldChange]) -> list[str]:
    lines = ["| setting | old | new | direction |", "| --- | --- | --- | --- |"]
    for change in fields:
        lines.append(
            f"| {_code(change.path)} | {_code(change.old)} | {_code(change.new)} "
            f"| {_direction(change)} |"
        )
    return lines


def _counts(fields: Sequence[FieldChange]) -> str:
    loosened = sum(1 for change in fields if change.direction == "loosened")
    tightened = sum(1 for change in fields if change.direction == "tightened")
    parts = [f"{len(fields)} setting(s)"]
    if loosened:
        parts.append(f"{loosened} loosened")
    if tightened:
        parts.append(f"{tightened} tightened")
    return ", ".join(parts)


def _version(pack: PackChange) -> str:
    if pack.status == "added":
        return f"version {_code(pack.new_version)}"
    if pack.status == "removed":
        return f"version {_code(pack.old_version)}"
    if pack.old_version == pack.new_version:
        return f"version {_code(pack.new_version)} (unchanged)"
    return f"version {_code(pack.old_version)} → {_code(pack.new_version)}"


def _packs(packs: Sequence[PackChange], detail: Detail) -> list[str]:
    if not packs:
        return []
    lines = ["", "**Packs**", ""]
    for pack in packs:
        head = f"- {pack.status} {_code(pack.pack_id)}, {_version(pack)}"
        if pack.status == "removed" or not pack.fields:
            lines.append(head)
            continue
        lines.append(f"{head}: {_counts(pack.fields)}")
        if detail == "full":
            lines.extend(["", *("  " + row for row in _fields_table(pack.fields)), ""])
    return lines


def _first(ids: Sequence[str], limit: int) -> str:
    shown = ", ".join(_code(tenant) for tenant in ids[:limit])
    more = f" and {len(ids) - limit} more" if len(ids) > limit else ""
    return shown + more


def _tenants(tenants: TenantChanges, detail: Detail) -> list[str]:
    if not tenants.count:
        return []
    limit = _TENANT_IDS[detail]
    lines = ["", f"**Tenants whose effective pack changes: {tenants.count}**", ""]
    if tenants.remapped:
        line = f"- remapped ({len(tenants.remapped)})"
        if limit:
            shown = [
                f"{_code(t)} ({_code(a)} → {_code(b)})" for t, a, b in tenants.remapped[:limit]
            ]
            more = len(tenants.remapped) - limit
            line += ": " + ", ".join(shown) + (f" and {more} more" if more > 0 else "")
        lines.append(line)
    if tenants.content:
        line = f"- same pack, new content ({len(tenants.content)})"
        if limit:
            line += ": " + _first([t for t, _ in tenants.content], limit)
        lines.append(line)
    return lines


def _size(size: SizeChange) -> str:
    # A side without the variable does not deliver it (no environment there, or its
    # catalog goes through Postgres).
    old = "not delivered" if size.old is None else f"{size.old:,}"
    if size.new is None:
        return f"- {_code(size.variable)}: {old} bytes → not delivered"
    share = f"{100 * size.new / size.limit:.1f} % of the limit"
    return f"- {_code(size.variable)}: {old} → {size.new:,} bytes of {size.limit:,} ({share})"


def _environment(env: EnvironmentDiff, detail: Detail) -> list[str]:
    lines = [f"### {_code(env.environment)}: {env.status}"]
    if detail == "minimal":
        summary = [f"{len(env.packs)} pack change(s)", f"{env.tenants.count} tenant(s) affected"]
        if env.settings:
            summary.append(f"{len(env.settings)} setting change(s)")
        return [*lines, "", ", ".join(summary), ""]
    if env.settings:
        lines.extend(["", "**Switches and defaults**", ""])
        for setting in env.settings:
            lines.append(
                f"- {setting.name} ({_code(setting.variable)}): "
                f"{_code(setting.old)} → {_code(setting.new)}"
            )
    lines.extend(_packs(env.packs, detail))
    lines.extend(_tenants(env.tenants, detail))
    if env.sizes:
        lines.extend(["", "**Size**", "", *(_size(size) for size in env.sizes)])
    lines.append("")
    return lines


def _render(review: Review, detail: Detail) -> str:
    changed = [env for env in review.environments if env.changed]
    lines = [f"## Policy review: {review.base} → {review.head}", ""]
    if review.violations:
        lines.extend([f"**Change rules: {len(review.violations)} violation(s)**", ""])
        limit = _VIOLATIONS[detail]
        for problem in review.violations[:limit]:
            where = f"{problem.file}:{problem.line}:{problem.col}"
            lines.append(f"- {_code(where)} {problem.message}")
        if len(review.violations) > limit:
            more = len(review.violations) - limit
            lines.append(f"- and {more} more: run `dpm-policy diff --check` for all of them")
        lines.append("")
    else:
        lines.extend(["Change rules: all kept.", ""])
    if not changed:
        lines.append("No environment changes: the engine gets the same configuration.")
    else:
        unchanged = [env.environment for env in review.environments if not env.changed]
        lines.append(
            f"{len(changed)} environment(s) change"
            + (f"; unchanged: {', '.join(unchanged)}" if unchanged else "")
            + "."
        )
        lines.append("")
        for env in changed:
            lines.extend(_environment(env, detail))
    if detail != "full":
        lines.append("_Summarised to fit one comment; run `dpm-policy diff` for every detail._")
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    return text.rstrip("\n") + "\n"


def render(review: Review) -> str:
    """The report, in the most detail that fits one GitHub comment."""
    text = ""
    for detail in ("full", "compact", "minimal"):
        text = _render(review, detail)
        if len(text) <= _BUDGET:
            return text
    note = "\n\n_Cut to fit one comment; run `dpm-policy diff` for the whole report._\n"
    return text[: _BUDGET - len(note)] + note

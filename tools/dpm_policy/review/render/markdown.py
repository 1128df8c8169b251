"""The review for a pull-request comment: who gets looser or tighter rebalancing, where, and by
how much, summarised first; markdown that fits one GitHub comment.

The report is a sequence of sections (``SECTIONS``): the header naming both commits, the
required approvals (empty until approval rules produce some), the summary with one line per
environment, the change rules, then each environment's details. GitHub refuses a comment over
65,536 characters: the report is rendered in full first and, when it would not fit, again with
less detail (fewer cohorts, tables folded into one line each, then no details), and as a last
resort cut, always saying so. The summary is never shortened.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Literal

from dpm_policy.problems import Problem
from dpm_policy.review.direction import unset_meaning
from dpm_policy.review.model import (
    VERDICTS,
    ApprovalStatus,
    AudienceChange,
    Cohort,
    EnvironmentDiff,
    FieldChange,
    Review,
    Served,
    SizeChange,
    Verdict,
)
from dpm_policy_runtime.fields import FIELDS_BY_PATH

__all__ = ["COMMENT_LIMIT", "SECTIONS", "render"]

COMMENT_LIMIT = 65_536
# Room for the marker the workflow puts in front, so it can find and update its comment.
_BUDGET = COMMENT_LIMIT - 512

Detail = Literal["full", "compact", "minimal"]
_TENANT_IDS: dict[Detail, int] = {"full": 10, "compact": 5, "minimal": 0}
_COHORTS: dict[Detail, int] = {"full": 20, "compact": 10, "minimal": 0}
_REQUESTS: dict[Detail, int] = {"full": 20, "compact": 10, "minimal": 0}
_VIOLATIONS: dict[Detail, int] = {"full": 1_000, "compact": 100, "minimal": 20}
# Deltas named in an environment's summary line.
_SUMMARY_DELTAS = 3

_SOURCES = {
    "REQUEST": "requested",
    "TENANT_DEFAULT": "tenant default",
    "GLOBAL_DEFAULT": "global default",
    "NONE": "no source names a pack",
    "DISABLED": "packs disabled",
}


def _code(text: str | None) -> str:
    if text is None:
        return "_unset_"
    return "`" + text.replace("`", "'").replace("|", "\\|") + "`"


def _verdict(verdict: Verdict) -> str:
    return f"**{verdict}**" if verdict in ("loosened", "mixed") else verdict


def _direction(change: FieldChange) -> str:
    if change.direction == "loosened":
        return "**loosened**"
    return change.direction or ""


def _label(change: FieldChange) -> str:
    """The setting's short name: the field, or the group key for a group cap."""
    if change.field != change.path:
        return change.path.split("[", 1)[1].split("]", 1)[0].strip("'") + " cap"
    return change.path.split(".", 1)[1]


def _unset(change: FieldChange) -> str:
    spec = FIELDS_BY_PATH[change.field]
    if spec.kind == "group_constraints":
        return f"removed ({unset_meaning(spec)})"
    return f"unset ({unset_meaning(spec)})"


def _value(change: FieldChange, value: str | None) -> str:
    return _unset(change) if value is None else value


def _cell(change: FieldChange, value: str | None) -> str:
    return "_" + _unset(change) + "_" if value is None else _code(value)


def _delta_text(change: FieldChange) -> str:
    """``max_turnover_pct 0.1 → 0.15``, as the summary names a delta."""
    return f"{_label(change)} {_value(change, change.old)} → {_value(change, change.new)}"


def _fields_table(deltas: Sequence[FieldChange], indent: str = "") -> list[str]:
    lines = ["| setting | before | after | direction |", "| --- | --- | --- | --- |"]
    for change in deltas:
        lines.append(
            f"| {_code(change.path)} | {_cell(change, change.old)} | {_cell(change, change.new)} "
            f"| {_direction(change)} |"
        )
    return ["", *(indent + line for line in lines), ""]


_NO_DELTA = "No setting moves: the same settings from another pack, version or source."


def _deltas(deltas: Sequence[FieldChange], detail: Detail, indent: str = "") -> list[str]:
    if not deltas:
        return [indent + _NO_DELTA]
    if detail == "full":
        return _fields_table(deltas, indent)
    return [indent + "; ".join(_delta_text(change) for change in deltas)]


def _served(served: Served) -> str:
    source = _SOURCES.get(served.source, served.source)
    if served.policy_pack_id is None:
        return f"no pack ({source})"
    if served.version is None:
        return f"{_code(served.policy_pack_id)} ({source}; not in the catalog, nothing applied)"
    return f"{_code(served.policy_pack_id)} version {_code(served.version)} ({source})"


def _move(before: Served, after: Served) -> str:
    if before == after:
        return f"{_served(after)}, its content changed under the same version"
    return f"{_served(before)} → {_served(after)}"


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


# -- summary ---------------------------------------------------------------------------------


def _audiences(env: EnvironmentDiff, verdict: Verdict) -> str:
    parts = []
    cohorts = [cohort for cohort in env.tenants.cohorts if cohort.verdict == verdict]
    if cohorts:
        count = sum(cohort.tenant_count for cohort in cohorts)
        parts.append(f"{_plural(count, 'tenant')} ({_plural(len(cohorts), 'cohort')})")
    if env.unmapped is not None and env.unmapped.verdict == verdict:
        parts.append("all unmapped traffic")
    requests = [request for request in env.requests if request.verdict == verdict]
    if len(requests) == 1:
        parts.append(f"requests naming {_code(requests[0].subject)}")
    elif requests:
        parts.append(f"requests naming {len(requests):,} packs")
    if len(parts) > 1:
        return ", ".join(parts[:-1]) + " and " + parts[-1]
    return parts[0] if parts else ""


def _summary_deltas(env: EnvironmentDiff) -> list[FieldChange]:
    """Distinct deltas, loosening ones first, in the order the audiences are listed."""
    ordered: list[tuple[int, int, FieldChange]] = []
    sources: list[tuple[Verdict, Sequence[FieldChange]]] = [
        (cohort.verdict, cohort.deltas) for cohort in env.tenants.cohorts
    ]
    if env.unmapped is not None:
        sources.insert(0, (env.unmapped.verdict, env.unmapped.deltas))
    sources += [(request.verdict, request.deltas) for request in env.requests]
    seen: set[FieldChange] = set()
    for index, (verdict, deltas) in enumerate(sources):
        for change in deltas:
            if change not in seen:
                seen.add(change)
                rank = {"loosened": 0, "tightened": 1}.get(change.direction or "", 2)
                ordered.append((rank, VERDICTS.index(verdict) * 100_000 + index, change))
    ordered.sort(key=lambda item: (item[0], item[1]))
    return [change for _, _, change in ordered]


def summary_line(env: EnvironmentDiff) -> str:
    """One line: the environment's verdict, for whom, and the deltas that matter most."""
    name = env.environment
    if env.same_as is not None:
        return f"**{name}**: same as {env.same_as}"
    if not env.changed:
        return f"{name}: unchanged"
    verdict = env.verdict
    status = {"added": " (new environment)", "removed": " (environment removed)"}.get(
        env.status, ""
    )
    groups = [(v, _audiences(env, v)) for v in VERDICTS if v != "unchanged" and _audiences(env, v)]
    if not groups:
        moved = (
            f"; {env.tenants.count:,} tenant(s) served by another pack" if env.tenants.count else ""
        )
        return f"{name}{status}: no audience's settings change{moved}{_added(env)}"
    if len(groups) == 1:
        head = f"**{name}: {verdict.upper()}** for {groups[0][1]}"
    else:
        head = f"**{name}: {verdict.upper()}**: " + "; ".join(f"{v} for {who}" for v, who in groups)
    deltas = _summary_deltas(env)
    shown = ", ".join(_delta_text(change) for change in deltas[:_SUMMARY_DELTAS])
    more = f" and {len(deltas) - _SUMMARY_DELTAS:,} more" if len(deltas) > _SUMMARY_DELTAS else ""
    return f"{head}{status}; {shown}{more}{_added(env)}" if shown else head + status + _added(env)


def _added(env: EnvironmentDiff) -> str:
    added = [pack.pack_id for pack in env.packs if pack.status == "added"]
    if not added:
        return ""
    names = ", ".join(_code(pack_id) for pack_id in added[:3])
    more = f" and {len(added) - 3:,} more" if len(added) > 3 else ""
    return f"; new in the catalog: {names}{more}"


# -- sections --------------------------------------------------------------------------------


def _header(review: Review, detail: Detail) -> list[str]:
    return [f"## Policy review: {review.base} → {review.head}", ""]


def _approval_state(status: ApprovalStatus) -> str:
    if status.approved_by is None:
        return "to be approved"
    if status.approved_by:
        return "approved by " + ", ".join(status.approved_by)
    why = f" (not counted: {'; '.join(status.discounted)})" if status.discounted else ""
    return f"**missing**{why}"


def _required_approvals(review: Review, detail: Detail) -> list[str]:
    """Who must approve, before anything else: each environment's tiers for the kinds of
    change it holds, and, when the reviews were read, who gave each approval."""
    if not review.approvals:
        return []
    lines = [
        "**Required approvals**",
        "",
        "| environment | change | owner | approval |",
        "| --- | --- | --- | --- |",
    ]
    for status in review.approvals:
        item = status.required
        what: str = item.kind
        if item.reasons and detail != "minimal":
            shown = ", ".join(item.reasons[:3]) + (" …" if len(item.reasons) > 3 else "")
            what += f" ({shown})"
        lines.append(
            f"| {item.environment} | {_code(what)} | {_code(item.owner)} "
            f"| {_approval_state(status)} |"
        )
    return [*lines, ""]


def _waivers(review: Review, detail: Detail) -> list[str]:
    """The accepted breaches still in force, those ending within the notice period marked."""
    if not review.waivers:
        return []
    lines = ["**Waivers in force**", ""]
    for waiver in review.waivers:
        subject = f" by '{waiver.subject}'" if waiver.subject else ""
        ending = " — **ends within 14 days**" if waiver.ending_soon else ""
        lines.append(
            f"- {_code(waiver.waiver_id)}: {waiver.environment} {_code(waiver.guardrail)}"
            f"{subject}, accepted by {_code(waiver.accepted_by)} until "
            f"{waiver.expires.isoformat()}{ending}"
        )
    return [*lines, ""]


def _summary(review: Review, detail: Detail) -> list[str]:
    if not any(env.changed for env in review.environments):
        return ["No environment changes: the engine gets the same configuration.", ""]
    lines = ["### Summary", ""]
    lines += [f"- {summary_line(env)}" for env in review.environments]
    return [*lines, ""]


def _problem_list(problems: Sequence[Problem], detail: Detail, command: str) -> list[str]:
    """One bullet per problem with its ``file:line:col``, as many as the detail allows."""
    limit = _VIOLATIONS[detail]
    lines = []
    for problem in problems[:limit]:
        where = f"{problem.file}:{problem.line}:{problem.col}"
        lines.append(f"- {_code(where)} {problem.message}")
    if len(problems) > limit:
        more = len(problems) - limit
        lines.append(f"- and {more} more: run `{command}` for all of them")
    return [*lines, ""]


def _rules(review: Review, detail: Detail) -> list[str]:
    if not review.violations:
        return ["Change rules: all kept.", ""]
    lines = [f"**Change rules: {len(review.violations)} violation(s)**", ""]
    return lines + _problem_list(review.violations, detail, "dpm-policy diff --check")


def _unmapped(change: AudienceChange | None, detail: Detail) -> list[str]:
    if change is None:
        return []
    return [
        "",
        f"**Unmapped traffic** (every request no tenant of the map matches): "
        f"{_verdict(change.verdict)}, {_move(change.before, change.after)}",
        *_deltas(change.deltas, detail),
    ]


def _first(ids: Sequence[str], limit: int) -> str:
    shown = ", ".join(_code(tenant) for tenant in ids[:limit])
    more = f" and {len(ids) - limit:,} more" if len(ids) > limit else ""
    return shown + more


def _cohort(index: int, cohort: Cohort, detail: Detail) -> list[str]:
    moves = "; ".join(
        _move(move.before, move.after)
        + (f" ({move.tenant_count:,})" if len(cohort.moves) > 1 else "")
        for move in cohort.moves[:3]
    )
    if len(cohort.moves) > 3:
        moves += f"; and {len(cohort.moves) - 3} more moves"
    return [
        "",
        f"{index}. {_verdict(cohort.verdict)} for {_plural(cohort.tenant_count, 'tenant')}: "
        f"{_first(cohort.tenant_ids, _TENANT_IDS[detail])}",
        f"   {moves}",
        *_deltas(cohort.deltas, detail, "   "),
    ]


def _tenants(env: EnvironmentDiff, detail: Detail) -> list[str]:
    impact = env.tenants
    if not impact.cohorts:
        return []
    lines = [
        "",
        f"**Tenants: {impact.count:,} of {impact.total:,} served differently, in "
        f"{_plural(len(impact.cohorts), 'cohort')}** (tenants with the same settings before "
        "and after)",
    ]
    limit = _COHORTS[detail]
    for index, cohort in enumerate(impact.cohorts[:limit], start=1):
        lines.extend(_cohort(index, cohort, detail))
    rest = impact.cohorts[limit:]
    if rest:
        tenants = sum(cohort.tenant_count for cohort in rest)
        lines.extend(
            [
                "",
                f"- and {len(rest):,} more cohort(s) of {tenants:,} tenant(s); "
                "`dpm-policy diff --format json` lists them all",
            ]
        )
    return lines


def _catalog(change: AudienceChange) -> str:
    before, after = change.before.version, change.after.version
    if change.catalog == "added":
        return f"added, version {_code(after)}"
    if change.catalog == "removed":
        return f"removed from the catalog (was version {_code(before)})"
    if change.catalog == "changed":
        if before == after:
            return f"changed in place, version {_code(after)} kept"
        return f"changed in place, version {_code(before)} → {_code(after)}"
    return "catalog entry unchanged"


def _requests(env: EnvironmentDiff, detail: Detail) -> list[str]:
    if not env.requests:
        return []
    lines = ["", "**Requests naming a pack** (`X-Policy-Pack-Id`)"]
    limit = _REQUESTS[detail]
    for change in env.requests[:limit]:
        # A change of the pack itself says all; a switch or a removal changes what is served.
        moved = change.catalog != "changed" or change.before.source != change.after.source
        served = f", {_move(change.before, change.after)}" if moved else ""
        lines.extend(
            [
                "",
                f"- {_code(change.subject)}, {_catalog(change)}: {_verdict(change.verdict)}"
                + served,
                *_deltas(change.deltas, detail, "  "),
            ]
        )
    if len(env.requests) > limit:
        lines.extend(["", f"- and {len(env.requests) - limit:,} more pack(s)"])
    return lines


def _added_packs(env: EnvironmentDiff, detail: Detail) -> list[str]:
    added = [pack for pack in env.packs if pack.status == "added"]
    if not added:
        return []
    lines = ["", "**New in the catalog** (what each sets; its audiences are listed above)"]
    limit = _REQUESTS[detail]
    for pack in added[:limit]:
        lines.extend(["", f"- {_code(pack.pack_id)}, version {_code(pack.new_version)}"])
        if detail == "full":
            rows = [f"| {_code(c.path)} | {_code(c.new)} |" for c in pack.fields]
            lines.extend(
                ["", "  | setting | value |", "  | --- | --- |", *("  " + r for r in rows)]
            )
            lines.append("")
        elif pack.fields:
            lines.append("  " + "; ".join(f"{_label(c)} {c.new}" for c in pack.fields))
        else:
            lines.append("  sets nothing: the request's own options stand")
    if len(added) > limit:
        lines.extend(["", f"- and {len(added) - limit:,} more pack(s)"])
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
    if detail == "minimal":
        return []
    lines = [f"### {_code(env.environment)}: {env.status}, {_verdict(env.verdict)}"]
    if env.settings:
        lines.extend(["", "**Switches and defaults**", ""])
        for setting in env.settings:
            effect = f": {setting.effect}" if setting.effect else ""
            lines.append(
                f"- {setting.name} ({_code(setting.variable)}): "
                f"{_code(setting.old)} → {_code(setting.new)}{effect}"
            )
    lines.extend(_unmapped(env.unmapped, detail))
    lines.extend(_tenants(env, detail))
    lines.extend(_requests(env, detail))
    lines.extend(_added_packs(env, detail))
    if env.sizes:
        lines.extend(["", "**Size**", "", *(_size(size) for size in env.sizes)])
    return [*lines, ""]


def _environments(review: Review, detail: Detail) -> list[str]:
    lines: list[str] = []
    for env in review.environments:
        if env.changed and env.same_as is None:
            lines.extend(_environment(env, detail))
    if lines:
        lines += [
            "_unset_: the pack leaves the setting to the request; the engine's default applies "
            "when the request sets none. A group cap a pack's map lacks is removed: a non-empty "
            "map replaces the request's whole.",
            "",
        ]
    return lines


def _failed(review: Review, detail: Detail) -> list[str]:
    """Which side does not compile, and its problems: the report a broken change gets."""
    lines = []
    for side in review.failed:
        lines += [
            f"**The {side.label} does not compile, so it cannot be reviewed: "
            f"{len(side.problems)} problem(s)**",
            "",
        ]
        lines += _problem_list(side.problems, detail, "dpm-policy validate")
    return lines


Section = Callable[[Review, Detail], list[str]]

# The report's sections, in order; a review with a side that does not compile has only these.
SECTIONS: tuple[Section, ...] = (
    _header,
    _required_approvals,
    _summary,
    _rules,
    _waivers,
    _environments,
)
FAILED_SECTIONS: tuple[Section, ...] = (_header, _failed)


def _render(review: Review, detail: Detail) -> str:
    lines: list[str] = []
    for section in FAILED_SECTIONS if review.failed else SECTIONS:
        lines.extend(section(review, detail))
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

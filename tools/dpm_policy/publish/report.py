"""Renderers of a publish outcome: text for people, JSON for machines. One registry lists them."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from dpm_policy.findings import from_row_problems
from dpm_policy.formats.json_format import problems_data
from dpm_policy.problems import Problem
from dpm_policy.publish.plan import FieldChange, Plan, RowChange
from dpm_policy.publish.rows import TABLE
from dpm_policy.publish.tenant_plan import TenantChange, TenantPlan
from dpm_policy_runtime.postgres import REVISION_TABLE, TENANT_TABLE

__all__ = ["RENDERERS", "Mode", "Outcome", "render_json", "render_text"]

Mode = Literal["plan", "apply", "check"]


@dataclass(frozen=True)
class Outcome:
    """One run of the publish path: the plan, and what was done about it."""

    mode: Mode
    env: str
    # Where the catalog lives, without the password (``Dsn.describe()``).
    target: str
    plan: Plan
    applied: bool = False
    drift: bool = False

    @property
    def problems(self) -> list[Problem]:
        """What the strict read finds in the rows kept (warnings: publishing goes on)."""
        return [
            problem
            for row in self.plan.unmanaged
            for problem in from_row_problems(row.problems, file=TABLE, severity="warning")
        ]


def render_text(outcome: Outcome) -> str:
    """A plan as people read it: one line per row, one indented line per differing field."""
    plan = outcome.plan
    lines = [f"publish {outcome.mode}: environment {outcome.env} -> {outcome.target}"]
    if plan.creates_table:
        lines.append(f"  + create table {TABLE}")
    for change in plan.changes:
        lines.extend(_change_lines(change))
    for row in plan.unmanaged:
        lines.append(f"  = keep {row.policy_pack_id} (not in the catalog; --prune deletes it)")
        for problem in from_row_problems(row.problems, file=TABLE, severity="warning"):
            effect = (
                "the engine's catalog read would fail on it"
                if problem.code == "engine-read-fails"
                else "the engine would misread it"
            )
            lines.append(f"      warning: {problem.message}; {effect}")
    if plan.tenants is not None:
        lines.extend(_tenant_lines(plan.tenants))
    lines.append(f"summary: {_summary(plan)}")
    lines.append(_verdict(outcome))
    return "\n".join(lines) + "\n"


def _tenant_lines(tenants: TenantPlan) -> list[str]:
    lines = []
    if tenants.creates_tables:
        lines.append(f"  + create tables {TENANT_TABLE} and {REVISION_TABLE}")
    lines.extend(_tenant_change_line(change) for change in tenants.changes)
    lines.extend(
        f"  = keep tenant {tenant} (not in the tenant map; --prune deletes it)"
        for tenant in tenants.unmanaged
    )
    return lines


def _tenant_change_line(change: TenantChange) -> str:
    if change.action == "insert":
        return f"  + tenant {change.tenant_id} -> {change.after}"
    if change.action == "delete":
        return f"  - tenant {change.tenant_id} (was {change.before})"
    return f"  ~ tenant {change.tenant_id}: {change.before} -> {change.after}"


def _change_lines(change: RowChange) -> list[str]:
    if change.action == "insert":
        version = change.fields[0].after if change.fields else None
        return [f"  + insert {change.policy_pack_id} (version {_value(version)})"]
    if change.action == "delete":
        return [f"  - delete {change.policy_pack_id}"]
    return [f"  ~ update {change.policy_pack_id}"] + [
        f"      {_field_text(field)}" for field in change.fields
    ]


def _field_text(field: FieldChange) -> str:
    if field.kind == "encoding":
        return "definition_json: same values, different bytes (rewritten in the engine's encoding)"
    if field.kind == "added":
        return f"{field.path}: (absent) -> {_value(field.after)}"
    if field.kind == "removed":
        return f"{field.path}: {_value(field.before)} -> (absent)"
    return f"{field.path}: {_value(field.before)} -> {_value(field.after)}"


def _value(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _summary(plan: Plan) -> str:
    parts = [
        f"{plan.count('insert')} to insert",
        f"{plan.count('update')} to update",
        f"{plan.count('delete')} to delete",
        f"{len(plan.unchanged)} unchanged",
        f"{len(plan.unmanaged)} unmanaged kept",
    ]
    tenants = plan.tenants
    if tenants is not None:
        parts.append(
            f"tenants: {tenants.count('insert')} to insert, {tenants.count('update')} to update, "
            f"{tenants.count('delete')} to delete, {tenants.unchanged} unchanged, "
            f"{len(tenants.unmanaged)} unmanaged kept"
        )
    return ", ".join(parts)


def _verdict(outcome: Outcome) -> str:
    if outcome.mode == "apply":
        both = outcome.plan.tenants is not None
        held = "the compiled catalog and tenant map" if both else "the compiled catalog"
        if outcome.applied:
            tables = "tables now hold" if both else "table now holds"
            return f"applied: the {tables} {held}"
        tables = "tables already hold" if both else "table already holds"
        return f"nothing to do: the {tables} {held} (no writes)"
    if outcome.mode == "check":
        return "drift found" if outcome.drift else "no drift"
    if outcome.plan.is_noop:
        return "no changes"
    return "run with --apply to make these changes"


def render_json(outcome: Outcome) -> str:
    """The same outcome as one JSON document (stable keys, for pipelines)."""
    plan = outcome.plan
    document = {
        **problems_data(outcome.problems),
        "mode": outcome.mode,
        "env": outcome.env,
        "target": outcome.target,
        "table": TABLE,
        "table_exists": plan.table_exists,
        "creates_table": plan.creates_table,
        "prune": plan.prune,
        "applied": outcome.applied,
        "drift": outcome.drift,
        "changes": [
            {
                "policy_pack_id": change.policy_pack_id,
                "action": change.action,
                "fields": [
                    {"path": f.path, "kind": f.kind, "before": f.before, "after": f.after}
                    for f in change.fields
                ],
            }
            for change in plan.changes
        ],
        "unchanged": list(plan.unchanged),
        "unmanaged": [row.policy_pack_id for row in plan.unmanaged],
        "summary": {
            "insert": plan.count("insert"),
            "update": plan.count("update"),
            "delete": plan.count("delete"),
            "unchanged": len(plan.unchanged),
            "unmanaged": len(plan.unmanaged),
        },
    }
    if plan.tenants is not None:
        document["tenant_map"] = _tenants_json(plan.tenants)
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def _tenants_json(tenants: TenantPlan) -> dict[str, object]:
    return {
        "table": TENANT_TABLE,
        "creates_tables": tenants.creates_tables,
        "changes": [
            {
                "tenant_id": change.tenant_id,
                "action": change.action,
                "before": change.before,
                "after": change.after,
            }
            for change in tenants.changes
        ],
        "unmanaged": list(tenants.unmanaged),
        "summary": {
            "insert": tenants.count("insert"),
            "update": tenants.count("update"),
            "delete": tenants.count("delete"),
            "unchanged": tenants.unchanged,
            "unmanaged": len(tenants.unmanaged),
        },
    }


RENDERERS: dict[str, Callable[[Outcome], str]] = {"text": render_text, "json": render_json}

"""Plans are computed field by field from two snapshots, without a database."""

from __future__ import annotations

import json

from publish_items import CONSERVATIVE, STANDARD, expanded_item

from dpm_policy.publish import FieldChange, StoredRow, build_plan, desired_rows, encode_definition
from dpm_policy.publish.report import Outcome, render_json, render_text


def _stored(item: dict[str, object], definition: str | None = None) -> StoredRow:
    return StoredRow(
        str(item["policy_pack_id"]),
        str(item["version"]),
        definition if definition is not None else encode_definition(item),
        "2026-01-01T00:00:00+00:00",
        "2026-01-01T00:00:00+00:00",
    )


def test_empty_table_plans_creation_and_inserts() -> None:
    plan = build_plan(desired_rows([STANDARD]), {}, table_exists=False, prune=False)
    assert plan.creates_table
    assert [(c.policy_pack_id, c.action) for c in plan.changes] == [("dpm_standard_v1", "insert")]
    text = render_text(Outcome("plan", "prod", "u@h:5432/db", plan))
    assert "+ create table dpm_policy_packs" in text
    assert '+ insert dpm_standard_v1 (version "2")' in text


def test_identical_rows_are_a_noop() -> None:
    stored = {"dpm_standard_v1": _stored(STANDARD)}
    plan = build_plan(desired_rows([STANDARD]), stored, table_exists=True, prune=False)
    assert plan.is_noop
    assert plan.unchanged == ("dpm_standard_v1",)


def test_update_lists_each_differing_field() -> None:
    old = expanded_item(
        "dpm_standard_v1",
        "1",
        {**_values(STANDARD), "turnover_policy.max_turnover_pct": "0.2"},
    )
    plan = build_plan(
        desired_rows([STANDARD]), {"dpm_standard_v1": _stored(old)}, table_exists=True, prune=False
    )
    (change,) = plan.changes
    assert change.action == "update"
    assert change.fields == (
        FieldChange("version", "changed", "1", "2"),
        FieldChange("turnover_policy.max_turnover_pct", "changed", "0.2", "0.1"),
    )


def test_json_copy_of_the_version_is_shown_when_it_disagrees_with_the_column() -> None:
    definition = json.loads(encode_definition(STANDARD))
    definition["version"] = "9"
    stored = {"dpm_standard_v1": _stored(STANDARD, json.dumps(definition, sort_keys=True))}
    (change,) = build_plan(desired_rows([STANDARD]), stored, table_exists=True, prune=False).changes
    assert change.fields == (FieldChange("definition_json.version", "changed", "9", "2"),)


def test_old_workflow_names_show_as_removed_and_added() -> None:
    definition = json.loads(encode_definition(STANDARD))
    workflow = definition["workflow_policy"]
    workflow["workflow_requires_client_consent"] = workflow.pop(
        "workflow_requires_mandate_approval"
    )
    stored = {"dpm_standard_v1": _stored(STANDARD, json.dumps(definition))}
    (change,) = build_plan(desired_rows([STANDARD]), stored, table_exists=True, prune=False).changes
    assert {(f.path, f.kind) for f in change.fields} == {
        ("workflow_policy.workflow_requires_client_consent", "removed"),
        ("workflow_policy.workflow_requires_mandate_approval", "added"),
    }


def test_same_values_in_other_bytes_is_an_encoding_change() -> None:
    stored = {"dpm_standard_v1": _stored(STANDARD, json.dumps(STANDARD, indent=1))}
    (change,) = build_plan(desired_rows([STANDARD]), stored, table_exists=True, prune=False).changes
    assert [f.kind for f in change.fields] == ["encoding"]


def test_unmanaged_rows_are_kept_unless_pruning() -> None:
    stored = {"dpm_conservative_v1": _stored(CONSERVATIVE)}
    kept = build_plan(desired_rows([STANDARD]), stored, table_exists=True, prune=False)
    assert [row.policy_pack_id for row in kept.unmanaged] == ["dpm_conservative_v1"]
    assert kept.count("delete") == 0
    pruned = build_plan(desired_rows([STANDARD]), stored, table_exists=True, prune=True)
    assert pruned.unmanaged == ()
    assert pruned.count("delete") == 1


def test_unmanaged_bad_row_carries_its_problems() -> None:
    bad = expanded_item("legacy", values={"settlement_policy.settlement_horizon_days": 30})
    plan = build_plan((), {"legacy": _stored(bad)}, table_exists=True, prune=False)
    (row,) = plan.unmanaged
    assert [p.path for p in row.problems] == ["settlement_policy.settlement_horizon_days"]
    text = render_text(Outcome("check", "prod", "db", plan, drift=True))
    assert "the engine's catalog read would fail on it" in text
    document = json.loads(render_json(Outcome("check", "prod", "db", plan, drift=True)))
    assert document["unmanaged"] == ["legacy"]
    assert [p["code"] for p in document["problems"]] == ["engine-read-fails"]
    assert document["problems"][0]["severity"] == "warning"


def _values(item: dict[str, object]) -> dict[str, object]:
    values: dict[str, object] = {}
    for section, fields in item.items():
        if isinstance(fields, dict):
            for name, value in fields.items():
                values[f"{section}.{name}"] = value
    return values

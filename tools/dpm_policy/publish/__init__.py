"""Publish a compiled catalog to the engine's Postgres table ``dpm_policy_packs``.

The engine at HEAD reads its policy packs only from that table (docs/engine-contract.md sections 7
and 9.1). The flow is one way: compiled ``env.json`` -> desired rows -> plan against the table
-> apply in one locked, verified transaction, or report drift. For an environment with
``tenant_map_delivery: postgres`` the tenant map is planned, applied and checked beside the
catalog, in the same transaction (``tenant_plan``, ``tenant_db``). Nothing here prints or
exits: findings about the rows (the strict read's refusals) are values in the results; a
failure of the database, the DSN or a file raises an error of the tool's one tree
(``dpm_policy.errors``).
"""

from __future__ import annotations

from dpm_policy.publish.apply import ApplyResult, apply_catalog, bad_rows
from dpm_policy.publish.check import check_catalog, has_drift
from dpm_policy.publish.dsn import DSN_ENV_VAR, Dsn, parse_dsn, resolve_dsn
from dpm_policy.publish.errors import CatalogNotFound, ConnectionFailed, DsnError
from dpm_policy.publish.plan import FieldChange, Plan, RowChange, UnmanagedRow, build_plan
from dpm_policy.publish.report import RENDERERS, Outcome, render_json, render_text
from dpm_policy.publish.rows import (
    TABLE,
    DesiredRow,
    StoredRow,
    desired_row,
    desired_rows,
    encode_definition,
)
from dpm_policy.publish.snapshot import plan_catalog
from dpm_policy.publish.source import (
    Desired,
    env_json_path,
    load_desired,
    load_desired_rows,
    not_a_catalog,
)
from dpm_policy.publish.strict import RowProblem, check_row
from dpm_policy.publish.tenant_plan import TenantChange, TenantPlan, build_tenant_plan

__all__ = [
    "DSN_ENV_VAR",
    "RENDERERS",
    "TABLE",
    "ApplyResult",
    "CatalogNotFound",
    "ConnectionFailed",
    "Desired",
    "DesiredRow",
    "Dsn",
    "DsnError",
    "FieldChange",
    "Outcome",
    "Plan",
    "RowChange",
    "RowProblem",
    "StoredRow",
    "TenantChange",
    "TenantPlan",
    "UnmanagedRow",
    "apply_catalog",
    "bad_rows",
    "build_plan",
    "build_tenant_plan",
    "check_catalog",
    "check_row",
    "desired_row",
    "desired_rows",
    "encode_definition",
    "env_json_path",
    "has_drift",
    "load_desired",
    "load_desired_rows",
    "not_a_catalog",
    "parse_dsn",
    "plan_catalog",
    "render_json",
    "render_text",
    "resolve_dsn",
]

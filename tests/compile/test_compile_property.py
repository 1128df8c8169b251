"""Property: any valid repository compiles, and every output reads back to the source values.

Repositories are generated with random packs (every field, random valid values, ``extends``
chains), tenants with hostile display names and per-environment overrides, and environments
shipping random subsets, each with its catalog delivered as a variable or through Postgres.
Each compiled folder is read back by bash (``set -a; . file``), python-dotenv, the runtime's
reader, ``json`` and ``yaml.safe_load``; all must agree (less the catalog where Postgres
delivers it), and the catalog, tenant map and switches must equal what an independent
flattening of the source says.
"""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from compile_readback import every_reading
from compile_repos import environment, pack, tenant, write_repository
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dpm_policy.compile import compile_repository
from dpm_policy.model.types import GROUP_KEY_PATTERN, VERSION_PATTERN
from dpm_policy_runtime.variables import CATALOG_JSON

DECIMAL_TEXT = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]*[1-9])?")
# Characters for group keys: quotes, shell and dotenv metacharacters, JSON escapes, non-ASCII.
KEY_EDGE = st.sampled_from(list("aZ9'\"$`\\{}#=!é東😀-_.,;()[]%*&|<>?~^@"))
KEY_MIDDLE = st.one_of(KEY_EDGE, st.sampled_from([" ", "\t", "\xa0", "\u2028", "${", "'\\''"]))


def _decimal(low: int, high: int | None) -> st.SearchStrategy[Decimal]:
    top = Decimal(high) if high is not None else Decimal("1000000")
    return st.decimals(min_value=Decimal(low), max_value=top, places=4, allow_nan=False)


def _group_key() -> st.SearchStrategy[str]:
    side = (
        st.builds(
            lambda first, middle, last: first + "".join(middle) + last,
            KEY_EDGE,
            st.lists(KEY_MIDDLE, max_size=6),
            KEY_EDGE,
        )
        | KEY_EDGE
    )
    key = st.builds(lambda a, b: f"{a}:{b}".replace("::", ":x:"), side, side)
    return key.filter(lambda k: re.match(GROUP_KEY_PATTERN, k) is not None and len(k) <= 128)


FIELD_STRATEGIES: dict[tuple[str, str], st.SearchStrategy[Any]] = {
    ("turnover_policy", "max_turnover_pct"): _decimal(0, 1),
    ("tax_policy", "enable_tax_awareness"): st.booleans(),
    ("tax_policy", "max_realized_capital_gains"): _decimal(0, None),
    ("settlement_policy", "enable_settlement_awareness"): st.booleans(),
    ("settlement_policy", "settlement_horizon_days"): st.integers(0, 10),
    ("constraint_policy", "single_position_max_weight"): _decimal(0, 1),
    ("constraint_policy", "group_constraints"): st.dictionaries(
        _group_key(), _decimal(0, 1), min_size=1, max_size=3
    ),
    ("workflow_policy", "enable_workflow_gates"): st.booleans(),
    ("workflow_policy", "workflow_requires_mandate_approval"): st.booleans(),
    ("workflow_policy", "mandate_approval_already_obtained"): st.booleans(),
    ("idempotency_policy", "replay_enabled"): st.booleans(),
}


@dataclass
class Spec:
    packs: list[tuple[str, str, str | None, dict[tuple[str, str], Any]]]
    tenants: list[tuple[str, str, str, dict[str, str]]]
    environments: list[tuple[str, list[str], str | None, bool, bool, bool, str | None]]


def _yaml_value(value: Any) -> Any:
    """How an author writes it: decimals as quoted text (sometimes with trailing zeros)."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        return {key: {"max_weight": _yaml_value(weight)} for key, weight in value.items()}
    return value


@st.composite
def repositories(draw: st.DrawFn) -> Spec:
    count = draw(st.integers(1, 5))
    letters = st.text("abcXYZ_-.", min_size=0, max_size=6)
    ids = [f"p{i}{draw(letters)}" for i in range(count)]
    packs = []
    for index, pack_id in enumerate(ids):
        extends = draw(st.none() | st.sampled_from(ids[:index])) if index else None
        chosen = draw(st.lists(st.sampled_from(sorted(FIELD_STRATEGIES)), unique=True))
        values = {path: draw(FIELD_STRATEGIES[path]) for path in chosen}
        version = draw(st.from_regex(VERSION_PATTERN, fullmatch=True))
        packs.append((pack_id, version, extends, values))
    names = draw(st.lists(st.sampled_from(["dev", "uat", "prod", "qa-1"]), min_size=1, unique=True))
    environments = []
    for name in names:
        shipped = draw(st.lists(st.sampled_from(ids), min_size=1, unique=True))
        default = draw(st.none() | st.sampled_from(shipped))
        flags = draw(st.tuples(st.booleans(), st.booleans(), st.booleans()))
        delivery = draw(st.sampled_from([None, "environment", "postgres"]))
        environments.append((name, shipped, default, *flags, delivery))
    tenants = []
    display = st.text(min_size=1, max_size=40).filter(lambda t: t.strip() != "")
    for index in range(draw(st.integers(0, 4))):
        tenant_id = f"T{index}{draw(letters)}"
        base = draw(st.sampled_from(ids))
        overrides = {}
        for name, shipped, *_ in environments:
            if base not in shipped or draw(st.booleans()):
                overrides[name] = draw(st.sampled_from(shipped))
        tenants.append((tenant_id, draw(display), base, overrides))
    return Spec(packs, tenants, environments)


def _write(root: Path, spec: Spec) -> None:
    pack_docs = []
    for pack_id, version, extends, values in spec.packs:
        sections: dict[str, dict[str, Any]] = {}
        for (section, name), value in values.items():
            sections.setdefault(section, {})[name] = _yaml_value(value)
        pack_docs.append(pack(pack_id, version=version, extends=extends, **sections))
    write_repository(
        root,
        packs=pack_docs,
        tenants=[
            tenant(tenant_id, base, display_name=shown, environments=overrides)
            for tenant_id, shown, base, overrides in spec.tenants
        ],
        environments=[
            environment(
                name,
                shipped,
                default=default,
                enabled=a,
                tenant_resolution=b,
                replay=c,
                catalog_delivery=delivery,
            )
            for name, shipped, default, a, b, c, delivery in spec.environments
        ],
    )


def _flattened(spec: Spec, pack_id: str) -> tuple[str, dict[tuple[str, str], Any]]:
    """The oracle: a pack's own values over its base's, group maps replaced whole."""
    by_id = {p[0]: p for p in spec.packs}
    _, version, extends, values = by_id[pack_id]
    merged: dict[tuple[str, str], Any] = {}
    if extends is not None:
        merged.update(_flattened(spec, extends)[1])
    merged.update(values)
    return version, merged


def _check_decimal(text: object, want: Decimal) -> None:
    assert isinstance(text, str)
    assert DECIMAL_TEXT.fullmatch(text), text  # plain, canonical notation
    assert Decimal(text) == want


def _check_pack(entry: dict[str, Any], version: str, values: dict[tuple[str, str], Any]) -> None:
    assert entry.pop("version") == version
    seen = {
        (section, name): value for section, body in entry.items() for name, value in body.items()
    }
    assert all(entry.values())  # no empty section
    assert set(seen) == set(values)
    for path, want in values.items():
        got = seen[path]
        if isinstance(want, Decimal):
            _check_decimal(got, want)
        elif isinstance(want, dict):
            assert set(got) == set(want)
            for key, weight in want.items():
                assert set(got[key]) == {"max_weight"}
                _check_decimal(got[key]["max_weight"], weight)
        else:
            assert type(got) is type(want)
            assert got == want


def _check(spec: Spec, out: Path) -> None:
    by_name = {env[0]: env for env in spec.environments}
    assert sorted(p.name for p in out.iterdir()) == sorted(by_name)
    for name, shipped, default, enabled, resolution, replay, delivery in by_name.values():
        folder = out / name
        readings = every_reading(
            folder,
            [
                "DPM_POLICY_PACKS_ENABLED",
                "DPM_DEFAULT_POLICY_PACK_ID",
                CATALOG_JSON,
                "DPM_TENANT_POLICY_PACK_RESOLUTION_ENABLED",
                "DPM_TENANT_POLICY_PACK_MAP_JSON",
                "DPM_IDEMPOTENCY_REPLAY_ENABLED",
            ],
        )
        variables = readings.pop("env.json")
        # Under postgres delivery, publish carries the catalog: every other reader lacks it.
        delivered = {
            k: v for k, v in variables.items() if delivery != "postgres" or k != CATALOG_JSON
        }
        for reader, found in readings.items():
            assert found == delivered, reader
        assert variables["DPM_POLICY_PACKS_ENABLED"] == ("true" if enabled else "false")
        assert variables["DPM_TENANT_POLICY_PACK_RESOLUTION_ENABLED"] == (
            "true" if resolution else "false"
        )
        assert variables["DPM_IDEMPOTENCY_REPLAY_ENABLED"] == ("true" if replay else "false")
        assert variables.get("DPM_DEFAULT_POLICY_PACK_ID") == default
        catalog_text = str(variables[CATALOG_JSON])
        catalog = json.loads(catalog_text)
        assert list(catalog) == sorted(shipped)
        assert json.loads((folder / "catalog.json").read_text(encoding="utf-8")) == catalog
        for pack_id in shipped:
            _check_pack(catalog[pack_id], *_flattened(spec, pack_id))
        tenant_map = json.loads(str(variables["DPM_TENANT_POLICY_PACK_MAP_JSON"]))
        assert tenant_map == {
            tenant_id: overrides.get(name, base) for tenant_id, _, base, overrides in spec.tenants
        }


def _run(spec: Spec) -> None:
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp) / "repo"
        _write(root, spec)
        result = compile_repository(root=root, out=Path(temp) / "dist")
        assert result.ok, [f"{p.file}:{p.line}: {p.message}" for p in result.problems]
        assert {p.code for p in result.problems} <= {"redundant-override"}
        _check(spec, Path(temp) / "dist")


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(repositories())
def test_compiled_output_reads_back_to_the_source(spec: Spec) -> None:
    _run(spec)


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(repositories())
def test_compiled_output_reads_back_to_the_source_at_length(spec: Spec) -> None:
    _run(spec)

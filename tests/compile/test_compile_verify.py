"""Verification: every difference between the source and a reading of the output is found."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from pathlib import Path

import pytest
from compile_repos import environment, pack, tenant, write_repository

from dpm_policy.compile import EnvironmentOutput, build_environment
from dpm_policy.compile.verify import View, bounds_problems, compare_views, normal
from dpm_policy.inheritance import flatten
from dpm_policy.problems import Problem
from dpm_policy.validate import validate
from dpm_policy_runtime.variables import CATALOG_JSON


def _build(folder: Path, catalog_delivery: str | None = None) -> EnvironmentOutput:
    root = write_repository(
        folder,
        packs=[
            pack(
                "std",
                turnover_policy={"max_turnover_pct": "0.1"},
                settlement_policy={"settlement_horizon_days": 1},
                constraint_policy={"group_constraints": {"sector:TECH": {"max_weight": "0.3"}}},
            ),
            pack("alt", extends="std", tax_policy={"enable_tax_awareness": True}),
        ],
        tenants=[tenant("t1", "std"), tenant("t2", "alt")],
        environments=[
            environment("dev", ["std", "alt"], default="std", catalog_delivery=catalog_delivery)
        ],
    )
    result = validate(root=root)
    assert result.ok, result.problems
    flat, _ = flatten(result.repository.pack_index())
    env = result.repository.environment_index()["dev"]
    return build_environment(result.repository, env, flat, source_commit=None)


@pytest.fixture
def built(tmp_path: Path) -> EnvironmentOutput:
    return _build(tmp_path / "repo")


@pytest.fixture
def built_postgres(tmp_path: Path) -> EnvironmentOutput:
    """The same sources with ``catalog_delivery: postgres``."""
    return _build(tmp_path / "repo-postgres", "postgres")


def _where(problems: list[Problem]) -> list[tuple[str, int]]:
    return [(p.file, p.line) for p in problems]


def test_identical_views_agree(built: EnvironmentOutput) -> None:
    assert compare_views(built.expected, built.expected, built.locator, "r") == []
    assert bounds_problems(built.expected, built.locator) == []


def _with_switch(view: View, key: str, value: object) -> View:
    return dataclasses.replace(view, switches={**view.switches, key: value})


def _with_pack_value(view: View, pack_id: str, path: str, value: object) -> View:
    version, values = view.packs[pack_id]
    changed = dict(values)
    if value is None:
        del changed[path]
    else:
        changed[path] = normal(value)
    return dataclasses.replace(view, packs={**view.packs, pack_id: (version, changed)})


@pytest.mark.parametrize(
    ("change", "where", "words"),
    [
        (
            lambda v: _with_switch(v, "policy_packs_enabled", False),
            ("environments/dev.yaml", 6),
            "policy_packs_enabled",
        ),
        (
            lambda v: _with_switch(v, "tenant_resolution_enabled", False),
            ("environments/dev.yaml", 7),
            "tenant_resolution_enabled",
        ),
        (
            lambda v: _with_switch(v, "idempotency_replay_enabled", False),
            ("environments/dev.yaml", 8),
            "replay",
        ),
        (
            lambda v: _with_switch(v, "default_policy_pack", None),
            ("environments/dev.yaml", 9),
            "default pack as none",
        ),
        (
            lambda v: dataclasses.replace(v, packs={"std": v.packs["std"]}),
            ("environments/dev.yaml", 12),
            "lacks pack 'alt'",
        ),
        (
            lambda v: dataclasses.replace(v, packs={**v.packs, "ghost": ("1", {})}),
            ("environments/dev.yaml", 11),
            "unexpected pack 'ghost'",
        ),
        (
            lambda v: dataclasses.replace(v, packs={**v.packs, "alt": ("9", v.packs["alt"][1])}),
            ("environments/dev.yaml", 12),
            "version of pack 'alt'",
        ),
        (
            lambda v: _with_pack_value(
                v, "alt", "turnover_policy.max_turnover_pct", Decimal("0.2")
            ),
            ("packs/std.yaml", 8),
            "as 0.2, but the source says 0.1",
        ),
        (
            lambda v: _with_pack_value(v, "std", "settlement_policy.settlement_horizon_days", True),
            ("packs/std.yaml", 10),
            "as true, but the source says 1",
        ),
        (
            lambda v: _with_pack_value(v, "alt", "tax_policy.enable_tax_awareness", None),
            ("packs/alt.yaml", 9),
            "as no override",
        ),
        (
            lambda v: _with_pack_value(
                v, "std", "constraint_policy.group_constraints", {"sector:TECH": Decimal("0.31")}
            ),
            ("packs/std.yaml", 13),
            "group_constraints",
        ),
        (
            lambda v: dataclasses.replace(v, tenant_map={"t1": "alt", "t2": "alt"}),
            ("tenants/t1.yaml", 6),
            "pack of tenant 't1'",
        ),
        (
            lambda v: dataclasses.replace(v, tenant_map={"t2": "alt"}),
            ("tenants/t1.yaml", 6),
            "as none",
        ),
        (
            lambda v: dataclasses.replace(v, dropped=("X: p: ignored: unknown key",)),
            ("environments/dev.yaml", 1),
            "would drop",
        ),
    ],
)
def test_each_difference_is_reported_at_its_source(
    built: EnvironmentOutput, change: object, where: tuple[str, int], words: str
) -> None:
    actual = change(built.expected)  # type: ignore[operator]
    problems = compare_views(built.expected, actual, built.locator, "dev/env.json (engine read)")
    assert len(problems) == 1, problems
    assert _where(problems) == [where]
    assert words in problems[0].message
    assert problems[0].code == "verify"


def test_bounds_of_engine_options(built: EnvironmentOutput) -> None:
    view = _with_pack_value(
        built.expected, "std", "turnover_policy.max_turnover_pct", Decimal("1.5")
    )
    view = _with_pack_value(
        view,
        "alt",
        "constraint_policy.group_constraints",
        {"nocolon": Decimal("0.1"), "a:b": Decimal(2)},
    )
    messages = [p.message for p in bounds_problems(view, built.locator)]
    assert any("max_turnover_pct of pack 'std' is 1.5" in m for m in messages)
    assert any("'nocolon'" in m for m in messages)
    assert any("group 'a:b'" in m and "max_weight 2" in m for m in messages)


def _write(folder: Path, built: EnvironmentOutput) -> Path:
    folder.mkdir()
    for name, data in built.files.items():
        (folder / name).write_bytes(data)
    return folder


def _verify(folder: Path, built: EnvironmentOutput) -> list[str]:
    verified = built.verify(folder)
    return [f"{p.file}:{p.line}: {p.message}" for p in verified.problems]


def test_written_files_verify(tmp_path: Path, built: EnvironmentOutput) -> None:
    assert _verify(_write(tmp_path / "out", built), built) == []


def test_tampered_dotenv_is_caught(tmp_path: Path, built: EnvironmentOutput) -> None:
    folder = _write(tmp_path / "out", built)
    path = folder / "dpm-policy.env"
    path.write_text(
        path.read_text().replace('"max_turnover_pct":"0.1"', '"max_turnover_pct":"0.2"')
    )
    found = _verify(folder, built)
    assert any("dpm-policy.env does not hold the compiled variables" in m for m in found)
    assert any(
        m.startswith("packs/std.yaml:8:") and "dev/dpm-policy.env (strict read)" in m for m in found
    )
    assert any("dev/dpm-policy.env (engine read)" in m for m in found)
    assert not any("env.json (" in m or "configmap.yaml (" in m for m in found)


def test_what_the_engine_would_drop_is_caught(tmp_path: Path, built: EnvironmentOutput) -> None:
    folder = _write(tmp_path / "out", built)
    path = folder / "configmap.yaml"
    path.write_text(path.read_text().replace('"version":"1"}', '"version":"1","colour":"red"}', 1))
    found = _verify(folder, built)
    assert any("configmap.yaml (strict read) refuses" in m and "colour" in m for m in found)
    assert any("configmap.yaml (engine read): the engine would drop" in m for m in found)


def test_catalog_json_must_match(tmp_path: Path, built: EnvironmentOutput) -> None:
    folder = _write(tmp_path / "out", built)
    catalog = json.loads((folder / "catalog.json").read_text())
    catalog["alt"]["version"] = "2"
    (folder / "catalog.json").write_text(json.dumps(catalog))
    assert any("catalog.json differs" in m for m in _verify(folder, built))


def test_unreadable_output_is_a_problem(tmp_path: Path, built: EnvironmentOutput) -> None:
    folder = _write(tmp_path / "out", built)
    (folder / "env.json").unlink()
    assert any("cannot read back" in m for m in _verify(folder, built))


# -- catalog_delivery: postgres: the dotenv file and the ConfigMap leave the catalog out ---


def test_postgres_delivery_verifies(tmp_path: Path, built_postgres: EnvironmentOutput) -> None:
    assert CATALOG_JSON in built_postgres.variables
    assert set(built_postgres.delivered) == set(built_postgres.variables) - {CATALOG_JSON}
    assert _verify(_write(tmp_path / "out", built_postgres), built_postgres) == []


def test_a_catalog_left_in_is_caught(
    tmp_path: Path, built: EnvironmentOutput, built_postgres: EnvironmentOutput
) -> None:
    folder = _write(tmp_path / "out", built_postgres)
    (folder / "dpm-policy.env").write_bytes(built.files["dpm-policy.env"])
    assert _verify(folder, built_postgres) == [
        "environments/dev.yaml:1: dpm-policy.env does not hold the compiled variables exactly "
        f"(differs in: {CATALOG_JSON})"
    ]


def test_delivered_variables_are_still_compared(
    tmp_path: Path, built_postgres: EnvironmentOutput
) -> None:
    folder = _write(tmp_path / "out", built_postgres)
    path = folder / "configmap.yaml"
    path.write_text(path.read_text().replace("DPM_IDEMPOTENCY_REPLAY_ENABLED: 'true'", "X: 'true'"))
    assert _verify(folder, built_postgres) == [
        "environments/dev.yaml:1: configmap.yaml does not hold the compiled variables exactly "
        "(differs in: DPM_IDEMPOTENCY_REPLAY_ENABLED, X)"
    ]


def test_env_json_is_still_read_in_full(tmp_path: Path, built_postgres: EnvironmentOutput) -> None:
    folder = _write(tmp_path / "out", built_postgres)
    path = folder / "env.json"
    # The catalog is JSON text inside a JSON string, so its quotes are escaped here.
    path.write_text(
        path.read_text().replace(
            '\\"max_turnover_pct\\":\\"0.1\\"', '\\"max_turnover_pct\\":\\"0.2\\"'
        )
    )
    found = _verify(folder, built_postgres)
    assert any("env.json does not hold the compiled variables exactly" in m for m in found)
    assert any(
        m.startswith("packs/std.yaml:8:") and "dev/env.json (strict read)" in m for m in found
    )
    assert any("dev/env.json (engine read)" in m for m in found)

"""Size limits: exact boundaries of the 75 % warning, the limit, and one byte over."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from compile_repos import environment, pack, tenant, write_repository
from compile_sizes import groups, repository_of_size

from dpm_policy.compile import compile_repository
from dpm_policy.compile.budget import (
    CONFIGMAP_LIMIT,
    Contributor,
    check_size,
    severity_of,
    variable_limit,
)
from dpm_policy.problems import Position

CATALOG = "DPM_POLICY_PACK_CATALOG_JSON"


def test_variable_limits_match_the_contract() -> None:
    assert variable_limit(CATALOG) == 131_042
    assert variable_limit("DPM_TENANT_POLICY_PACK_MAP_JSON") == 131_039


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        (98_281, None),  # 75 % of 131,042 is 98,281.5
        (98_282, "warning"),
        (131_042, "warning"),
        (131_043, "error"),
    ],
)
def test_severity_boundaries(size: int, expected: str | None) -> None:
    assert severity_of(size, 131_042) == expected


@pytest.mark.parametrize(
    ("size", "expected"),
    [(786_431, None), (786_432, "warning"), (1_048_576, "warning"), (1_048_577, "error")],
)
def test_configmap_boundaries(size: int, expected: str | None) -> None:
    found = check_size(
        subject="ConfigMap dpm-policy-dev-x",
        size=size,
        limit=CONFIGMAP_LIMIT,
        why="Kubernetes refuses a ConfigMap over 1 MiB",
        contributors=[Contributor(f"variable V{i}", i) for i in range(7)],
        fix="ship fewer tenants",
        file="environments/dev.yaml",
        position=Position(1, 1),
    )
    assert (found.severity if found else None) == expected
    if found is not None:
        assert f"{size:,} bytes" in found.message
        assert "1,048,576 bytes" in found.message
        assert "variable V6 6 bytes, variable V5" in found.message
        assert "variable V1 " not in found.message  # top five only
        assert found.message.endswith("; ship fewer tenants") is (expected == "error")
        assert found.message.endswith("; plan ahead: ship fewer tenants") is (expected == "warning")


# -- through compile: a catalog of exactly the wanted size ---------------------------------


def _catalog_text(out: Path) -> bytes:
    variables = json.loads((out / "dev" / "env.json").read_text(encoding="utf-8"))
    return str(variables[CATALOG]).encode("utf-8")


@pytest.mark.parametrize(
    ("size", "outcome"),
    [(98_281, "clean"), (98_282, "warning"), (131_042, "warning"), (131_043, "error")],
)
def test_catalog_boundaries_through_compile(tmp_path: Path, size: int, outcome: str) -> None:
    root = repository_of_size(tmp_path, size)
    out = tmp_path / "dist"
    result = compile_repository(root=root, out=out)
    budget = [p for p in result.problems if p.code in ("size-budget", "size-limit")]
    if outcome == "clean":
        assert budget == []
        assert result.ok
        assert len(_catalog_text(out)) == size
    elif outcome == "warning":
        assert [p.severity for p in budget] == ["warning"]
        assert result.ok
        assert len(_catalog_text(out)) == size
        assert f"{size:,} bytes" in budget[0].message
    else:
        assert [p.severity for p in budget] == ["error"]
        assert not result.ok
        problem = budget[0]
        assert problem.file == "environments/dev.yaml"
        assert problem.code == "size-limit"
        assert f"{CATALOG} of dev is {size:,} bytes" in problem.message
        assert "limit of 131,042 bytes" in problem.message
        assert "pack 'big_b'" in problem.message
        assert "pack 'big_a'" in problem.message
        assert problem.message.endswith(
            "; deliver the catalog through the engine's Postgres catalog instead: set "
            "catalog_delivery: postgres in environments/dev.yaml and publish with "
            "dpm-policy publish --env dev --apply"
        )
        assert not out.exists()


# -- validate: the same numbers, so the hooks show them --------------------------------------


@pytest.mark.parametrize(
    ("size", "severity", "code"), [(98_282, "warning", 0), (131_043, "error", 1)]
)
def test_validate_reports_the_budget_as_compile_does(
    tmp_path: Path, run_cli, size: int, severity: str, code: int
) -> None:
    root = repository_of_size(tmp_path, size)
    validated = run_cli(["validate", "--root", str(root)])
    assert validated.code == code
    budget = [line for line in validated.err.splitlines() if "[size-" in line]
    assert len(budget) == 1
    assert budget[0].startswith(f"environments/dev.yaml:11:1: {severity}[size-")
    assert f"{CATALOG} of dev is {size:,} bytes" in budget[0]
    compiled = compile_repository(root=root, out=tmp_path / "dist")
    assert [
        f"{p.file}:{p.line}:{p.col}: {p.severity}[{p.code}]: {p.message}"
        for p in compiled.problems
        if p.code.startswith("size-")
    ] == budget


# -- the bundle's generated ConfigMaps --------------------------------------------------------


def test_bundle_snapshot_over_the_object_limit_fails_naming_it(tmp_path: Path) -> None:
    # With catalog_delivery: postgres no variable limit applies to the catalog, but env.json,
    # the runtime's snapshot ConfigMap, still holds it whole: six packs of ~190 kB each.
    names = [f"big_{index}" for index in range(6)]
    root = write_repository(
        tmp_path / "repo",
        packs=[
            pack(name, constraint_policy={"group_constraints": groups(1400, 0)}) for name in names
        ],
        tenants=[tenant("t1", names[0])],
        environments=[environment("dev", names, catalog_delivery="postgres")],
    )
    path = root / "environments" / "dev.yaml"
    workload = "kubernetes:\n  namespace: dpm-dev\n  deployment: dpm-engine\n  container: engine\n"
    path.write_text(path.read_text().replace("packs:\n", workload + "packs:\n", 1))
    result = compile_repository(root=root, out=tmp_path / "dist")
    budget = [p for p in result.problems if p.code in ("size-budget", "size-limit")]
    # Positions point at a key's value: the block's first line.
    line = path.read_text().splitlines().index("kubernetes:") + 2
    assert [(p.severity, p.file, p.line) for p in budget] == [
        ("error", "environments/dev.yaml", line)
    ]
    message = budget[0].message
    assert message.startswith("ConfigMap dpm-policy-dev-snapshot of the bundle is ")
    assert (
        "over its limit of 1,048,576 bytes (Kubernetes refuses a ConfigMap over 1 MiB)" in message
    )
    assert "largest: key env.json " in message
    assert message.endswith(
        "ship fewer packs or serve fewer tenants from this environment: "
        "the runtime's snapshot env.json holds the whole catalog and tenant map"
    )
    assert not (tmp_path / "dist").exists()

"""``catalog_delivery: postgres``: the catalog reaches the engine through publish, not a variable.

The files delivered into the engine's process (``dpm-policy.env``, ``configmap.yaml``) leave
``DPM_POLICY_PACK_CATALOG_JSON`` out, so the kernel's 131,042-byte limit on it no longer applies;
``env.json`` and ``catalog.json`` still hold it, for publish, diff, explain and the runtime.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from compile_readback import bash_source, configmap_data, env_json, python_dotenv, runtime_dotenv
from compile_repos import environment, pack, tenant, write_repository
from compile_sizes import repository_of_size

from dpm_policy.cli import main
from dpm_policy.compile import compile_repository
from dpm_policy.publish import load_desired_rows
from dpm_policy_runtime import PolicyConfigError, PolicyRuntime
from dpm_policy_runtime.variables import CATALOG_JSON, VARIABLES

# One byte more than the catalog variable may hold (docs/engine-contract.md section 8).
OVER = 131_043
FIX = (
    "set catalog_delivery: postgres in environments/dev.yaml and publish with "
    "dpm-policy publish --env dev --apply"
)


@pytest.fixture(scope="module")
def postgres_dev(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``dist/dev`` of a repository whose catalog is over the limit and goes through Postgres."""
    folder = tmp_path_factory.mktemp("postgres")
    root = repository_of_size(folder, OVER, catalog_delivery="postgres")
    out = folder / "dist"
    assert main(["compile", "--root", str(root), "--out", str(out)]) == 0
    return out / "dev"


def _manifest(folder: Path) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return manifest


def test_the_catalog_stays_in_env_json_and_catalog_json(postgres_dev: Path) -> None:
    variables = env_json(postgres_dev / "env.json")
    assert list(variables) == [name for name in VARIABLES if name in variables]
    assert len(variables) == 6
    assert len(variables[CATALOG_JSON].encode("utf-8")) == OVER
    catalog = json.loads((postgres_dev / "catalog.json").read_text(encoding="utf-8"))
    assert catalog == json.loads(variables[CATALOG_JSON])
    assert sorted(catalog) == ["big_a", "big_b"]


def test_the_process_is_given_every_variable_but_the_catalog(postgres_dev: Path) -> None:
    delivered = {k: v for k, v in env_json(postgres_dev / "env.json").items() if k != CATALOG_JSON}
    assert len(delivered) == 5
    assert bash_source(postgres_dev, VARIABLES) == delivered
    assert python_dotenv(postgres_dev / "dpm-policy.env") == delivered
    assert runtime_dotenv(postgres_dev / "dpm-policy.env") == delivered
    assert configmap_data(postgres_dev / "configmap.yaml") == delivered


@pytest.mark.parametrize("file_name", ["dpm-policy.env", "configmap.yaml"])
def test_headers_say_the_catalog_is_left_out(postgres_dev: Path, file_name: str) -> None:
    text = (postgres_dev / file_name).read_text(encoding="utf-8")
    header = [line for line in text.splitlines() if line.startswith("#")]
    assert (
        f"# {CATALOG_JSON} is left out (catalog_delivery: postgres): the engine reads pack "
        "definitions from its Postgres catalog; write them there with dpm-policy publish "
        "--env dev --apply."
    ) in header
    assert CATALOG_JSON not in text.replace(header[-1], "")


def test_manifest_records_the_delivery_and_sizes_what_is_delivered(postgres_dev: Path) -> None:
    manifest = _manifest(postgres_dev)
    assert manifest["catalog_delivery"] == "postgres"
    delivered = set(env_json(postgres_dev / "env.json")) - {CATALOG_JSON}
    assert set(manifest["variables"]) == delivered
    # The ConfigMap is counted as it is: without the catalog, a small fraction of its limit.
    assert manifest["configmap"]["bytes"] < 2_000
    assert manifest["files"]["catalog.json"]["bytes"] > OVER


def test_publish_finds_the_catalog_in_env_json(postgres_dev: Path) -> None:
    rows = load_desired_rows(postgres_dev / "env.json", env="dev")
    assert [row.policy_pack_id for row in rows] == ["big_a", "big_b"]
    assert all(row.version == "1" for row in rows)


def test_strict_runtime_reads_env_json_in_full_but_refuses_the_dotenv(postgres_dev: Path) -> None:
    """Why verification compares the dotenv's variables instead of loading it: strictly read,
    every reference to a pack is dangling once the catalog is left out."""
    runtime = PolicyRuntime.from_file(postgres_dev / "env.json", strict=True)
    assert sorted(runtime.catalog) == ["big_a", "big_b"]
    with pytest.raises(PolicyConfigError) as refused:
        PolicyRuntime.from_file(postgres_dev / "dpm-policy.env", strict=True)
    assert {problem.code for problem in refused.value.problems} == {"reference"}


def test_the_same_content_delivered_as_a_variable_fails_with_the_fix(
    tmp_path: Path, run_cli: Any
) -> None:
    root = repository_of_size(tmp_path, OVER)
    out = tmp_path / "dist"
    run = run_cli(["compile", "--root", str(root), "--out", str(out)])
    assert run.code == 1
    errors = [line for line in run.err.splitlines() if "error[size-limit]" in line]
    assert len(errors) == 1
    assert errors[0].startswith("environments/dev.yaml:")
    assert f"{CATALOG_JSON} of dev is {OVER:,} bytes, over its limit of 131,042 bytes" in errors[0]
    assert errors[0].endswith(
        "; deliver the catalog through the engine's Postgres catalog instead: " + FIX
    )
    assert not out.exists()


def test_manifest_records_the_delivery_per_environment(tmp_path: Path) -> None:
    root = write_repository(
        tmp_path / "repo",
        packs=[pack("std", turnover_policy={"max_turnover_pct": "0.1"})],
        tenants=[tenant("t1", "std")],
        environments=[
            environment("dev", ["std"], default="std"),
            environment("prod", ["std"], promotes_from="dev", catalog_delivery="postgres"),
        ],
    )
    out = tmp_path / "dist"
    result = compile_repository(root=root, out=out)
    assert result.ok, result.problems
    dev, prod = _manifest(out / "dev"), _manifest(out / "prod")
    # The default is not written, so manifests of environment delivery read as they always did.
    assert "catalog_delivery" not in dev
    assert CATALOG_JSON in dev["variables"]
    assert prod["catalog_delivery"] == "postgres"
    assert CATALOG_JSON not in prod["variables"]
    assert CATALOG_JSON in configmap_data(out / "dev" / "configmap.yaml")
    assert CATALOG_JSON not in configmap_data(out / "prod" / "configmap.yaml")

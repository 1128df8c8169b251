"""``tenant_map_delivery``: the tenant map outside the variables, for services using the runtime.

With ``file`` or ``postgres`` the files delivered into the engine's process (``dpm-policy.env``,
``configmap.yaml``) leave ``DPM_TENANT_POLICY_PACK_MAP_JSON`` out and say so, the kernel's
131,039-byte limit on it no longer applies, and ``env.json`` still holds it. ``file`` mounts
``env.json`` from one ConfigMap, so the whole of it must fit Kubernetes' 1 MiB.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from compile_readback import configmap_data, env_json, python_dotenv
from compile_repos import environment, pack, tenant, write_repository
from compile_sizes import groups

from dpm_policy.compile import compile_repository
from dpm_policy_runtime import PolicyRuntime
from dpm_policy_runtime.variables import CATALOG_JSON, TENANT_MAP_JSON

RUNTIME_ONLY = (
    "an engine that reads only its variables cannot use it; only services that resolve "
    "through dpm_policy_runtime can"
)
# Enough tenants that their map is over the variable's 131,039 bytes: each entry is about 80.
MANY = 2_000
PACK = "dpm_discretionary_balanced_growth_with_tax_awareness_v1"


def _repository(
    root: Path, tenants: int, delivery: str | None, *, kubernetes: bool = False
) -> Path:
    dev = environment("dev", [PACK], default=PACK, tenant_map_delivery=delivery)
    if kubernetes:
        dev["kubernetes"] = {
            "namespace": "dpm-dev",
            "deployment": "dpm-engine",
            "container": "engine",
        }
    return write_repository(
        root,
        packs=[pack(PACK, turnover_policy={"max_turnover_pct": "0.1"})],
        tenants=[tenant(f"tenant_{index:06d}", PACK) for index in range(tenants)],
        environments=[dev],
    )


def _manifest(folder: Path) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return manifest


@pytest.fixture(scope="module", params=["file", "postgres"])
def delivered(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``dist/dev`` of an environment whose tenant map is over the variable limit."""
    folder = tmp_path_factory.mktemp(f"tenants-{request.param}")
    root = _repository(folder / "repo", MANY, request.param)
    result = compile_repository(root=root, out=folder / "dist")
    assert result.ok, result.problems
    return folder / "dist" / "dev"


def test_the_map_over_the_variable_limit_fails_as_a_variable_with_the_fix(
    tmp_path: Path, run_cli: Any
) -> None:
    root = _repository(tmp_path / "repo", MANY, None)
    run = run_cli(["compile", "--root", str(root), "--out", str(tmp_path / "dist")])
    assert run.code == 1
    errors = [line for line in run.err.splitlines() if "error[size-limit]" in line]
    assert len(errors) == 1
    assert f"{TENANT_MAP_JSON} of dev is " in errors[0]
    assert errors[0].endswith(
        "; serve fewer tenants from this environment, or deliver the tenant map outside the "
        "variables: set tenant_map_delivery: postgres in environments/dev.yaml and publish with "
        f"dpm-policy publish --env dev --apply ({RUNTIME_ONLY})"
    )


def test_env_json_holds_the_map_and_the_process_files_leave_it_out(delivered: Path) -> None:
    variables = env_json(delivered / "env.json")
    assert len(json.loads(variables[TENANT_MAP_JSON])) == MANY
    assert len(variables[TENANT_MAP_JSON].encode("utf-8")) > 131_039
    rest = {name: value for name, value in variables.items() if name != TENANT_MAP_JSON}
    assert python_dotenv(delivered / "dpm-policy.env") == rest
    assert configmap_data(delivered / "configmap.yaml") == rest
    assert len(PolicyRuntime.from_file(delivered / "env.json").tenant_map) == MANY


@pytest.mark.parametrize("file_name", ["dpm-policy.env", "configmap.yaml"])
def test_headers_say_the_map_is_left_out_and_who_can_read_it(
    delivered: Path, file_name: str
) -> None:
    delivery = _manifest(delivered)["tenant_map_delivery"]
    text = (delivered / file_name).read_text(encoding="utf-8")
    header = [line for line in text.splitlines() if line.startswith("#")]
    note = [line for line in header if line.startswith(f"# {TENANT_MAP_JSON} is left out")]
    assert len(note) == 1
    assert f"(tenant_map_delivery: {delivery})" in note[0]
    assert note[0].endswith(f"; {RUNTIME_ONLY}.")


def test_manifest_records_the_delivery(delivered: Path) -> None:
    manifest = _manifest(delivered)
    assert manifest["tenant_map_delivery"] in ("file", "postgres")
    assert TENANT_MAP_JSON not in manifest["variables"]
    assert CATALOG_JSON in manifest["variables"]
    mounted = manifest.get("mounted")
    if manifest["tenant_map_delivery"] == "file":
        env_bytes = manifest["files"]["env.json"]["bytes"]
        assert mounted == {
            "file": "env.json",
            "bytes": len("env.json") + env_bytes,
            "limit": 1_048_576,
        }
    else:
        assert mounted is None


def test_default_delivery_writes_no_key(tmp_path: Path) -> None:
    root = _repository(tmp_path / "repo", 2, None)
    assert compile_repository(root=root, out=tmp_path / "dist").ok
    manifest = _manifest(tmp_path / "dist" / "dev")
    assert "tenant_map_delivery" not in manifest
    assert "mounted" not in manifest
    assert TENANT_MAP_JSON in manifest["variables"]


def test_the_compile_summary_says_who_can_read_the_map(tmp_path: Path, run_cli: Any) -> None:
    root = _repository(tmp_path / "repo", 2, "postgres")
    run = run_cli(["compile", "--root", str(root), "--out", str(tmp_path / "dist")])
    assert run.code == 0, run.err
    assert (
        "  tenant map delivered through Postgres: publish it with dpm-policy publish --env dev "
        f"--apply; {RUNTIME_ONLY}\n"
    ) in run.err


@pytest.mark.slow
def test_a_mounted_file_over_one_mebibyte_fails_with_the_fix(tmp_path: Path, run_cli: Any) -> None:
    """The catalog goes through Postgres, but env.json, and so the mounted ConfigMap, holds it."""
    names = [f"big_{index}" for index in range(6)]
    root = write_repository(
        tmp_path / "repo",
        # About 190 KB of catalog each (a pack file may hold 256 KiB): 1.1 MB together.
        packs=[
            pack(name, constraint_policy={"group_constraints": groups(1_500, 0)}) for name in names
        ],
        tenants=[tenant("t1", names[0])],
        environments=[
            environment(
                "dev",
                names,
                default=names[0],
                catalog_delivery="postgres",
                tenant_map_delivery="file",
            )
        ],
    )
    run = run_cli(["compile", "--root", str(root), "--out", str(tmp_path / "dist")])
    assert run.code == 1
    errors = [line for line in run.err.splitlines() if "error[size-limit]" in line]
    assert len(errors) == 1, run.err
    assert errors[0].startswith("environments/dev.yaml:")
    assert "mounted ConfigMap of dev (env.json) is " in errors[0]
    assert (
        "over its limit of 1,048,576 bytes (Kubernetes refuses a ConfigMap over 1 MiB)"
        in (errors[0])
    )
    assert f"largest: variable {CATALOG_JSON}" in errors[0]
    assert errors[0].endswith(
        "; deliver the tenant map through Postgres instead: set tenant_map_delivery: postgres "
        "in environments/dev.yaml and publish with dpm-policy publish --env dev --apply "
        f"({RUNTIME_ONLY})"
    )
    assert not (tmp_path / "dist").exists()


@pytest.mark.slow
def test_fifty_thousand_tenants_compile_with_postgres_delivery(tmp_path: Path) -> None:
    """Also as a Kustomize bundle: it mounts no env.json (several MiB here), only variables."""
    root = _repository(tmp_path / "repo", 50_000, "postgres", kubernetes=True)
    result = compile_repository(root=root, out=tmp_path / "dist")
    assert result.ok, result.problems[:3]
    folder = tmp_path / "dist" / "dev"
    runtime = PolicyRuntime.from_file(folder / "env.json")
    assert len(runtime.tenant_map) == 50_000
    assert (folder / "env.json").stat().st_size > 1_048_576
    assert list(_manifest(folder)["bundle"]["configmaps"]) == ["dpm-policy-dev-variables"]

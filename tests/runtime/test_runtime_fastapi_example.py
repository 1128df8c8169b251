"""The FastAPI example of docs/runtime.md works as documented."""

from __future__ import annotations

import importlib.util
import json
import sys
import warnings
from pathlib import Path
from types import ModuleType

import pytest
from runtime_fixtures import variables

from dpm_policy_runtime import Reloader

# Recent Starlette warns that its test client should run on "httpx2"; pyproject pins httpx.
# The warning is about the test tool, not the code under test, so only it is silenced.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from fastapi.testclient import TestClient

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "fastapi_app.py"


def _load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("runtime_fastapi_example", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    path = tmp_path / "env.json"
    path.write_text(json.dumps(variables()), encoding="utf-8")
    example = _load_example()
    return TestClient(example.create_app(Reloader(path)))


def test_effective_uses_the_three_headers(client: TestClient) -> None:
    url = "/api/v1/rebalance/policies/effective"
    assert client.get(url, headers={"X-Policy-Pack-Id": "dpm_conservative_v1"}).json() == {
        "enabled": True,
        "selected_policy_pack_id": "dpm_conservative_v1",
        "source": "REQUEST",
    }
    assert client.get(url, headers={"X-Tenant-Id": "tenant_001"}).json()["source"] == (
        "TENANT_DEFAULT"
    )
    blank = client.get(url, headers={"X-Tenant-Policy-Pack-Id": "", "X-Tenant-Id": "tenant_001"})
    assert blank.json()["source"] == "GLOBAL_DEFAULT"
    assert client.get(url).json()["selected_policy_pack_id"] == "dpm_global_v1"


def test_query_parameters_are_rejected(client: TestClient) -> None:
    response = client.get("/api/v1/rebalance/policies/effective?b=1&a=2")
    assert response.status_code == 422
    assert response.json()["detail"] == (
        "UNSUPPORTED_QUERY_PARAMETER: a, b not supported for this endpoint"
    )


def test_catalog(client: TestClient) -> None:
    body = client.get(
        "/api/v1/rebalance/policies/catalog", headers={"X-Policy-Pack-Id": "nope"}
    ).json()
    assert body["total"] == 3
    assert [item["policy_pack_id"] for item in body["items"]] == [
        "dpm_conservative_v1",
        "dpm_global_v1",
        "dpm_standard_v1",
    ]
    assert (body["selected_policy_pack_id"], body["selected_policy_pack_present"]) == (
        "nope",
        False,
    )


def test_simulate_applies_the_pack_to_request_options(client: TestClient) -> None:
    response = client.post(
        "/api/v1/rebalance/simulate",
        headers={"X-Tenant-Id": "tenant_001"},
        json={
            "options": {
                "max_turnover_pct": "0.5",
                "target_method": "SOLVER",
                "group_constraints": {"region:EU": {"max_weight": "0.4"}},
            }
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["policy_pack_id"], body["source"], body["replay_enabled"]) == (
        "dpm_standard_v1",
        "TENANT_DEFAULT",
        False,
    )
    options = body["options"]
    assert options["max_turnover_pct"] == "0.10"
    assert options["target_method"] == "SOLVER"  # untouched by the pack
    assert options["group_constraints"] == {"sector:TECH": {"max_weight": "0.20"}}
    assert options["settlement_horizon_days"] == 3


def test_simulate_without_a_pack_keeps_request_options(client: TestClient) -> None:
    response = client.post(
        "/api/v1/rebalance/simulate",
        headers={"X-Policy-Pack-Id": "unknown"},
        json={"options": {"max_turnover_pct": "0.5"}},
    )
    body = response.json()
    assert (body["source"], body["options"]["max_turnover_pct"], body["replay_enabled"]) == (
        "REQUEST",
        "0.5",
        True,
    )


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("X-Policy-Pack-Id", "dpm_standard_v1\tx"),
        ("X-Policy-Pack-Id", "p" * 4096),
        ("X-Tenant-Policy-Pack-Id", "p" * 257),
        ("X-Tenant-Id", "tenant_001\tx"),
    ],
)
@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("GET", "/api/v1/rebalance/policies/effective"),
        ("GET", "/api/v1/rebalance/policies/catalog"),
        ("POST", "/api/v1/rebalance/simulate"),
    ],
)
def test_a_header_the_engine_would_misread_is_a_400(
    client: TestClient, method: str, url: str, header: str, value: str
) -> None:
    response = client.request(method, url, headers={header: value}, json={})
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert detail.startswith(f"{header} header ")
    assert value not in detail


def test_health(client: TestClient) -> None:
    body = client.get("/api/v1/health/policy-packs").json()
    assert body["reason"] == "initial load"
    assert body["last_error"] is None

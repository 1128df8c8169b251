"""``explain`` agrees with the runtime resolver for every tenant and environment of the
repository, and every value it shows points at the line that writes it."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from conftest import CliRun
from dpm_policy.cli import main
from dpm_policy.explain import DOES_NOT_COMPILE, explain, explain_all, explain_with_runtime
from dpm_policy.repository import Repository
from dpm_policy_runtime import PolicyRuntime
from dpm_policy_runtime.fields import FIELDS_BY_PATH
from git_repos import REPO_ROOT, copy_content


def _requests(repository: Repository) -> list[dict[str, str | None]]:
    tenants = sorted(repository.tenant_index())
    packs = sorted(repository.pack_index())
    requests: list[dict[str, str | None]] = [{"tenant_id": None, "policy_pack_id": None}]
    requests += [{"tenant_id": tenant, "policy_pack_id": None} for tenant in tenants]
    requests += [{"tenant_id": tenants[0], "policy_pack_id": pack} for pack in packs]
    requests.append({"tenant_id": "no_such_tenant", "policy_pack_id": None})
    requests.append({"tenant_id": None, "policy_pack_id": "no_such_pack"})
    return requests


def test_agrees_with_the_resolver_everywhere(compiled: tuple[Repository, Path]) -> None:
    repository, out = compiled
    checked = 0
    for env in sorted(repository.environment_index()):
        runtime = PolicyRuntime.from_file(out / env / "env.json")
        for request in _requests(repository):
            answer = explain_with_runtime(
                runtime=runtime, repository=repository, environment=env, **request
            )
            expected = runtime.resolve(**request)
            assert answer.resolution == expected
            updates = runtime.option_updates(expected)
            shown = {o.option for o in answer.options if FIELDS_BY_PATH[o.path].option}
            assert shown == set(updates), (env, request)
            for origin in answer.options:
                assert origin.file is not None, (env, request, origin)
                assert origin.line is not None
                lines = (REPO_ROOT / origin.file).read_text(encoding="utf-8").splitlines()
                name = FIELDS_BY_PATH[origin.path].name
                # A group map's value starts on the line after its key.
                nearby = lines[origin.line - 1] + lines[max(origin.line - 2, 0)]
                assert name in nearby, (origin, lines[origin.line - 1])
            checked += 1
    assert checked >= len(repository.environment_index()) * len(repository.tenant_index())


def test_inherited_values_name_their_pack(compiled: tuple[Repository, Path]) -> None:
    repository, out = compiled
    flat_child = next(entry for entry in repository.packs if entry.model.extends is not None).model
    env = next(
        name
        for name, entry in repository.environment_index().items()
        if flat_child.policy_pack_id in entry.model.packs
    )
    runtime = PolicyRuntime.from_file(out / env / "env.json")
    answer = explain_with_runtime(
        runtime=runtime,
        repository=repository,
        environment=env,
        policy_pack_id=flat_child.policy_pack_id,
    )
    assert answer.resolution.source == "REQUEST"
    written_by = {origin.written_by for origin in answer.options}
    assert flat_child.extends in written_by


def test_cli_json_and_text(
    compiled: tuple[Repository, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    repository, out = compiled
    tenant = sorted(repository.tenant_index())[0]
    env = sorted(repository.environment_index())[0]
    assert (
        main(
            [
                "explain",
                "--root",
                str(REPO_ROOT),
                "--env",
                env,
                "--tenant",
                tenant,
                "--format",
                "json",
                "--dist",
                str(out),
            ]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    expected = PolicyRuntime.from_file(out / env / "env.json").resolve(tenant_id=tenant)
    assert data["source"] == expected.source
    assert data["selected_policy_pack_id"] == expected.selected_policy_pack_id
    assert main(["explain", "--root", str(REPO_ROOT), "--env", env, "--tenant", tenant]) == 0
    text = capsys.readouterr().out
    assert f"decided by {expected.source}" in text
    assert main(["explain", "--root", str(REPO_ROOT), "--env", "nowhere"]) == 2
    assert "unknown environment 'nowhere'" in capsys.readouterr().err


def test_an_id_that_names_nothing_exits_1_with_the_id_meant(
    compiled: tuple[Repository, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """The engine gives an unknown tenant the global default without a word; explain shows
    that answer, then says the id names no tenant and which one it is close to."""
    _, out = compiled
    base = ["explain", "--root", str(REPO_ROOT), "--env", "dev", "--dist", str(out)]
    assert main([*base, "--tenant", "Meridian_Pension"]) == 1
    captured = capsys.readouterr()
    assert "decided by GLOBAL_DEFAULT" in captured.out
    assert captured.err == (
        "error: no tenant has the id 'Meridian_Pension' (the engine matches ids exactly); "
        "did you mean 'meridian_pension'?\n"
    )
    assert main([*base, "--pack", "dpm_standrd_v1"]) == 1
    assert "did you mean 'dpm_standard_v1'?" in capsys.readouterr().err
    assert main(["explain", "--root", str(REPO_ROOT), "--env", "Dev"]) == 2
    assert "unknown environment 'Dev'; did you mean 'dev'?" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("option", "value", "reason"),
    [
        ("--tenant", "meridian\tpension", "contains control characters"),
        ("--pack", "p" * 257, "longer than 256 characters (257)"),
    ],
)
def test_an_id_no_header_can_carry_exits_2_and_is_not_echoed(
    compiled: tuple[Repository, Path],
    capsys: pytest.CaptureFixture[str],
    option: str,
    value: str,
    reason: str,
) -> None:
    _, out = compiled
    base = ["explain", "--root", str(REPO_ROOT), "--env", "dev", "--dist", str(out)]
    assert main([*base, option, value]) == 2
    err = capsys.readouterr().err
    assert reason in err
    assert value not in err
    assert "Traceback" not in err


def test_a_repository_that_does_not_compile_is_a_result_with_its_problems(
    tmp_path: Path, run_cli: Callable[[Sequence[str]], CliRun]
) -> None:
    """Nothing is explained from a repository that does not compile: the result carries the
    problems (no exception), and the command prints them in the format asked for, exit 1."""
    root = copy_content(tmp_path / "repo")
    (root / "packs" / "dpm_broken_v1.yaml").write_text(
        "policy_pack_id: dpm_broken_v1\nversion: '1'\nturnover_policy: [unclosed\n",
        encoding="utf-8",
    )
    single = explain(root=root, environment="dev", tenant_id="meridian_pension")
    matrix = explain_all(root=root, environment="dev")
    assert single.explanation is None
    assert matrix.audiences == ()
    for problems in (single.problems, matrix.problems):
        assert problems
        assert all(p.is_error for p in problems)
        assert {p.file for p in problems} == {"packs/dpm_broken_v1.yaml"}
    run = run_cli(["explain", "--env", "dev", "--all", "--format", "csv", "--root", str(root)])
    assert run.code == 1
    assert run.out == ""
    assert DOES_NOT_COMPILE in run.err
    assert "packs/dpm_broken_v1.yaml:3:" in run.err

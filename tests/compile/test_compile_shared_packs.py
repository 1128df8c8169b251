"""A pack that ships to several environments is verified once per compile: the same flattened
pack, read back the same, has the same verification result. Every environment is still read
whole, and a pack read back differently, or stated differently by the source, is compared."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

import pytest
from compile_repos import environment, pack, tenant, write_repository

import dpm_policy.compile.verify as verify
from dpm_policy.compile import EnvironmentOutput, build_environment, compile_repository
from dpm_policy.compile.verify import SharedPacks, normal
from dpm_policy.validate import validate


def _repository(folder: Path, cap: str = "0.1") -> Path:
    return write_repository(
        folder,
        packs=[
            pack("std", turnover_policy={"max_turnover_pct": cap}),
            pack("alt", extends="std", tax_policy={"enable_tax_awareness": True}),
            pack("new", turnover_policy={"max_turnover_pct": "0.2"}),
        ],
        tenants=[tenant("t1", "std"), tenant("t2", "alt")],
        environments=[
            environment("dev", ["std", "alt", "new"], default="std"),
            environment("uat", ["std", "alt"], default="std"),
            environment("prod", ["std", "alt"], default="std"),
        ],
    )


@pytest.fixture
def compared(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The packs read back that were compared with their source, one entry per comparison."""
    seen: list[str] = []
    real = verify.pack_view

    def counting(pack):  # type: ignore[no-untyped-def]
        seen.append(pack.policy_pack_id)
        return real(pack)

    monkeypatch.setattr(verify, "pack_view", counting)
    return seen


def test_each_distinct_pack_is_compared_once_per_reading(
    tmp_path: Path, compared: list[str]
) -> None:
    result = compile_repository(root=_repository(tmp_path / "repo"), out=tmp_path / "dist")
    assert result.ok, result.problems
    assert len(result.written) == 3
    # Strictly and as the engine reads: each of the three packs twice, not once per environment.
    assert sorted(compared) == ["alt", "alt", "new", "new", "std", "std"]


def _builds(folder: Path, shared: SharedPacks, cap: str = "0.1") -> dict[str, EnvironmentOutput]:
    validation = validate(root=_repository(folder, cap))
    assert validation.ok, validation.problems
    return {
        name: build_environment(
            validation.repository, env, validation.flat, source_commit=None, shared=shared
        )
        for name, env in validation.environments.items()
    }


def _verify(folder: Path, built: EnvironmentOutput, shared: SharedPacks) -> list[str]:
    folder.mkdir()
    for name, data in built.files.items():
        (folder / name).write_bytes(data)
    verified = built.verify(folder, shared)
    return [f"{p.file}:{p.line}: {p.message}" for p in verified.problems]


def test_a_pack_the_source_states_otherwise_is_compared_again(tmp_path: Path) -> None:
    shared = SharedPacks()
    builds = _builds(tmp_path / "repo", shared)
    assert _verify(tmp_path / "dev", builds["dev"], shared) == []
    # uat's output holds std as dev's does, but (as a bug would) uat's source view says 0.3.
    uat = builds["uat"]
    version, values = uat.expected.packs["std"]
    wrong = {**values, "turnover_policy.max_turnover_pct": normal(Decimal("0.3"))}
    uat = dataclasses.replace(
        uat,
        expected=dataclasses.replace(
            uat.expected, packs={**uat.expected.packs, "std": (version, wrong)}
        ),
    )
    found = _verify(tmp_path / "uat", uat, shared)
    assert any("max_turnover_pct of pack 'std'" in message for message in found), found


def test_a_pack_read_back_otherwise_is_compared_again(tmp_path: Path) -> None:
    shared = SharedPacks()
    builds = _builds(tmp_path / "repo", shared)
    assert _verify(tmp_path / "dev", builds["dev"], shared) == []
    # uat's files hold another std (0.4) than dev's did, while (as a bug would) its source view
    # is dev's: the pack read back differs from the one verified, so it is compared again.
    other = _builds(tmp_path / "other", SharedPacks(), cap="0.4")["uat"]
    uat = dataclasses.replace(
        other,
        expected=dataclasses.replace(
            other.expected,
            packs={**other.expected.packs, "std": builds["dev"].expected.packs["std"]},
        ),
    )
    found = _verify(tmp_path / "uat", uat, shared)
    assert any("max_turnover_pct of pack 'std'" in message for message in found), found

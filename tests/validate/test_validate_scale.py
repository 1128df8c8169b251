"""Bank scale: 2,000 packs and 20,000 tenants validate in seconds, and a mistake among them is
still found. No timing assertion: a quadratic step shows up as a suite that stops finishing.

So many cannot be delivered through environment variables (docs/engine-contract.md section 8):
validate says so for each environment, as compile would, and nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest

from dpm_policy.validate import validate

PACKS = 2_000
TENANTS = 20_000
ENVIRONMENTS = ("dev", "uat", "prod")


def _write_repository(root: Path) -> None:
    (root / "packs").mkdir(parents=True)
    (root / "environments").mkdir()
    for index in range(PACKS):
        # Chains of four: every pack but each fourth extends the one before it.
        extends = f"extends: pack_{index - 1:05d}\n" if index % 4 else ""
        (root / "packs" / f"pack_{index:05d}.yaml").write_text(
            "# yaml-language-server: $schema=../schema/policy-pack.schema.json\n"
            f'policy_pack_id: pack_{index:05d}\nversion: "1"\ndescription: Pack {index}.\n'
            f'owners: ["@bank/dpm-risk"]\n{extends}'
            f"turnover_policy:\n  max_turnover_pct: 0.{index % 9 + 1}{index % 7}\n"
            "constraint_policy:\n  group_constraints:\n"
            f'    "sector:S{index % 13}": {{max_weight: 0.{index % 8 + 1}}}\n'
        )
    for index in range(TENANTS):
        folder = root / "tenants" / f"region_{index % 50:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        override = (
            f"environments:\n  dev:\n    default_policy_pack: pack_{(index + 1) % PACKS:05d}\n"
            if index % 10 == 0
            else ""
        )
        (folder / f"tenant_{index:06d}.yaml").write_text(
            "# yaml-language-server: $schema=../../schema/tenant.schema.json\n"
            f"tenant_id: tenant_{index:06d}\ndisplay_name: Tenant {index}\n"
            f'owners: ["@bank/dpm-operations"]\ndefault_policy_pack: pack_{index % PACKS:05d}\n'
            + override
        )
    packs = "".join(f"  - pack_{index:05d}\n" for index in range(PACKS))
    for position, name in enumerate(ENVIRONMENTS):
        source = f"promotes_from: {ENVIRONMENTS[position - 1]}\n" if position else ""
        (root / "environments" / f"{name}.yaml").write_text(
            "# yaml-language-server: $schema=../schema/environment.schema.json\n"
            f'environment: {name}\ndescription: The {name} engine.\nowners: ["@bank/p"]\n'
            f"{source}policy_packs_enabled: true\ntenant_resolution_enabled: true\n"
            "idempotency_replay_enabled: true\ndefault_policy_pack: pack_00000\n"
            f"packs:\n{packs}"
        )


@pytest.mark.slow
def test_bank_scale_repository(tmp_path: Path) -> None:
    _write_repository(tmp_path)
    result = validate(root=tmp_path)
    too_large = [
        (f"environments/{name}.yaml", "size-limit", variable)
        for name in ENVIRONMENTS
        for variable in ("DPM_POLICY_PACK_CATALOG_JSON", "DPM_TENANT_POLICY_PACK_MAP_JSON")
    ]
    too_large.sort()
    assert sorted((p.file, p.code, p.message.split()[0]) for p in result.problems) == too_large
    assert len(result.repository.packs) == PACKS
    assert len(result.repository.tenants) == TENANTS

    # One wrong reference among 22,003 files is still reported, and only it.
    last = tmp_path / "tenants" / "region_49" / f"tenant_{TENANTS - 1:06d}.yaml"
    last.write_text(
        last.read_text().replace("default_policy_pack: pack_", "default_policy_pack: nope_")
    )
    result = validate(root=tmp_path)
    assert [(p.file, p.code) for p in result.problems if p.code != "size-limit"] == [
        (f"tenants/region_49/tenant_{TENANTS - 1:06d}.yaml", "dangling-reference")
    ]

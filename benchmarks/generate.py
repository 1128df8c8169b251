"""Write a deterministic synthetic policy repository at bank scale.

    python benchmarks/generate.py --packs 2000 --tenants 50000 --environments 3 OUT_DIR

The repository validates cleanly: packs form ``extends`` chains (up to four deep) over a few
family roots, every field of the engine appears, environments promote into one another (each
later one ships a subset of the one before), and some tenants override their default pack per
environment. The same arguments always give the same bytes.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
from decimal import Decimal
from pathlib import Path

__all__ = ["generate", "main"]

_ENV_NAMES = ("dev", "uat", "prod", "dr", "perf", "sandbox", "staging", "qa")
_SECTORS = ("TECH", "ENERGY", "HEALTH", "FINANCE", "UTILITIES", "MATERIALS")
_REGIONS = ("EM", "EU", "US", "APAC")
_OWNERS = ("@bank/dpm-risk", "@bank/dpm-operations", "@bank/institutional", "@bank/tax-advisory")


def _modeline(depth: int, schema: str) -> str:
    return f"# yaml-language-server: $schema={'../' * depth}schema/{schema}\n"


def _fraction(rng: random.Random, low: int, high: int) -> str:
    return str(Decimal(rng.randint(low, high)) / 100)


def _pack_text(rng: random.Random, pack_id: str, base: str | None, index: int) -> str:
    lines = [
        _modeline(1, "policy-pack.schema.json"),
        f"policy_pack_id: {pack_id}\n",
        f'version: "{rng.randint(1, 9)}"\n',
        f"description: Synthetic mandate family {index % 37}, variant {index}.\n",
        f'owners: ["{_OWNERS[index % len(_OWNERS)]}"]\n',
    ]
    if base is not None:
        lines.append(f"extends: {base}\n")
    lines.append("\nturnover_policy:\n")
    lines.append(f"  max_turnover_pct: {_fraction(rng, 1, 40)}\n")
    if base is None or rng.random() < 0.5:
        lines.append("\ntax_policy:\n")
        lines.append(f"  enable_tax_awareness: {'true' if rng.random() < 0.6 else 'false'}\n")
        lines.append(f'  max_realized_capital_gains: "{rng.randint(1, 500) * 1000}"\n')
    if base is None or rng.random() < 0.3:
        lines.append("\nsettlement_policy:\n")
        lines.append("  enable_settlement_awareness: true\n")
        lines.append(f"  settlement_horizon_days: {rng.randint(0, 10)}\n")
    if base is None or rng.random() < 0.5:
        lines.append("\nconstraint_policy:\n")
        lines.append(f"  single_position_max_weight: {_fraction(rng, 5, 50)}\n")
        lines.append("  group_constraints:\n")
        for sector in rng.sample(_SECTORS, rng.randint(1, 3)):
            lines.append(f'    "sector:{sector}": {{max_weight: {_fraction(rng, 10, 60)}}}\n')
        if rng.random() < 0.3:
            region = rng.choice(_REGIONS)
            lines.append(f'    "region:{region}": {{max_weight: {_fraction(rng, 5, 30)}}}\n')
    if base is None or rng.random() < 0.2:
        lines.append("\nworkflow_policy:\n")
        lines.append(f"  enable_workflow_gates: {'true' if rng.random() < 0.8 else 'false'}\n")
        lines.append(
            f"  workflow_requires_mandate_approval: {'true' if rng.random() < 0.5 else 'false'}\n"
        )
        lines.append("  mandate_approval_already_obtained: false\n")
    if base is None and rng.random() < 0.3:
        lines.append("\nidempotency_policy:\n")
        lines.append(f"  replay_enabled: {'true' if rng.random() < 0.5 else 'false'}\n")
    return "".join(lines)


def generate(
    out: Path,
    *,
    packs: int,
    tenants: int,
    environments: int,
    seed: int = 7,
    postgres: bool = False,
) -> None:
    """Write the repository into ``out`` (which must not exist or be empty).

    ``postgres``: every environment delivers its catalog and its tenant map through Postgres
    (``catalog_delivery`` and ``tenant_map_delivery``), so any scale compiles.
    """
    if environments < 1 or environments > len(_ENV_NAMES):
        raise ValueError(f"environments must be between 1 and {len(_ENV_NAMES)}")
    if packs < 1:
        raise ValueError("packs must be at least 1")
    rng = random.Random(seed)
    for folder in ("packs", "tenants", "environments", "schema"):
        (out / folder).mkdir(parents=True, exist_ok=True)
    root_schema = Path(__file__).resolve().parent.parent / "schema"
    for schema in root_schema.glob("*.schema.json"):
        shutil.copyfile(schema, out / "schema" / schema.name)

    pack_ids = [f"dpm_synthetic_{index:05d}" for index in range(packs)]
    depth: dict[str, int] = {}
    for index, pack_id in enumerate(pack_ids):
        base: str | None = None
        if index >= 10 and rng.random() < 0.6:
            candidate = pack_ids[rng.randrange(0, index)]
            if depth[candidate] < 3:
                base = candidate
        depth[pack_id] = 0 if base is None else depth[base] + 1
        (out / "packs" / f"{pack_id}.yaml").write_text(
            _pack_text(rng, pack_id, base, index), encoding="utf-8"
        )

    # Each later environment ships a subset of the one before it: the promotion flow.
    names = _ENV_NAMES[:environments]
    shipped: list[list[str]] = []
    current = list(pack_ids)
    for position in range(environments):
        if position > 0:
            current = [pack_id for pack_id in current if rng.random() < 0.9] or current[:1]
        shipped.append(current)
    everywhere = shipped[-1]
    for position, name in enumerate(names):
        lines = [
            _modeline(1, "environment.schema.json"),
            f"environment: {name}\n",
            f"description: Synthetic environment {name}.\n",
            'owners: ["@bank/dpm-platform"]\n',
        ]
        if position > 0:
            lines.append(f"promotes_from: {names[position - 1]}\n")
        lines += [
            "policy_packs_enabled: true\n",
            "tenant_resolution_enabled: true\n",
            "idempotency_replay_enabled: true\n",
            f"default_policy_pack: {everywhere[0]}\n",
            *(
                ["catalog_delivery: postgres\n", "tenant_map_delivery: postgres\n"]
                if postgres
                else []
            ),
            "packs:\n",
            *(f"  - {pack_id}\n" for pack_id in shipped[position]),
        ]
        (out / "environments" / f"{name}.yaml").write_text("".join(lines), encoding="utf-8")

    # Tenants are sharded into subfolders of 1,000, as a large bank would keep them.
    for index in range(tenants):
        tenant_id = f"tenant_{index:06d}"
        shard = out / "tenants" / f"shard_{index // 1000:03d}"
        shard.mkdir(exist_ok=True)
        lines = [
            _modeline(2, "tenant.schema.json"),
            f"tenant_id: {tenant_id}\n",
            f"display_name: Synthetic client {index}\n",
            f'owners: ["{_OWNERS[index % len(_OWNERS)]}"]\n',
            f"default_policy_pack: {rng.choice(everywhere)}\n",
        ]
        if environments > 1 and rng.random() < 0.05:
            lines.append("environments:\n")
            lines.append(f"  {names[0]}:\n")
            lines.append(f"    default_policy_pack: {rng.choice(shipped[0])}\n")
        (shard / f"{tenant_id}.yaml").write_text("".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--packs", type=int, default=2000)
    parser.add_argument("--tenants", type=int, default=50_000)
    parser.add_argument("--environments", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="deliver every environment's catalog and tenant map through Postgres",
    )
    parser.add_argument("out_dir", type=Path)
    args = parser.parse_args(argv)
    if args.out_dir.exists() and any(args.out_dir.iterdir()):
        sys.stderr.write(f"{args.out_dir}: exists and is not empty\n")
        return 2
    try:
        generate(
            args.out_dir,
            packs=args.packs,
            tenants=args.tenants,
            environments=args.environments,
            seed=args.seed,
            postgres=args.postgres,
        )
    except ValueError as error:
        sys.stderr.write(f"generate: {error}\n")
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

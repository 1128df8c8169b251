"""Repositories whose catalog variable is exactly as large as a test needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from compile_repos import environment, pack, tenant, write_repository

from dpm_policy.compile.catalog import build_catalog
from dpm_policy.compile.encode import canonical_json
from dpm_policy.inheritance import flatten
from dpm_policy.validate import validate

KEY_ROOM = 100  # each group key is 'g<index>:' padded to this many characters, plus extra
MAX_KEY = 128  # the longest group key the model accepts
PACKS = ["big_a", "big_b"]


def groups(count: int, extra: int) -> dict[str, Any]:
    """``count`` group constraints; ``extra`` more key characters spread over the last keys."""
    found: dict[str, Any] = {}
    for index in reversed(range(count)):
        head = f"g{index:04d}:"
        grow = min(extra, MAX_KEY - KEY_ROOM)
        extra -= grow
        found[head + "x" * (KEY_ROOM + grow - len(head))] = {"max_weight": "0.5"}
    assert extra == 0
    return found


def write_sized(
    root: Path,
    count: int,
    extra: int = 0,
    *,
    catalog_delivery: str | None = None,
    tenant_map_delivery: str | None = None,
) -> Path:
    """Environment ``dev`` shipping two packs of ``count`` group constraints each, one tenant."""
    return write_repository(
        root,
        packs=[
            pack("big_a", constraint_policy={"group_constraints": groups(count, extra)}),
            pack("big_b", constraint_policy={"group_constraints": groups(count, 0)}),
        ],
        tenants=[tenant("t1", "big_b")],
        environments=[
            environment(
                "dev",
                PACKS,
                default="big_a",
                catalog_delivery=catalog_delivery,
                tenant_map_delivery=tenant_map_delivery,
            )
        ],
    )


def catalog_size_in_memory(root: Path) -> int:
    """The catalog variable's size, whatever the budget check says of it."""
    result = validate(root=root)
    assert not [p for p in result.errors if p.code != "size-limit"], result.problems
    flat, _ = flatten(result.repository.pack_index())
    return len(canonical_json(build_catalog(flat, PACKS)).encode("utf-8"))


def repository_of_size(
    folder: Path,
    target: int,
    *,
    catalog_delivery: str | None = None,
    tenant_map_delivery: str | None = None,
) -> Path:
    """A repository below ``folder`` whose catalog variable is exactly ``target`` bytes."""
    per_key = len('"":{"max_weight":"0.5"},') + KEY_ROOM
    count = (target - 300) // (2 * per_key)
    base = catalog_size_in_memory(write_sized(folder / "probe", count))
    assert 0 <= target - base <= count * (MAX_KEY - KEY_ROOM)
    root = write_sized(
        folder / f"repo-{target}",
        count,
        target - base,
        catalog_delivery=catalog_delivery,
        tenant_map_delivery=tenant_map_delivery,
    )
    assert catalog_size_in_memory(root) == target
    return root

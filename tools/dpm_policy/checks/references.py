"""Every id a file mentions exists, and ships to the environment that needs it."""

from __future__ import annotations

from collections.abc import Iterator

from dpm_policy.problems import Problem
from dpm_policy.repository import Repository

__all__ = ["check"]


def check(repository: Repository) -> Iterator[Problem]:
    """An environment ships only packs that exist, each once, and its default pack is one it
    ships. A tenant's default pack ships to every environment (or the tenant overrides it
    there), and its overrides name existing environments. The engine never checks these: an
    unknown pack id is a silent no-op at request time (ENGINE_CONTRACT.md sections 4 and 5)."""
    packs = repository.pack_index()
    environments = repository.environment_index()
    shipped_to = {name: frozenset(env.model.packs) for name, env in environments.items()}
    for env in repository.environments:
        shipped: set[str] = set()
        for index, pack_id in enumerate(env.model.packs):
            position = env.document.position(("packs", index))
            if pack_id in shipped:
                yield Problem(
                    env.file, position, "duplicate-id", f"packs lists '{pack_id}' twice; keep one"
                )
            shipped.add(pack_id)
            if pack_id not in packs:
                yield Problem(
                    env.file,
                    position,
                    "dangling-reference",
                    f"packs lists '{pack_id}', but no pack has that id; add "
                    f"packs/{pack_id}.yaml or correct the id",
                )
        default = env.model.default_policy_pack
        if default is not None and default not in shipped:
            yield Problem(
                env.file,
                env.document.position(("default_policy_pack",)),
                "dangling-reference",
                f"default_policy_pack '{default}' does not ship to {env.model.environment}; "
                "add it to packs",
            )
    for tenant in repository.tenants:
        model = tenant.model
        overrides = model.environments or {}
        for name in overrides:
            if name not in environments:
                yield Problem(
                    tenant.file,
                    tenant.document.position(("environments", name), key=True),
                    "dangling-reference",
                    f"environments names '{name}', but there is no environments/{name}.yaml; "
                    f"known: {', '.join(sorted(environments)) or 'none'}",
                )
        for name in environments:
            override = overrides.get(name)
            pack_id = override.default_policy_pack if override else model.default_policy_pack
            path: tuple[str, ...] = (
                ("environments", name, "default_policy_pack")
                if override
                else ("default_policy_pack",)
            )
            if pack_id not in shipped_to[name]:
                exists = "" if pack_id in packs else " (no pack has that id)"
                yield Problem(
                    tenant.file,
                    tenant.document.position(path),
                    "dangling-reference",
                    f"tenant '{model.tenant_id}' defaults to '{pack_id}'{exists}, which does "
                    f"not ship to {name}; ship it there or set environments.{name}."
                    "default_policy_pack",
                )

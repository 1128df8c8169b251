"""Every id a file mentions exists, and ships to the environment that needs it."""

from __future__ import annotations

from collections.abc import Iterator

from dpm_policy.checks.shipping import shipped_packs
from dpm_policy.problems import Problem
from dpm_policy.repository import Repository
from dpm_policy.suggest import fix_for_unknown

__all__ = ["check"]


def check(repository: Repository) -> Iterator[Problem]:
    """An environment ships only packs that exist, each once, and its default pack is one it
    ships. A tenant's default packs exist, its default pack ships to every environment (or the
    tenant overrides it there), and its overrides name existing environments. The engine never
    checks these: an unknown pack id is a silent no-op at request time (docs/engine-contract.md
    sections 4 and 5). A reference to a file that is present but invalid is not reported again:
    that file's own problems are."""
    packs = repository.pack_index()
    environments = repository.environment_index()
    shipped_to = shipped_packs(repository)

    def missing(pack_id: str) -> bool:
        return pack_id not in packs and not repository.is_invalid("pack", pack_id)

    def no_pack(what: str, pack_id: str) -> str:
        return f"{what} '{pack_id}', but no pack has that id; " + fix_for_unknown(
            pack_id, packs, f"add packs/{pack_id}.yaml or correct the id"
        )

    for env in repository.environments:
        shipped: set[str] = set()
        for index, pack_id in enumerate(env.model.packs):
            position = env.document.position(("packs", index))
            if pack_id in shipped:
                yield Problem(
                    env.file, position, "duplicate-id", f"packs lists '{pack_id}' twice; keep one"
                )
            shipped.add(pack_id)
            if missing(pack_id):
                yield Problem(
                    env.file,
                    position,
                    "dangling-reference",
                    no_pack("packs lists", pack_id),
                )
        default = env.model.default_policy_pack
        if default is not None and default not in shipped_to[env.model.environment]:
            if missing(default):
                message = no_pack("default_policy_pack is", default)
            else:
                message = (
                    f"default_policy_pack '{default}' does not ship to {env.model.environment}; "
                    "add it to packs or correct the id"
                )
            yield Problem(
                env.file,
                env.document.position(("default_policy_pack",)),
                "dangling-reference",
                message,
            )
    for tenant in repository.tenants:
        model = tenant.model
        overrides = model.environments or {}
        # Each pack the tenant names: it must exist, whatever the environments.
        named: list[tuple[tuple[str, ...], str]] = [
            (("default_policy_pack",), model.default_policy_pack)
        ]
        for name, override in overrides.items():
            if name not in environments and not repository.is_invalid("environment", name):
                yield Problem(
                    tenant.file,
                    tenant.document.position(("environments", name), key=True),
                    "dangling-reference",
                    f"environments names '{name}', but there is no environments/{name}.yaml; "
                    + fix_for_unknown(
                        name,
                        environments,
                        f"use one of: {', '.join(sorted(environments)) or 'none yet'}, "
                        "or add the environment",
                    ),
                )
            named.append(
                (("environments", name, "default_policy_pack"), override.default_policy_pack)
            )
        unknown: set[str] = set()
        path: tuple[str, ...]
        for where, pack_id in named:
            if missing(pack_id):
                unknown.add(pack_id)
                yield Problem(
                    tenant.file,
                    tenant.document.position(where),
                    "dangling-reference",
                    no_pack(f"{'.'.join(where)} is", pack_id),
                )
        # Each environment: the pack the tenant gets there must ship there.
        for name in shipped_to:
            chosen = overrides.get(name)
            pack_id = chosen.default_policy_pack if chosen else model.default_policy_pack
            if pack_id in unknown or pack_id in shipped_to[name]:
                continue
            if chosen:
                path = ("environments", name, "default_policy_pack")
                message = (
                    f"environments.{name}.default_policy_pack is '{pack_id}', which does not "
                    f"ship to {name}; ship it there or choose a pack that does"
                )
            else:
                path = ("default_policy_pack",)
                message = (
                    f"tenant '{model.tenant_id}' defaults to '{pack_id}', which does not ship to "
                    f"{name}; ship it there or set environments.{name}.default_policy_pack"
                )
            yield Problem(
                tenant.file, tenant.document.position(path), "dangling-reference", message
            )

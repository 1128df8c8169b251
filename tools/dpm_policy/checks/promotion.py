"""A pack reaches an environment only after the one it is promoted from."""

from __future__ import annotations

from collections.abc import Iterator

from dpm_policy.checks.shipping import shipped_packs
from dpm_policy.model import EnvironmentFile
from dpm_policy.problems import Problem
from dpm_policy.repository import Entry, Repository
from dpm_policy.suggest import fix_for_unknown

__all__ = ["check"]


def check(repository: Repository) -> Iterator[Problem]:
    """An environment with ``promotes_from`` ships only packs that its source environment also
    ships (dev -> uat -> prod), so every pack in prod has run in uat and dev first. The chain
    of ``promotes_from`` names existing environments and has no cycle."""
    environments = repository.environment_index()
    shipped = shipped_packs(repository)
    for env in repository.environments:
        source_name = env.model.promotes_from
        if source_name is None:
            continue
        position = env.document.position(("promotes_from",))
        source = environments.get(source_name)
        if source is None:
            # A present but invalid source file is reported on its own.
            if not repository.is_invalid("environment", source_name):
                yield Problem(
                    env.file,
                    position,
                    "dangling-reference",
                    f"promotes_from names '{source_name}', but there is no "
                    f"environments/{source_name}.yaml; "
                    + fix_for_unknown(source_name, environments, "add it or correct the name"),
                )
            continue
        seen = [env.model.environment]
        walker: Entry[EnvironmentFile] | None = source
        while walker is not None:
            name = walker.model.environment
            if name in seen:
                yield Problem(
                    env.file,
                    position,
                    "promotion-cycle",
                    "promotes_from forms a cycle ("
                    + " -> ".join([*seen, name])
                    + "); the first environment of the chain (such as dev) has no promotes_from",
                )
                break
            seen.append(name)
            upstream = walker.model.promotes_from
            walker = environments.get(upstream) if upstream else None
        source_packs = shipped[source_name]
        for index, pack_id in enumerate(env.model.packs):
            if pack_id not in source_packs:
                yield Problem(
                    env.file,
                    env.document.position(("packs", index)),
                    "promotion",
                    f"'{pack_id}' ships to {env.model.environment} but not to {source_name}, "
                    f"which {env.model.environment} is promoted from; ship it to "
                    f"{source_name} first",
                )

"""What each environment delivers into the engine's process fits the kernel's limit."""

from __future__ import annotations

from dpm_policy.inheritance import flatten_repository
from dpm_policy.problems import Problem
from dpm_policy.repository import Repository

__all__ = ["check"]


def check(repository: Repository) -> list[Problem]:
    """Each variable an environment delivers into the engine's process (the catalog, unless
    ``catalog_delivery: postgres``, and the tenant map, unless ``tenant_map_delivery`` is ``file``
    or ``postgres``) fits Linux's 131,072 bytes per variable:
    a warning from 75 % of it, an error over it, with the largest packs or tenants and the fix;
    the same numbers compile uses. The ConfigMap that holds these variables stays below a third
    of Kubernetes' 1 MiB while they fit, so compile alone checks it. An environment shipping a
    pack that cannot be resolved is left to that pack's own problems."""
    # Imported here: the compile package imports validate, which imports these checks.
    from dpm_policy.compile.budget import variable_problems
    from dpm_policy.compile.environment import environment_variables

    flat, _ = flatten_repository(repository)  # its problems are the extends check's
    problems: list[Problem] = []
    for env in repository.environments:
        if not all(pack_id in flat for pack_id in env.model.packs):
            continue
        catalog, tenant_map, _, delivered = environment_variables(repository, env.model, flat)
        problems.extend(variable_problems(env, delivered, catalog, tenant_map))
    return problems

"""Each file is named after the id it holds."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel

from dpm_policy.problems import Problem, file_name
from dpm_policy.repository import KINDS, Entry, Repository

__all__ = ["check"]


def _mismatch(entry: Entry[BaseModel], id_field: str, identifier: str) -> Iterator[Problem]:
    if entry.stem != identifier:
        yield Problem(
            entry.file,
            entry.document.position((id_field,)),
            "file-name",
            f"{id_field} is '{identifier}' but the file is named "
            f"{file_name(entry.stem + '.yaml')}; rename the file to {identifier}.yaml or "
            "correct the id",
        )


def check(repository: Repository) -> Iterator[Problem]:
    """A pack file is named ``<policy_pack_id>.yaml``, a tenant file ``<tenant_id>.yaml``, an
    environment file ``<environment>.yaml`` and a waiver ``<waiver_id>.yaml``, so that a
    reviewer finds each id where expected."""
    for pack in repository.packs:
        yield from _mismatch(pack, KINDS["pack"].id_field, pack.model.policy_pack_id)
    for tenant in repository.tenants:
        yield from _mismatch(tenant, KINDS["tenant"].id_field, tenant.model.tenant_id)
    for env in repository.environments:
        yield from _mismatch(env, KINDS["environment"].id_field, env.model.environment)
    for waiver in repository.waivers:
        yield from _mismatch(waiver, KINDS["waiver"].id_field, waiver.model.waiver_id)

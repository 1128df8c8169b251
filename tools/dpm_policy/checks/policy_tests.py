"""Policy tests name environments, tenants and packs that exist, and fit each setting's type."""

from __future__ import annotations

from collections.abc import Iterator

from dpm_policy.problems import Problem
from dpm_policy.repository import Repository
from dpm_policy_runtime.fields import FIELDS_BY_PATH

__all__ = ["check"]


def check(repository: Repository) -> Iterator[Problem]:
    """A policy test (``policy-tests/*.yaml``) names an existing environment, and each test's
    tenant, requested pack and expected pack exist; an expected setting is true or false for a
    switch-like setting and a number (or bounds) otherwise, and group_constraints are not
    expected (test each group through ``explain``). ``dpm-policy test`` runs them."""
    environments = repository.environment_index()
    packs = repository.pack_index()
    tenants = repository.tenant_index()
    for entry in repository.policy_tests:
        model, document = entry.model, entry.document
        if model.environment not in environments and not repository.is_invalid(
            "environment", model.environment
        ):
            yield Problem(
                entry.file,
                document.position(("environment",)),
                "dangling-reference",
                f"environment is '{model.environment}', but there is no "
                f"environments/{model.environment}.yaml; use one of: "
                f"{', '.join(sorted(environments)) or 'none yet'}",
            )
        for index, case in enumerate(model.tests):
            at = ("tests", index)
            named = [
                (("request", "tenant"), case.request.tenant, "tenant"),
                (("request", "pack"), case.request.pack, "pack"),
                (("expect", "pack"), case.expect.pack, "pack"),
            ]
            for where, identifier, kind in named:
                if identifier is None:
                    continue
                index_of = tenants if kind == "tenant" else packs
                if identifier in index_of or repository.is_invalid(kind, identifier):
                    continue
                yield Problem(
                    entry.file,
                    document.position((*at, *where)),
                    "dangling-reference",
                    f"{'.'.join(where)} is '{identifier}', but no {kind} has that id; correct "
                    f"the id (test '{case.name}')",
                )
            for path, expected in (case.expect.settings or {}).items():
                kind = FIELDS_BY_PATH[path].kind
                bounds = expected.minimum is not None or expected.maximum is not None
                fits = (
                    isinstance(expected.equals, bool) and not bounds
                    if kind == "bool"
                    else kind != "group_constraints" and not isinstance(expected.equals, bool)
                )
                if not fits:
                    what = {
                        "bool": "true or false",
                        "group_constraints": "one cap per group, which a test cannot state",
                    }.get(kind, "a number: write a value or {min: ..., max: ...}")
                    yield Problem(
                        entry.file,
                        document.position((*at, "expect", "settings", path)),
                        "expectation",
                        f"{path} is {what} (test '{case.name}')",
                    )

"""No pack, tenant or switch crosses a guardrail of an environment it serves, unless waived."""

from __future__ import annotations

from collections.abc import Iterator

from dpm_policy.governance.breaches import guardrail_breaches, setting_misfit, switch_misfit
from dpm_policy.governance.today import today
from dpm_policy.governance.waivers import split_breaches
from dpm_policy.problems import Problem
from dpm_policy.repository import Repository

__all__ = ["check"]


def _misfits(repository: Repository) -> Iterator[Problem]:
    """Guardrails that cannot mean anything for their setting's or switch's type."""
    for env in repository.environments:
        guardrails = env.model.guardrails
        if guardrails is None:
            continue
        for path, rule in (guardrails.settings or {}).items():
            message = setting_misfit(path, rule)
            if message is not None:
                position = env.document.position(("guardrails", "settings", path))
                yield Problem(env.file, position, "guardrail-type", message)
        for switch, switch_rule in (guardrails.switches or {}).items():
            message = switch_misfit(switch, switch_rule)
            if message is not None:
                position = env.document.position(("guardrails", "switches", switch))
                yield Problem(env.file, position, "guardrail-type", message)


def check(repository: Repository) -> Iterator[Problem]:
    """Every pack that ships to an environment keeps its ``guardrails``: each setting within
    ``max`` and ``min`` (every group's ``max_weight`` for group_constraints), set to ``equals``
    where one is given, and set at all where ``required``; counted after ``extends``, at the
    line that writes the value. The environment's switches keep theirs, and no pack listed in
    ``forbidden_packs`` ships there or is a tenant's pack there. A waiver in force
    (``waivers/``) lets exactly the breach it names pass."""
    yield from _misfits(repository)
    waived = split_breaches(guardrail_breaches(repository), repository.waivers, today())
    for breach in waived.open:
        yield breach.problem

"""Each waiver names a real breach, is in force, and is announced before it ends."""

from __future__ import annotations

from collections.abc import Iterator

from dpm_policy.governance.breaches import guardrail_breaches
from dpm_policy.governance.today import today
from dpm_policy.governance.waivers import EXPIRY_NOTICE_DAYS, in_force, split_breaches
from dpm_policy.model.names import SWITCHES
from dpm_policy.model.waiver import FORBIDDEN_PACKS, WaiverFile
from dpm_policy.problems import Problem
from dpm_policy.repository import Entry, Repository

__all__ = ["check"]


def _declared(repository: Repository, waiver: WaiverFile) -> bool:
    env = repository.environment_index().get(waiver.environment)
    guardrails = env.model.guardrails if env is not None else None
    if guardrails is None:
        return False
    if waiver.guardrail == FORBIDDEN_PACKS:
        return bool(guardrails.forbidden_packs)
    if waiver.guardrail in SWITCHES:
        return waiver.guardrail in (guardrails.switches or {})
    return waiver.guardrail in (guardrails.settings or {})


def _reference_problems(repository: Repository, entry: Entry[WaiverFile]) -> Iterator[Problem]:
    """What the waiver names that does not exist, or does not fit its guardrail."""
    waiver, document = entry.model, entry.document
    if waiver.environment not in repository.environment_index():
        if not repository.is_invalid("environment", waiver.environment):
            yield Problem(
                entry.file,
                document.position(("environment",)),
                "dangling-reference",
                f"environment is '{waiver.environment}', but there is no "
                f"environments/{waiver.environment}.yaml; correct the name",
            )
        return
    if not _declared(repository, waiver):
        yield Problem(
            entry.file,
            document.position(("guardrail",)),
            "dangling-reference",
            f"{waiver.environment} has no guardrail on {waiver.guardrail}, so the waiver lets "
            "nothing pass; correct the guardrail's name or delete the waiver",
        )
        return
    is_switch = waiver.guardrail in SWITCHES
    if is_switch and (waiver.pack or waiver.tenant):
        key = "pack" if waiver.pack else "tenant"
        yield Problem(
            entry.file,
            document.position((key,)),
            "waiver-subject",
            f"{waiver.guardrail} is a switch of {waiver.environment} itself; remove {key}",
        )
    elif not is_switch and waiver.pack is None and waiver.tenant is None:
        needs = "pack or tenant" if waiver.guardrail == FORBIDDEN_PACKS else "pack"
        yield Problem(
            entry.file,
            document.position(("guardrail",)),
            "waiver-subject",
            f"the waiver names no {needs}; add the {needs} whose breach it lets pass",
        )
    if (
        waiver.pack is not None
        and waiver.pack not in repository.pack_index()
        and not repository.is_invalid("pack", waiver.pack)
    ):
        yield Problem(
            entry.file,
            document.position(("pack",)),
            "dangling-reference",
            f"pack is '{waiver.pack}', but no pack has that id; correct the id or delete "
            "the waiver",
        )
    if (
        waiver.tenant is not None
        and waiver.tenant not in repository.tenant_index()
        and not repository.is_invalid("tenant", waiver.tenant)
    ):
        yield Problem(
            entry.file,
            document.position(("tenant",)),
            "dangling-reference",
            f"tenant is '{waiver.tenant}', but no tenant has that id; correct the id or "
            "delete the waiver",
        )


def check(repository: Repository) -> Iterator[Problem]:
    """A waiver (``waivers/<waiver_id>.yaml``) names an existing environment, one of its
    guardrails, and the pack or tenant that breaks it (neither, for a switch). From the day
    after ``expires`` it is an error (and the breach it allowed is reported again); a waiver in
    force that matches no breach is an error, so none outlives its reason; one that ends within
    14 days is a warning. The day is today's date, or ``DPM_POLICY_TODAY`` / ``--today``."""
    if not repository.waivers:
        return
    day = today()
    used = split_breaches(guardrail_breaches(repository), repository.waivers, day).used
    for entry in repository.waivers:
        waiver = entry.model
        references = list(_reference_problems(repository, entry))
        yield from references
        expires = entry.document.position(("expires",))
        if not in_force(waiver, day):
            yield Problem(
                entry.file,
                expires,
                "waiver-expired",
                f"waiver '{waiver.waiver_id}' expired on {waiver.expires.isoformat()}, so the "
                "breach it allowed is reported again; fix the breach and delete the waiver, or "
                f"have {waiver.accepted_by} accept it again with a new expires date",
            )
            continue
        if references:
            continue
        if waiver.waiver_id not in used:
            yield Problem(
                entry.file,
                entry.document.position(("waiver_id",)),
                "waiver-unused",
                f"waiver '{waiver.waiver_id}' matches no breach of {waiver.environment}'s "
                f"{waiver.guardrail} guardrail any more; delete it",
            )
            continue
        left = (waiver.expires - day).days
        if left < EXPIRY_NOTICE_DAYS:
            when = "today" if left == 0 else f"in {left} day(s)"
            yield Problem(
                entry.file,
                expires,
                "waiver-expiring",
                f"waiver '{waiver.waiver_id}' ends {when} ({waiver.expires.isoformat()}); fix "
                f"the breach, or have {waiver.accepted_by} renew it",
                "warning",
            )

"""Which waivers are in force on a day, and which breaches they let pass.

A waiver matches a breach when it names the same guardrail, environment, pack and tenant (a
waiver of a switch names neither pack nor tenant). It is in force up to and including its
``expires`` day.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from dpm_policy.governance.breaches import Breach
from dpm_policy.model.waiver import WaiverFile
from dpm_policy.repository import Entry

__all__ = [
    "EXPIRY_NOTICE_DAYS",
    "Waived",
    "WaiverInForce",
    "WaiverKey",
    "breach_key",
    "in_force",
    "split_breaches",
    "waiver_key",
    "waivers_in_force",
]

# A waiver this close to its end is announced, so its owner renews it or the breach is fixed.
EXPIRY_NOTICE_DAYS = 14

WaiverKey = tuple[str, str, str | None, str | None]


def waiver_key(waiver: WaiverFile) -> WaiverKey:
    return (waiver.guardrail, waiver.environment, waiver.pack, waiver.tenant)


def breach_key(breach: Breach) -> WaiverKey:
    return (breach.guardrail, breach.environment, breach.pack, breach.tenant)


@dataclass(frozen=True)
class Waived:
    """The breaches left after the waivers in force, and the waivers that let one pass."""

    open: tuple[Breach, ...]
    used: frozenset[str]


def in_force(waiver: WaiverFile, day: datetime.date) -> bool:
    return day <= waiver.expires


def split_breaches(
    breaches: Iterable[Breach], waivers: Iterable[Entry[WaiverFile]], day: datetime.date
) -> Waived:
    """Let pass each breach that a waiver in force on ``day`` names exactly."""
    active: dict[WaiverKey, str] = {}
    for entry in waivers:
        if in_force(entry.model, day):
            active.setdefault(waiver_key(entry.model), entry.model.waiver_id)
    remaining: list[Breach] = []
    used: set[str] = set()
    for breach in breaches:
        waiver_id = active.get(breach_key(breach))
        if waiver_id is None:
            remaining.append(breach)
        else:
            used.add(waiver_id)
    return Waived(tuple(remaining), frozenset(used))


@dataclass(frozen=True)
class WaiverInForce:
    """A waiver in force on a day, for reports: what it lets pass, who accepted it, when it
    ends, and whether that is within the notice period."""

    waiver_id: str
    file: str
    environment: str
    guardrail: str
    subject: str | None
    accepted_by: str
    expires: datetime.date
    days_left: int

    @property
    def ending_soon(self) -> bool:
        return self.days_left < EXPIRY_NOTICE_DAYS


def waivers_in_force(
    waivers: Iterable[Entry[WaiverFile]], day: datetime.date
) -> tuple[WaiverInForce, ...]:
    """The waivers in force on ``day``, the soonest to end first."""
    found = [
        WaiverInForce(
            entry.model.waiver_id,
            entry.file,
            entry.model.environment,
            entry.model.guardrail,
            entry.model.pack or entry.model.tenant,
            entry.model.accepted_by,
            entry.model.expires,
            (entry.model.expires - day).days,
        )
        for entry in waivers
        if in_force(entry.model, day)
    ]
    return tuple(sorted(found, key=lambda waiver: (waiver.expires, waiver.waiver_id)))

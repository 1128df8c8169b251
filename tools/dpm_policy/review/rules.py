"""The change rules a pull request must keep, one small function each, listed in one registry.

Each rule compares the base and head sources (flattened, so a change that reaches a pack
through its ``extends`` chain counts) and returns problems positioned in the head's files.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass

from dpm_policy.inheritance import FlatPack
from dpm_policy.problems import Position, Problem, sort_problems
from dpm_policy.review.compiled import CompiledSide
from dpm_policy.review.model import FieldChange
from dpm_policy.review.values import field_changes

__all__ = ["DEFAULT_PROTECTED", "RULES", "RuleContext", "check_rules"]

DEFAULT_PROTECTED: tuple[str, ...] = ("prod",)


@dataclass(frozen=True)
class RuleContext:
    """Both sides of the review and the environments that may not change in place."""

    base: CompiledSide
    head: CompiledSide
    protected: tuple[str, ...]


def _values(pack: FlatPack) -> dict[str, object]:
    return {path: setting.value for path, setting in pack.settings.items()}


def _content_changes(context: RuleContext, pack_id: str) -> tuple[FieldChange, ...]:
    before, after = context.base.flat.get(pack_id), context.head.flat.get(pack_id)
    if before is None or after is None:
        return ()
    return field_changes(_values(before), _values(after))


def _summary(changes: Sequence[FieldChange]) -> str:
    shown = [f"{c.path} {c.old or 'unset'} → {c.new or 'unset'}" for c in changes[:3]]
    more = f" and {len(changes) - 3} more" if len(changes) > 3 else ""
    return ", ".join(shown) + more


def _what(context: RuleContext, pack_id: str, changes: Sequence[FieldChange]) -> str:
    """The changes, and the base pack they came through when the pack did not write them."""
    pack = context.head.flat[pack_id]
    sources = {
        pack.settings[c.path.split("[", 1)[0]].pack_id
        for c in changes
        if c.path.split("[", 1)[0] in pack.settings
    }
    inherited = sorted(source for source in sources if source != pack_id)
    through = f"through {', '.join(repr(i) for i in inherited)}: " if inherited else ""
    return f"({through}{_summary(changes)})"


def _where(context: RuleContext, pack_id: str, changes: Sequence[FieldChange]) -> Position:
    """The pack's own line for the first change it writes itself, else its ``extends``."""
    pack = context.head.flat[pack_id]
    entry = context.head.repository.pack_index()[pack_id]
    for change in changes:
        setting = pack.settings.get(change.path.split("[", 1)[0])
        if setting is not None and setting.pack_id == pack_id:
            return setting.position
    if entry.model.extends is not None:
        return entry.document.position(("extends",))
    return entry.document.position(("version",))


def version_bumped(context: RuleContext) -> Iterator[Problem]:
    """A pack whose content changed (its flattened settings, what the engine gets, including
    through a change in a pack it extends) must change its ``version``, so the engine's
    catalog and its clients can tell the two apart."""
    for pack_id, after in context.head.flat.items():
        before = context.base.flat.get(pack_id)
        if before is None or before.version != after.version:
            continue
        changes = _content_changes(context, pack_id)
        if not changes:
            continue
        entry = context.head.repository.pack_index()[pack_id]
        yield Problem(
            entry.file,
            entry.document.position(("version",)),
            "version-not-bumped",
            f"pack '{pack_id}' changed {_what(context, pack_id, changes)} "
            f'but its version is still "{after.version}"; '
            "change the version",
        )


def _next_id(pack_id: str, taken: Collection[str]) -> str:
    """The first free id after ``pack_id``: ``dpm_x_v1`` -> ``dpm_x_v2`` (or v3 if taken)."""
    found = re.fullmatch(r"(.*_v)(\d+)", pack_id)
    stem, number = (found.group(1), int(found.group(2))) if found else (f"{pack_id}_v", 1)
    number += 1
    while f"{stem}{number}" in taken:
        number += 1
    return f"{stem}{number}"


def protected_not_mutated(context: RuleContext) -> Iterator[Problem]:
    """A pack that ships to a protected environment (prod) on the base side may not change in
    place: its clients would get the new settings at once, with no trial in the environments
    before it. Ship the change as a new pack and move tenants to it, or remove the pack from
    that environment in the same change. An environment whose ``approvals`` name owners for
    ``pack-changed-in-place`` (on the base side) is governed by that tier instead: the change
    lands once they approve it, so an emergency tightening can."""
    for env_name in context.protected:
        base_env = context.base.environment_file(env_name)
        head_env = context.head.environment_file(env_name)
        if base_env is None or head_env is None:
            continue
        if (base_env.model.approvals or {}).get("pack-changed-in-place"):
            continue
        still_shipped = set(head_env.model.packs)
        for pack_id in base_env.model.packs:
            if pack_id not in still_shipped or pack_id not in context.head.flat:
                continue
            changes = _content_changes(context, pack_id)
            if not changes:
                continue
            entry = context.head.repository.pack_index()[pack_id]
            yield Problem(
                entry.file,
                _where(context, pack_id, changes),
                "protected-in-place",
                f"pack '{pack_id}' ships to {env_name} and would change there in place "
                f"{_what(context, pack_id, changes)}; ship the change as a new pack (e.g. "
                f"'{_next_id(pack_id, context.head.flat)}') and move tenants to it, or remove "
                f"'{pack_id}' from {env_name} in this change",
            )


Rule = Callable[[RuleContext], Iterator[Problem]]

RULES: dict[str, Rule] = {
    "version-bumped": version_bumped,
    "protected-not-mutated": protected_not_mutated,
}


def check_rules(context: RuleContext) -> list[Problem]:
    """Every rule's problems, in file order."""
    problems: list[Problem] = []
    for rule in RULES.values():
        problems.extend(rule(context))
    return sort_problems(problems)

"""Pack inheritance: flatten ``extends`` chains into the settings the engine will get.

The engine knows no inheritance, so every pack is compiled to the full set of its own and
inherited settings. A child's setting replaces its base's; ``group_constraints`` is one setting,
replaced whole, as the engine itself replaces a request's map rather than merging it. Every
setting keeps the file and position it came from, for ``explain`` and for reviewers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from dpm_policy.model.pack import PackHeader
from dpm_policy.problems import Position, Problem
from dpm_policy.repository import Entry, Repository
from dpm_policy.suggest import fix_for_unknown
from dpm_policy_runtime.fields import FIELDS

__all__ = [
    "MAX_CHAIN",
    "FlatPack",
    "Setting",
    "SettingValue",
    "flatten",
    "flatten_repository",
    "own_settings",
]

MAX_CHAIN = 8

SettingValue = Decimal | bool | int | dict[str, Decimal]


@dataclass(frozen=True)
class Setting:
    """One engine setting and where it was written."""

    value: SettingValue
    pack_id: str
    file: str
    position: Position


@dataclass(frozen=True)
class FlatPack:
    """A pack with its inheritance resolved: what the engine receives for it."""

    policy_pack_id: str
    version: str
    settings: dict[str, Setting]
    chain: tuple[str, ...]
    file: str


def own_settings(entry: Entry[PackHeader]) -> dict[str, Setting]:
    """The settings a pack file writes itself, keyed by dotted path, in the engine's order."""
    settings: dict[str, Setting] = {}
    pack_id = entry.model.policy_pack_id
    for spec in FIELDS:
        section = getattr(entry.model, spec.section, None)
        if section is None or spec.name not in section.model_fields_set:
            continue
        raw = getattr(section, spec.name)
        value: SettingValue
        if spec.kind == "group_constraints":
            value = {key: constraint.max_weight for key, constraint in sorted(raw.items())}
        else:
            value = raw
        position = entry.document.position((spec.section, spec.name))
        settings[spec.path] = Setting(value, pack_id, entry.file, position)
    return settings


def _chain(
    pack_id: str, packs: Mapping[str, Entry[PackHeader]]
) -> tuple[list[str], Problem | None]:
    """The ids from ``pack_id`` up to its root, or the problem that breaks the chain."""
    chain = [pack_id]
    current = packs[pack_id]
    while current.model.extends is not None:
        base = current.model.extends
        position = current.document.position(("extends",))
        if base in chain:
            loop = " -> ".join([*chain[chain.index(base) :], base])
            return chain, Problem(
                current.file,
                position,
                "extends-cycle",
                f"pack '{current.model.policy_pack_id}' is part of an inheritance cycle "
                f"({loop}); remove one of the extends",
            )
        if base not in packs:
            return chain, Problem(
                current.file,
                position,
                "dangling-reference",
                f"extends '{base}', but no pack has that id; "
                + fix_for_unknown(base, packs, f"add packs/{base}.yaml or correct the id"),
            )
        if len(chain) >= MAX_CHAIN:
            return chain, Problem(
                current.file,
                position,
                "extends-depth",
                f"the inheritance chain of '{pack_id}' is longer than {MAX_CHAIN} packs; "
                "flatten some of it",
            )
        chain.append(base)
        current = packs[base]
    return chain, None


def flatten(packs: Mapping[str, Entry[PackHeader]]) -> tuple[dict[str, FlatPack], list[Problem]]:
    """Resolve every pack's chain. Packs whose chain is broken are reported and left out."""
    own = {pack_id: own_settings(entry) for pack_id, entry in packs.items()}
    flat: dict[str, FlatPack] = {}
    problems: list[Problem] = []
    reported: set[tuple[str, str]] = set()
    for pack_id, entry in packs.items():
        chain, problem = _chain(pack_id, packs)
        if problem is not None:
            key = (problem.file, problem.code)
            if key not in reported:
                reported.add(key)
                problems.append(problem)
            continue
        settings: dict[str, Setting] = {}
        for ancestor in reversed(chain):
            settings.update(own[ancestor])
        flat[pack_id] = FlatPack(pack_id, entry.model.version, settings, tuple(chain), entry.file)
        if len(chain) > 1:
            problems.extend(_redundant_overrides(entry, own[pack_id], chain[1:], own))
    return flat, problems


def _redundant_overrides(
    entry: Entry[PackHeader],
    mine: dict[str, Setting],
    ancestors: list[str],
    own: Mapping[str, dict[str, Setting]],
) -> list[Problem]:
    inherited: dict[str, Setting] = {}
    for ancestor in reversed(ancestors):
        inherited.update(own[ancestor])
    problems = []
    for path, setting in mine.items():
        base = inherited.get(path)
        if base is not None and base.value == setting.value:
            problems.append(
                Problem(
                    setting.file,
                    setting.position,
                    "redundant-override",
                    f"{path} repeats the value it inherits from '{base.pack_id}' "
                    f"({base.file}:{base.position.line}); remove it to inherit the value",
                    "warning",
                )
            )
    return problems


def _on_invalid_base(packs: Mapping[str, Entry[PackHeader]], repository: Repository) -> set[str]:
    """Packs whose chain reaches a pack file that is present but invalid.

    That file's own problems are reported; its heirs cannot be resolved until it is fixed, and
    calling their base missing would send the author to the wrong file.
    """
    blocked: set[str] = set()
    for pack_id in packs:
        chain: list[str] = []
        current: str | None = pack_id
        while current is not None and current in packs and current not in chain:
            if len(chain) > MAX_CHAIN:
                break
            chain.append(current)
            current = packs[current].model.extends
        if current is not None and current not in packs and repository.is_invalid("pack", current):
            blocked.update(chain)
    return blocked


def flatten_repository(repository: Repository) -> tuple[dict[str, FlatPack], list[Problem]]:
    """Every pack of ``repository`` flattened, and the problems found doing it; computed once
    per repository and kept on it. Packs whose chain reaches an invalid pack file are left out
    without a problem of their own (that file's problems say what to fix)."""
    if repository.flattened is None:
        packs = repository.pack_index()
        blocked = _on_invalid_base(packs, repository)
        repository.flattened = flatten({k: v for k, v in packs.items() if k not in blocked})
    flat, problems = repository.flattened
    return flat, list(problems)

"""Breaches of the environments' guardrails, as values a waiver can match.

Every pack that ships to an environment is checked with its settings flattened (a breach
inherited from a base pack is reported at the base's line, once for each pack that ships it),
then the environment's switches, then forbidden packs among those shipped and among tenants'
packs there. Each breach names its subject (the pack, the tenant, or the environment itself) so
a waiver can let exactly that one pass.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from dpm_policy.inheritance import FlatPack, Setting, flatten
from dpm_policy.model import EnvironmentFile
from dpm_policy.model.guardrails import SettingGuardrail, SwitchGuardrail
from dpm_policy.model.tenant import effective_pack, effective_pack_path
from dpm_policy.model.waiver import FORBIDDEN_PACKS
from dpm_policy.problems import Position, Problem
from dpm_policy.repository import Entry, Repository
from dpm_policy.shown import shown
from dpm_policy_runtime.fields import FIELDS_BY_PATH

__all__ = ["Breach", "guardrail_breaches", "setting_misfit", "switch_misfit"]


@dataclass(frozen=True)
class Breach:
    """One value that crosses one guardrail of one environment."""

    guardrail: str
    environment: str
    pack: str | None
    tenant: str | None
    problem: Problem


def setting_misfit(path: str, rule: SettingGuardrail) -> str | None:
    """Why ``rule`` cannot mean anything for the setting at ``path``; None when it fits."""
    kind = FIELDS_BY_PATH[path].kind
    if kind == "bool" and (rule.max is not None or rule.min is not None):
        return (
            f"{path} is true or false, so max and min mean nothing for it; "
            "write equals: true or equals: false"
        )
    if kind == "group_constraints" and rule.equals is not None:
        return f"{path} holds one cap per group; bound them with max or min, not equals"
    if kind != "bool" and isinstance(rule.equals, bool):
        return (
            f"{path} is a number, but equals is {shown(rule.equals)}; write a number, "
            "or max and min"
        )
    if kind == "bool" and rule.equals is not None and not isinstance(rule.equals, bool):
        return f"{path} is true or false, but equals is {shown(rule.equals)}; write true or false"
    return None


def switch_misfit(switch: str, rule: SwitchGuardrail) -> str | None:
    """Why ``rule`` cannot mean anything for ``switch``; None when it fits."""
    wants_id = switch == "default_policy_pack"
    if rule.equals is not None and isinstance(rule.equals, bool) == wants_id:
        what = "a pack id" if wants_id else "true or false"
        return f"{switch} is {what}; write equals as {what}"
    if rule.required and not wants_id:
        return f"{switch} is always set; write equals: true or equals: false instead of required"
    return None


def _located(env: Entry[EnvironmentFile], path: tuple[str | int, ...]) -> str:
    position = env.document.position(path, key=True)
    return f"{env.file}:{position.line}:{position.col}"


def _because(rule: SettingGuardrail | SwitchGuardrail) -> str:
    return f" ({rule.reason})" if rule.reason else ""


def _fix(what: str) -> str:
    return f"{what}, or record an accepted exception in waivers/"


def _setting_breaches(
    env: Entry[EnvironmentFile],
    path: str,
    rule: SettingGuardrail,
    pack: FlatPack,
    repository: Repository,
) -> Iterator[tuple[Position, str, str, str]]:
    """(position, file, code, message) of each way ``pack`` crosses ``rule``."""
    name = env.model.environment
    where = _located(env, ("guardrails", "settings", path))
    setting = pack.settings.get(path)
    subject = f"pack '{pack.policy_pack_id}' ships to {name}"
    if setting is None:
        if rule.required or rule.equals is not None:
            entry = repository.pack_index()[pack.policy_pack_id]
            wanted = f" to {shown(rule.equals)}" if rule.equals is not None else ""
            yield (
                entry.document.position(("policy_pack_id",)),
                entry.file,
                "guardrail-required",
                f"{subject} without setting {path}, which the guardrail at {where} requires"
                f"{wanted}{_because(rule)}; {_fix(f'set {path}{wanted}')}",
            )
        return
    inherited = (
        f" (inherited from '{setting.pack_id}')" if setting.pack_id != pack.policy_pack_id else ""
    )
    for label, value, position in _values(path, setting, repository):
        held = f"{label} {shown(value)}{inherited}"
        if rule.equals is not None and value != rule.equals:
            yield (
                position,
                setting.file,
                "guardrail-equals",
                f"{subject} with {held}, but the guardrail at {where} requires "
                f"{shown(rule.equals)}{_because(rule)}; {_fix(f'set {shown(rule.equals)}')}",
            )
        if isinstance(value, bool):
            continue
        if rule.max is not None and value > rule.max:
            yield (
                position,
                setting.file,
                "guardrail-max",
                f"{subject} with {held}, above the guardrail's max {shown(rule.max)} at "
                f"{where}{_because(rule)}; {_fix(f'lower it to at most {shown(rule.max)}')}",
            )
        if rule.min is not None and value < rule.min:
            yield (
                position,
                setting.file,
                "guardrail-min",
                f"{subject} with {held}, below the guardrail's min {shown(rule.min)} at "
                f"{where}{_because(rule)}; {_fix(f'raise it to at least {shown(rule.min)}')}",
            )


def _values(
    path: str, setting: Setting, repository: Repository
) -> Iterator[tuple[str, bool | int | Decimal, Position]]:
    """A setting's value, or each group's ``max_weight``, named and with its own position."""
    if not isinstance(setting.value, dict):
        yield path, setting.value, setting.position
        return
    entry = repository.pack_index()[setting.pack_id]
    for key, weight in setting.value.items():
        position = entry.document.position(
            ("constraint_policy", "group_constraints", key, "max_weight")
        )
        yield f"{path}['{key}'].max_weight", weight, position


def _switch_breach(
    env: Entry[EnvironmentFile], switch: str, rule: SwitchGuardrail
) -> Problem | None:
    name = env.model.environment
    where = _located(env, ("guardrails", "switches", switch))
    value = getattr(env.model, switch)
    if value is None:
        if not (rule.required or rule.equals is not None):
            return None
        wanted = f" to {shown(rule.equals)}" if rule.equals is not None else ""
        return Problem(
            env.file,
            env.document.position(("environment",)),
            "guardrail-required",
            f"{name} does not set {switch}, which the guardrail at {where} requires{wanted}"
            f"{_because(rule)}; {_fix(f'set {switch}{wanted}')}",
        )
    if rule.equals is None or value == rule.equals:
        return None
    return Problem(
        env.file,
        env.document.position((switch,)),
        "guardrail-equals",
        f"{name} sets {switch} to {shown(value)}, but the guardrail at {where} requires "
        f"{shown(rule.equals)}{_because(rule)}; {_fix(f'set it to {shown(rule.equals)}')}",
    )


def _forbidden(env: Entry[EnvironmentFile], repository: Repository) -> Iterator[Breach]:
    name = env.model.environment
    forbidden = env.model.guardrails.forbidden_packs if env.model.guardrails else None
    if not forbidden:
        return
    index = {pack_id: i for i, pack_id in enumerate(forbidden)}
    for position, pack_id in enumerate(env.model.packs):
        if pack_id in index:
            where = _located(env, ("guardrails", FORBIDDEN_PACKS, index[pack_id]))
            problem = Problem(
                env.file,
                env.document.position(("packs", position)),
                "guardrail-forbidden",
                f"'{pack_id}' ships to {name}, but the guardrail at {where} forbids it there; "
                + _fix("remove it from packs"),
            )
            yield Breach(FORBIDDEN_PACKS, name, pack_id, None, problem)
    for tenant in repository.tenants:
        pack_id = effective_pack(tenant.model, name)
        if pack_id in index:
            where = _located(env, ("guardrails", FORBIDDEN_PACKS, index[pack_id]))
            problem = Problem(
                tenant.file,
                tenant.document.position(effective_pack_path(tenant.model, name)),
                "guardrail-forbidden",
                f"tenant '{tenant.model.tenant_id}' gets '{pack_id}' in {name}, but the "
                f"guardrail at {where} forbids that pack there; "
                + _fix(f"give the tenant another pack in {name}"),
            )
            yield Breach(FORBIDDEN_PACKS, name, None, tenant.model.tenant_id, problem)


def guardrail_breaches(repository: Repository) -> list[Breach]:
    """Every breach of every environment's guardrails, waived or not."""
    guarded = [env for env in repository.environments if env.model.guardrails is not None]
    if not guarded:
        return []
    flat, _ = flatten(repository.pack_index())  # broken chains are the extends check's
    found: list[Breach] = []
    for env in guarded:
        guardrails = env.model.guardrails
        assert guardrails is not None
        name = env.model.environment
        shipped = [flat[pack_id] for pack_id in dict.fromkeys(env.model.packs) if pack_id in flat]
        for path, rule in (guardrails.settings or {}).items():
            if setting_misfit(path, rule) is not None:
                continue  # reported by the check; evaluating it would only mislead
            for pack in shipped:
                for position, file, code, message in _setting_breaches(
                    env, path, rule, pack, repository
                ):
                    problem = Problem(file, position, code, message)
                    found.append(Breach(path, name, pack.policy_pack_id, None, problem))
        for switch, switch_rule in (guardrails.switches or {}).items():
            if switch_misfit(switch, switch_rule) is not None:
                continue
            switch_problem = _switch_breach(env, switch, switch_rule)
            if switch_problem is not None:
                found.append(Breach(switch, name, None, None, switch_problem))
        found.extend(_forbidden(env, repository))
    return found

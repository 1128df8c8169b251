"""The review of a change: two compiled trees compared per environment, and the change rules.

``diff_report`` reads the base (and, if asked, the head) from git's objects, compiles the head
with the compiler's library into a temporary folder and builds the base in memory
(``review.compiled``), takes each environment as the runtime resolver reads it, and compares
what the engine would get. A file whose bytes are the same on both sides is parsed and checked
against its model once. The renderers in ``RENDERERS`` turn the
result into a pull-request comment (markdown) or JSON.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Sequence
from pathlib import Path

from dpm_policy.compile.verify import SharedPacks
from dpm_policy.governance.today import today
from dpm_policy.governance.waivers import waivers_in_force
from dpm_policy.repository import DocumentCache
from dpm_policy.review.approvals import required_approvals
from dpm_policy.review.compare import compare_environment
from dpm_policy.review.compiled import CompiledSide, build_side, compile_side
from dpm_policy.review.model import ApprovalStatus, EnvironmentDiff, FailedSide, Review
from dpm_policy.review.render import RENDERERS
from dpm_policy.review.rules import DEFAULT_PROTECTED, RULES, RuleContext, check_rules
from dpm_policy.review.sources import ref_side, working_tree

__all__ = [
    "DEFAULT_PROTECTED",
    "RENDERERS",
    "RULES",
    "FailedSide",
    "Review",
    "compare_sides",
    "diff_report",
    "promotion_order",
]


def _promotion_depth(name: str, base: CompiledSide, head: CompiledSide) -> int:
    """How many environments ``name`` is promoted through: prod (from uat, from dev) is 2."""
    depth, seen = 0, {name}
    current: str | None = name
    while current is not None:
        entry = head.environment_file(current) or base.environment_file(current)
        current = entry.model.promotes_from if entry is not None else None
        if current is None or current in seen:
            break
        seen.add(current)
        depth += 1
    return depth


def promotion_order(base: CompiledSide, head: CompiledSide) -> list[str]:
    """Every environment of either side, the most protected first: the one promoted through
    the most others (prod, then uat, then dev), then by name."""
    names = set(base.environments) | set(head.environments)
    return sorted(names, key=lambda name: (-_promotion_depth(name, base, head), name))


def _collapse(environments: Sequence[EnvironmentDiff]) -> tuple[EnvironmentDiff, ...]:
    """Mark each changed environment whose changes equal a more protected one's."""
    seen: dict[object, str] = {}
    result = []
    for env in environments:
        if env.changed:
            signature = (env.packs, env.tenants, env.settings, env.unmapped, env.requests)
            first = seen.setdefault(signature, env.environment)
            if first != env.environment:
                env = dataclasses.replace(env, same_as=first)
        result.append(env)
    return tuple(result)


def compare_sides(
    base: CompiledSide,
    head: CompiledSide,
    *,
    protected: Sequence[str] = DEFAULT_PROTECTED,
    base_label: str | None = None,
    head_label: str | None = None,
) -> Review:
    """The review of two compiled sides, environments the most protected first; when a side
    does not compile, a review that names it and its problems."""
    failed = tuple(
        FailedSide(compiled.side.label, compiled.problems)
        for compiled in (base, head)
        if not compiled.compiles
    )
    if failed:
        return Review(
            base_label or base.side.title or base.side.label,
            head_label or head.side.title or head.side.label,
            (),
            (),
            failed,
        )
    environments = _collapse(
        [
            compare_environment(name, base.environments.get(name), head.environments.get(name))
            for name in promotion_order(base, head)
        ]
    )
    violations = check_rules(RuleContext(base, head, tuple(protected)))
    required = required_approvals(
        environments,
        base.repository.environment_index(),
        head.repository.environment_index(),
    )
    return Review(
        base_label or base.side.title or base.side.label,
        head_label or head.side.title or head.side.label,
        environments,
        tuple(violations),
        approvals=tuple(ApprovalStatus(item) for item in required),
        waivers=waivers_in_force(head.repository.waivers, today()),
    )


def diff_report(
    *,
    root: Path,
    base: str,
    head: str | None = None,
    protected: Sequence[str] = DEFAULT_PROTECTED,
    base_label: str | None = None,
    head_label: str | None = None,
) -> Review:
    """Compare the commit ``base`` with ``head`` (a ref, or the working tree when None).

    The report names each side by its label: the given one, else the ref and its commit.

    Raises ``UsageError`` for a ref that names no commit; a side with errors makes a review
    whose ``failed`` names it with its problems.
    """
    cache, shared = DocumentCache(), SharedPacks()
    with tempfile.TemporaryDirectory(prefix="dpm-policy-review-") as temporary:
        base_side = ref_side(root, base)
        head_side = working_tree(root) if head is None else ref_side(root, head)
        out = Path(temporary) / "dist-head"
        compiled_head = compile_side(head_side, out, cache=cache, shared=shared)
        compiled_base = build_side(base_side, cache=cache, shared=shared)
        return compare_sides(
            compiled_base,
            compiled_head,
            protected=protected,
            base_label=base_label,
            head_label=head_label,
        )

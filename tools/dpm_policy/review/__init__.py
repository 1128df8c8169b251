"""The review of a change: two compiled trees compared per environment, and the change rules.

``diff_report`` reads the base (and, if asked, the head) from git's objects, compiles both sides
with the compiler's library into temporary folders, reads each environment back with the runtime
resolver, and compares what the engine would get. The renderers in ``RENDERERS`` turn the
result into a pull-request comment (markdown) or JSON.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from dpm_policy.review.compare import compare_environment
from dpm_policy.review.compiled import CompiledSide, SideDoesNotCompile, compile_side
from dpm_policy.review.model import Review
from dpm_policy.review.render import RENDERERS
from dpm_policy.review.rules import DEFAULT_PROTECTED, RULES, RuleContext, check_rules
from dpm_policy.review.sources import ref_side, working_tree

__all__ = [
    "DEFAULT_PROTECTED",
    "RENDERERS",
    "RULES",
    "Review",
    "SideDoesNotCompile",
    "compare_sides",
    "diff_report",
]


def compare_sides(
    base: CompiledSide, head: CompiledSide, *, protected: Sequence[str] = DEFAULT_PROTECTED
) -> Review:
    """The review of two compiled sides."""
    names = sorted(set(base.environments) | set(head.environments))
    environments = tuple(
        compare_environment(name, base.environments.get(name), head.environments.get(name))
        for name in names
    )
    violations = check_rules(RuleContext(base, head, tuple(protected)))
    return Review(base.side.label, head.side.label, environments, tuple(violations))


def diff_report(
    *,
    root: Path,
    base: str,
    head: str | None = None,
    protected: Sequence[str] = DEFAULT_PROTECTED,
) -> Review:
    """Compare the commit ``base`` with ``head`` (a ref, or the working tree when None).

    Raises ``UsageError`` for a ref that names no commit and ``SideDoesNotCompile`` when a
    side has errors.
    """
    with tempfile.TemporaryDirectory(prefix="dpm-policy-review-") as temporary:
        folder = Path(temporary)
        base_side = ref_side(root, base)
        head_side = working_tree(root) if head is None else ref_side(root, head)
        compiled_base = compile_side(base_side, folder / "dist-base")
        compiled_head = compile_side(head_side, folder / "dist-head")
        return compare_sides(compiled_base, compiled_head, protected=protected)

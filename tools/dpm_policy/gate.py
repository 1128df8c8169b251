"""The pull-request gate in one pass: every check the separate commands make on a change.

``run_gate`` validates the head, checks that the generated files (schemas, CODEOWNERS) are
current and that every policy file is formatted, runs the policy tests on the head's compiled
output, and reviews the change against the base with its change rules. Each step is the library
function its own command calls (``validate``, ``check_schemas``, ``check_codeowners``,
``format_sources``, ``answer_policy_tests``, ``compare_sides``), so the gate reports what
those commands report, no more and no less.

What makes it one pass: each file of the head is read once (``ReadOnce``) and serves every step;
the head is validated once, and that validation is what it compiles, what CODEOWNERS is built
from and what the policy tests run on; and a file whose bytes are the same on both sides (nearly
all of them, in a pull request) is parsed and checked against its model once (``LoadCache``).
"""

from __future__ import annotations

import dataclasses
import datetime
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from dpm_policy.codeowners import CODEOWNERS_PATH, check_codeowners, codeowners_problems
from dpm_policy.compile.pipeline import CompileResult, compile_repository
from dpm_policy.compile.verify import SharedPacks
from dpm_policy.files import read_text_if_present
from dpm_policy.fmt import format_sources, formatting_problems
from dpm_policy.fmt.files import tree_policy_files
from dpm_policy.governance.policy_tests import answer_policy_tests
from dpm_policy.governance.today import fixed_today
from dpm_policy.load.trees import GitTree, ReadOnce
from dpm_policy.problems import Problem, sort_problems
from dpm_policy.repository import DocumentCache
from dpm_policy.review import DEFAULT_PROTECTED, Review, compare_sides
from dpm_policy.review.approvals import check_approvals
from dpm_policy.review.compiled import CompiledSide, build_side, read_compiled
from dpm_policy.review.sources import Side, ref_side, working_tree
from dpm_policy.schema import check_schemas, schema_problems
from dpm_policy.validate import validate

__all__ = ["STEPS", "GateResult", "GateStep", "run_gate"]

# The steps, in the order the workflow ran them as separate commands, each with what it stands
# for.
STEPS: dict[str, str] = {
    "validate": "dpm-policy validate",
    "schema": "dpm-policy schema --check",
    "codeowners": "dpm-policy codeowners --check",
    "fmt": "dpm-policy fmt --check",
    "test": "dpm-policy test",
    "review": "dpm-policy diff --check",  # the change rules, and the approvals when given
}


@dataclass(frozen=True)
class GateStep:
    """One step of the gate and the problems it found (as its own command reports them)."""

    name: str
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> int:
        return sum(1 for problem in self.problems if problem.is_error)

    @property
    def warnings(self) -> int:
        return len(self.problems) - self.errors


@dataclass(frozen=True)
class GateResult:
    """Every step's problems, and the review of the change."""

    steps: tuple[GateStep, ...]
    review: Review

    @property
    def problems(self) -> list[Problem]:
        """Every problem once (steps that read the same file may find the same problem), in
        file order."""
        unique = dict.fromkeys(problem for step in self.steps for problem in step.problems)
        return sort_problems(list(unique))

    @property
    def ok(self) -> bool:
        return not any(step.errors for step in self.steps)


def _reader(side: Side, tree: GitTree | None) -> Callable[[str], str | None]:
    """How a generated file of ``side`` is read: from disk for the working tree, else from
    the commit's objects (whole, whatever its size)."""
    if tree is None:
        return lambda name: read_text_if_present(side.root / name)

    def read(name: str) -> str | None:
        raw = tree.whole(name)
        if raw is None:
            return None
        # Read as the separate commands read the file on disk: UTF-8, line breaks as line feeds.
        return raw.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")

    return read


def _formatting(side: Side) -> list[Problem]:
    """``fmt --check`` on the side's policy files, each read through the side's tree (once,
    when the tree reads each file once)."""
    result = format_sources(
        root=side.root, tree=side.tree, names=tree_policy_files(side.tree), check=True
    )
    return formatting_problems(result)


def _policy_tests(head: CompiledSide, compiled: CompileResult) -> list[Problem]:
    """``dpm-policy test`` on the head as compiled for the review: the problems that keep the
    tests from running, else each failed expectation."""
    if not compiled.ok:
        return sort_problems(compiled.problems)
    runtimes = {name: env.runtime for name, env in head.environments.items()}
    return answer_policy_tests(head.side.root, head.repository.policy_tests, runtimes).problems


def _head(root: Path, head: str | None) -> tuple[Side, GitTree | None]:
    side = working_tree(root) if head is None else ref_side(root, head)
    git_tree = side.tree if isinstance(side.tree, GitTree) else None
    return dataclasses.replace(side, tree=ReadOnce(side.tree)), git_tree


def run_gate(
    *,
    root: Path,
    base: str,
    head: str | None = None,
    protected: Sequence[str] = DEFAULT_PROTECTED,
    base_label: str | None = None,
    head_label: str | None = None,
    today: datetime.date | None = None,
    pull_request: Path | None = None,
    reviews: Path | None = None,
    team_members: Path | None = None,
) -> GateResult:
    """Check the change from the commit ``base`` to ``head`` (a ref, or the working tree when
    None) as the pull-request workflow does, judging waivers as on ``today``; with the pull
    request's reviews (``pull_request`` and ``reviews``, GitHub's answers saved as JSON), its
    required approvals too (``review.approvals.check_approvals``).

    Raises ``UsageError`` for a ref that names no commit or reviews of another head, and
    ``InputError`` when the head is not a policy repository or a file cannot be read.
    """
    cache, shared = DocumentCache(), SharedPacks()
    head_side, head_git = _head(root, head)
    base_side = ref_side(root, base)
    with fixed_today(today), tempfile.TemporaryDirectory(prefix="dpm-policy-check-") as temporary:
        folder = Path(temporary)
        validation = validate(root=root, tree=head_side.tree, cache=cache)
        compiled = compile_repository(
            root=root,
            out=folder / "dist-head",
            source_commit=head_side.commit,
            tree=head_side.tree,
            validation=validation,
            shared=shared,
        )
        compiled_head = read_compiled(head_side, compiled)
        compiled_base = build_side(base_side, cache=cache, shared=shared)
        review = check_approvals(
            compare_sides(
                compiled_base,
                compiled_head,
                protected=protected,
                base_label=base_label,
                head_label=head_label,
            ),
            root=root,
            base=base,
            head=head,
            pull_request=pull_request,
            reviews=reviews,
            team_members=team_members,
        )
        read_generated = _reader(head_side, head_git)
        steps = {
            "validate": validation.problems,
            "schema": schema_problems(check_schemas(read_generated)),
            "codeowners": codeowners_problems(
                check_codeowners(validation, lambda: read_generated(CODEOWNERS_PATH))
            ),
            "fmt": _formatting(head_side),
            "test": _policy_tests(compiled_head, compiled),
            "review": list(review.problems),
        }
    return GateResult(
        tuple(GateStep(name, tuple(steps[name])) for name in STEPS),
        review,
    )

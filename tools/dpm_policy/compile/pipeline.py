"""``compile_repository``: validate, build every environment, verify, then swap the outputs in.

Nothing is written when validation finds an error. Otherwise every requested environment is
built and checked against its size budget in memory, written to a temporary folder and read
back; only when all of them pass are they swapped in, so one bad environment leaves every
previous output untouched.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from dpm_policy.compile.commit import detect_source_commit
from dpm_policy.compile.environment import EnvironmentOutput, build_environment
from dpm_policy.compile.output import Staged, discard, stage, swap_in
from dpm_policy.compile.verify import SharedPacks
from dpm_policy.errors import UsageError
from dpm_policy.load.trees import SourceTree
from dpm_policy.model.types import DEFAULT_TENANT_MAP_DELIVERY, TenantMapDeliveryName
from dpm_policy.problems import Problem, sort_problems
from dpm_policy.repository import Repository
from dpm_policy.suggest import did_you_mean
from dpm_policy.validate import ValidationResult, validate
from dpm_policy_runtime import PolicyRuntime

__all__ = ["CompileResult", "WrittenEnvironment", "build_environments", "compile_repository"]


@dataclass(frozen=True)
class WrittenEnvironment:
    """One output folder that was replaced."""

    environment: str
    path: Path
    pack_count: int
    tenant_count: int
    configmap_name: str
    # What the strict reading of its env.json gave when it was verified: the snapshot the
    # engine's resolver holds, for a caller that goes on to read the output (the review, the
    # policy tests, explain) without reading the file again.
    runtime: PolicyRuntime
    tenant_map_delivery: TenantMapDeliveryName = DEFAULT_TENANT_MAP_DELIVERY


@dataclass(frozen=True)
class CompileResult:
    """Every problem found, and the folders written (none unless there was no error)."""

    problems: list[Problem]
    written: tuple[WrittenEnvironment, ...] = ()
    source_commit: str | None = None
    # False when validation failed, so nothing was built at all.
    validated: bool = True
    # The documents as validated, for callers that go on to read them (the review).
    repository: Repository | None = None

    @property
    def ok(self) -> bool:
        return not any(problem.is_error for problem in self.problems)


def _has_errors(problems: Sequence[Problem]) -> bool:
    return any(problem.is_error for problem in problems)


def build_environments(
    validation: ValidationResult,
    names: Sequence[str],
    *,
    source_commit: str | None,
    shared: SharedPacks | None = None,
) -> list[EnvironmentOutput]:
    """Every environment of ``names`` built in memory from a validation without errors (the
    packs' flattening is validation's, done once); each carries its own problems (sizes)."""
    known = validation.repository.environment_index()
    return [
        build_environment(
            validation.repository,
            known[name],
            validation.flat,
            source_commit=source_commit,
            shared=shared,
        )
        for name in names
    ]


def compile_repository(
    *,
    root: Path,
    out: Path | None = None,
    environments: Sequence[str] = (),
    source_commit: str | None = None,
    tree: SourceTree | None = None,
    validation: ValidationResult | None = None,
    shared: SharedPacks | None = None,
) -> CompileResult:
    """Compile ``environments`` (default: all) of the repository at ``root`` into ``out``.

    The sources are read from ``tree``, by default the folder ``root`` on disk. ``shared``
    records the packs verified, for a caller that reads more of the same packs (the review's
    base); by default each compile has its own.

    Raises ``UsageError`` for an unknown environment name and ``InputError`` when the
    repository cannot be read or the output cannot be written; problems in the files are
    returned, not raised.
    """
    # A caller that validated already (explain) hands its result on: loaded and flattened once.
    if validation is None:
        validation = validate(root=root, tree=tree)
    known = validation.repository.environment_index()
    unknown = [name for name in environments if name not in known]
    if unknown:
        hint = did_you_mean(unknown[0], known) if len(unknown) == 1 else None
        raise UsageError(
            f"unknown environment {', '.join(repr(n) for n in unknown)}; "
            + (hint or f"known: {', '.join(sorted(known)) or 'none'}")
        )
    if not validation.ok:
        return CompileResult(validation.problems, validated=False)
    target = (out if out is not None else root / "dist").absolute()
    commit = source_commit or detect_source_commit(root, ignore=target)
    names = list(dict.fromkeys(environments)) or sorted(known)
    # A pack shipping to several environments is verified once (``SharedPacks``).
    shared = SharedPacks() if shared is None else shared
    builds = build_environments(validation, names, source_commit=commit, shared=shared)
    problems = list(validation.problems)
    for build in builds:
        problems.extend(build.problems)
    if _has_errors(problems):
        return CompileResult(sort_problems(problems), source_commit=commit)
    existed = target.exists()
    staged: list[tuple[EnvironmentOutput, Staged]] = []
    # Each environment's strict reading, handed on with what was written: a verification that
    # finds nothing gives it, one that finds a problem stops the compile.
    runtimes: dict[str, PolicyRuntime] = {}
    try:
        for build in builds:
            folder = stage(target, build.environment, build.files)
            staged.append((build, folder))
            verified = build.verify(folder.temp, shared)
            problems.extend(verified.problems)
            if verified.runtime is not None:
                runtimes[build.environment] = verified.runtime
        if _has_errors(problems):
            return CompileResult(sort_problems(problems), source_commit=commit)
        written = []
        while staged:
            build, folder = staged.pop(0)
            swap_in(folder)
            written.append(
                WrittenEnvironment(
                    build.environment,
                    folder.target,
                    len(build.catalog),
                    len(build.tenant_map),
                    build.configmap_name,
                    runtimes[build.environment],
                    build.tenant_map_delivery,
                )
            )
        return CompileResult(
            sort_problems(problems), tuple(written), commit, repository=validation.repository
        )
    finally:
        for _, folder in staged:
            discard(folder)
        if not existed:
            with contextlib.suppress(OSError):
                target.rmdir()  # only when it is still empty: nothing was written

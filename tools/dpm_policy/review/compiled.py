"""The two sides of a review, each environment as the engine's resolver would hold it.

The head is what ships, so it is compiled as ``dpm-policy compile`` compiles it (written to a
temporary folder, every file read back strictly and as the engine reads it, against the
source), and the review takes the strict reading the verification made. The base is what the
change replaces: each environment is built in memory as compile would write it (its size
budget included) and its ``env.json`` bytes read strictly through the runtime and compared with
the base's sources, the reading the review needs, without the files written and read again.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dpm_policy.compile.environment import EnvironmentOutput
from dpm_policy.compile.pipeline import CompileResult, build_environments, compile_repository
from dpm_policy.compile.verify import SharedPacks, strict_reading
from dpm_policy.inheritance import FlatPack, flatten_repository
from dpm_policy.load.trees import SourceTree
from dpm_policy.model import EnvironmentFile
from dpm_policy.problems import Problem, sort_problems
from dpm_policy.repository import KINDS, DocumentCache, Entry, Repository
from dpm_policy.review.sources import Side
from dpm_policy.validate import ValidationResult, validate
from dpm_policy_runtime import PolicyRuntime
from dpm_policy_runtime.env_files import variables_from_bytes
from dpm_policy_runtime.switches import SWITCHES, SwitchSpec, switch_text

__all__ = [
    "CompiledEnvironment",
    "CompiledSide",
    "build_side",
    "compile_side",
    "is_policy_root",
    "read_compiled",
]


@dataclass(frozen=True)
class CompiledEnvironment:
    """One ``dist/<env>`` as the engine reads it, with the sizes its manifest records."""

    name: str
    runtime: PolicyRuntime
    # variable -> (bytes, limit)
    sizes: dict[str, tuple[int, int]]
    # Delivery switch key -> its choice, as the manifest records it (switch table, ``delivery``).
    deliveries: Mapping[str, str] = field(default_factory=dict)

    def switch(self, spec: SwitchSpec) -> str | None:
        """A switch's value as it is shown: read by the runtime, or recorded in the manifest."""
        if spec.snapshot is not None:
            return switch_text(spec, getattr(self.runtime, spec.snapshot))
        return self.deliveries.get(spec.key, switch_text(spec, spec.engine_default))


@dataclass(frozen=True)
class CompiledSide:
    """A side's sources (for positions and provenance) and its compiled environments, or,
    when it does not compile, the compiler's errors and no environments."""

    side: Side
    repository: Repository
    flat: dict[str, FlatPack]
    environments: dict[str, CompiledEnvironment]
    problems: tuple[Problem, ...] = ()

    @property
    def compiles(self) -> bool:
        return not any(problem.is_error for problem in self.problems)

    def environment_file(self, name: str) -> Entry[EnvironmentFile] | None:
        return self.repository.environment_index().get(name)


def is_policy_root(tree: SourceTree) -> bool:
    """Whether ``tree`` holds any policy folder (a commit before the first pack does not)."""
    return any(tree.is_folder(kind.folder) for kind in KINDS.values())


def _environment(name: str, runtime: PolicyRuntime, manifest_text: str) -> CompiledEnvironment:
    """An environment as read, with the sizes and deliveries its manifest records."""
    manifest = json.loads(manifest_text)
    sizes = {
        variable: (int(entry["bytes"]), int(entry["limit"]))
        for variable, entry in manifest.get("variables", {}).items()
    }
    deliveries = {
        spec.key: str(manifest[spec.key])
        for spec in SWITCHES
        if spec.kind == "delivery" and spec.key in manifest
    }
    return CompiledEnvironment(name, runtime, sizes, deliveries)


def read_compiled(side: Side, result: CompileResult) -> CompiledSide:
    """``side`` as ``compile_repository`` left it: every environment read back from the folder
    it was written to, or, when it does not compile, the errors."""
    if not result.ok:
        errors = tuple(problem for problem in result.problems if problem.is_error)
        return CompiledSide(side, Repository(side.root), {}, {}, errors)
    repository = result.repository
    assert repository is not None  # a successful compile carries what it validated
    flat, _ = flatten_repository(repository)
    # Each environment as its verification read it, with what its manifest records.
    environments = {
        written.environment: _environment(
            written.environment,
            written.runtime,
            (written.path / "manifest.json").read_text(encoding="utf-8"),
        )
        for written in result.written
    }
    return CompiledSide(side, repository, flat, environments)


def compile_side(
    side: Side,
    out: Path,
    *,
    validation: ValidationResult | None = None,
    cache: DocumentCache | None = None,
    shared: SharedPacks | None = None,
) -> CompiledSide:
    """Compile every environment of ``side`` into ``out`` and read each back; ``validation``
    is the side's, when the caller validated it already (else it is validated here, through
    ``cache`` when given: the files the other side loaded already are not parsed again), and
    ``shared`` records the packs verified, for the other side (:func:`build_side`).

    A side without policy folders (say, a commit before the first pack) compiles to nothing;
    a side with errors is returned with them as its ``problems``.
    """
    if not is_policy_root(side.tree):
        return CompiledSide(side, Repository(side.root), {}, {})
    if validation is None:
        validation = validate(root=side.root, tree=side.tree, cache=cache)
    result = compile_repository(
        root=side.root,
        out=out,
        source_commit=side.commit,
        tree=side.tree,
        validation=validation,
        shared=shared,
    )
    return read_compiled(side, result)


def _built(
    build: EnvironmentOutput, shared: SharedPacks
) -> tuple[CompiledEnvironment | None, list[Problem]]:
    """One environment built in memory, its ``env.json`` bytes read strictly."""
    name = build.environment
    try:
        variables = variables_from_bytes(build.files["env.json"], "env.json", strict=True)
    except ValueError as error:
        problem = Problem(*build.locator.of_environment(), "verify", f"{name}/env.json: {error}")
        return None, [problem]
    read = strict_reading(f"{name}/env.json", variables, build.expected, build.locator, shared)
    if read.runtime is None:
        return None, read.problems
    return _environment(name, read.runtime, build.files["manifest.json"].decode("utf-8")), []


def build_side(
    side: Side,
    *,
    validation: ValidationResult | None = None,
    cache: DocumentCache | None = None,
    shared: SharedPacks | None = None,
) -> CompiledSide:
    """Every environment of ``side`` built in memory and read strictly through the runtime,
    for the side a review compares with rather than ships (the base; see the module's text);
    ``validation`` and ``cache`` as for :func:`compile_side`. With ``shared`` from the head's
    compile, a pack read back here exactly as the head's verification read it, where the
    sources state the same pack, is not compared again.

    A side with errors (in its files, its sizes, or a reading that differs from its sources)
    is returned with them as its ``problems``, as :func:`compile_side` returns it.
    """
    if not is_policy_root(side.tree):
        return CompiledSide(side, Repository(side.root), {}, {})
    if validation is None:
        validation = validate(root=side.root, tree=side.tree, cache=cache)
    if not validation.ok:
        errors = tuple(problem for problem in validation.problems if problem.is_error)
        return CompiledSide(side, Repository(side.root), {}, {}, errors)
    names = sorted(validation.repository.environment_index())
    shared = SharedPacks() if shared is None else shared
    builds = build_environments(validation, names, source_commit=side.commit, shared=shared)
    problems = [problem for build in builds for problem in build.problems if problem.is_error]
    environments: dict[str, CompiledEnvironment] = {}
    if not problems:
        for build in builds:
            environment, found = _built(build, shared)
            problems.extend(found)
            if environment is not None:
                environments[build.environment] = environment
    if problems:
        return CompiledSide(side, Repository(side.root), {}, {}, tuple(sort_problems(problems)))
    return CompiledSide(side, validation.repository, dict(validation.flat), environments)

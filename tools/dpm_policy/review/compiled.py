"""One side compiled with the compiler's library into a temporary folder, and read back with
the runtime resolver, exactly as the engine would read it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dpm_policy.compile.pipeline import CompileResult, compile_repository
from dpm_policy.inheritance import FlatPack, flatten_repository
from dpm_policy.load.trees import SourceTree
from dpm_policy.model import EnvironmentFile
from dpm_policy.problems import Problem
from dpm_policy.repository import KINDS, Entry, Repository
from dpm_policy.review.sources import Side
from dpm_policy.validate import ValidationResult
from dpm_policy_runtime import PolicyRuntime
from dpm_policy_runtime.switches import SWITCHES, SwitchSpec, switch_text

__all__ = [
    "CompiledEnvironment",
    "CompiledSide",
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


def _read(folder: Path, name: str) -> CompiledEnvironment:
    runtime = PolicyRuntime.from_file(folder / "env.json")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
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
    environments = {
        written.environment: _read(written.path, written.environment) for written in result.written
    }
    return CompiledSide(side, repository, flat, environments)


def compile_side(
    side: Side, out: Path, *, validation: ValidationResult | None = None
) -> CompiledSide:
    """Compile every environment of ``side`` into ``out`` and read each back; ``validation``
    is the side's, when the caller validated it already.

    A side without policy folders (say, a commit before the first pack) compiles to nothing;
    a side with errors is returned with them as its ``problems``.
    """
    if not is_policy_root(side.tree):
        return CompiledSide(side, Repository(side.root), {}, {})
    result = compile_repository(
        root=side.root,
        out=out,
        source_commit=side.commit,
        tree=side.tree,
        validation=validation,
    )
    return read_compiled(side, result)

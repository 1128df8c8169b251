"""Read a whole policy repository: every file loaded and checked against its model.

Files that fail to load or validate are reported and left out; every other file is kept, so one
broken file never hides the problems of the others.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from dpm_policy.errors import InputError
from dpm_policy.load.cache import LoadCache
from dpm_policy.load.source_files import parse_document
from dpm_policy.load.trees import DiskTree, SourceTree
from dpm_policy.load.yaml_source import YamlDocument, YamlLoadError
from dpm_policy.model import EnvironmentFile, PolicyPackFile, TenantFile
from dpm_policy.model.pack import PackHeader
from dpm_policy.model.policy_test import PolicyTestFile
from dpm_policy.model.settings import RepositorySettings
from dpm_policy.model.waiver import WaiverFile
from dpm_policy.model_problems import problems_from_validation
from dpm_policy.problems import Position, Problem, file_name
from dpm_policy.shown import shown

__all__ = [
    "KINDS",
    "SETTINGS",
    "SETTINGS_FILE",
    "SNAPSHOT_SUFFIX",
    "DocumentCache",
    "Entry",
    "Kind",
    "Repository",
    "load_repository",
    "policy_file_names",
]

M = TypeVar("M", bound=BaseModel, covariant=True)


@dataclass(frozen=True)
class Kind:
    """A document kind: the folder it lives in, its model, and its schema file."""

    folder: str
    model: type[BaseModel]
    schema_file: str
    id_field: str
    # Governance content a repository may go without: counted in summaries only when present.
    optional: bool = False


KINDS: dict[str, Kind] = {
    "pack": Kind("packs", PolicyPackFile, "policy-pack.schema.json", "policy_pack_id"),
    "tenant": Kind("tenants", TenantFile, "tenant.schema.json", "tenant_id"),
    "environment": Kind("environments", EnvironmentFile, "environment.schema.json", "environment"),
    "waiver": Kind("waivers", WaiverFile, "waiver.schema.json", "waiver_id", optional=True),
    "policy-test": Kind(
        "policy-tests", PolicyTestFile, "policy-test.schema.json", "environment", optional=True
    ),
}

# The repository's own settings: one file at the root, not a folder of documents.
SETTINGS = Kind("", RepositorySettings, "repository.schema.json", "")
SETTINGS_FILE = "repository.yaml"

# What ``dpm-policy test --update`` writes beside a policy test; not a policy file.
SNAPSHOT_SUFFIX = ".snapshot.json"

_IGNORED_NAMES = frozenset({"README.md", ".gitkeep"})


def _stem(path: str) -> str:
    """``tenants/shard_001/t1.yaml`` -> ``t1``."""
    return os.path.splitext(os.path.basename(path))[0]


@dataclass(frozen=True)
class Entry(Generic[M]):
    """One valid document and where it came from."""

    model: M
    document: YamlDocument

    @property
    def file(self) -> str:
        return self.document.file

    @property
    def stem(self) -> str:
        return _stem(self.document.file)


@dataclass
class Repository:
    """The valid documents of a repository, each kind in file order."""

    root: Path
    packs: list[Entry[PackHeader]] = field(default_factory=list)
    tenants: list[Entry[TenantFile]] = field(default_factory=list)
    environments: list[Entry[EnvironmentFile]] = field(default_factory=list)
    # repository.yaml, when it is present and valid.
    settings: Entry[RepositorySettings] | None = None
    waivers: list[Entry[WaiverFile]] = field(default_factory=list)
    policy_tests: list[Entry[PolicyTestFile]] = field(default_factory=list)
    # Kind name -> ids (and file stems) of files that failed to load or validate. They are
    # reported already; the cross-file rules do not report references to them as dangling.
    invalid_ids: dict[str, set[str]] = field(default_factory=dict)
    # The packs flattened, with the problems found doing it: filled by
    # ``inheritance.flatten_repository`` on first use, so every chain is flattened once per
    # repository however many steps (checks, compile, review, explain) read it.
    flattened: tuple[dict[str, Any], list[Problem]] | None = field(
        default=None, repr=False, compare=False
    )
    # Each environment's compiled variables by environment name, with the environment file
    # and the flattened packs they were made from: filled by
    # ``compile.environment.environment_variables`` on first use, so that validation's size
    # check and the build encode each environment once.
    compiled_variables: dict[str, tuple[object, object, Any]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def is_invalid(self, kind: str, identifier: str) -> bool:
        """Whether ``identifier`` names a file of ``kind`` that is present but invalid."""
        return identifier in self.invalid_ids.get(kind, ())

    def entries(self, kind: str) -> list[Entry[BaseModel]]:
        """The valid documents of the kind named ``kind`` (a key of ``KINDS``)."""
        found: dict[str, list[Any]] = {
            "pack": self.packs,
            "tenant": self.tenants,
            "environment": self.environments,
            "waiver": self.waivers,
            "policy-test": self.policy_tests,
        }
        return found[kind]

    def pack_index(self) -> dict[str, Entry[PackHeader]]:
        """Packs by id; the first file wins where ids repeat (reported by a check)."""
        index: dict[str, Entry[PackHeader]] = {}
        for entry in self.packs:
            index.setdefault(entry.model.policy_pack_id, entry)
        return index

    def environment_index(self) -> dict[str, Entry[EnvironmentFile]]:
        index: dict[str, Entry[EnvironmentFile]] = {}
        for entry in self.environments:
            index.setdefault(entry.model.environment, entry)
        return index

    def tenant_index(self) -> dict[str, Entry[TenantFile]]:
        index: dict[str, Entry[TenantFile]] = {}
        for entry in self.tenants:
            index.setdefault(entry.model.tenant_id, entry)
        return index


def policy_file_names(tree: SourceTree, folder: str, problems: list[Problem]) -> list[str]:
    """The ``.yaml`` files below ``folder`` in a stable order; near misses are reported.

    Files in hidden folders are skipped. Paths stay strings, ordered folder by folder as
    ``Path`` would order them: at tens of thousands of files, pathlib's parsing costs more than
    reading them.
    """
    found: list[str] = []
    for path in tree.files(folder):
        directory, _, name = path.rpartition("/")
        if "/." in directory[len(folder) :]:
            continue
        if name.endswith(".yaml"):
            found.append(path)
        elif name.endswith(SNAPSHOT_SUFFIX):
            continue
        elif name.lower().endswith((".yml", ".yaml", ".json")):
            problems.append(
                Problem(
                    path,
                    Position(1, 1),
                    "file-name",
                    "only files ending in .yaml are read; rename it to "
                    + file_name(f"{_stem(name)}.yaml"),
                )
            )
        elif name not in _IGNORED_NAMES and not name.startswith("."):
            problems.append(
                Problem(
                    path,
                    Position(1, 1),
                    "file-name",
                    f"unexpected file in {folder}/; only .yaml policy files belong here",
                    "warning",
                )
            )
    return sorted(found, key=lambda path: path.split("/"))


@dataclass(frozen=True)
class _Outcome:
    """What loading one file gave: its valid document, or its problems and the ids it leaves
    invalid."""

    entry: Entry[Any] | None
    problems: tuple[Problem, ...] = ()
    invalid: tuple[str, ...] = ()


# Outcomes of loading a file, shared by the trees of one run (``load.cache``).
DocumentCache = LoadCache[_Outcome]


def _load_kind(
    tree: SourceTree,
    kind: Kind,
    problems: list[Problem],
    invalid: set[str],
    cache: DocumentCache | None,
) -> Iterator[Entry[Any]]:
    """The valid documents of one kind; the others' problems go to ``problems``."""
    names = policy_file_names(tree, kind.folder, problems)
    return _load_files(tree, names, kind, problems, invalid, cache)


def _load_one(raw: bytes, path: str, kind: Kind) -> _Outcome:
    try:
        document = parse_document(raw, path)
    except YamlLoadError as error:
        return _Outcome(None, tuple(error.problems), (_stem(path),))
    data = document.data
    if not isinstance(data, dict):
        problem = Problem(
            document.file,
            document.position(()),
            "type",
            f"the file holds {shown(data)}, but a policy file is a mapping of keys; "
            "write one 'key: value' per line",
        )
        return _Outcome(None, (problem,), (_stem(path),))
    try:
        model = kind.model.model_validate(data)
    except ValidationError as error:
        identifier = data.get(kind.id_field) if kind.id_field else None
        invalid = (_stem(path), identifier) if isinstance(identifier, str) else (_stem(path),)
        return _Outcome(None, tuple(problems_from_validation(kind.model, document, error)), invalid)
    return _Outcome(Entry(model, document))


def _load_files(
    tree: SourceTree,
    paths: list[str],
    kind: Kind,
    problems: list[Problem],
    invalid: set[str],
    cache: DocumentCache | None = None,
) -> Iterator[Entry[Any]]:
    for path in paths:
        try:
            raw = tree.read(path)
        except YamlLoadError as error:
            problems.extend(error.problems)
            invalid.add(_stem(path))
            continue
        outcome = cache.get(kind.folder, path, raw) if cache is not None else None
        if outcome is None:
            outcome = _load_one(raw, path, kind)
            if cache is not None:
                cache.put(kind.folder, path, raw, outcome)
        problems.extend(outcome.problems)
        invalid.update(outcome.invalid)
        if outcome.entry is not None:
            yield outcome.entry


def load_repository(
    root: Path, *, tree: SourceTree | None = None, cache: DocumentCache | None = None
) -> tuple[Repository, list[Problem]]:
    """Load every document of the repository at ``root``; returns the valid ones and every
    problem found. The files come from ``tree``, by default the folder ``root`` on disk; with a
    ``cache``, a file already loaded from another tree with the same bytes is not loaded
    again."""
    tree = tree if tree is not None else DiskTree(root)
    if not tree.is_folder(""):
        what = "not a folder" if root.exists() else "no such folder"
        raise InputError(f"{root}: {what}; pass the repository's folder with --root")
    if not any(tree.is_folder(kind.folder) for kind in KINDS.values()):
        raise InputError(
            f"{root}: not a policy repository (it has no packs/, tenants/ or environments/ "
            "folder); run in the repository or pass --root"
        )
    problems: list[Problem] = []
    repository = Repository(root)
    invalid = repository.invalid_ids = {name: set() for name in KINDS}
    repository.packs = list(_load_kind(tree, KINDS["pack"], problems, invalid["pack"], cache))
    repository.tenants = list(_load_kind(tree, KINDS["tenant"], problems, invalid["tenant"], cache))
    repository.environments = list(
        _load_kind(tree, KINDS["environment"], problems, invalid["environment"], cache)
    )
    if tree.exists(SETTINGS_FILE):
        settings = list(_load_files(tree, [SETTINGS_FILE], SETTINGS, problems, set(), cache))
        repository.settings = settings[0] if settings else None
    repository.waivers = list(_load_kind(tree, KINDS["waiver"], problems, invalid["waiver"], cache))
    repository.policy_tests = list(
        _load_kind(tree, KINDS["policy-test"], problems, invalid["policy-test"], cache)
    )
    return repository, problems

"""``new``: a pack or tenant file to start from, canonical and valid, instead of a blank file.

The text is built from the values given, then laid out by ``fmt``'s own ``format_text`` (so a
new file is exactly what ``dpm-policy fmt`` would make of it, modeline first), and checked
against its model before it is written. References are checked against the repository's packs,
with the nearest ids named when one is mistyped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from dpm_policy.errors import UsageError
from dpm_policy.files import write_whole
from dpm_policy.fmt import format_text
from dpm_policy.load.yaml_source import YamlLoadError, parse_yaml
from dpm_policy.model_problems import problems_from_validation
from dpm_policy.problems import Problem
from dpm_policy.repository import KINDS, Kind, Repository
from dpm_policy.suggest import fix_for_unknown
from dpm_policy.validate import validate

__all__ = ["NOTHING_WRITTEN", "NewFile", "NewResult", "new_pack", "new_tenant"]


@dataclass(frozen=True)
class NewFile:
    """The file written: its name relative to the root, and its text."""

    file: str
    text: str


def _flow(values: Sequence[str]) -> str:
    # JSON strings are YAML 1.2 double-quoted scalars: any owner or text is written safely.
    return "[" + ", ".join(json.dumps(value, ensure_ascii=False) for value in values) + "]"


# Text YAML 1.2 reads as the same string when written bare, as the repository's files write
# ids and descriptions; anything else is written quoted.
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_.()' ,-]*[A-Za-z0-9_.)]|[A-Za-z]")
_WORDS = frozenset({"true", "false", "null", "yes", "no", "on", "off", "y", "n"})


def _scalar(value: str) -> str:
    if _PLAIN.fullmatch(value) and value.lower() not in _WORDS:
        return value
    return json.dumps(value, ensure_ascii=False)


def _known_pack(repository: Repository, pack_id: str, option: str) -> None:
    known = repository.pack_index()
    if pack_id in known or repository.is_invalid("pack", pack_id):
        return
    listed = ", ".join(sorted(known)) or "none"
    fix = fix_for_unknown(pack_id, known, f"name one of: {listed}")
    raise UsageError(f"{option} {pack_id!r}: no such pack in packs/; {fix}")


@dataclass(frozen=True)
class NewResult:
    """The file written, or, while the repository has errors, those errors and nothing
    written: an id cannot be checked against an invalid file, and the new file's owners could
    not reach CODEOWNERS until it is fixed."""

    problems: tuple[Problem, ...]
    written: NewFile | None = None


# Said before the problems when nothing is written.
NOTHING_WRITTEN = (
    "nothing written while files are invalid; fix these, then run dpm-policy new again"
)


def _owners(repository: Repository, given: Sequence[str], fallback: Sequence[str]) -> list[str]:
    if given:
        return list(given)
    if fallback:
        return list(fallback)
    if repository.settings is not None:
        return list(repository.settings.model.owners)
    raise UsageError("pass --owner @org/team: who approves changes to the new file")


def _write(root: Path, kind: Kind, identifier: str, lines: list[str]) -> NewFile:
    name = f"{kind.folder}/{identifier}.yaml"
    path = root / name
    if path.exists() or path.is_symlink():
        raise UsageError(f"{name} exists already; edit it, or choose another id")
    formatted = format_text("\n".join(lines) + "\n", file=name, path=path)
    text = formatted.text
    if text is None:  # cannot happen for text built above; say so rather than write it
        raise AssertionError(f"fmt refused the new {name}: {formatted.problems}")
    try:
        document = parse_yaml(text, name)
        kind.model.model_validate(document.data)
    except YamlLoadError as error:
        raise UsageError("; ".join(problem.message for problem in error.problems)) from None
    except ValidationError as error:
        problems = problems_from_validation(kind.model, document, error)
        raise UsageError("; ".join(problem.message for problem in problems)) from None
    write_whole(path, text)
    return NewFile(name, text)


def new_pack(
    *,
    root: Path,
    pack_id: str,
    extends: str | None = None,
    owners: Sequence[str] = (),
    description: str | None = None,
) -> NewResult:
    """Write ``packs/<pack_id>.yaml``: version "1", the owners given (else the base pack's, else
    repository.yaml's) and, with ``extends``, nothing but the inheritance."""
    validation = validate(root=root)
    if validation.errors:
        return NewResult(problems=tuple(validation.errors))
    repository = validation.repository
    base_owners: Sequence[str] = ()
    if extends is not None:
        _known_pack(repository, extends, "--extends")
        base = repository.pack_index().get(extends)
        base_owners = base.model.owners if base is not None else ()
    lines = [
        f"policy_pack_id: {_scalar(pack_id)}",
        'version: "1"',
        "description: "
        + _scalar(description or f"Say which mandates {pack_id} is for, for reviewers."),
        f"owners: {_flow(_owners(repository, owners, base_owners))}",
    ]
    if extends is not None:
        lines.append(f"extends: {_scalar(extends)}")
    return NewResult(problems=(), written=_write(root, KINDS["pack"], pack_id, lines))


def new_tenant(
    *,
    root: Path,
    tenant_id: str,
    pack: str,
    owners: Sequence[str] = (),
    display_name: str | None = None,
) -> NewResult:
    """Write ``tenants/<tenant_id>.yaml`` with ``pack`` as its default pack and the owners given
    (else repository.yaml's)."""
    validation = validate(root=root)
    if validation.errors:
        return NewResult(problems=tuple(validation.errors))
    repository = validation.repository
    _known_pack(repository, pack, "--pack")
    lines = [
        f"tenant_id: {_scalar(tenant_id)}",
        f"display_name: {_scalar(display_name or tenant_id)}",
        f"owners: {_flow(_owners(repository, owners, ()))}",
        f"default_policy_pack: {_scalar(pack)}",
    ]
    return NewResult(problems=(), written=_write(root, KINDS["tenant"], tenant_id, lines))

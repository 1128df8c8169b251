"""Turn pydantic's validation errors into problems in the author's words.

Authors never see a raw validator message: each error names the key by its YAML path, points at
the line and column where it is written, and ends with the fix.
"""

from __future__ import annotations

import difflib
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from dpm_policy.load.yaml_source import Path, YamlDocument
from dpm_policy.model.annotations import type_parts
from dpm_policy.problems import Problem
from dpm_policy.shown import shown
from dpm_policy_runtime.fields import RENAMED_FIELDS, SECTIONS

__all__ = ["dotted", "problems_from_validation"]

_CONTAINER_NAMES = {
    "list_type": "a list",
    "dict_type": "a mapping of keys to values",
    "model_type": "a mapping of keys to values",
    "model_attributes_type": "a mapping of keys to values",
}


def dotted(path: Path) -> str:
    """``('owners', 0)`` -> ``owners[0]``; ``('a', 'b')`` -> ``a.b``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif not part.isidentifier():
            text += f"[{shown(part)}]"
        else:
            text += f".{part}" if text else part
    return text or "the file"


def _model_at(model: type[BaseModel], path: Path) -> type[BaseModel] | None:
    """The model of the mapping at ``path`` of a document of ``model``, if it is one."""
    current: Any = model
    index = 0
    while index < len(path):
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = current.model_fields.get(str(path[index]))
        if field is None:
            return None
        current = type_parts(field.annotation)[0]
        index += 1
        # Entries of a list or of a free-keyed mapping: skip the index or key.
        while typing.get_origin(current) in (dict, list) and index < len(path):
            current = type_parts(typing.get_args(current)[-1])[0]
            index += 1
    if isinstance(current, type) and issubclass(current, BaseModel):
        return current
    return None


def _known_keys(model: type[BaseModel], path: Path) -> list[str]:
    """The keys allowed in the mapping at ``path`` of a document of ``model``."""
    found = _model_at(model, path)
    return list(found.model_fields) if found is not None else []


def _null_message(model: type[BaseModel], path: Path) -> str:
    """What to do about an explicit null: it depends on whether the key may be left out."""
    name = dotted(path)
    parent = _model_at(model, path[:-1]) if path else None
    field = parent.model_fields.get(str(path[-1])) if parent is not None else None
    if field is not None and field.is_required():
        return f"{name} has no value; write one (the key is required)"
    if path and path[0] in SECTIONS:
        return (
            f"{name} has no value; remove the key to leave the engine's setting as it is, "
            "or write a value"
        )
    return f"{name} has no value; write one, or remove the key"


def _unknown_key(model: type[BaseModel], path: Path) -> tuple[str, str]:
    parent, key = path[:-1], str(path[-1])
    section = str(parent[-1]) if parent else ""
    if key == "<<":
        return (
            "unknown-key",
            f"the merge key '<<'{' in ' + dotted(parent) if parent else ''} is not supported "
            "in policy files; write the keys out",
        )
    renamed = RENAMED_FIELDS.get((section, key))
    if renamed is not None:
        return (
            "renamed-key",
            f"'{key}' was renamed to '{renamed}' on 2026-05-01 and the engine silently "
            f"ignores the old name; write '{renamed}'",
        )
    known = _known_keys(model, parent)
    where = f" in {dotted(parent)}" if parent else ""
    message = f"unknown key {shown(key)}{where}"
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if close:
        message += f"; did you mean '{close[0]}'?"
    elif known:
        message += "; allowed keys: " + ", ".join(known)
    return "unknown-key", message


def _missing_colon(model: type[BaseModel], path: Path, value: object) -> str | None:
    """A section that holds ``key value`` as text: the line lacks its colon."""
    section = _model_at(model, path)
    if section is None or not isinstance(value, str) or " " not in value:
        return None
    key, _, rest = value.partition(" ")
    if key not in section.model_fields:
        return None
    return (
        f"{dotted(path)} holds the text {shown(value)}: the line has no ':' after its key; "
        f"write '{key}: {rest.strip()}'"
    )


def _one(model: type[BaseModel], document: YamlDocument, error: Any) -> Problem:
    loc: tuple[str | int, ...] = tuple(error["loc"])
    kind: str = error["type"]
    is_key = bool(loc) and loc[-1] == "[key]"
    path: Path = loc[:-1] if is_key else loc
    name = dotted(path)
    if kind == "extra_forbidden":
        code, message = _unknown_key(model, path)
        return Problem(document.file, document.position(path, key=True), code, message)
    if kind == "missing":
        parent = path[:-1]
        where = f" in {dotted(parent)}" if parent else ""
        return Problem(
            document.file,
            document.position(parent, key=True),
            "missing-key",
            f"missing required key '{path[-1]}'{where}; add it",
        )
    if kind in _CONTAINER_NAMES:
        missing_colon = _missing_colon(model, path, error.get("input"))
        if missing_colon is not None:
            return Problem(document.file, document.position(path), "syntax", missing_colon)
        return Problem(
            document.file,
            document.position(path),
            "type",
            f"{name} must be {_CONTAINER_NAMES[kind]} (got {shown(error.get('input'))})",
        )
    if kind in ("too_short", "too_long"):
        what = "empty" if kind == "too_short" else "too long"
        return Problem(
            document.file,
            document.position(path),
            "type",
            f"{name} is {what}; remove it or add an entry",
        )
    if kind.startswith(("string_", "int_", "bool_", "decimal_", "float_")):
        # A plain pydantic check that our own types did not pre-empt.
        return Problem(
            document.file,
            document.position(path, key=is_key),
            "type",
            f"{name} has an invalid value {shown(error.get('input'))}",
        )
    if kind == "null-value":
        return Problem(document.file, document.position(path), kind, _null_message(model, path))
    # Our own types raise messages already written for authors.
    message = f"{dotted(path[:-1])}: {error['msg']}" if is_key else f"{name} {error['msg']}"
    return Problem(document.file, document.position(path, key=is_key), kind, message)


def _outdented(
    model: type[BaseModel], document: YamlDocument, errors: list[Any]
) -> tuple[list[Problem], set[int]]:
    """Keys written at their section's own level instead of under it.

    ``workflow_policy:`` followed by ``enable_workflow_gates: true`` at column 1 leaves the
    section empty and the key unknown where it stands; that is one mistake, so it is reported
    once, at the key, with the fix. Returns those problems and the indexes of the errors they
    replace.
    """
    unknown = {
        tuple(item["loc"]): index
        for index, item in enumerate(errors)
        if item["type"] == "extra_forbidden"
    }
    problems: list[Problem] = []
    replaced: set[int] = set()
    for index, item in enumerate(errors):
        path: Path = tuple(item["loc"])
        if item.get("input", 0) is not None or not path or path not in document.keys:
            continue
        section = _model_at(model, path)
        if section is None:
            continue
        parent = path[:-1]
        # The keys written after the empty section at its level, up to the first that is in
        # its right place.
        siblings = sorted(
            (mark, key)
            for key_path, mark in document.keys.items()
            if key_path[:-1] == parent
            and mark > document.keys[path]
            and isinstance(key := key_path[-1], str)
        )
        misplaced: list[str] = []
        for _, key in siblings:
            if (*parent, key) not in unknown or key not in section.model_fields:
                break
            misplaced.append(key)
        if not misplaced:
            continue
        name = dotted(path)
        more = len(misplaced) - 1
        what = f"'{misplaced[0]}'" + (f" and the {more} key(s) after it" if more else "")
        problems.append(
            Problem(
                document.file,
                document.position((*parent, misplaced[0]), key=True),
                "indentation",
                f"{what} belong{'' if more else 's'} to {name}, which has nothing under it; "
                f"indent {'them' if more else 'it'} under {name}",
            )
        )
        replaced.add(index)
        replaced.update(unknown[(*parent, key)] for key in misplaced)
    return problems, replaced


def problems_from_validation(
    model: type[BaseModel], document: YamlDocument, error: ValidationError
) -> list[Problem]:
    """One problem per validation error, positioned in the document; one problem for a
    mistake that causes several errors."""
    errors = error.errors(include_url=False)
    problems, replaced = _outdented(model, document, errors)
    problems += [
        _one(model, document, item) for index, item in enumerate(errors) if index not in replaced
    ]
    return problems

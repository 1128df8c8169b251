"""One file's text in canonical layout, or the reason it cannot be formatted safely."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from dpm_policy.fmt.check import is_canonical
from dpm_policy.fmt.comments import lift, put_back
from dpm_policy.fmt.order import KeyOrder, key_order
from dpm_policy.fmt.roundtrip import RoundTripError, reformat
from dpm_policy.fmt.safety import MODELINE_PREFIX, comments_of, same_data
from dpm_policy.problems import START, Problem
from dpm_policy.repository import KINDS, Kind
from dpm_policy.schema import modeline

__all__ = ["FormattedText", "format_text", "kind_of"]

# The key that names each kind's id, for files outside the policy folders (e.g. fixtures); where
# two kinds share the key (policy tests name their environment), the first kind listed wins.
_ID_KEYS: dict[str, Kind] = {}
for _kind in KINDS.values():
    _ID_KEYS.setdefault(_kind.id_field, _kind)


@dataclass(frozen=True)
class FormattedText:
    """The canonical text (``None`` when the file is left as it is) and what was found."""

    text: str | None
    problems: list[Problem] = field(default_factory=list)


def kind_of(path: Path | str, text: str) -> tuple[Kind | None, Path | None]:
    """The file's kind and the repository root its modeline is relative to.

    A file inside a ``packs/``, ``tenants/`` or ``environments/`` folder is of that kind, with
    the folder's parent as its root; any other file is recognised by its id key, and gets no
    modeline, since no schema folder is known for it.
    """
    found = _kind_of_folder(os.path.dirname(os.path.abspath(path)))
    if found is not None:
        return found
    for line in text.splitlines():
        key = line.split(":", 1)[0].strip()
        if line[:1] not in (" ", "\t", "#", "-") and key in _ID_KEYS:
            return _ID_KEYS[key], None
    return None, None


@functools.lru_cache(maxsize=4096)
def _kind_of_folder(folder: str) -> tuple[Kind, Path] | None:
    """The kind of the files in ``folder`` and their repository root, if it is in a policy
    folder (cached: fmt asks once for each file)."""
    for parent in (Path(folder), *Path(folder).parents):
        for kind in KINDS.values():
            if parent.name == kind.folder:
                return kind, parent.parent
    return None


def _with_modeline(text: str, expected: str) -> str:
    """``expected`` as the first line; a stale modeline in the leading comments is dropped."""
    lines = text.split("\n")
    leading = 0
    while leading < len(lines) and lines[leading].lstrip().startswith("#"):
        leading += 1
    kept = [
        line
        for index, line in enumerate(lines)
        if index >= leading or not line.lstrip().startswith(MODELINE_PREFIX)
    ]
    return "\n".join([expected, *kept])


def format_text(text: str, *, file: str, path: Path | str, fast: bool = True) -> FormattedText:
    """Format one file's text. ``file`` names it in problems; ``path`` locates it on disk.

    A file already in canonical layout is recognised from the C parser's events (``check``)
    without the round trip, unless ``fast`` is false.
    """
    source = text.removeprefix("\ufeff")
    kind, root = kind_of(path, source)
    order: KeyOrder | None = key_order(kind.model) if kind is not None else None
    expected = modeline(root, path, kind) if kind is not None and root is not None else None
    if fast and source == text and is_canonical(source, order, expected):
        return FormattedText(text)
    try:
        lifted = lift(source)
    except yaml.YAMLError:
        lifted = None  # the round trip below says where and why
    try:
        result = reformat(lifted.text if lifted is not None else source, order)
    except RoundTripError as error:
        return FormattedText(
            None,
            [Problem(file, error.position, "syntax", f"{error.message}; fix it, then run fmt")],
        )
    if lifted is not None:
        placed = put_back(result, lifted, order.keys_with_children() if order else None)
        if placed is None:
            return _unsafe(file)
        result = placed
    if expected is not None:
        result = _with_modeline(result, expected)
    try:
        safe = same_data(source, result) and comments_of(source) == comments_of(result)
    except (yaml.YAMLError, RecursionError):
        safe = False
    if not safe:
        return _unsafe(file)
    return FormattedText(result)


def _unsafe(file: str) -> FormattedText:
    return FormattedText(
        None,
        [
            Problem(
                file,
                START,
                "fmt-unsafe",
                "left as it is: formatting would change its data or lose a comment; "
                "format it by hand",
                "warning",
            )
        ],
    )

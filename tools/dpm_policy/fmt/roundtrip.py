"""The ruamel.yaml round trip: the one place that rewrites policy files.

ruamel.yaml keeps comments, quoting and flow style through a load and a dump. The dump is
configured for the repository's layout: two-space indentation, list items indented under their
key, and no re-wrapping of long lines.
"""

from __future__ import annotations

import io
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from dpm_policy.errors import DpmPolicyError
from dpm_policy.fmt.order import KeyOrder
from dpm_policy.problems import Position

__all__ = ["RoundTripError", "reformat"]


class RoundTripError(DpmPolicyError):
    """The text cannot be read as YAML; carries where and why."""

    def __init__(self, position: Position, message: str) -> None:
        super().__init__(message)
        self.position = position
        self.message = message


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    yaml.allow_duplicate_keys = False
    return yaml


def _sort_keys(mapping: CommentedMap, order: KeyOrder) -> None:
    keys = list(mapping.keys())
    wanted = sorted(keys, key=lambda key: (order.rank(key), keys.index(key)))
    if wanted != keys:
        # A comment on its own line travels with the key written before it.
        for key in wanted:
            mapping.move_to_end(key)


def _apply(node: Any, order: KeyOrder | None) -> None:
    if order is None or not isinstance(node, CommentedMap):
        return
    _sort_keys(node, order)
    for key, value in node.items():
        child = order.children.get(key)
        if child is not None:
            _apply(value, child)
        entry = order.entries.get(key)
        if entry is not None and isinstance(value, CommentedMap):
            for item in value.values():
                _apply(item, entry)


def _error(error: Exception) -> RoundTripError:
    if isinstance(error, MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        what = error.problem or "invalid YAML"
        position = Position.from_mark(mark.line, mark.column) if mark else Position(1, 1)
        return RoundTripError(position, f"YAML syntax error: {what}")
    return RoundTripError(Position(1, 1), f"YAML syntax error: {error}")


def reformat(text: str, order: KeyOrder | None) -> str:
    """The text in canonical layout (and key order, given one). Raises ``RoundTripError``."""
    yaml = _yaml()
    try:
        documents = list(yaml.load_all(text))
        for document in documents:
            _apply(document, order)
        out = io.StringIO()
        if len(documents) == 1:
            yaml.dump(documents[0], out)
        else:
            yaml.explicit_start = True
            yaml.dump_all(documents, out)
    except (YAMLError, MarkedYAMLError) as error:
        raise _error(error) from None
    except ValueError as error:
        # ruamel.yaml reads an unquoted 2026-02-30 as a date (YAML 1.1 timestamps) and fails
        # building it; the validator names the value, so point at the file only.
        raise RoundTripError(Position(1, 1), f"a value cannot be read ({error})") from None
    result = out.getvalue()
    if not documents or documents == [None]:
        # Nothing but comments (or nothing): ruamel.yaml would write "null".
        return text
    return result.rstrip("\n") + "\n"

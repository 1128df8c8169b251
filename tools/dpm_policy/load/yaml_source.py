"""YAML text to plain data with a source position for every key and value.

This is the only module that touches a YAML parser for reading. It drives PyYAML's C event
parser (libyaml) and builds the data itself, because the ready-made loaders get the details that
matter here wrong for policy files:

* scalars follow the YAML 1.2 core schema: only ``true``/``false`` are booleans, so ``yes``,
  ``on`` and ``no`` stay text and a boolean field given ``yes`` is an error, as the engine's
  own JSON would not know them either;
* a plain number with a fraction becomes an exact ``Decimal`` (``0.10`` never passes through a
  float); exponent forms, NaN, infinities, octal and hex are refused, since the engine's
  canonical form has none of them;
* duplicate keys, explicit tags, documents after the first and aliases past a small bound are
  errors, not silently last-wins or expanded without limit;
* nesting is bounded, and the builder is iterative, so no input can exhaust the stack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import yaml

from dpm_policy.problems import Position, Problem

__all__ = [
    "MAX_ALIASES",
    "MAX_DEPTH",
    "MAX_NODES",
    "Path",
    "YamlDocument",
    "YamlLoadError",
    "parse_yaml",
]

MAX_ALIASES = 16
MAX_DEPTH = 32
MAX_NODES = 200_000

Path = tuple[str | int, ...]

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUES = frozenset({"true", "True", "TRUE"})
_FALSES = frozenset({"false", "False", "FALSE"})
_INT = re.compile(r"[-+]?[0-9]+")
_PLAIN_FRACTION = re.compile(r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)")
_EXPONENT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+")
_SPECIAL_FLOAT = re.compile(r"[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")
_OTHER_BASE = re.compile(r"0o[0-7]+|0x[0-9a-fA-F]+")


class YamlLoadError(Exception):
    """The text is not a policy file's YAML; carries the problems found (file, line, col)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class YamlDocument:
    """One file's data and where each part of it stands.

    ``values[path]`` is where the value at ``path`` starts; ``keys[path]`` is where its key is
    written (for mapping entries). The root's path is ``()``.
    """

    file: str
    data: object
    values: dict[Path, Position] = field(repr=False)
    keys: dict[Path, Position] = field(repr=False)
    # The file's first line, where the editor's schema modeline belongs.
    first_line: str = ""

    def position(self, path: Path, *, key: bool = False) -> Position:
        """The position of ``path``, or of its nearest written ancestor.

        With ``key=True`` the key's own position is preferred (an unknown or misspelt key is
        best pointed at where the key is written, not at its value).
        """
        probe = tuple(path)
        while True:
            if key and probe in self.keys:
                return self.keys[probe]
            if probe in self.values:
                return self.values[probe]
            if not probe:
                return Position(1, 1)
            probe = probe[:-1]


def _position(mark: Any) -> Position:
    return Position.from_mark(mark.line, mark.column)


def _problem(file: str, mark: Any, code: str, message: str) -> YamlLoadError:
    return YamlLoadError([Problem(file, _position(mark), code, message)])


def _plain_scalar(file: str, text: str, mark: Any) -> object:
    """Resolve an unquoted scalar by the YAML 1.2 core schema, with exact decimals."""
    if text in _NULLS:
        return None
    if text in _TRUES:
        return True
    if text in _FALSES:
        return False
    if _INT.fullmatch(text):
        try:
            return int(text)
        except ValueError:  # more digits than Python converts (int_max_str_digits)
            raise _problem(
                file, mark, "number-format", f"the number {text[:20]}... is too long"
            ) from None
    if _PLAIN_FRACTION.fullmatch(text):
        return Decimal(text)
    if _EXPONENT.fullmatch(text):
        raise _problem(
            file,
            mark,
            "number-format",
            f"{text} is in exponent notation; write the number out in full "
            f"(for example {_plain_hint(text)})",
        )
    if _SPECIAL_FLOAT.fullmatch(text):
        raise _problem(
            file,
            mark,
            "number-format",
            f"{text} (not-a-number or infinity) is not a value a policy can hold; "
            "quote it if you meant text",
        )
    if _OTHER_BASE.fullmatch(text):
        raise _problem(
            file,
            mark,
            "number-format",
            f"{text} is an octal or hexadecimal number; write it in decimal digits, "
            "or quote it if you meant text",
        )
    return text


def _plain_hint(text: str) -> str:
    value = Decimal(text)
    if value.is_zero():
        return "0"
    return format(value.normalize(), "f")


def _tag_problem(file: str, tag: str, mark: Any) -> YamlLoadError:
    tag = tag.replace("tag:yaml.org,2002:", "!!")
    return _problem(
        file,
        mark,
        "tag",
        f"the tag {tag} is not allowed in policy files; remove it "
        "(quote the value if it should be text)",
    )


class _Builder:
    """Builds plain data from libyaml's events, recording a position for each path."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.values: dict[Path, Position] = {}
        self.keys: dict[Path, Position] = {}
        # anchor -> (value, positions relative to the anchored node)
        self.anchors: dict[str, tuple[object, list[tuple[Path, Position, bool]]]] = {}
        self.aliases = 0
        self.nodes = 0

    def fail(self, mark: Any, code: str, message: str) -> YamlLoadError:
        return _problem(self.file, mark, code, message)

    def build(self, events: Any) -> tuple[object, bool]:
        """Consume one document's events; return its root and whether it was empty."""
        # Each frame: [container, path, anchor, pending_key, pending_key_mark, start_index]
        stack: list[list[Any]] = []
        root: object = None
        seen_root = False
        anchor_starts: dict[str, int] = {}
        record: list[tuple[Path, Position, bool]] = []

        def place(value: object, mark: Any, anchor: str | None, is_container: bool) -> Path:
            nonlocal root, seen_root
            self.nodes += 1
            if self.nodes > MAX_NODES:
                raise self.fail(mark, "size", f"the file has more than {MAX_NODES} values")
            if not stack:
                path: Path = ()
                root = value
                seen_root = True
            else:
                frame = stack[-1]
                container = frame[0]
                if isinstance(container, list):
                    path = (*frame[1], len(container))
                    container.append(value)
                elif frame[3] is None:
                    # This node is a key.
                    if is_container:
                        raise self.fail(
                            mark, "syntax", "a key must be plain text, not a list or mapping"
                        )
                    key = str(value)
                    if key in container:
                        first = self.keys[(*frame[1], key)]
                        raise self.fail(
                            mark,
                            "duplicate-key",
                            f"the key '{key}' is written twice in the same mapping "
                            f"(first at line {first.line}); keep one",
                        )
                    frame[3] = key
                    frame[4] = mark
                    return (*frame[1], key)
                else:
                    key = frame[3]
                    path = (*frame[1], key)
                    container[key] = value
                    self.keys[path] = _position(frame[4])
                    frame[3] = None
            self.values[path] = _position(mark)
            record.append((path, _position(mark), False))
            if anchor is not None:
                anchor_starts[anchor] = len(record) - 1
            return path

        for event in events:
            if isinstance(event, yaml.DocumentEndEvent):
                break
            if isinstance(event, yaml.AliasEvent):
                self.aliases += 1
                if self.aliases > MAX_ALIASES:
                    raise self.fail(
                        event.start_mark,
                        "alias",
                        f"the file uses more than {MAX_ALIASES} aliases (*name); "
                        "write the values out",
                    )
                if event.anchor not in self.anchors:
                    raise self.fail(event.start_mark, "alias", f"unknown alias *{event.anchor}")
                value, relative = self.anchors[event.anchor]
                self.nodes += len(relative)
                if stack and isinstance(stack[-1][0], dict) and stack[-1][3] is None:
                    raise self.fail(event.start_mark, "syntax", "an alias cannot be a key")
                path = place(_deep_copy(value), event.start_mark, None, True)
                for rel, pos, is_key in relative[1:]:
                    full = (*path, *rel)
                    (self.keys if is_key else self.values)[full] = pos
                continue
            if isinstance(event, yaml.ScalarEvent):
                if event.tag is not None:
                    raise _tag_problem(self.file, event.tag, event.start_mark)
                is_key = bool(stack) and isinstance(stack[-1][0], dict) and stack[-1][3] is None
                if is_key:
                    value = event.value
                elif event.style is None or event.style == "":
                    value = _plain_scalar(self.file, event.value, event.start_mark)
                else:
                    value = event.value
                path = place(value, event.start_mark, event.anchor, False)
                if event.anchor is not None:
                    self._remember(event.anchor, value, record, anchor_starts, path)
                continue
            if isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
                if event.tag is not None and not event.implicit:
                    raise _tag_problem(self.file, event.tag, event.start_mark)
                if len(stack) >= MAX_DEPTH:
                    raise self.fail(
                        event.start_mark,
                        "depth",
                        f"the file nests deeper than {MAX_DEPTH} levels",
                    )
                container: list[object] | dict[str, object] = (
                    [] if isinstance(event, yaml.SequenceStartEvent) else {}
                )
                path = place(container, event.start_mark, event.anchor, True)
                stack.append([container, path, event.anchor, None, None, len(record) - 1])
                continue
            if isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
                frame = stack.pop()
                if frame[2] is not None:
                    self._remember(frame[2], frame[0], record, anchor_starts, frame[1])
                continue
        return root, not seen_root

    def _remember(
        self,
        anchor: str,
        value: object,
        record: list[tuple[Path, Position, bool]],
        anchor_starts: dict[str, int],
        path: Path,
    ) -> None:
        start = anchor_starts[anchor]
        relative: list[tuple[Path, Position, bool]] = []
        depth = len(path)
        for rec_path, pos, _ in record[start:]:
            if rec_path[:depth] == path:
                rel = rec_path[depth:]
                relative.append((rel, pos, False))
                key_pos = self.keys.get(rec_path)
                if key_pos is not None and rel:
                    relative.append((rel, key_pos, True))
        self.anchors[anchor] = (value, relative)


def _deep_copy(value: object) -> object:
    if isinstance(value, dict):
        return {k: _deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep_copy(v) for v in value]
    return value


def parse_yaml(text: str, file: str) -> YamlDocument:
    """Parse one policy file's text. Raises ``YamlLoadError`` with positioned problems."""
    builder = _Builder(file)
    try:
        events = yaml.parse(text, Loader=_Loader)
        documents = 0
        data: object = None
        for event in events:
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise builder.fail(
                        event.start_mark,
                        "multi-document",
                        "the file holds more than one YAML document (a second '---'); "
                        "put each document in its own file",
                    )
                data, empty = builder.build(events)
                if empty:
                    data = None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        what = error.problem or "invalid YAML"
        context = f" ({error.context})" if error.context else ""
        message = f"YAML syntax error: {what}{context}"
        if mark is None:
            raise YamlLoadError([Problem(file, Position(1, 1), "syntax", message)]) from None
        raise YamlLoadError([Problem(file, _position(mark), "syntax", message)]) from None
    except yaml.YAMLError as error:
        raise YamlLoadError(
            [Problem(file, Position(1, 1), "syntax", f"YAML syntax error: {error}")]
        ) from None
    if documents == 0 or data is None:
        raise YamlLoadError(
            [Problem(file, Position(1, 1), "empty-file", "the file holds no YAML mapping")]
        )
    first_line = text.split("\n", 1)[0].rstrip("\r")
    return YamlDocument(file, data, builder.values, builder.keys, first_line)

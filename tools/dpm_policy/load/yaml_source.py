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

from dpm_policy.errors import ProblemsFound
from dpm_policy.load.libyaml import SafeLoader
from dpm_policy.load.syntax_errors import syntax_problem
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

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUES = frozenset({"true", "True", "TRUE"})
_FALSES = frozenset({"false", "False", "FALSE"})
_INT = re.compile(r"[-+]?[0-9]+")
_PLAIN_FRACTION = re.compile(r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)")
_EXPONENT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+")
_SPECIAL_FLOAT = re.compile(r"[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")
_OTHER_BASE = re.compile(r"0o[0-7]+|0x[0-9a-fA-F]+")
# How every number form above starts (a digit, a sign or a point): text that starts otherwise
# (an id, a name) is text without trying them.
_NUMBER_STARTS = frozenset("0123456789+-.")


class YamlLoadError(ProblemsFound):
    """The text is not a policy file's YAML; carries the problems found (file, line, col)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems), problems)


@dataclass(frozen=True)
class YamlDocument:
    """One file's data and where each part of it stands.

    ``values[path]`` is the parser's 0-based ``(line, column)`` where the value at ``path``
    starts; ``keys[path]`` where its key is written (for mapping entries). The root's path is
    ``()``. ``position()`` gives the 1-based ``Position`` that problems carry.
    """

    file: str
    data: object
    values: dict[Path, tuple[int, int]] = field(repr=False)
    keys: dict[Path, tuple[int, int]] = field(repr=False)
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
                return Position.from_mark(*self.keys[probe])
            if probe in self.values:
                return Position.from_mark(*self.values[probe])
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
    if text[0] not in _NUMBER_STARTS:
        return text
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
        hint = _plain_hint(text)
        raise _problem(
            file,
            mark,
            "number-format",
            f"{text} is in exponent notation; write the number out in full"
            + (f" (for example {hint})" if hint else ""),
        )
    if _SPECIAL_FLOAT.fullmatch(text):
        raise _problem(
            file,
            mark,
            "number-format",
            f"{text} (not-a-number or infinity) is not a value a policy can hold; "
            "write a plain number such as 0.15, or quote it if you meant text",
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


def _plain_hint(text: str) -> str | None:
    """``1.5e-1`` -> ``0.15``; None when written out the number would be too long to show."""
    value = Decimal(text)
    if value.is_zero():
        return "0"
    # 1e999999999 is valid YAML; spelling it out would need a gigabyte (or overflow).
    if not -12 <= value.adjusted() <= 12 or len(value.as_tuple().digits) > 24:
        return None
    return format(value.normalize(), "f")


def _quoted(text: str) -> str:
    """Author's text in a message: quoted, escaped (a key may hold a line break), kept short."""
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _tag_problem(file: str, tag: str, mark: Any) -> YamlLoadError:
    tag = tag.replace("tag:yaml.org,2002:", "!!")
    # A tag's %-escapes are decoded, so it may hold anything.
    tag = tag if tag.isprintable() else _quoted(tag)
    return _problem(
        file,
        mark,
        "tag",
        f"the tag {tag} is not allowed in policy files; remove it "
        "(quote the value if it should be text)",
    )


Mark0 = tuple[int, int]


class _Frame:
    """An open list or mapping while its events are read."""

    __slots__ = ("anchor", "container", "key", "key_mark", "path", "record_start")

    def __init__(
        self, container: list[object] | dict[str, object], path: Path, anchor: str | None
    ) -> None:
        self.container = container
        self.path = path
        self.anchor = anchor
        self.key: str | None = None
        self.key_mark: Mark0 = (0, 0)
        self.record_start = 0


class _Builder:
    """Builds plain data from libyaml's events, recording a mark for each path.

    Marks are kept as the parser's 0-based ``(line, column)`` pairs and turned into
    ``Position``s only when a problem needs one: this loop runs for every node of every file.
    """

    def __init__(self, file: str) -> None:
        self.file = file
        self.values: dict[Path, Mark0] = {}
        self.keys: dict[Path, Mark0] = {}
        # anchor -> (value, marks relative to the anchored node, as (path, mark, is_key))
        self.anchors: dict[str, tuple[object, list[tuple[Path, Mark0, bool]]]] = {}
        self.aliases = 0
        self.nodes = 0

    def fail(self, mark: Any, code: str, message: str) -> YamlLoadError:
        return _problem(self.file, mark, code, message)

    def build(self, next_event: Any) -> object:
        """Consume one document's events up to its end; return its root (None if empty)."""
        stack: list[_Frame] = []
        root: object = None
        values = self.values
        keys = self.keys
        # Paths placed since the first open anchor, to replay their marks at each alias.
        record: list[Path] | None = None

        while True:
            event = next_event()
            cls = event.__class__
            mark = event.start_mark
            if cls is yaml.DocumentEndEvent:
                return root
            frame = stack[-1] if stack else None
            in_key = frame is not None and frame.key is None and type(frame.container) is dict

            if cls is yaml.ScalarEvent:
                if event.tag is not None:
                    raise _tag_problem(self.file, event.tag, mark)
                if in_key:
                    assert frame is not None
                    key = event.value
                    if event.anchor is not None:
                        # An anchored key: an alias to it stands for the key's text.
                        here = (mark.line, mark.column)
                        self.anchors[event.anchor] = (key, [((), here, False)])
                    if key in frame.container:
                        first = keys[(*frame.path, key)]
                        raise self.fail(
                            mark,
                            "duplicate-key",
                            f"the key {_quoted(key)} is written twice in the same mapping "
                            f"(first at line {first[0] + 1}); keep one",
                        )
                    frame.key = key
                    frame.key_mark = (mark.line, mark.column)
                    continue
                if event.style is None or event.style == "":
                    value: object = _plain_scalar(self.file, event.value, mark)
                else:
                    value = event.value
                anchor = event.anchor
                is_container = False
            elif cls is yaml.MappingStartEvent or cls is yaml.SequenceStartEvent:
                if event.tag is not None and not event.implicit:
                    raise _tag_problem(self.file, event.tag, mark)
                if in_key:
                    raise self.fail(
                        mark,
                        "syntax",
                        "a key must be plain text, not a list or mapping; write the key as text",
                    )
                if len(stack) >= MAX_DEPTH:
                    raise self.fail(
                        mark,
                        "depth",
                        f"the file nests deeper than {MAX_DEPTH} levels; a policy file needs "
                        "at most four, so close the brackets or reduce the indentation",
                    )
                value = {} if cls is yaml.MappingStartEvent else []
                anchor = event.anchor
                is_container = True
            elif cls is yaml.MappingEndEvent or cls is yaml.SequenceEndEvent:
                done = stack.pop()
                if done.anchor is not None:
                    assert record is not None
                    self._remember(
                        done.anchor, done.container, done.path, record, done.record_start
                    )
                continue
            elif cls is yaml.AliasEvent:
                if in_key:
                    raise self.fail(
                        mark, "syntax", "an alias (*name) cannot be a key; write the key out"
                    )
                self.aliases += 1
                if self.aliases > MAX_ALIASES:
                    raise self.fail(
                        mark,
                        "alias",
                        f"the file uses more than {MAX_ALIASES} aliases (*name); "
                        "write the values out",
                    )
                if event.anchor not in self.anchors:
                    raise self.fail(
                        mark,
                        "alias",
                        f"*{event.anchor} refers to no anchor &{event.anchor} above it; "
                        "write the value out",
                    )
                target, relative = self.anchors[event.anchor]
                self.nodes += len(relative)
                value = _deep_copy(target)
                anchor = None
                is_container = False
            else:
                continue

            self.nodes += 1
            if self.nodes > MAX_NODES:
                raise self.fail(mark, "size", f"the file has more than {MAX_NODES} values")
            here = (mark.line, mark.column)
            if frame is None:
                path: Path = ()
                root = value
            elif isinstance(frame.container, list):
                container = frame.container
                path = (*frame.path, len(container))
                container.append(value)
            else:
                key = frame.key
                assert key is not None
                path = (*frame.path, key)
                mapping = frame.container
                assert isinstance(mapping, dict)
                mapping[key] = value
                keys[path] = frame.key_mark
                frame.key = None
            values[path] = here
            if cls is yaml.AliasEvent:
                for rel, rel_mark, is_key in relative[1:]:
                    (keys if is_key else values)[(*path, *rel)] = rel_mark
            if anchor is not None and record is None:
                record = []
            if record is not None:
                record.append(path)
            if is_container:
                opened = _Frame(value, path, anchor)  # type: ignore[arg-type]
                if record is not None:
                    opened.record_start = len(record) - 1
                stack.append(opened)
            elif anchor is not None:
                assert record is not None
                self._remember(anchor, value, path, record, len(record) - 1)

    def _remember(
        self, anchor: str, value: object, path: Path, record: list[Path], start: int
    ) -> None:
        relative: list[tuple[Path, Mark0, bool]] = []
        depth = len(path)
        for rec_path in record[start:]:
            if rec_path[:depth] == path:
                rel = rec_path[depth:]
                relative.append((rel, self.values[rec_path], False))
                key_mark = self.keys.get(rec_path)
                if key_mark is not None and rel:
                    relative.append((rel, key_mark, True))
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
    data: object = None
    try:
        parser = SafeLoader(text)
        next_event = parser.get_event
        documents = 0
        while True:
            event = next_event()
            cls = event.__class__
            if cls is yaml.StreamEndEvent:
                break
            if cls is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise builder.fail(
                        event.start_mark,
                        "multi-document",
                        "the file holds more than one YAML document (a second '---'); "
                        "put each document in its own file",
                    )
                data = builder.build(next_event)
    except yaml.MarkedYAMLError as error:
        raise YamlLoadError([syntax_problem(file, text, error)]) from None
    except yaml.YAMLError as error:
        # A ReaderError (a character YAML refuses); the loader screens these out first.
        index = getattr(error, "position", 0)
        index = index if isinstance(index, int) and 0 <= index <= len(text) else 0
        line = text.count("\n", 0, index)
        position = Position.from_mark(line, index - (text.rfind("\n", 0, index) + 1))
        reason = getattr(error, "reason", None) or "the text is not YAML"
        raise YamlLoadError(
            [
                Problem(
                    file, position, "syntax", f"YAML syntax error: {reason}; correct the text here"
                )
            ]
        ) from None
    if data is None:
        raise YamlLoadError(
            [
                Problem(
                    file,
                    Position(1, 1),
                    "empty-file",
                    "the file holds no data; write its keys, or delete the file",
                )
            ]
        )
    first_line = text.split("\n", 1)[0].rstrip("\r")
    return YamlDocument(file, data, builder.values, builder.keys, first_line)

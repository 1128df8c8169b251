"""Whether a file is already in canonical layout, decided without the round trip.

``fmt --check`` reads every policy file of the repository on every pull request, and nearly all
of them are canonical already. Building ruamel.yaml's round-trip document for each is most of
the cost; this module instead rebuilds the canonical text from the C parser's events and the
file's own lines, and compares. It answers ``True`` only for files in a plain subset of YAML
whose every part the round trip is known to write back unchanged (single-line scalars and flow
collections, block text of the usual kinds, comments and blank lines as ``fmt`` lays them out);
for anything else it answers ``False``, and the caller asks the round trip. So a ``True`` is
the round trip's own verdict, reached faster (``tests/fmt/test_fmt_fast_check.py`` pins that).
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from dpm_policy.fmt.order import KeyOrder
from dpm_policy.fmt.safety import MODELINE_PREFIX
from dpm_policy.load import libyaml

__all__ = ["is_canonical"]


# Plain scalars the round trip writes back as they are: whole numbers ("-0" becomes "0"),
# decimals (ruamel.yaml keeps their digits), the two booleans, and text that starts with a
# letter and holds no character with a meaning in YAML.
_PLAIN_NUMBER = re.compile(r"0|-?[1-9][0-9]*|-?(?:0|[1-9][0-9]*)\.[0-9]+")
_PLAIN_TEXT = re.compile(r"[^\W\d][\w.,;/@()'+!?&%=-]*(?: [\w.,;/@()'+!?&%=-]+)*")
_PLAIN_FLOW_TEXT = re.compile(r"[^\W\d][\w.;/@()'+!?&%=-]*(?: [\w.;/@()'+!?&%=-]+)*")
# Words ruamel.yaml reads as null or as a boolean, and writes back in another spelling.
_RESPELT = frozenset({"null", "Null", "NULL", "True", "TRUE", "False", "FALSE"})
_PLAIN_KEY = re.compile(r"[^\W\d][\w.-]*")
_BLOCK_HEADERS = frozenset({"|", "|-", ">", ">-"})
_NOT_SIMPLE = ("\r", "\t", "\x85", "\u2028", "\u2029", "\ufeff")
_MAX_DEPTH = 8


class _NotSimple(Exception):
    """The file is outside the subset this module decides; ask the round trip."""


def _scalar_text(event: Any, line: str, *, flow: bool, key: bool) -> str:
    """The scalar as written, if it is one the round trip keeps; else ``_NotSimple``."""
    start, end = event.start_mark, event.end_mark
    if start.line != end.line or event.anchor is not None or event.tag is not None:
        raise _NotSimple
    written: str = line[start.column : end.column]
    style = event.style or None  # the C parser gives '' for a plain scalar
    if style is None:
        value = event.value
        if key:
            fits = _PLAIN_KEY.fullmatch(value) is not None
        else:
            pattern = _PLAIN_FLOW_TEXT if flow else _PLAIN_TEXT
            fits = (
                _PLAIN_NUMBER.fullmatch(value) is not None
                or value in ("true", "false")
                or (value not in _RESPELT and pattern.fullmatch(value) is not None)
            )
        if not fits or written != value:
            raise _NotSimple
        return written
    if style in ('"', "'"):
        inner = written[1:-1]
        if (
            len(written) < 2
            or written[0] != style
            or written[-1] != style
            or style in inner
            or "\\" in inner
            or not inner.isprintable()
        ):
            raise _NotSimple
        return written
    raise _NotSimple


class _Reader:
    """Walks one file's events, writing the canonical lines they stand for."""

    def __init__(self, text: str, sections: frozenset[str] | None, *, modeline: bool) -> None:
        self.modeline = modeline
        self.lines = text.split("\n")
        self.lines.pop()  # the text ends with a line break: the last item is empty
        self.events: list[Any] = list(libyaml.parse(text))
        self.index = 0
        self.sections = sections
        self.out: list[str] = []
        # The next line of the file that the canonical lines have not yet accounted for.
        self.next_line = 0
        self.nodes_written = 0

    def next(self) -> Any:
        event = self.events[self.index]
        self.index += 1
        return event

    def peek(self) -> Any:
        return self.events[self.index]

    # -- lines between nodes: comments and blank lines --------------------------------------

    def _gap_before(self, line_number: int, *, section: bool) -> None:
        """The lines before a node's line: one blank line before a section (not the first
        node), then own-line comments indented like the node."""
        if line_number < self.next_line:
            raise _NotSimple  # two nodes start on one line (or a value spans lines)
        gap = self.lines[self.next_line : line_number]
        if section and self.nodes_written:
            if not gap or gap[0] != "":
                self.out.append("")  # missing: the file differs
            else:
                self.out.append(gap.pop(0))
        line = self.lines[line_number]
        indent = line[: len(line) - len(line.lstrip(" "))]
        for comment in gap:
            if not comment.startswith(f"{indent}#") or comment != comment.rstrip():
                raise _NotSimple  # a blank line, or a comment out of place: not canonical
            if self.modeline and not self.nodes_written and comment.startswith(MODELINE_PREFIX):
                raise _NotSimple  # a second modeline, which fmt would drop
            self.out.append(comment)
        self.next_line = line_number

    def _line(self, line_number: int, content: str) -> None:
        """The node's line: ``content``, then nothing or one space and a comment."""
        written = self.lines[line_number]
        rest = written[len(content) :]
        if not written.startswith(content) or (
            rest and (not rest.startswith(" #") or rest != rest.rstrip())
        ):
            raise _NotSimple
        self.out.append(written)
        self.next_line = line_number + 1
        self.nodes_written += 1

    # -- nodes ----------------------------------------------------------------------------

    def flow(
        self,
        event: Any,
        line: str,
        order: KeyOrder | None,
        depth: int,
        free: KeyOrder | None = None,
    ) -> str:
        """A flow collection as the round trip writes it: ``[a, b]``, ``{k: v, k2: v2}``.

        ``free``, for a mapping of free keys (group constraints): the order within each value.
        """
        if event.anchor is not None or depth > _MAX_DEPTH:
            raise _NotSimple
        parts: list[str] = []
        if isinstance(event, yaml.SequenceStartEvent):
            while not isinstance(self.peek(), yaml.SequenceEndEvent):
                item = self.next()
                if isinstance(item, yaml.MappingStartEvent):
                    raise _NotSimple  # the round trip writes it as a single pair
                parts.append(self.value_text(item, line, None, depth + 1, flow=True))
            end = self.next()
            text = "[" + ", ".join(parts) + "]"
        else:
            keys: list[str] = []
            while not isinstance(self.peek(), yaml.MappingEndEvent):
                key = self.next()
                if not isinstance(key, yaml.ScalarEvent):
                    raise _NotSimple
                keys.append(key.value)
                key_text = _scalar_text(key, line, flow=True, key=True)
                child, entries = _below(order, free, key.value)
                value = self.value_text(
                    self.next(), line, child, depth + 1, flow=True, free=entries
                )
                parts.append(f"{key_text}: {value}")
            end = self.next()
            if free is None:
                _check_order(order, keys)
            text = "{" + ", ".join(parts) + "}"
        if end.end_mark.line != event.start_mark.line:
            raise _NotSimple
        return text

    def value_text(
        self,
        event: Any,
        line: str,
        order: KeyOrder | None,
        depth: int,
        *,
        flow: bool,
        free: KeyOrder | None = None,
    ) -> str:
        """A value written on its key's (or list item's) line."""
        if isinstance(event, yaml.ScalarEvent):
            return _scalar_text(event, line, flow=flow, key=False)
        if isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
            if not event.flow_style:
                raise _NotSimple
            return self.flow(event, line, order, depth, free)
        raise _NotSimple

    def block_mapping(
        self,
        start: Any,
        indent: int,
        order: KeyOrder | None,
        depth: int,
        free: KeyOrder | None = None,
    ) -> None:
        """A block mapping whose keys stand at ``indent``; ``free`` as for ``flow``."""
        if start.anchor is not None or start.tag is not None or depth > _MAX_DEPTH:
            raise _NotSimple
        keys: list[str] = []
        while not isinstance(self.peek(), yaml.MappingEndEvent):
            key = self.next()
            start_mark: Any = key.start_mark
            if not isinstance(key, yaml.ScalarEvent) or start_mark.column != indent:
                raise _NotSimple
            number = start_mark.line
            line = self.lines[number]
            if key.value in keys:
                raise _NotSimple  # a duplicate key: the round trip reports it
            keys.append(key.value)
            key_text = _scalar_text(key, line, flow=False, key=True)
            head = " " * indent + key_text + ":"
            section = depth == 0 and self.sections is not None and key.value in self.sections
            self._gap_before(number, section=section)
            value = self.next()
            child, entries = _below(order, free, key.value)
            block = isinstance(value, yaml.CollectionStartEvent) and not value.flow_style
            if value.start_mark.line != number and not block:
                raise _NotSimple
            if isinstance(value, yaml.ScalarEvent) and value.style in ("|", ">"):
                self._block_text(value, head, number, indent)
            elif isinstance(value, yaml.ScalarEvent) or (
                isinstance(value, yaml.SequenceStartEvent | yaml.MappingStartEvent)
                and value.flow_style
            ):
                text = self.value_text(value, line, child, depth + 1, flow=False, free=entries)
                self._line(number, f"{head} {text}")
            elif isinstance(value, yaml.MappingStartEvent):
                self._line(number, head)
                self.block_mapping(value, indent + 2, child, depth + 1, entries)
            elif isinstance(value, yaml.SequenceStartEvent):
                self._line(number, head)
                self._block_sequence(value, indent + 2)
            else:
                raise _NotSimple
        self.next()
        if free is None:
            _check_order(order, keys)

    def _block_sequence(self, start: Any, indent: int) -> None:
        if start.anchor is not None or start.tag is not None:
            raise _NotSimple
        while not isinstance(self.peek(), yaml.SequenceEndEvent):
            item = self.next()
            number = item.start_mark.line
            line = self.lines[number]
            if item.start_mark.column != indent + 2 or line[indent : indent + 2] != "- ":
                raise _NotSimple
            self._gap_before(number, section=False)
            text = self.value_text(item, line, None, 1, flow=False)
            self._line(number, " " * indent + "- " + text)
        self.next()

    def _block_text(self, event: Any, head: str, number: int, indent: int) -> None:
        """``key: |`` (or ``|-``, ``>``, ``>-``) and its lines, each indented two more."""
        line = self.lines[number]
        header = line[event.start_mark.column :]
        if event.anchor is not None or event.tag is not None or header not in _BLOCK_HEADERS:
            raise _NotSimple
        self._line(number, f"{head} {header}")
        end = event.end_mark.line if event.end_mark.column == 0 else event.end_mark.line + 1
        body = self.lines[number + 1 : end]
        while body and body[-1] == "":
            body.pop()  # blank lines after the text: see the gap before the next node
        if not body:
            raise _NotSimple
        pad = " " * (indent + 2)
        for content in body:
            blank = content == ""
            if blank and header.startswith(">"):
                raise _NotSimple  # folded paragraphs: the round trip's folding is its own
            if not blank and (
                not content.startswith(pad)
                or content[len(pad)] == " "
                or content != content.rstrip()
            ):
                raise _NotSimple
            self.out.append(content)
        self.next_line = number + 1 + len(body)
        if self.next_line < len(self.lines) and self.lines[self.next_line] == "":
            raise _NotSimple  # a blank line after block text may be part of it

    def end_of_file(self) -> None:
        """After the last node: nothing, or comments at the left margin (after one blank line,
        if the author left one)."""
        rest = self.lines[self.next_line :]
        if rest and rest[0] == "":
            if len(rest) == 1:
                raise _NotSimple
            self.out.append(rest.pop(0))
        for comment in rest:
            if not comment.startswith("#") or comment != comment.rstrip():
                raise _NotSimple
            self.out.append(comment)


def _below(
    order: KeyOrder | None, free: KeyOrder | None, key: str
) -> tuple[KeyOrder | None, KeyOrder | None]:
    """The order of the mapping under ``key``, and, when that mapping has free keys, the order
    within each of its values (as ``roundtrip`` applies them)."""
    if free is not None:
        return free, None
    if order is None:
        return None, None
    return order.children.get(key), order.entries.get(key)


def _check_order(order: KeyOrder | None, keys: list[str]) -> None:
    if order is None:
        return
    ranks = [order.rank(key) for key in keys]
    if ranks != sorted(ranks):
        raise _NotSimple  # the round trip would reorder them


def is_canonical(text: str, order: KeyOrder | None, modeline: str | None) -> bool:
    """Whether ``fmt`` would leave ``text`` exactly as it is, for the plain subset of YAML
    described above; ``False`` means "not decided here" as well as "not canonical".

    ``order`` is the file's key order (None: keys are not reordered) and ``modeline`` the
    first line the file must have (None: any).
    """
    if not text.endswith("\n") or any(mark in text for mark in _NOT_SIMPLE):
        return False
    sections = frozenset(order.keys_with_children()) if order is not None else None
    try:
        reader = _Reader(text, sections, modeline=modeline is not None)
        if modeline is not None:
            if not reader.lines or reader.lines[0] != modeline:
                return False
            reader.out.append(modeline)
            reader.next_line = 1
        events = reader.events
        if (
            len(events) < 4
            or not isinstance(events[1], yaml.DocumentStartEvent)
            or events[1].explicit
            or not isinstance(events[2], yaml.MappingStartEvent)
            or events[2].flow_style
        ):
            return False
        reader.index = 3
        if sections is None:
            raise _NotSimple  # blank lines before top-level mappings: left to the round trip
        reader.block_mapping(events[2], 0, order, 0)
        end = reader.next()
        if not isinstance(end, yaml.DocumentEndEvent) or end.explicit:
            return False
        if not isinstance(reader.next(), yaml.StreamEndEvent):
            return False
        reader.end_of_file()
    except (_NotSimple, yaml.YAMLError, IndexError):
        return False
    return reader.out == reader.lines

"""Comments and blank lines around the round trip: taken out before it, put back after it.

ruamel.yaml hangs an own-line comment on the key written before it, so reordering keys would
carry the comment away from the key it annotates. Instead every comment is lifted out of the
text with the node it belongs to, the round trip formats text without comments, and each comment
is written back beside its node:

* a comment on its own line belongs to the next key or list item, and is indented like it;
* a comment at the end of a line belongs to the last node that starts before it on that line,
  and follows it after one space;
* comments after the last node stay at the end of the file, at the left margin.

Blank lines are not kept: the layout has exactly one before each section (``sections``), and
none elsewhere, except inside a block of text (``|``, ``>``), where they are content.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import yaml

from dpm_policy.fmt.safety import comment_spans
from dpm_policy.load import libyaml

__all__ = ["Comment", "Lifted", "lift", "node_starts", "put_back"]


NodePath = tuple[str | int, ...]
Mark = tuple[int, int]


@dataclass(frozen=True)
class Comment:
    """One comment, the node it belongs to (None: the end of the file) and how it is written."""

    text: str
    anchor: NodePath | None
    inline: bool


@dataclass(frozen=True)
class Lifted:
    """The text without comments or blank lines, and the comments taken out of it."""

    text: str
    comments: tuple[Comment, ...]
    # Whether the comments at the end of the file were set off by a blank line.
    blank_before_end: bool


@dataclass(frozen=True)
class NodeStarts:
    """Where each key and list item starts (0-based line, column), and which top-level keys
    hold a mapping."""

    starts: dict[NodePath, Mark]
    mapping_keys: frozenset[str]


def node_starts(text: str) -> NodeStarts | None:
    """Every key's and list item's start, from the C parser's events; None when a key is not
    plain text (a list or mapping as a key), or the text holds more than one document."""
    starts: dict[NodePath, Mark] = {}
    mapping_keys: set[str] = set()
    # Each open collection: its path, whether it is a mapping, its next index or pending key.
    stack: list[list[Any]] = []
    documents = 0
    event: Any
    for event in libyaml.parse(text):
        cls = event.__class__
        if cls is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                return None
            continue
        if cls in (yaml.MappingEndEvent, yaml.SequenceEndEvent):
            stack.pop()
            continue
        if cls not in (
            yaml.ScalarEvent,
            yaml.AliasEvent,
            yaml.MappingStartEvent,
            yaml.SequenceStartEvent,
        ):
            continue
        mark = (event.start_mark.line, event.start_mark.column)
        path: NodePath = ()
        if stack:
            top = stack[-1]
            if top[1]:  # a mapping: a key, then its value
                if top[2] is None:
                    if cls is not yaml.ScalarEvent:
                        return None
                    top[2] = event.value
                    starts[(*top[0], event.value)] = mark
                    continue
                path = (*top[0], top[2])
                top[2] = None
                if not top[0] and cls is yaml.MappingStartEvent:
                    mapping_keys.add(str(path[-1]))
            else:
                path = (*top[0], top[3])
                top[3] += 1
                starts[path] = mark
        else:
            starts[()] = mark
        if cls is yaml.MappingStartEvent:
            stack.append([path, True, None, 0])
        elif cls is yaml.SequenceStartEvent:
            stack.append([path, False, None, 0])
    return NodeStarts(starts, frozenset(mapping_keys))


def _scalar_lines(text: str) -> set[int]:
    """Lines inside a scalar that spans lines, where a blank line is part of the value."""
    inside: set[int] = set()
    for token in libyaml.scan(text):
        if isinstance(token, yaml.ScalarToken):
            first, last = token.start_mark.line, token.end_mark.line
            if last > first:
                end = last + 1 if token.end_mark.column > 0 else last
                inside.update(range(first + 1, end))
    return inside


def _anchor(
    ordered: list[tuple[Mark, NodePath]], line: int, column: int, inline: bool
) -> NodePath | None:
    if inline:
        before = [item for item in ordered if item[0] <= (line, column)]
        if not before:
            return None
        # The last node that starts before the comment; of several at one place, the deepest.
        mark = before[-1][0]
        return max((path for found, path in before if found == mark), key=len)
    after = [item for item in ordered if item[0][0] > line]
    if not after:
        return None
    mark = after[0][0]
    # Of several nodes that start at one place (a list item and its first key), the outermost.
    return min((path for found, path in after if found == mark), key=len)


def lift(text: str) -> Lifted | None:
    """Take every comment and blank line out of ``text``; None when its nodes cannot be
    located (see ``node_starts``). Raises ``yaml.YAMLError`` for text that is not YAML."""
    located = node_starts(text)
    if located is None:
        return None
    ordered = sorted((mark, path) for path, mark in located.starts.items())
    lines = text.split("\n")
    keep_blank = _scalar_lines(text)
    comments: list[Comment] = []
    cut: dict[int, int] = {}  # line -> column where its comment starts
    at_end: list[int] = []
    for start, end in comment_spans(text):
        line = text.count("\n", 0, start)
        column = start - (text.rfind("\n", 0, start) + 1)
        inline = bool(lines[line][:column].strip())
        anchor = _anchor(ordered, line, column, inline)
        comments.append(Comment(text[start:end].rstrip(), anchor, inline))
        cut[line] = column
        if anchor is None and not inline:
            at_end.append(line)
    kept: list[str] = []
    for number, written in enumerate(lines):
        if number in cut:
            written = written[: cut[number]].rstrip()
            if not written:
                continue
        if not written.strip() and number not in keep_blank:
            continue
        kept.append(written)
    blank_before_end = bool(at_end) and at_end[0] > 0 and not lines[at_end[0] - 1].strip()
    bare = "\n".join(kept)
    return Lifted(bare + "\n" if bare else "", tuple(comments), blank_before_end)


def put_back(text: str, lifted: Lifted, sections: Iterable[str] | None) -> str | None:
    """``text`` (the round trip's output of ``lifted.text``) with the comments written back
    beside their nodes and a blank line before each top-level key in ``sections`` (None: each
    top-level key that holds a mapping). None when a comment's node cannot be found, or two
    comments would end one line."""
    located = node_starts(text)
    if located is None:
        return None
    blank_keys = frozenset(sections) if sections is not None else located.mapping_keys
    by_line: dict[int, list[NodePath]] = {}
    for path, mark in located.starts.items():
        by_line.setdefault(mark[0], []).append(path)
    own: dict[NodePath, list[str]] = {}
    inline: dict[NodePath, list[str]] = {}
    at_end: list[str] = []
    for comment in lifted.comments:
        if comment.anchor is None and not comment.inline:
            at_end.append(comment.text)
        elif comment.anchor is None or comment.anchor not in located.starts:
            return None
        else:
            (inline if comment.inline else own).setdefault(comment.anchor, []).append(comment.text)
    out: list[str] = []
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for number, line in enumerate(lines):
        paths = sorted(by_line.get(number, ()), key=len)
        if out and any(len(path) == 1 and path[0] in blank_keys for path in paths):
            out.append("")
        indent = " " * (len(line) - len(line.lstrip(" ")))
        for path in paths:
            out.extend(indent + comment for comment in own.pop(path, ()))
        ending = [comment for path in paths for comment in inline.pop(path, ())]
        if len(ending) > 1:
            return None
        out.append(f"{line} {ending[0]}" if ending else line)
    if own or inline:
        return None
    if at_end:
        if lifted.blank_before_end and out:
            out.append("")
        out.extend(at_end)
    return "\n".join(out) + "\n" if out else ""

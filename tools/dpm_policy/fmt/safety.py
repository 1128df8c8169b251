"""Proof that formatting changed only layout: the same data and the same comments.

Both are read with PyYAML, independently of the ruamel.yaml round trip that rewrites the file,
so a comment or value the round trip loses is caught rather than trusted.
"""

from __future__ import annotations

from collections import Counter

import yaml

from dpm_policy.load import libyaml

__all__ = ["MODELINE_PREFIX", "comment_spans", "comments_of", "same_data"]

MODELINE_PREFIX = "# yaml-language-server:"


def comment_spans(text: str) -> list[tuple[int, int]]:
    """Where each comment of ``text`` starts and ends (string indexes), in order.

    A ``#`` starts a comment only outside scalars, at the start of a line or after a space;
    scalar tokens (including block scalars, where ``#`` is text) are found with the scanner.
    """
    spans = [
        (token.start_mark.index, token.end_mark.index)
        for token in libyaml.scan(text)
        if isinstance(token, yaml.ScalarToken)
    ]
    spans.sort()
    found: list[tuple[int, int]] = []
    span_index = 0
    index = text.find("#")
    while index != -1:
        while span_index < len(spans) and spans[span_index][1] <= index:
            span_index += 1
        inside = span_index < len(spans) and spans[span_index][0] <= index
        starts_comment = index == 0 or text[index - 1] in " \t\n"
        if inside or not starts_comment:
            index = text.find("#", index + 1)
            continue
        end = text.find("\n", index)
        end = len(text) if end == -1 else end
        found.append((index, end))
        index = text.find("#", end)
    return found


def comments_of(text: str) -> Counter[str]:
    """Every comment of ``text`` (stripped), counted; the editor modeline is left out."""
    found: Counter[str] = Counter()
    for start, end in comment_spans(text):
        comment = text[start:end].strip()
        if not comment.startswith(MODELINE_PREFIX):
            found[comment] += 1
    return found


def _canonical(node: yaml.Node) -> object:
    """A node as comparable data: mappings unordered, scalars by resolved tag and text."""
    if isinstance(node, yaml.ScalarNode):
        return ("scalar", node.tag, node.value)
    if isinstance(node, yaml.SequenceNode):
        return ("seq", node.tag, tuple(_canonical(item) for item in node.value))
    assert isinstance(node, yaml.MappingNode)
    pairs = sorted((repr(_canonical(key)), repr(_canonical(value))) for key, value in node.value)
    return ("map", node.tag, tuple(pairs))


def same_data(before: str, after: str) -> bool:
    """Whether two texts hold the same documents, up to key order and layout."""
    first = [_canonical(node) for node in libyaml.compose_all(before) if node]
    second = [_canonical(node) for node in libyaml.compose_all(after) if node]
    return first == second

"""A YAML syntax error in the author's words, at the token that is wrong.

libyaml reports where it gave up, which is often not where the mistake is: an unclosed quote
or bracket is noticed at the end of the file, a key without its ``:`` on the next line. Each
known complaint is turned into the place of the mistake and a sentence that ends with the fix;
the parser's own wording ("while parsing a block mapping ...") is never shown.
"""

from __future__ import annotations

from typing import Any

import yaml

from dpm_policy.load import libyaml
from dpm_policy.problems import Position, Problem

__all__ = ["syntax_problem"]

_FALLBACK = "the text is not valid YAML here; check the indentation, quotes and brackets"


def _mark(mark: Any) -> tuple[int, int]:
    """A parser mark as a 0-based ``(line, column)``."""
    return (mark.line, mark.column)


def _last_scalar(text: str, where: tuple[int, int]) -> Any | None:
    """The last scalar token the scanner finished before ``where``, if any."""
    found = None
    try:
        for token in libyaml.scan(text):
            if _mark(token.start_mark) >= where:
                break
            if isinstance(token, yaml.ScalarToken):
                found = token
    except yaml.YAMLError:
        pass
    return found


def _quoted_mistake(
    text: str, lines: list[str], where: tuple[int, int]
) -> tuple[tuple[int, int], str] | None:
    """A quote that ended somewhere other than where its author meant.

    A quoted text left open on its line runs on until the next quote of its kind, often one
    that opens the next value, and the parser stops after it; an apostrophe inside single
    quotes closes them early.
    """
    scalar = _last_scalar(text, where)
    if scalar is None or scalar.style not in ('"', "'"):
        return None
    start, end = _mark(scalar.start_mark), _mark(scalar.end_mark)
    quote = scalar.style
    if start[0] < end[0] and end[0] <= where[0]:
        return start, (
            f"this {quote} opens a quoted text that is not closed on its line (YAML reads on "
            f"to line {end[0] + 1}); end the text with {quote}"
        )
    line = lines[end[0]] if end[0] < len(lines) else ""
    if quote == "'" and end[0] == where[0] and line[end[1] : end[1] + 1].isalnum():
        return (end[0], end[1] - 1), (
            "this ' ends the single-quoted text early; write '' for an apostrophe inside "
            "single quotes, or use double quotes"
        )
    return None


def _line_start(lines: list[str], line: int) -> tuple[int, int]:
    """The first character of a line that is not a space (0-based)."""
    text = lines[line] if line < len(lines) else ""
    return (line, len(text) - len(text.lstrip(" ")))


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _misplaced_colon(lines: list[str], where: tuple[int, int]) -> tuple[tuple[int, int], str]:
    """``mapping values are not allowed``: a ``: `` where YAML was still reading a value."""
    line = lines[where[0]] if where[0] < len(lines) else ""
    if ": " in line[: where[1]] or line[: where[1]].lstrip().startswith("- "):
        return where, "a value cannot hold ': ' unless it is quoted; put the value in quotes"
    # The value began on an earlier line: the last one written above this one.
    above = where[0] - 1
    while above >= 0 and (not lines[above].strip() or lines[above].lstrip().startswith("#")):
        above -= 1
    if above >= 0 and ":" not in lines[above] and not lines[above].lstrip().startswith("- "):
        # A line meant as "key: value" without its colon runs into the next one.
        return _line_start(lines, above), (
            "this line has no ':' after its key, so YAML reads it and the next line as one "
            "text; write 'key: value'"
        )
    return _line_start(lines, where[0]), (
        "this line is indented deeper than the key above it, so YAML reads it as more of that "
        "key's value; line it up with that key"
    )


def _explained(text: str, error: yaml.MarkedYAMLError) -> tuple[tuple[int, int], str] | None:
    """Where the mistake is and what to do, for each complaint libyaml is known to make."""
    problem = error.problem or ""
    context = error.context or ""
    mark = error.problem_mark
    start = error.context_mark
    if mark is None:
        return None
    where = _mark(mark)
    lines = text.split("\n")
    line = lines[where[0]] if where[0] < len(lines) else ""
    char = line[where[1]] if where[1] < len(line) else ""
    quoted = _quoted_mistake(text, lines, where)
    if quoted is not None:
        return quoted
    if "quoted scalar" in context and "end of stream" in problem and start is not None:
        quote = lines[start.line][start.column] if start.line < len(lines) else '"'
        return _mark(start), (
            f"this {quote} opens a quoted text that is never closed; end the text with {quote}"
        )
    if "unknown escape" in problem:
        return where, (
            "a backslash in double quotes starts an escape such as \\n; write \\\\ for a "
            "backslash, or use single quotes"
        )
    if "flow sequence" in context and start is not None:
        return _mark(start), (
            "the list opened here with '[' is never closed; end it with ']' "
            "(and separate its items with ',')"
        )
    if "flow mapping" in context and start is not None:
        return _mark(start), (
            "the mapping opened here with '{' is never closed; end it with '}' "
            "(and separate its entries with ',')"
        )
    if "simple key" in context and start is not None:
        return _mark(start), "this line has no ':' after its key; write 'key: value'"
    if problem.startswith("mapping values are not allowed"):
        return _misplaced_colon(lines, where)
    if problem.startswith("block sequence entries are not allowed"):
        return where, (
            "a list item cannot start on the line of its key; start each '- ' item on its own "
            "line, indented under the key"
        )
    if problem.startswith(("did not find expected key", "did not find expected '-'")):
        if char == "-":
            return where, (
                "a list item ('- ') stands where a key was expected; indent the list under its key"
            )
        if char in "]}":
            return where, f"this '{char}' closes nothing; remove it"
        if where == _line_start(lines, where[0]):
            return where, (
                "this line is indented unlike the keys around it; line it up with the key it "
                "belongs beside (two spaces per level)"
            )
        return where, (
            "more text follows the value on this line; put the whole value in quotes, or "
            "start the next key on its own line"
        )
    if problem.startswith("found character that cannot start any token") and char:
        return where, f"a value cannot start with {char!r}; put the value in quotes"
    if "alias" in context or "anchor" in context:
        symbol = "*" if "alias" in context else "&"
        return _mark(start or mark), (
            f"'{symbol}' starts an {'alias' if symbol == '*' else 'anchor'} here; put the "
            "value in quotes if it is text"
        )
    if "block scalar" in context:
        return _mark(start or mark), (
            "'|' or '>' starts a block of text and must end its line; put the value in quotes"
        )
    if "document start" in problem or "incompatible YAML document" in problem:
        return where, ("a policy file is one YAML document of 'key: value' lines; remove this line")
    return None


def syntax_problem(file: str, text: str, error: yaml.MarkedYAMLError) -> Problem:
    """One problem for libyaml's complaint: at the mistake, in the author's words."""
    mark = error.problem_mark or error.context_mark
    position = Position.from_mark(mark.line, mark.column) if mark is not None else Position(1, 1)
    lines = text.split("\n")
    line = lines[position.line - 1] if position.line <= len(lines) else ""
    if "\t" in line[: position.col] and not line[: position.col - 1].strip(" \t"):
        return Problem(
            file,
            position,
            "syntax",
            "YAML syntax error: a tab indents this line; indent with spaces",
        )
    explained = _explained(text, error)
    if explained is None:
        return Problem(file, position, "syntax", f"YAML syntax error: {_FALLBACK}")
    (line0, column0), message = explained
    return Problem(
        file, Position.from_mark(line0, column0), "syntax", f"YAML syntax error: {message}"
    )

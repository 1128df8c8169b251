"""Reading one source file safely: its tree checks size, type and symlinks, then the encoding is
checked here, the same whichever tree the bytes came from."""

from __future__ import annotations

import re
from pathlib import Path

from dpm_policy.load.trees import MAX_FILE_BYTES, DiskTree, SourceTree, relative_name
from dpm_policy.load.trees import load_error as _fail
from dpm_policy.load.yaml_source import YamlDocument, parse_yaml
from dpm_policy.problems import Position

__all__ = [
    "MAX_FILE_BYTES",
    "load_document",
    "parse_document",
    "read_document",
    "read_text",
    "relative_name",
]

# Characters YAML 1.2 does not allow in a stream (its c-printable set, complemented): C0 and C1
# controls other than tab, line feed, carriage return and NEL, surrogates, U+FFFE and U+FFFF.
_NOT_PRINTABLE = re.compile(r"[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _decode(raw: bytes, name: str) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        col = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        raise _fail(
            name,
            "encoding",
            f"byte 0x{raw[error.start]:02x} is not UTF-8; save the file as UTF-8",
            Position(line, col),
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    # libyaml refuses these too, but at no position and in its own words.
    found = _NOT_PRINTABLE.search(text)
    if found is not None:
        index = found.start()
        char = found.group()
        line = text.count("\n", 0, index) + 1
        col = index - (text.rfind("\n", 0, index) + 1) + 1
        raise _fail(
            name,
            "encoding",
            f"the character U+{ord(char):04X} cannot appear in a YAML file; delete it",
            Position(line, col),
        )
    return text


def read_text(tree: SourceTree, name: str) -> str:
    """The text of the file ``name`` of ``tree``, checked as every policy file is (a regular
    file within the repository, within the size limit, UTF-8, printable); raises
    ``YamlLoadError`` with a positioned problem."""
    return _decode(tree.read(name), name)


def parse_document(raw: bytes, name: str) -> YamlDocument:
    """Decode and parse the bytes of the file ``name``; raises ``YamlLoadError`` with
    positioned problems."""
    return parse_yaml(_decode(raw, name), name)


def read_document(tree: SourceTree, name: str) -> YamlDocument:
    """Read and parse the file ``name`` of ``tree``; raises ``YamlLoadError`` with positioned
    problems."""
    return parse_document(tree.read(name), name)


def load_document(root: Path, path: Path | str) -> YamlDocument:
    """Read and parse one file on disk below ``root``; see ``read_document``."""
    return read_document(DiskTree(root), relative_name(root, path))

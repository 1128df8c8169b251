"""Reading one source file safely: size, type, symlinks and encoding are checked first."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from dpm_policy.load.yaml_source import YamlDocument, YamlLoadError, parse_yaml
from dpm_policy.problems import Position, Problem

__all__ = ["MAX_FILE_BYTES", "load_document", "relative_name"]

# A policy file is a few hundred bytes; anything this large is a mistake or hostile.
MAX_FILE_BYTES = 256 * 1024

# Characters YAML 1.2 does not allow in a stream (its c-printable set, complemented): C0 and C1
# controls other than tab, line feed, carriage return and NEL, surrogates, U+FFFE and U+FFFF.
_NOT_PRINTABLE = re.compile(r"[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def relative_name(root: Path, path: Path | str) -> str:
    """The path as authors see it: relative to the repository root, forward slashes."""
    # Plain string work: this runs once per file, and pathlib's parsing is the slow part.
    text, prefix = os.fspath(path), os.fspath(root).rstrip(os.sep) + os.sep
    if text.startswith(prefix):
        text = text[len(prefix) :]
    return text.replace(os.sep, "/")


def _fail(name: str, code: str, message: str, position: Position | None = None) -> YamlLoadError:
    return YamlLoadError([Problem(name, position or Position(1, 1), code, message)])


def _read_bytes(root: Path, path: Path | str, name: str) -> bytes:
    try:
        if os.path.islink(path):
            target = Path(path).resolve(strict=True)
            if not target.is_relative_to(root.resolve()):
                raise _fail(
                    name,
                    "symlink",
                    "the file is a symbolic link to a place outside the repository; "
                    "commit the file itself",
                )
        info = os.stat(path)
    except FileNotFoundError:
        raise _fail(
            name,
            "io",
            "the file is a symbolic link to nothing, or vanished while being read; "
            "replace it with the file itself",
        ) from None
    except RuntimeError:  # a symbolic link loop
        raise _fail(
            name,
            "symlink",
            "the file is a symbolic link that loops; replace it with the file itself",
        ) from None
    except OSError as error:
        raise _fail(name, "io", f"cannot read the file: {error.strerror or error}") from None
    if not stat.S_ISREG(info.st_mode):
        raise _fail(
            name,
            "io",
            "the name is taken by something other than a file (a pipe, device or socket); "
            "remove it",
        )
    if info.st_size > MAX_FILE_BYTES:
        raise _fail(
            name,
            "file-size",
            f"the file is {info.st_size} bytes, more than the {MAX_FILE_BYTES} bytes a policy "
            "file may hold; keep one pack, tenant or environment per file",
        )
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise _fail(name, "io", f"cannot read the file: {error.strerror or error}") from None
    if len(raw) > MAX_FILE_BYTES:  # it grew after the size check
        raise _fail(
            name,
            "file-size",
            f"the file is more than the {MAX_FILE_BYTES} bytes a policy file may hold; "
            "keep one pack, tenant or environment per file",
        )
    return raw


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


def load_document(root: Path, path: Path | str) -> YamlDocument:
    """Read and parse one file; raises ``YamlLoadError`` with positioned problems."""
    name = relative_name(root, path)
    text = _decode(_read_bytes(root, path, name), name)
    return parse_yaml(text, name)

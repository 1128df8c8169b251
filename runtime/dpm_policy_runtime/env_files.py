"""Reading the compiled output: ``env.json`` or ``dpm-policy.env``.

The container format is always read strictly, whatever the mode: it is our compiler's
output, not something the engine parses, so a malformed file is a build or mount error.
``env.json`` carries the version of its format; a version this runtime does not know is
refused, naming both.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from dpm_policy_runtime.errors import PolicyConfigError
from dpm_policy_runtime.json_text import JsonObject, JsonTextError, strict_json
from dpm_policy_runtime.problems import ConfigProblem
from dpm_policy_runtime.safe_text import display_key
from dpm_policy_runtime.variables import VARIABLES

__all__ = [
    "FORMAT_KEY",
    "FORMAT_VERSION",
    "parse_dotenv",
    "parse_env_json",
    "read_variables",
    "variables_from_bytes",
]

# The format of env.json this runtime reads, and the key that names it. Format 1: one JSON
# object of variable name -> text, plus this key. A file without the key (written before the
# key existed) has the same layout and reads as format 1. Raise the number, and teach this
# module the new layout, whenever a reader of format 1 would misread the new files.
FORMAT_VERSION = 1
FORMAT_KEY = "format_version"

# NAME='value' where a single quote inside is written '\'' (close, escaped quote, reopen):
# what bash's printf %q-free quoting produces and what `set -a; . file` reads back.
# The value is written as an unrolled loop (runs of plain characters, each escaped quote
# followed by another run) so that a value of hundreds of kilobytes matches in one pass.
_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)='([^']*(?:'\\''[^']*)*)'")


def parse_dotenv(text: str, source: str) -> dict[str, str]:
    """``NAME='value'`` lines, blank lines and ``#`` comments; nothing else."""
    problems: list[ConfigProblem] = []
    variables: dict[str, str] = {}
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        match = _LINE.fullmatch(line)
        if match is None:
            hint = " (Windows line ending)" if line.endswith("\r") else ""
            problems.append(
                ConfigProblem(
                    f"{source}:{number}",
                    "",
                    "dotenv",
                    f"not a NAME='value' line{hint}; quote the value in single quotes and "
                    "write a quote inside as '\\''",
                )
            )
            continue
        name, value = match.group(1), match.group(2).replace("'\\''", "'")
        if name in variables:
            problems.append(
                ConfigProblem(f"{source}:{number}", name, "duplicate", "variable set twice")
            )
        variables[name] = value
    if problems:
        raise PolicyConfigError(problems)
    return variables


def parse_env_json(text: str, source: str) -> dict[str, str]:
    """A flat JSON object of strings."""
    try:
        raw = strict_json(text)
    except JsonTextError as exc:
        raise PolicyConfigError([ConfigProblem(source, "", "json", str(exc))]) from None
    if not isinstance(raw, JsonObject):
        raise PolicyConfigError(
            [ConfigProblem(source, "", "type", "must be a JSON object of variable -> string")]
        )
    _check_format(raw.get(FORMAT_KEY, FORMAT_VERSION), source)
    problems = [
        ConfigProblem(source, display_key(name), "duplicate", "variable set twice")
        for name in raw.duplicates
    ]
    variables: dict[str, str] = {}
    for name, value in raw.items():
        if name == FORMAT_KEY:
            continue
        if isinstance(value, str):
            variables[name] = value
        else:
            problems.append(
                ConfigProblem(
                    source,
                    display_key(name),
                    "type",
                    f"must be a string (environment values are text), got {json.dumps(value)[:40]}",
                )
            )
    if problems:
        raise PolicyConfigError(problems)
    return variables


def _check_format(version: object, source: str) -> None:
    """Refuse a format other than :data:`FORMAT_VERSION`, naming both."""
    if version == FORMAT_VERSION and type(version) is int:
        return
    if type(version) is int and version > FORMAT_VERSION:
        fix = (
            "install the dpm-policy-runtime of the dpm-policy that compiled it, or compile "
            "with this one"
        )
    else:
        fix = "recompile it with dpm-policy compile"
    shown = json.dumps(version)[:40]
    raise PolicyConfigError(
        [
            ConfigProblem(
                source,
                FORMAT_KEY,
                "format",
                f"format {shown} is not known to this dpm-policy-runtime, which reads format "
                f"{FORMAT_VERSION}; {fix}",
            )
        ]
    )


def variables_from_bytes(data: bytes, source: str, *, strict: bool) -> dict[str, str]:
    """Decode and parse by file name: ``*.json`` is env.json, anything else is dotenv.

    Strict mode also rejects names the resolver does not read: they would do nothing.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PolicyConfigError(
            [ConfigProblem(source, "", "encoding", f"not UTF-8 (byte {exc.start})")]
        ) from None
    if source.endswith(".json"):
        variables = parse_env_json(text, source)
    else:
        variables = parse_dotenv(text, source)
    if strict:
        unknown = [name for name in variables if name not in VARIABLES]
        if unknown:
            raise PolicyConfigError(
                ConfigProblem(
                    source,
                    display_key(name),
                    "unknown-variable",
                    f"the resolver does not read it; known: {', '.join(VARIABLES)}",
                )
                for name in unknown
            )
    return variables


def read_variables(path: str | Path, *, strict: bool) -> dict[str, str]:
    """Read one compiled file; I/O errors propagate as ``OSError``."""
    file = Path(path)
    return variables_from_bytes(file.read_bytes(), file.name, strict=strict)

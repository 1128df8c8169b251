"""What several subcommands share: finding the repository root and reporting problems."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from dpm_policy.formats import FORMATS
from dpm_policy.problems import Problem

__all__ = ["add_format_argument", "add_root_argument", "find_root", "report_problems"]

_MARKERS = ("environments", "packs", "tenants")


def add_root_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--root",
        type=Path,
        default=None,
        help="the policy repository (default: the one the current folder is in)",
    )


def add_format_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=sorted(FORMATS),
        default="text",
        help="how to print problems: text for people, json for machines, github for "
        "pull-request annotations (default: text)",
    )


def find_root(given: Path | None) -> Path:
    """``--root`` if given, else the nearest folder up from here that holds policy folders."""
    if given is not None:
        return given.resolve()
    here = Path.cwd().resolve()
    for candidate in (here, *here.parents):
        if any((candidate / marker).is_dir() for marker in _MARKERS):
            return candidate
    return here


def report_problems(problems: Sequence[Problem], format_name: str) -> None:
    """Print problems in the chosen format: to stdout for json, to stderr for people."""
    text = FORMATS[format_name](problems)
    stream = sys.stdout if format_name == "json" else sys.stderr
    if text:
        stream.write(text)

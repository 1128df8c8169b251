"""What several subcommands share: finding the repository root and reporting a result.

Reporting, for every command: problems are ``Problem`` values, printed by the renderers of
``dpm_policy.formats`` (text, json, github). A command whose result has more to show than its
problems (a review, a publish plan, an explanation) has a registry of payload renderers too;
``--format`` offers both registries, and ``emit`` prints the one chosen.
"""

from __future__ import annotations

import argparse
import datetime
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

from dpm_policy.formats import FORMATS
from dpm_policy.problems import Problem
from dpm_policy_runtime.variables import POSTGRES_DSN

__all__ = [
    "add_check_argument",
    "add_dist_argument",
    "add_dsn_argument",
    "add_environments_argument",
    "add_format_argument",
    "add_root_argument",
    "add_today_argument",
    "emit",
    "find_root",
    "format_choices",
    "report_problems",
    "report_stopped",
    "shown_path",
]

_MARKERS = ("environments", "packs", "tenants")

T = TypeVar("T")


def add_root_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--root",
        type=Path,
        default=None,
        help="the policy repository (default: the one the current folder is in)",
    )


def add_environments_argument(parser: argparse.ArgumentParser, help: str) -> None:
    """``--env NAME``, repeatable, into ``args.environments`` (empty: every environment)."""
    parser.add_argument(
        "--env", dest="environments", action="append", default=[], metavar="NAME", help=help
    )


def add_check_argument(parser: argparse.ArgumentParser, help: str) -> None:
    """``--check``: change nothing, and say (exit 1) what would change."""
    parser.add_argument("--check", action="store_true", help=help)


def _day(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write YYYY-MM-DD") from None


def add_today_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--today",
        type=_day,
        default=None,
        metavar="YYYY-MM-DD",
        help="judge waivers' expiry as on this day (default: DPM_POLICY_TODAY, else the real date)",
    )


def add_dist_argument(parser: argparse.ArgumentParser) -> None:
    """``--dist DIR``: where a command reads compiled output from."""
    parser.add_argument(
        "--dist",
        type=Path,
        default=None,
        metavar="DIR",
        help="compiled output folder (default: <root>/dist)",
    )


def add_dsn_argument(parser: argparse.ArgumentParser) -> None:
    """``--dsn DSN``: the engine's Postgres catalog."""
    parser.add_argument(
        "--dsn",
        default=None,
        metavar="DSN",
        help=f"PostgreSQL DSN of the engine's catalog (default: ${POSTGRES_DSN})",
    )


def format_choices(payloads: Mapping[str, object] | None = None) -> list[str]:
    """``--format``'s choices: the payload renderers, then the problem renderers."""
    return list(dict.fromkeys([*(payloads or {}), *FORMATS]))


def add_format_argument(
    parser: argparse.ArgumentParser,
    payloads: Mapping[str, object] | None = None,
    *,
    default: str = "text",
) -> None:
    """``--format``, its choices taken from the registries (problems, and the payload's)."""
    choices = format_choices(payloads)
    parser.add_argument(
        "--format",
        choices=choices,
        default=default,
        help=f"{', '.join(choices)} (default: {default}); github prints problems as "
        "pull-request annotations, json prints one document that lists them under 'problems'",
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


def shown_path(path: Path, root: Path) -> str:
    """A path as authors see it: relative to the repository when inside it."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def report_problems(problems: Sequence[Problem], format_name: str) -> None:
    """Print problems in the chosen format: to stdout for json, to stderr otherwise."""
    text = FORMATS[format_name](problems)
    stream = sys.stdout if format_name == "json" else sys.stderr
    if text:
        stream.write(text)


def report_stopped(message: str, problems: Sequence[Problem], format_name: str) -> int:
    """A command stopped by findings, with nothing produced: one line saying so on stderr,
    then the problems in the format asked for (a payload format, such as csv or markdown, has
    no place for them: they are shown as text); returns exit code 1."""
    sys.stderr.write(f"dpm-policy: {message}\n")
    report_problems(problems, format_name if format_name in FORMATS else "text")
    return 1


def emit(
    problems: Sequence[Problem],
    format_name: str,
    payloads: Mapping[str, Callable[[T], str]] | None = None,
    payload: T | None = None,
    *,
    beside_annotations: str | None = None,
) -> None:
    """Print a command's result in the format chosen.

    A payload format prints the payload to stdout (its renderer shows the problems too: the
    JSON ones through ``formats.json_format.problems_data``). A problem format prints the
    problems; with ``github``, the payload's ``beside_annotations`` rendering (say, the text
    plan) goes to stdout as well, so a pipeline log still shows it.
    """
    if payloads is not None and payload is not None and format_name in payloads:
        sys.stdout.write(payloads[format_name](payload))
        return
    if (
        format_name == "github"
        and payloads is not None
        and payload is not None
        and beside_annotations is not None
    ):
        sys.stdout.write(payloads[beside_annotations](payload))
    report_problems(problems, format_name)

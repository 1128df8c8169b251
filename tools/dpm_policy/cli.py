"""The ``dpm-policy`` command line: argument parsing and exit codes, nothing else.

Exit codes: 0 success; 1 problems found (invalid files, stale outputs, drift, rule
violations); 2 usage or input/output error; 3 an unexpected internal error (a bug: please
report it with the command that produced it).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from dpm_policy import __version__
from dpm_policy.commands import COMMANDS
from dpm_policy.commands.common import report_stopped
from dpm_policy.errors import (
    DatabaseError,
    DpmPolicyError,
    GitError,
    InputError,
    ProblemsFound,
    Refused,
    UsageError,
)
from dpm_policy.redact import MaskedStream, SecretFilter, filter_for
from dpm_policy_runtime.variables import POSTGRES_DSN

__all__ = [
    "EXIT_CODES",
    "EXIT_INTERNAL",
    "EXIT_OK",
    "EXIT_PROBLEMS",
    "EXIT_USAGE",
    "build_parser",
    "exit_code",
    "main",
]

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3

# The one map from the tool's errors to exit codes; the most specific class that matches wins.
EXIT_CODES: dict[type[DpmPolicyError], int] = {
    ProblemsFound: EXIT_PROBLEMS,
    Refused: EXIT_PROBLEMS,
    UsageError: EXIT_USAGE,
    InputError: EXIT_USAGE,
    GitError: EXIT_USAGE,
    DatabaseError: EXIT_USAGE,
    DpmPolicyError: EXIT_USAGE,
}

# Variables whose values are connection strings: their passwords are masked in every output.
_SECRET_VARIABLES = (POSTGRES_DSN,)

_EPILOG = """exit codes:
  0  success
  1  problems found (invalid files, stale outputs, drift, rule violations), or work refused
     by an order rule (nothing changed)
  2  usage error, or a file, git or database that cannot be read or written
  3  internal error: a bug; please report it with the command that produced it
"""


def exit_code(error: DpmPolicyError) -> int:
    """The exit code of an error the tool reports on purpose."""
    for kind in type(error).__mro__:
        if kind in EXIT_CODES:
            return EXIT_CODES[kind]
    return EXIT_USAGE


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="dpm-policy",
        description="Validate, compile, review and publish DPM policy packs.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    subparsers.required = True
    for name, module in COMMANDS.items():
        sub = subparsers.add_parser(
            name,
            help=module.HELP,
            description=module.HELP,
            epilog=_EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.add_arguments(sub)
        sub.set_defaults(handler=module.run)
    return parser


@contextmanager
def _masked_streams(secret_filter: SecretFilter) -> Iterator[None]:
    """stdout and stderr through the secret filter for the whole run, whoever writes."""
    saved = sys.stdout, sys.stderr
    sys.stdout = MaskedStream(saved[0], secret_filter)
    sys.stderr = MaskedStream(saved[1], secret_filter)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


# A command builds one large graph of documents, positions and compiled values that lives
# until it ends, and makes next to no cyclic garbage; with the collector's default thresholds
# Python walks that graph again and again (a quarter of compile's time at 50,000 tenants, see
# benchmarks/README.md). Young objects are collected less often for the run, as mypy does.
_COLLECTOR_THRESHOLDS = (200_000, 30, 30)


@contextmanager
def _few_collections() -> Iterator[None]:
    saved = gc.get_threshold()
    gc.set_threshold(*_COLLECTOR_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*saved)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return its exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    with _few_collections(), _masked_streams(filter_for(arguments, os.environ, _SECRET_VARIABLES)):
        return _run(arguments)


def _run(arguments: list[str]) -> int:
    args = build_parser().parse_args(arguments)
    try:
        code: int = args.handler(args)
        return code
    except ProblemsFound as found:
        # Findings that stopped the command: in the format asked for, so a pipeline that
        # reads JSON or annotations gets them too.
        report_stopped(str(found), found.problems, getattr(args, "format", "text"))
        return exit_code(found)
    except DpmPolicyError as error:
        sys.stderr.write(f"dpm-policy: error: {error}\n")
        return exit_code(error)
    except KeyboardInterrupt:
        sys.stderr.write("dpm-policy: interrupted\n")
        return 130
    except Exception:
        sys.stderr.write(
            "dpm-policy: internal error (a bug, not a problem in your files); please report "
            "it with the command you ran and this trace:\n"
        )
        traceback.print_exc(limit=-3, file=sys.stderr)
        return EXIT_INTERNAL

"""The ``dpm-policy`` command line: argument parsing and exit codes, nothing else.

Exit codes: 0 success; 1 problems found (invalid files, stale outputs, drift, rule
violations); 2 usage or input/output error; 3 an unexpected internal error (a bug: please
report it with the command that produced it).
"""

from __future__ import annotations

import argparse
import re
import sys
import traceback
from collections.abc import Sequence

from dpm_policy import __version__
from dpm_policy.commands import COMMANDS
from dpm_policy.errors import DpmPolicyError

__all__ = ["EXIT_INTERNAL", "EXIT_OK", "EXIT_PROBLEMS", "EXIT_USAGE", "build_parser", "main"]

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3

_EPILOG = """exit codes:
  0  success
  1  problems found (invalid files, stale outputs, drift, rule violations)
  2  usage error, or a file or database that cannot be read or written
  3  internal error: a bug; please report it with the command that produced it
"""


# A database URL's password, or a keyword DSN's: argparse echoes stray arguments, and a DSN
# given without --dsn would otherwise be printed whole.
_URL_PASSWORD = re.compile(r"(://[^:/@\s]*:)[^@\s]*@")
_KEYWORD_PASSWORD = re.compile(r"(password\s*=\s*)('[^']*'|\S+)", re.IGNORECASE)


def _mask_passwords(text: str) -> str:
    text = _URL_PASSWORD.sub(r"\1********@", text)
    return _KEYWORD_PASSWORD.sub(r"\1********", text)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}: error: {_mask_passwords(message)}\n")
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


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.handler(args)
        return code
    except DpmPolicyError as error:
        sys.stderr.write(f"dpm-policy: error: {error}\n")
        return EXIT_USAGE
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

"""``dpm-policy publish``: plan, apply or check the engine's Postgres catalog for one environment.

Exit codes: 0 done (plan shown, apply done or nothing to do, no drift); 1 drift found with
``--check``, or a pack refused because the engine's strict catalog read would reject it;
2 usage, file, DSN or database error; 3 a bug. Every line printed is masked for the DSN's
password, which is why this command catches every error itself instead of letting the CLI
print a trace.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from dpm_policy.commands.common import add_root_argument, find_root
from dpm_policy.publish import (
    DSN_ENV_VAR,
    RENDERERS,
    Outcome,
    PublishError,
    RefusedRows,
    apply_catalog,
    check_catalog,
    env_json_path,
    load_desired_rows,
    resolve_dsn,
)
from dpm_policy.publish.dsn import known_secrets, redact
from dpm_policy.publish.report import Mode

__all__ = ["HELP", "NAME", "add_arguments", "run"]

NAME = "publish"
HELP = "plan, apply or check the engine's Postgres policy-pack catalog for one environment"

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2
EXIT_INTERNAL = 3

_EPILOG = f"""\
The DSN comes from --dsn, else from {DSN_ENV_VAR}; its password is never printed.
--plan (the default) and --check only read; --apply writes in one transaction.

exit codes:
  0  plan shown, apply done (or nothing to do), no drift
  1  drift found (--check), or a pack the engine's strict read would refuse
  2  usage, file, DSN or database error
  3  internal error: a bug; please report it with the command you ran
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of ``dpm-policy publish``."""
    parser.description = HELP
    parser.epilog = _EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--env", required=True, metavar="NAME", help="environment to publish")
    add_root_argument(parser)
    parser.add_argument(
        "--dist",
        type=Path,
        default=None,
        metavar="DIR",
        help="compiled output folder (default: <root>/dist)",
    )
    parser.add_argument(
        "--dsn",
        default=None,
        metavar="DSN",
        help=f"PostgreSQL DSN of the engine's catalog (default: ${DSN_ENV_VAR})",
    )
    modes = parser.add_mutually_exclusive_group()
    modes.add_argument(
        "--plan",
        dest="mode",
        action="store_const",
        const="plan",
        help="show what --apply would change (default)",
    )
    modes.add_argument(
        "--apply",
        dest="mode",
        action="store_const",
        const="apply",
        help="make the table match the compiled catalog, in one transaction",
    )
    modes.add_argument(
        "--check",
        dest="mode",
        action="store_const",
        const="check",
        help="exit 1 when the table differs from the compiled catalog",
    )
    parser.set_defaults(mode="plan")
    parser.add_argument(
        "--prune",
        action="store_true",
        help="also delete rows that are not in the compiled catalog (kept by default)",
    )
    parser.add_argument(
        "--format",
        choices=sorted(RENDERERS),
        default="text",
        help="output format (default: text)",
    )


def run(args: argparse.Namespace) -> int:
    """Run the subcommand; returns the exit code. Never raises for an expected failure."""
    return _run(
        env=args.env,
        root=find_root(args.root),
        dist=args.dist,
        dsn_text=args.dsn,
        mode=args.mode,
        prune=args.prune,
        render=RENDERERS[args.format],
        stdout=sys.stdout,
        stderr=sys.stderr,
    )


def _run(
    *,
    env: str,
    root: Path,
    dist: Path | None,
    dsn_text: str | None,
    mode: Mode,
    prune: bool,
    render: Callable[[Outcome], str],
    stdout: TextIO,
    stderr: TextIO,
) -> int:
    # Known before anything can fail, so that even an unexpected error is printed masked.
    secrets = known_secrets(dsn_text, os.environ)

    def error(message: str) -> None:
        stderr.write(redact(f"dpm-policy publish: error: {message}\n", secrets))

    try:
        desired = load_desired_rows(env_json_path(dist or root / "dist", env), env=env)
        dsn = resolve_dsn(dsn_text, os.environ)
        secrets = (*secrets, *dsn.secrets)
        applied = False
        if mode == "apply":
            result = apply_catalog(dsn, desired, prune=prune)
            plan, applied, drift = result.plan, result.applied, False
        else:
            plan, drift = check_catalog(dsn, desired, prune=prune)
        outcome = Outcome(mode, env, dsn.describe(), plan, applied=applied, drift=drift)
        stdout.write(redact(render(outcome), secrets))
    except RefusedRows as refused:
        error(str(refused))
        for problem in refused.problems:
            stderr.write(redact(f"  {problem.render()}\n", secrets))
        return EXIT_FINDINGS
    except PublishError as failure:
        error(str(failure))
        return EXIT_ERROR
    except Exception as unexpected:  # the one place that turns a bug into a clear line
        error(
            f"unexpected {type(unexpected).__name__}: {unexpected}; "
            "this is a bug in dpm-policy, please report it with the command you ran"
        )
        return EXIT_INTERNAL
    return EXIT_FINDINGS if mode == "check" and drift else EXIT_OK

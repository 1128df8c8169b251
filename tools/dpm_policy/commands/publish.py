"""``dpm-policy publish``: plan, apply or check the engine's Postgres catalog for one environment.

Exit codes: 0 done (plan shown, apply done or nothing to do, no drift); 1 drift found with
``--check``, a pack refused because the engine's strict catalog read would reject it, or a
prune refused because the delivered bundle still names a row; 2 usage, file, git, DSN or
database error; 3 a bug. The CLI maps errors to these codes and masks
the DSN's password in everything printed, as for every command.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from dpm_policy.commands.common import (
    add_dist_argument,
    add_dsn_argument,
    add_format_argument,
    add_root_argument,
    emit,
    find_root,
    report_stopped,
    shown_path,
)
from dpm_policy.compile.bundle import KUSTOMIZATION
from dpm_policy.deliver import fetch_delivered, prune_guard
from dpm_policy.errors import UsageError
from dpm_policy.publish import (
    DSN_ENV_VAR,
    RENDERERS,
    Outcome,
    apply_catalog,
    check_catalog,
    env_json_path,
    load_desired,
    not_a_catalog,
    resolve_dsn,
)
from dpm_policy.publish.apply import PlanGuard

__all__ = ["HELP", "NAME", "add_arguments", "run"]
NAME = "publish"
HELP = "plan, apply or check the engine's Postgres policy-pack catalog for one environment"

_EPILOG = f"""\
The DSN comes from --dsn, else from {DSN_ENV_VAR}; its password is never printed.
--plan (the default) and --check only read; --apply writes in one transaction.

exit codes:
  0  plan shown, apply done (or nothing to do), no drift
  1  drift found (--check), a pack the engine's strict read would refuse, or a row
     --prune may not delete while the bundle delivered to --delivered-to names it
  2  usage, file, git, DSN or database error
  3  internal error: a bug; please report it with the command you ran
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of ``dpm-policy publish``."""
    parser.description = HELP
    parser.epilog = _EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--env", required=True, metavar="NAME", help="environment to publish")
    add_root_argument(parser)
    add_dist_argument(parser)
    add_dsn_argument(parser)
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
        help="also delete pack rows not in the compiled catalog and tenant rows not in the "
        "compiled map (kept by default), never a pack the bundle delivered to --delivered-to "
        "still names",
    )
    parser.add_argument(
        "--delivered-to",
        default=None,
        metavar="GIT_URL",
        help="the GitOps repository dpm-policy deliver pushes to: --prune refuses to delete a "
        "row its bundle still names (required with --prune when dist/<env>/ holds a bundle)",
    )
    parser.add_argument(
        "--branch",
        default="main",
        metavar="BRANCH",
        help="the GitOps branch, for --delivered-to (default: main)",
    )
    add_format_argument(parser, RENDERERS)


def run(args: argparse.Namespace) -> int:
    """Run the subcommand; returns the exit code (errors are the CLI's to map)."""
    root = find_root(args.root)
    dist = args.dist or root / "dist"
    env_json = env_json_path(dist, args.env)
    shown_as = shown_path(env_json, root)
    desired = load_desired(env_json, env=args.env, shown_as=shown_as)
    if desired.problems:
        return report_stopped(not_a_catalog(env_json, shown_as), desired.problems, args.format)
    dsn = resolve_dsn(args.dsn, os.environ)
    guard = _prune_guard(dist, args.env, args.delivered_to, args.branch) if args.prune else None
    applied = drift = False
    if args.mode == "apply":
        result = apply_catalog(
            dsn, desired.rows, prune=args.prune, tenants=desired.tenants, guard=guard
        )
        if result.plan is None:
            return report_stopped(result.refusal or "rows refused", result.problems, args.format)
        plan, applied = result.plan, result.applied
    else:
        plan, drift = check_catalog(dsn, desired.rows, prune=args.prune, tenants=desired.tenants)
        if guard is not None:
            guard(plan)
    outcome = Outcome(args.mode, args.env, dsn.describe(), plan, applied=applied, drift=drift)
    emit(outcome.problems, args.format, RENDERERS, outcome, beside_annotations="text")
    return 1 if args.mode == "check" and drift else 0


def _prune_guard(dist: Path, env: str, delivered_to: str | None, branch: str) -> PlanGuard | None:
    """The check that keeps ``--prune`` from deleting a row the delivered bundle names."""
    if delivered_to is None:
        if (dist / env / KUSTOMIZATION).is_file():
            raise UsageError(
                f"--prune needs --delivered-to GIT_URL for {env}, which is delivered as a "
                "bundle: prune must read that bundle so as not to delete a row it still names"
            )
        return None
    return prune_guard(fetch_delivered(delivered_to, branch, env), env)

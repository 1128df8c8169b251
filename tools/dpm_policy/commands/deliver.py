"""``dpm-policy deliver``: push one environment's compiled bundle to the GitOps branch.

Exit codes, through the CLI's one map: 0 delivered, or already up to date (``--check``: no
drift); 1 refused (an order rule, or a bundle edited by hand on the branch) or, with
``--check``, drift found; 2 usage, file, git, DSN or database error; 3 a bug. The CLI masks
the DSN's password and any password in GIT_URL in everything printed.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, replace

from dpm_policy.commands.common import (
    add_dist_argument,
    add_dsn_argument,
    add_format_argument,
    add_root_argument,
    emit,
    find_root,
    shown_path,
)
from dpm_policy.deliver import (
    Delivered,
    Drift,
    compare_delivery,
    fetch_delivered,
    load_compiled,
    named_packs,
    push_bundle,
    refuse_missing_packs,
    shown_url,
)
from dpm_policy.publish import env_json_path, load_desired_rows, resolve_dsn
from dpm_policy_runtime.variables import POSTGRES_DSN

__all__ = ["HELP", "NAME", "RENDERERS", "Report", "add_arguments", "run"]

NAME = "deliver"
HELP = (
    "push dist/<env>/, the compiled Kustomize bundle, to <env>/ on the GitOps branch Argo CD "
    "or Flux watches: one commit per change, fast-forward only (--check: exit 1 on drift)"
)

_EPILOG = f"""\
With catalog_delivery: postgres, every pack the bundle names must already be in the engine's
catalog (dpm-policy publish --env NAME --apply first); the DSN comes from --dsn, else from
{POSTGRES_DSN}. Credentials in GIT_URL are never printed.

exit codes:
  0  delivered, or already up to date; with --check, no drift
  1  refused (a pack not yet in the catalog, a bundle edited by hand on the branch, a branch
     that kept moving); with --check, drift
  2  usage, file, git, DSN or database error
  3  internal error: a bug; please report it with the command you ran
"""


@dataclass(frozen=True)
class Report:
    """What one run did: a delivery, or a drift check."""

    environment: str
    where: str
    source_commit: str | None
    content_hash: str
    delivered: Delivered | None = None
    drift: Drift | None = None


def render_text(report: Report) -> str:
    """For people, and for a job summary."""
    env, where = report.environment, report.where
    if report.drift is not None:
        if not report.drift.drifted:
            return f"{env}: no drift; {report.drift.where} holds the compiled bundle\n"
        lines = [f"{env}: drift: {report.drift.where} differs from the compiled bundle"]
        lines += [f"  {line}" for line in report.drift.lines]
        return "\n".join(lines) + "\n"
    done = report.delivered
    assert done is not None
    if not done.committed:
        return f"{env}: up to date on {where} at {done.commit}; nothing committed\n"
    return (
        f"delivered {env} to {where}: commit {done.commit} (from {report.source_commit}, "
        f"{done.content_hash})\n"
    )


def render_json(report: Report) -> str:
    """For machines."""
    data: dict[str, object] = {
        "environment": report.environment,
        "to": report.where,
        "source_commit": report.source_commit,
        "content_hash": report.content_hash,
    }
    if report.delivered is not None:
        data["commit"] = report.delivered.commit
        data["committed"] = report.delivered.committed
    if report.drift is not None:
        data["drift"] = report.drift.drifted
        data["differences"] = list(report.drift.lines)
    return json.dumps(data, indent=2) + "\n"


RENDERERS: dict[str, Callable[[Report], str]] = {"text": render_text, "json": render_json}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = _EPILOG
    parser.add_argument("--env", required=True, metavar="NAME", help="environment to deliver")
    parser.add_argument(
        "--to", required=True, metavar="GIT_URL", help="the GitOps repository (any git URL)"
    )
    parser.add_argument(
        "--branch", default="main", metavar="BRANCH", help="its branch (default: main)"
    )
    add_root_argument(parser)
    add_dist_argument(parser)
    add_dsn_argument(parser)
    parser.add_argument(
        "--check",
        action="store_true",
        help="push nothing; exit 1 when the delivered bundle differs from the compiled one",
    )
    add_format_argument(parser, RENDERERS)


def _show(report: Report, format_name: str) -> None:
    emit([], format_name, RENDERERS, report, beside_annotations="text")


def run(args: argparse.Namespace) -> int:
    env = args.env
    root = find_root(args.root)
    dist = args.dist or root / "dist"
    # The snapshot as the runtime reads it strictly: a compiled env.json it refuses is a list
    # of problems (exit 1), never delivered.
    env_json = env_json_path(dist, env)
    load_desired_rows(env_json, env=env, shown_as=shown_path(env_json, root))
    bundle, catalog_delivery = load_compiled(dist, env)
    where = f"{shown_url(args.to)} branch {args.branch}"
    report = Report(env, where, bundle.source_commit, bundle.content_hash)
    if args.check:
        drift = compare_delivery(bundle, fetch_delivered(args.to, args.branch, env), env)
        _show(replace(report, drift=drift), args.format)
        return 1 if drift.drifted else 0
    if catalog_delivery == "postgres":
        refuse_missing_packs(resolve_dsn(args.dsn, os.environ), named_packs(bundle.files), env)
    done = push_bundle(url=args.to, branch=args.branch, environment=env, bundle=bundle)
    _show(replace(report, delivered=done), args.format)
    return 0

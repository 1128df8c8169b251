"""``dpm-policy explain``: which pack a request gets, why, and where each value is written."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from dpm_policy.commands.common import add_format_argument, add_root_argument, emit, find_root
from dpm_policy.explain import Explanation, explain
from dpm_policy.formats.json_format import problems_data

NAME = "explain"
HELP = (
    "run the engine's resolution on the compiled output of one environment: which source "
    "decided, which were passed over, and every option the pack sets with its file:line"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_root_argument(parser)
    parser.add_argument("--env", required=True, metavar="NAME", help="the environment")
    parser.add_argument("--tenant", metavar="ID", help="the request's X-Tenant-Id")
    parser.add_argument("--pack", metavar="ID", help="the request's X-Policy-Pack-Id")
    parser.add_argument(
        "--dist",
        type=Path,
        default=None,
        metavar="DIR",
        help="read DIR/<env>/env.json instead of compiling into a temporary folder",
    )
    add_format_argument(parser, RENDERERS)


def _where(file: str | None, line: int | None) -> str:
    return f"{file}:{line}" if file is not None else "(not in the sources: is --dist stale?)"


def render_text(answer: Explanation) -> str:
    """The explanation for people."""
    r = answer.resolution
    asked = []
    if answer.policy_pack_id is not None:
        asked.append(f"X-Policy-Pack-Id: {answer.policy_pack_id}")
    if answer.tenant_id is not None:
        asked.append(f"X-Tenant-Id: {answer.tenant_id}")
    lines = [f"environment {answer.environment}; request " + ("; ".join(asked) or "no headers")]
    decided = f" ({answer.decided_at})" if answer.decided_at else ""
    if r.source == "DISABLED":
        lines.append(f"decided by DISABLED{decided}: policy packs are off; no pack applies")
    elif r.selected_policy_pack_id is None:
        lines.append("decided by NONE: no source names a pack; the request's options stand")
    else:
        lines.append(f"decided by {r.source}{decided}: {r.selected_policy_pack_id}")
    for passed in r.passed_over:
        lines.append(f"  passed over {passed.source}: {passed.reason}")
    if r.selected_policy_pack_id is not None and r.policy_pack is None:
        lines.append(
            f"'{r.selected_policy_pack_id}' is not in this environment's catalog: the engine "
            "applies nothing and reports no error; ship the pack here or fix the id"
        )
    if r.policy_pack is not None:
        pack = r.policy_pack
        lines.append(f'pack {pack.policy_pack_id} version "{pack.version}" sets:')
        if not answer.options:
            lines.append("  nothing: the request's options stand")
        for origin in answer.options:
            inherited = (
                f" (from {origin.written_by})"
                if origin.written_by not in (None, pack.policy_pack_id)
                else ""
            )
            lines.append(
                f"  {origin.option} = {origin.value}  {_where(origin.file, origin.line)}{inherited}"
            )
    return "\n".join(lines) + "\n"


def render_json(answer: Explanation) -> str:
    """The explanation for machines."""
    r = answer.resolution
    data = {
        "environment": answer.environment,
        "request": {"tenant_id": answer.tenant_id, "policy_pack_id": answer.policy_pack_id},
        "enabled": r.enabled,
        "source": r.source,
        "selected_policy_pack_id": r.selected_policy_pack_id,
        "present": r.present,
        "decided_at": answer.decided_at,
        "unknown": list(answer.unknown),
        "passed_over": [{"source": p.source, "reason": p.reason} for p in r.passed_over],
        "version": r.policy_pack.version if r.policy_pack else None,
        "options": [
            {
                "option": o.option,
                "path": o.path,
                "value": o.value,
                "file": o.file,
                "line": o.line,
                "written_by": o.written_by,
            }
            for o in answer.options
        ],
    }
    return json.dumps({**problems_data(()), **data}, indent=2) + "\n"


RENDERERS: dict[str, Callable[[Explanation], str]] = {"text": render_text, "json": render_json}


def run(args: argparse.Namespace) -> int:
    answer = explain(
        root=find_root(args.root),
        environment=args.env,
        tenant_id=args.tenant,
        policy_pack_id=args.pack,
        dist=args.dist,
    )
    emit((), args.format, RENDERERS, answer, beside_annotations="text")
    for message in answer.unknown:
        sys.stderr.write(f"error: {message}\n")
    return 1 if answer.unknown else 0

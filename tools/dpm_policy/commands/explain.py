"""``dpm-policy explain``: which pack a request gets, why, and where each value is written."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from dpm_policy.commands.common import (
    add_format_argument,
    add_root_argument,
    emit,
    find_root,
    report_stopped,
)
from dpm_policy.errors import UsageError
from dpm_policy.explain import DOES_NOT_COMPILE, Explanation, explain, explain_all
from dpm_policy.formats.json_format import problems_data
from dpm_policy_runtime.fields import FIELDS

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
        "--all",
        action="store_true",
        help="the auditor's matrix: the unmapped traffic and every tenant of the environment's "
        "map, one row each (with --format csv or json)",
    )
    parser.add_argument(
        "--dist",
        type=Path,
        default=None,
        metavar="DIR",
        help="read DIR/<env>/env.json instead of compiling into a temporary folder",
    )
    add_format_argument(parser, {**RENDERERS, **MATRIX_RENDERERS})


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


def to_data(answer: Explanation) -> dict[str, object]:
    """The explanation as JSON-ready data."""
    r = answer.resolution
    return {
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


def render_json(answer: Explanation) -> str:
    """The explanation for machines."""
    return json.dumps({**problems_data(()), **to_data(answer)}, indent=2) + "\n"


RENDERERS: dict[str, Callable[[Explanation], str]] = {"text": render_text, "json": render_json}


def render_matrix_json(environment: str, answers: Sequence[Explanation]) -> str:
    """The auditor's matrix for machines: one explanation per audience."""
    data = {
        **problems_data(()),
        "environment": environment,
        "audiences": [
            {"audience": "unmapped" if a.tenant_id is None else "tenant", **to_data(a)}
            for a in answers
        ],
    }
    return json.dumps(data, indent=2) + "\n"


MATRIX_COLUMNS: tuple[str, ...] = (
    "environment",
    "audience",
    "tenant_id",
    "source",
    "decided_at",
    "policy_pack_id",
    "present",
    "version",
    *(column for spec in FIELDS for column in (spec.path, f"{spec.path} at")),
)


def render_matrix_csv(environment: str, answers: Sequence[Explanation]) -> str:
    """The auditor's matrix as CSV: one row per audience, two columns per setting (its value,
    empty when the pack leaves it to the request, and the ``file:line`` that writes it)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(MATRIX_COLUMNS)
    for answer in answers:
        r = answer.resolution
        options = {origin.path: origin for origin in answer.options}
        row = [
            environment,
            "tenant" if answer.tenant_id is not None else "unmapped",
            answer.tenant_id or "",
            r.source,
            answer.decided_at or "",
            r.selected_policy_pack_id or "",
            "true" if r.present else "false",
            r.policy_pack.version if r.policy_pack else "",
        ]
        for spec in FIELDS:
            origin = options.get(spec.path)
            if origin is None:
                row += ["", ""]
            else:
                where = f"{origin.file}:{origin.line}" if origin.file is not None else ""
                row += [origin.value, where]
        writer.writerow(row)
    return buffer.getvalue()


# The auditor's matrix (--all): an environment's name and one explanation per audience.
MATRIX_RENDERERS: dict[str, Callable[[str, Sequence[Explanation]], str]] = {
    "csv": render_matrix_csv,
    "json": render_matrix_json,
}


def _run_all(args: argparse.Namespace) -> int:
    if args.tenant is not None or args.pack is not None:
        raise UsageError("--all explains every audience; leave out --tenant and --pack")
    if args.format not in MATRIX_RENDERERS:
        raise UsageError("--all writes a matrix: give --format csv or --format json")
    result = explain_all(root=find_root(args.root), environment=args.env, dist=args.dist)
    if result.problems:
        return report_stopped(DOES_NOT_COMPILE, result.problems, args.format)
    sys.stdout.write(MATRIX_RENDERERS[args.format](args.env, result.audiences))
    return 0


def run(args: argparse.Namespace) -> int:
    if args.all:
        return _run_all(args)
    if args.format not in RENDERERS and args.format in MATRIX_RENDERERS:
        raise UsageError("--format csv writes the matrix of every audience: add --all")
    result = explain(
        root=find_root(args.root),
        environment=args.env,
        tenant_id=args.tenant,
        policy_pack_id=args.pack,
        dist=args.dist,
    )
    if result.explanation is None:
        return report_stopped(DOES_NOT_COMPILE, result.problems, args.format)
    answer = result.explanation
    emit((), args.format, RENDERERS, answer, beside_annotations="text")
    for message in answer.unknown:
        sys.stderr.write(f"error: {message}\n")
    return 1 if answer.unknown else 0

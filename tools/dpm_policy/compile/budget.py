"""Size limits of what the engine can be given (docs/engine-contract.md section 8): the one
source of the limits, the 75 % warning and the messages, for validate and compile alike.

Linux refuses to start a process whose environment holds one ``NAME=value`` string longer than
``MAX_ARG_STRLEN`` (131,072 bytes including the terminating NUL): ``execve`` fails with E2BIG
and the engine never starts. Kubernetes refuses a ConfigMap over 1 MiB, and so every object
the build writes or has Kustomize generate (``configmap.yaml``, and the bundle's variables and
snapshot ConfigMaps) is held to :data:`OBJECT_LIMIT`, measured by :func:`object_size`. Both are
hard walls, so the build warns at three quarters of a limit and fails beyond it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from dpm_policy.compile.delivery import postgres_fix, tenant_map_fix
from dpm_policy.compile.encode import canonical_json
from dpm_policy.compile.kube_yaml import dump_yaml
from dpm_policy.model import EnvironmentFile
from dpm_policy.problems import Position, Problem, Severity
from dpm_policy.repository import Entry
from dpm_policy_runtime.variables import CATALOG_JSON, TENANT_MAP_JSON

__all__ = [
    "CONFIGMAP_LIMIT",
    "MAX_ARG_STRLEN",
    "OBJECT_LIMIT",
    "Contributor",
    "check_size",
    "entry_sizes",
    "object_size",
    "severity_of",
    "variable_limit",
    "variable_problems",
]

MAX_ARG_STRLEN = 131_072
CONFIGMAP_LIMIT = 1_048_576
# Every Kubernetes object the build makes is held to the ConfigMap's limit.
OBJECT_LIMIT = CONFIGMAP_LIMIT
# Warn from three quarters of a limit: size * 4 >= limit * 3, in integers.
_WARN_NUMERATOR, _WARN_DENOMINATOR = 3, 4
_TOP = 5

_ARG_WHY = (
    "Linux MAX_ARG_STRLEN allows 131,072 bytes per NAME=value including the NUL; beyond it "
    "the engine's process cannot start (E2BIG)"
)


@dataclass(frozen=True)
class Contributor:
    """One part of a value and its size in bytes, e.g. ``pack 'dpm_standard_v1'``."""

    label: str
    size: int


def variable_limit(name: str) -> int:
    """Largest value, in bytes, of ``name``: the limit less ``NAME``, ``=`` and the NUL."""
    return MAX_ARG_STRLEN - len(name.encode("utf-8")) - 2


def object_size(document: Mapping[str, object], text: str | None = None) -> int:
    """A Kubernetes object's size as the API server may receive it: the larger of its compact
    JSON and its YAML (``text`` when the caller has rendered it already)."""
    if text is None:
        text = dump_yaml(dict(document))
    as_json = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    return max(len(text.encode("utf-8")), len(as_json.encode("utf-8")))


def severity_of(size: int, limit: int) -> Severity | None:
    """``error`` over the limit, ``warning`` from 75 % of it, else None."""
    if size > limit:
        return "error"
    if size * _WARN_DENOMINATOR >= limit * _WARN_NUMERATOR:
        return "warning"
    return None


def entry_sizes(kind: str, mapping: Mapping[str, object]) -> Iterator[Contributor]:
    """The bytes each ``"key":value`` member adds to the canonical JSON of ``mapping``.

    Lazily: they are measured only when a size problem lists the largest.
    """
    return (
        Contributor(f"{kind} '{key}'", len(canonical_json({key: value}).encode("utf-8")) - 2)
        for key, value in mapping.items()
    )


def _largest(contributors: Iterable[Contributor]) -> str:
    top = sorted(contributors, key=lambda c: (-c.size, c.label))[:_TOP]
    if not top:
        return ""
    return "; largest: " + ", ".join(f"{c.label} {c.size:,} bytes" for c in top)


def check_size(
    *,
    subject: str,
    size: int,
    limit: int,
    why: str,
    contributors: Iterable[Contributor],
    fix: str,
    file: str,
    position: Position,
) -> Problem | None:
    """A problem when ``size`` reaches 75 % of ``limit`` (warning) or exceeds it (error).

    ``fix`` is what the author can do about it, in their words; the message ends with it.
    """
    severity = severity_of(size, limit)
    if severity is None:
        return None
    largest = _largest(contributors)
    if severity == "error":
        message = (
            f"{subject} is {size:,} bytes, over its limit of {limit:,} bytes ({why}){largest}; "
            f"{fix}"
        )
        code = "size-limit"
    else:
        percent = size * 100 // limit
        message = (
            f"{subject} is {size:,} bytes, {percent} % of its limit of {limit:,} bytes ({why})"
            f"{largest}; plan ahead: {fix}"
        )
        code = "size-budget"
    return Problem(file, position, code, message, severity)


def variable_problems(
    env: Entry[EnvironmentFile],
    delivered: Mapping[str, str],
    catalog: Mapping[str, object],
    tenant_map: Mapping[str, str],
) -> list[Problem]:
    """Size problems of the variables delivered into the engine's process environment.

    Only the two maps can grow (the flags and the default id are a few bytes each). A catalog
    delivered through Postgres is not among ``delivered``, so no variable limit applies to it;
    nor to a tenant map delivered as a file or through Postgres (``tenant_map_delivery``).
    """
    name = env.model.environment
    checks = {
        CATALOG_JSON: (
            entry_sizes("pack", catalog),
            env.document.position(("packs",)),
            postgres_fix(name),
        ),
        TENANT_MAP_JSON: (
            entry_sizes("tenant", tenant_map),
            Position(1, 1),
            tenant_map_fix(name, env.model.tenant_map_delivery),
        ),
    }
    found = [
        check_size(
            subject=f"{variable} of {name}",
            size=len(delivered[variable].encode("utf-8")),
            limit=variable_limit(variable),
            why=_ARG_WHY,
            contributors=contributors,
            fix=fix,
            file=env.file,
            position=position,
        )
        for variable, (contributors, position, fix) in checks.items()
        if variable in delivered
    ]
    return [problem for problem in found if problem is not None]

"""``explain``: which pack a request gets in one environment, why, and where each value is written.

The answer comes from the runtime resolver reading the compiled output, the same code path the
engine's own parse is pinned to, so it cannot disagree with the engine. The sources are used
only to say where each value is written (``inheritance.flatten`` keeps the file and line of
every setting, through ``extends`` chains).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from dpm_policy.compile import compile_repository
from dpm_policy.errors import InputError, UsageError
from dpm_policy.inheritance import FlatPack, flatten_repository
from dpm_policy.problems import Problem
from dpm_policy.repository import Repository
from dpm_policy.shown import setting_text
from dpm_policy.suggest import did_you_mean, fix_for_unknown
from dpm_policy.validate import validate
from dpm_policy_runtime import PolicyHeaderError, PolicyRuntime, Resolution
from dpm_policy_runtime.fields import FIELDS_BY_PATH
from dpm_policy_runtime.switches import deciding_switch

__all__ = [
    "DOES_NOT_COMPILE",
    "ExplainResult",
    "Explanation",
    "MatrixResult",
    "OptionOrigin",
    "explain",
    "explain_all",
    "explain_audiences",
    "explain_with_runtime",
]


@dataclass(frozen=True)
class OptionOrigin:
    """One engine option the resolved pack sets, its value, and where that value is written."""

    option: str
    path: str
    value: str
    file: str | None
    line: int | None
    written_by: str | None


@dataclass(frozen=True)
class Explanation:
    """The resolver's answer for one request, with the source of every value."""

    environment: str
    tenant_id: str | None
    policy_pack_id: str | None
    resolution: Resolution
    decided_at: str | None
    options: tuple[OptionOrigin, ...]
    # The request's ids that name no tenant or pack of the repository, in the author's words.
    unknown: tuple[str, ...] = ()


def _decided_at(
    repository: Repository, environment: str, resolution: Resolution, tenant_id: str | None
) -> str | None:
    """``file:line`` of the setting that made the decision, when a file made it."""
    if resolution.source == "TENANT_DEFAULT" and tenant_id is not None:
        tenant = repository.tenant_index().get(tenant_id.strip())
        if tenant is None:
            return None
        override = (tenant.model.environments or {}).get(environment)
        path: tuple[str, ...] = (
            ("environments", environment, "default_policy_pack")
            if override is not None
            else ("default_policy_pack",)
        )
        return f"{tenant.file}:{tenant.document.position(path).line}"
    switch = deciding_switch(resolution.source)
    if switch is not None:
        env = repository.environment_index().get(environment)
        if env is None:
            return None
        return f"{env.file}:{env.document.position((switch.key,)).line}"
    return None


def _options(resolution: Resolution, flat: dict[str, FlatPack]) -> tuple[OptionOrigin, ...]:
    pack = resolution.policy_pack
    if pack is None:
        return ()
    source = flat.get(pack.policy_pack_id)
    origins = []
    for path, value in pack.values.items():
        spec = FIELDS_BY_PATH[path]
        option = spec.option or f"{spec.name} (simulate replay switch)"
        text = setting_text(value)
        setting = source.settings.get(path) if source is not None else None
        origins.append(
            OptionOrigin(
                option,
                path,
                text,
                setting.file if setting else None,
                setting.position.line if setting else None,
                setting.pack_id if setting else None,
            )
        )
    return tuple(origins)


def explain_with_runtime(
    *,
    runtime: PolicyRuntime,
    repository: Repository,
    environment: str,
    tenant_id: str | None = None,
    policy_pack_id: str | None = None,
) -> Explanation:
    """Explain one request against an already loaded runtime (compiled output)."""
    flat, _ = flatten_repository(repository)
    return _explanation(runtime, repository, flat, environment, tenant_id, policy_pack_id)


def _explanation(
    runtime: PolicyRuntime,
    repository: Repository,
    flat: dict[str, FlatPack],
    environment: str,
    tenant_id: str | None,
    policy_pack_id: str | None,
) -> Explanation:
    try:
        resolution = runtime.resolve(policy_pack_id=policy_pack_id, tenant_id=tenant_id)
    except PolicyHeaderError as error:
        # Too long for a header, or a control character inside: no request can carry it.
        raise UsageError(str(error).replace(" header ", " ", 1)) from None
    return Explanation(
        environment,
        tenant_id,
        policy_pack_id,
        resolution,
        _decided_at(repository, environment, resolution, tenant_id),
        _options(resolution, flat),
        _unknown(repository, tenant_id, policy_pack_id),
    )


def _unknown(
    repository: Repository, tenant_id: str | None, policy_pack_id: str | None
) -> tuple[str, ...]:
    """What to say about ids of the request that the repository does not define."""
    asked = (
        ("tenant", tenant_id, repository.tenant_index(), "tenants/"),
        ("pack", policy_pack_id, repository.pack_index(), "packs/"),
    )
    return tuple(
        f"no {kind} has the id '{identifier}' (the engine matches ids exactly); "
        + fix_for_unknown(identifier, known, f"check the id in {folder}")
        for kind, identifier, known, folder in asked
        if identifier is not None and identifier not in known
    )


@dataclass(frozen=True)
class ExplainResult:
    """What ``explain`` found: the explanation, or, when the repository does not compile, the
    problems that stand in its way (and no explanation)."""

    problems: tuple[Problem, ...]
    explanation: Explanation | None = None


@dataclass(frozen=True)
class MatrixResult:
    """What ``explain_all`` found: one explanation per audience, or the problems that stand in
    the way (and no audiences)."""

    environment: str
    problems: tuple[Problem, ...]
    audiences: tuple[Explanation, ...] = ()


# Said before the problems when the repository does not compile.
DOES_NOT_COMPILE = "the repository does not compile, so nothing can be explained; fix these first"


@dataclass(frozen=True)
class _Loaded:
    repository: Repository
    runtime: PolicyRuntime


def _load(root: Path, environment: str, dist: Path | None) -> _Loaded | tuple[Problem, ...]:
    """The repository's sources and the environment's compiled output, read by the resolver:
    compiled into a temporary folder, or read from ``dist/<env>``; or the problems that keep
    the repository from compiling.

    Raises ``UsageError`` for an unknown environment and ``InputError`` when the compiled
    output cannot be read.
    """
    validation = validate(root=root)
    repository = validation.repository
    if environment not in repository.environment_index():
        known = ", ".join(sorted(repository.environment_index())) or "none"
        hint = did_you_mean(environment, repository.environment_index())
        raise UsageError(f"unknown environment '{environment}'; " + (hint or f"known: {known}"))
    if dist is None:
        with tempfile.TemporaryDirectory(prefix="dpm-policy-explain-") as temporary:
            result = compile_repository(
                root=root, out=Path(temporary), environments=[environment], validation=validation
            )
        if not result.ok:
            return tuple(problem for problem in result.problems if problem.is_error)
        # The environment as its verification read it.
        return _Loaded(repository, result.written[0].runtime)
    env_json = dist / environment / "env.json"
    if not env_json.is_file():
        raise InputError(f"{env_json}: not found; run dpm-policy compile --env {environment}")
    return _Loaded(repository, PolicyRuntime.from_file(env_json))


def explain(
    *,
    root: Path,
    environment: str,
    tenant_id: str | None = None,
    policy_pack_id: str | None = None,
    dist: Path | None = None,
) -> ExplainResult:
    """Compile ``environment`` into a temporary folder (or read ``dist/<env>``) and explain the
    request with headers ``X-Tenant-Id: tenant_id`` and ``X-Policy-Pack-Id: policy_pack_id``.

    The result carries the problems instead when the repository does not compile. Raises
    ``UsageError`` for an unknown environment and ``InputError`` when the compiled output
    cannot be read.
    """
    loaded = _load(root, environment, dist)
    if not isinstance(loaded, _Loaded):
        return ExplainResult(problems=loaded)
    return ExplainResult(
        problems=(),
        explanation=explain_with_runtime(
            runtime=loaded.runtime,
            repository=loaded.repository,
            environment=environment,
            tenant_id=tenant_id,
            policy_pack_id=policy_pack_id,
        ),
    )


def explain_audiences(
    *, runtime: PolicyRuntime, repository: Repository, environment: str
) -> tuple[Explanation, ...]:
    """The auditor's matrix of one loaded environment: the unmapped traffic (a request with
    no headers) first, then every tenant of the environment's tenant map, by id."""
    flat, _ = flatten_repository(repository)
    tenants: list[str | None] = [None, *sorted(runtime.tenant_map)]
    return tuple(
        _explanation(runtime, repository, flat, environment, tenant, None) for tenant in tenants
    )


def explain_all(*, root: Path, environment: str, dist: Path | None = None) -> MatrixResult:
    """``explain_audiences`` of ``environment``, compiled (or read from ``dist``) as
    :func:`explain` does, or the problems that keep the repository from compiling."""
    loaded = _load(root, environment, dist)
    if not isinstance(loaded, _Loaded):
        return MatrixResult(environment=environment, problems=loaded)
    audiences = explain_audiences(
        runtime=loaded.runtime, repository=loaded.repository, environment=environment
    )
    return MatrixResult(environment=environment, problems=(), audiences=audiences)

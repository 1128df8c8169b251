"""Which pack a request gets: the engine's precedence (contract section 5), with provenance.

The sources are one ordered tuple, highest first, folded once: the first that yields an id
decides, and every source above it records why it was passed over. Quirks reproduced on
purpose, because the engine has them:

* a present but blank ``X-Tenant-Policy-Pack-Id`` suppresses the tenant-map lookup, so the
  result falls through to ``GLOBAL_DEFAULT`` even for a mapped tenant;
* a blank ``X-Policy-Pack-Id`` is simply ignored;
* an unknown id is still *selected* (``present`` is False, ``policy_pack`` None), which the
  engine turns into a silent no-op;
* the tenant lookup strips ``X-Tenant-Id`` and then matches exactly, case-sensitively.

Header values are used as the engine uses them: stripped, whatever their length or content,
so a 4,096-character or tab-holding ``X-Policy-Pack-Id`` is an explicit choice of an unknown
id. Strict resolution refuses such a header instead (:class:`PolicyHeaderError`, which the
caller answers with HTTP 400). Header text is never echoed; reasons show it through
:func:`safe_repr` only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, NamedTuple

from dpm_policy_runtime.errors import PolicyHeaderError
from dpm_policy_runtime.frozen import FrozenMap
from dpm_policy_runtime.loading import LoadedConfig
from dpm_policy_runtime.pack import PolicyPack
from dpm_policy_runtime.safe_text import header_defect, safe_repr

__all__ = [
    "PRECEDENCE",
    "PassedOver",
    "Resolution",
    "Source",
    "refuse_misread_headers",
    "resolve_request",
]

Source = Literal["DISABLED", "REQUEST", "TENANT_DEFAULT", "GLOBAL_DEFAULT", "NONE"]


# NamedTuples, not frozen dataclasses: one is built per request, and a NamedTuple is built
# about three times faster (a frozen dataclass's __init__ goes through object.__setattr__).


class PassedOver(NamedTuple):
    """A higher-precedence source that yielded no id, and why."""

    source: Source
    reason: str


class Resolution(NamedTuple):
    """The outcome for one request.

    ``selected_policy_pack_id`` is what the engine reports (even when unknown); ``present``
    says whether the catalog has it; ``policy_pack`` is the pack applied, or None.
    """

    enabled: bool
    selected_policy_pack_id: str | None
    source: Source
    present: bool
    policy_pack: PolicyPack | None
    passed_over: tuple[PassedOver, ...] = ()


_ABSENT: FrozenMap[str, str] = FrozenMap(
    (name, f"{name} header absent")
    for name in ("X-Policy-Pack-Id", "X-Tenant-Policy-Pack-Id", "X-Tenant-Id")
)

# A candidate yields (pack id, "") or (None, why not).
_Candidate = Callable[[LoadedConfig, str | None, str | None, str | None], tuple[str | None, str]]


def _header(name: str, raw: str | None) -> tuple[str | None, str]:
    """A stripped header value, or None and the reason (absent, blank)."""
    if raw is None:
        return None, _ABSENT[name]
    value = raw.strip()
    if not value:
        return None, f"{name} header blank"
    return value, ""


def _from_request(
    config: LoadedConfig, request: str | None, tenant_pack: str | None, tenant: str | None
) -> tuple[str | None, str]:
    return _header("X-Policy-Pack-Id", request)


def _from_tenant(
    config: LoadedConfig, request: str | None, tenant_pack: str | None, tenant: str | None
) -> tuple[str | None, str]:
    if tenant_pack is not None:
        value = tenant_pack.strip()
        if value:
            return value, ""
        # The engine looks the tenant up only when this header is None; "" is not None.
        return None, (
            "X-Tenant-Policy-Pack-Id header present but blank, so the tenant map is not "
            "consulted (engine quirk)"
        )
    prefix = "X-Tenant-Policy-Pack-Id header absent; "
    if not config.tenant_resolution_enabled:
        return None, prefix + "tenant map resolution is disabled"
    tenant_id, reason = _header("X-Tenant-Id", tenant)
    if tenant_id is None:
        return None, prefix + reason
    pack_id = config.tenant_map.get(tenant_id)
    if pack_id is None:
        return None, prefix + f"tenant {safe_repr(tenant_id)} is not in the tenant map"
    return pack_id, ""


def _from_global(
    config: LoadedConfig, request: str | None, tenant_pack: str | None, tenant: str | None
) -> tuple[str | None, str]:
    if config.default_policy_pack_id is None:
        return None, "DPM_DEFAULT_POLICY_PACK_ID unset or blank"
    return config.default_policy_pack_id, ""


# Highest first. The engine's order; change it and the adjacent-pair tests will say so.
_SOURCES: tuple[tuple[Source, _Candidate], ...] = (
    ("REQUEST", _from_request),
    ("TENANT_DEFAULT", _from_tenant),
    ("GLOBAL_DEFAULT", _from_global),
)

PRECEDENCE: tuple[Source, ...] = tuple(source for source, _ in _SOURCES)

_DISABLED = Resolution(
    enabled=False, selected_policy_pack_id=None, source="DISABLED", present=False, policy_pack=None
)


def refuse_misread_headers(
    policy_pack_id: str | None, tenant_policy_pack_id: str | None, tenant_id: str | None
) -> None:
    """Raise :class:`PolicyHeaderError` for the first header the engine would misread.

    A value longer than :data:`MAX_HEADER_LENGTH` or holding a control character once
    stripped is taken by the engine as an id that nothing holds; strict mode refuses it,
    whichever source would decide.
    """
    for name, raw in (
        ("X-Policy-Pack-Id", policy_pack_id),
        ("X-Tenant-Policy-Pack-Id", tenant_policy_pack_id),
        ("X-Tenant-Id", tenant_id),
    ):
        if raw is not None:
            defect = header_defect(raw)
            if defect is not None:
                raise PolicyHeaderError(name, safe_repr(raw, 32), defect)


def resolve_request(
    config: LoadedConfig,
    policy_pack_id: str | None,
    tenant_policy_pack_id: str | None,
    tenant_id: str | None,
    *,
    strict: bool,
) -> Resolution:
    """Fold the sources once; constant cost (a few strips and dict lookups).

    ``strict`` first refuses a header the engine would misread (:func:`refuse_misread_headers`).
    """
    if strict:
        refuse_misread_headers(policy_pack_id, tenant_policy_pack_id, tenant_id)
    if not config.enabled:
        return _DISABLED
    passed: tuple[PassedOver, ...] = ()
    for source, candidate in _SOURCES:
        pack_id, reason = candidate(config, policy_pack_id, tenant_policy_pack_id, tenant_id)
        if pack_id is not None:
            pack = config.catalog.get(pack_id)
            return Resolution(True, pack_id, source, pack is not None, pack, passed)
        passed += (PassedOver(source, reason),)
    return Resolution(True, None, "NONE", False, None, passed)

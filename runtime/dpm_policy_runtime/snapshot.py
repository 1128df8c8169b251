"""``PolicyRuntime``: one immutable snapshot of the configuration, parsed once, safe to share
between threads, and the per-request entry points over it."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TypeVar

from dpm_policy_runtime import options as _options
from dpm_policy_runtime import responses as _responses
from dpm_policy_runtime.env_files import read_variables, variables_from_bytes
from dpm_policy_runtime.loading import LoadedConfig, load_config
from dpm_policy_runtime.pack import PolicyPack
from dpm_policy_runtime.problems import Dropped, Unchecked
from dpm_policy_runtime.resolution import Resolution, resolve_request
from dpm_policy_runtime.variables import VARIABLES

__all__ = ["PolicyRuntime"]

_M = TypeVar("_M", bound=_options.OptionsModel)


class PolicyRuntime:
    """The resolver over one configuration snapshot.

    Build it with :meth:`from_environ`, :meth:`from_file` or :meth:`from_mapping`; in strict
    mode (the default) an invalid configuration raises one
    :class:`~dpm_policy_runtime.PolicyConfigError` listing every problem, in lenient mode it
    is read exactly as the engine reads it and what the engine would drop is in
    :attr:`dropped`. Instances never change; a new configuration is a new instance (see
    :class:`~dpm_policy_runtime.Reloader`).
    """

    __slots__ = ("_config", "_fingerprint", "_strict")

    def __init__(self, config: LoadedConfig, *, strict: bool) -> None:
        self._config = config
        self._strict = strict
        # Computed on first use: hashing a large configuration costs more than loading it
        # for callers that never ask. Racing threads compute the same value; either wins.
        self._fingerprint: str | None = None

    # -- construction -----------------------------------------------------------------------

    @classmethod
    def from_mapping(cls, variables: Mapping[str, str], *, strict: bool = True) -> PolicyRuntime:
        """From a mapping of variable name to text; names the resolver does not read are ignored."""
        return cls(load_config(variables, strict=strict), strict=strict)

    @classmethod
    def from_environ(
        cls, environ: Mapping[str, str] | None = None, *, strict: bool = True
    ) -> PolicyRuntime:
        """From ``os.environ`` (or the given mapping)."""
        source = os.environ if environ is None else environ
        return cls.from_mapping({n: source[n] for n in VARIABLES if n in source}, strict=strict)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str], *, strict: bool = True) -> PolicyRuntime:
        """From a compiled ``env.json`` (``*.json``) or ``dpm-policy.env`` (anything else)."""
        return cls.from_mapping(read_variables(Path(path), strict=strict), strict=strict)

    @classmethod
    def from_bytes(cls, data: bytes, name: str, *, strict: bool = True) -> PolicyRuntime:
        """From a file's content; ``name`` picks the format as in :meth:`from_file`."""
        return cls.from_mapping(variables_from_bytes(data, name, strict=strict), strict=strict)

    # -- the snapshot -----------------------------------------------------------------------

    @property
    def enabled(self) -> bool:
        """``DPM_POLICY_PACKS_ENABLED``."""
        return self._config.enabled

    @property
    def default_policy_pack_id(self) -> str | None:
        """``DPM_DEFAULT_POLICY_PACK_ID``, stripped; None when unset or blank."""
        return self._config.default_policy_pack_id

    @property
    def tenant_resolution_enabled(self) -> bool:
        """``DPM_TENANT_POLICY_PACK_RESOLUTION_ENABLED``."""
        return self._config.tenant_resolution_enabled

    @property
    def replay_default(self) -> bool:
        """``DPM_IDEMPOTENCY_REPLAY_ENABLED`` (unset: true)."""
        return self._config.replay_default

    @property
    def catalog(self) -> Mapping[str, PolicyPack]:
        """Pack id -> pack, in the catalog's order."""
        return self._config.catalog

    @property
    def tenant_map(self) -> Mapping[str, str]:
        """Tenant id -> pack id, keys and values stripped."""
        return self._config.tenant_map

    @property
    def dropped(self) -> tuple[Dropped, ...]:
        """What the lenient parse lost or reinterpreted; always empty in strict mode."""
        return self._config.dropped

    @property
    def unchecked(self) -> tuple[Unchecked, ...]:
        """Lenient mode: values applied as the engine applies them, unchecked, although its
        ``EngineOptions`` would refuse them; always empty in strict mode, which refuses them."""
        return self._config.unchecked

    @property
    def strict(self) -> bool:
        """Whether this snapshot was loaded strictly."""
        return self._strict

    @property
    def fingerprint(self) -> str:
        """SHA-256 hex of the canonical JSON of the active configuration (stable across runs)."""
        if self._fingerprint is None:
            self._fingerprint = _fingerprint(self._config)
        return self._fingerprint

    def __repr__(self) -> str:
        return (
            f"PolicyRuntime(enabled={self.enabled}, packs={len(self.catalog)}, "
            f"tenants={len(self.tenant_map)}, fingerprint={self.fingerprint[:12]})"
        )

    # -- per request --------------------------------------------------------------------------

    def resolve(
        self,
        *,
        policy_pack_id: str | None = None,
        tenant_policy_pack_id: str | None = None,
        tenant_id: str | None = None,
    ) -> Resolution:
        """Resolve the three headers (``X-Policy-Pack-Id``, ``X-Tenant-Policy-Pack-Id``,
        ``X-Tenant-Id``; None when absent) to a pack; constant cost.

        Lenient: every value is used as the engine uses it, stripped, whatever its length or
        content. Strict: a value the engine would misread (longer than 256 characters, or a
        control character inside) raises :class:`~dpm_policy_runtime.PolicyHeaderError`;
        answer it with HTTP 400.
        """
        return resolve_request(
            self._config, policy_pack_id, tenant_policy_pack_id, tenant_id, strict=self._strict
        )

    def option_updates(self, resolution: Resolution) -> dict[str, object]:
        """The engine's ``policy_pack_engine_option_updates`` for the resolved pack."""
        return _options.option_updates(resolution.policy_pack)

    def apply_to_options(self, options: _M, resolution: Resolution) -> _M:
        """The options with the pack applied as the engine applies it (see
        :func:`~dpm_policy_runtime.apply_to_options`)."""
        return _options.apply_to_options(options, resolution)

    def replay_enabled(self, resolution: Resolution, default: bool | None = None) -> bool:
        """Simulate's replay switch: the pack's override, else ``default``, else
        :attr:`replay_default`."""
        return _options.replay_enabled(
            resolution, self.replay_default if default is None else default
        )

    def effective_response(
        self,
        *,
        policy_pack_id: str | None = None,
        tenant_policy_pack_id: str | None = None,
        tenant_id: str | None = None,
    ) -> dict[str, object]:
        """The body of ``GET /api/v1/rebalance/policies/effective``."""
        return _responses.effective_body(
            self.resolve(
                policy_pack_id=policy_pack_id,
                tenant_policy_pack_id=tenant_policy_pack_id,
                tenant_id=tenant_id,
            )
        )

    def catalog_response(
        self,
        *,
        policy_pack_id: str | None = None,
        tenant_policy_pack_id: str | None = None,
        tenant_id: str | None = None,
    ) -> dict[str, object]:
        """The body of ``GET /api/v1/rebalance/policies/catalog``."""
        resolution = self.resolve(
            policy_pack_id=policy_pack_id,
            tenant_policy_pack_id=tenant_policy_pack_id,
            tenant_id=tenant_id,
        )
        return _responses.catalog_body(self.catalog, resolution)


def _fingerprint(config: LoadedConfig) -> str:
    """Hash of what resolution can observe; dict order does not matter (sort_keys)."""
    canonical = {
        "enabled": config.enabled,
        "default_policy_pack_id": config.default_policy_pack_id,
        "tenant_resolution_enabled": config.tenant_resolution_enabled,
        "replay_default": config.replay_default,
        "catalog": [config.catalog[key].to_item() for key in sorted(config.catalog)],
        "tenant_map": dict(config.tenant_map),
    }
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()

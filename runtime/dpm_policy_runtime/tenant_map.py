"""``DPM_TENANT_POLICY_PACK_MAP_JSON``: tenant id -> policy-pack id (contract section 4)."""

from __future__ import annotations

from dpm_policy_runtime.ids import check_keys, check_reference_text
from dpm_policy_runtime.json_text import (
    JsonObject,
    JsonTextError,
    engine_object,
    strict_json,
)
from dpm_policy_runtime.problems import ConfigProblem, Dropped
from dpm_policy_runtime.safe_text import display_key, safe_repr
from dpm_policy_runtime.variables import TENANT_MAP_JSON

__all__ = ["parse_tenant_map_lenient", "parse_tenant_map_strict"]


def parse_tenant_map_lenient(text: str | None, dropped: list[Dropped]) -> dict[str, str]:
    """Exactly ``parse_tenant_policy_pack_map``: keys and values stripped, blanks and
    non-string values skipped, the last of colliding keys wins, values never checked."""
    raw = engine_object(
        TENANT_MAP_JSON, text, whole="map", repeated="tenant written twice", dropped=dropped
    )
    if raw is None:
        return {}
    mapping: dict[str, str] = {}
    for key, value in raw.items():
        where = display_key(key)
        if not isinstance(value, str):
            dropped.append(Dropped(TENANT_MAP_JSON, where, "invalid", "value is not a string"))
            continue
        tenant, pack_id = key.strip(), value.strip()
        if not tenant or not pack_id:
            dropped.append(Dropped(TENANT_MAP_JSON, where, "invalid", "blank tenant or pack id"))
            continue
        if tenant in mapping:
            dropped.append(
                Dropped(
                    TENANT_MAP_JSON,
                    display_key(tenant),
                    "superseded",
                    f"replaced by the later entry {safe_repr(key)} (equal after stripping)",
                )
            )
        mapping[tenant] = pack_id
    return mapping


def parse_tenant_map_strict(text: str | None, problems: list[ConfigProblem]) -> dict[str, str]:
    """Clean keys and values only; references to the catalog are checked by the caller."""
    if text is None:
        return {}
    if not text.strip():
        problems.append(
            ConfigProblem(TENANT_MAP_JSON, "", "blank", "is blank; write {} for an empty map")
        )
        return {}
    try:
        raw = strict_json(text)
    except JsonTextError as exc:
        problems.append(ConfigProblem(TENANT_MAP_JSON, "", "json", str(exc)))
        return {}
    if not isinstance(raw, JsonObject):
        problems.append(
            ConfigProblem(
                TENANT_MAP_JSON, "", "type", "must be a JSON object: tenant id -> pack id"
            )
        )
        return {}
    problems.extend(
        check_keys(
            TENANT_MAP_JSON, raw.keys(), raw.duplicates, noun="tenant id", case_insensitive=True
        )
    )
    mapping: dict[str, str] = {}
    # Pack ids found clean: tens of thousands of tenants share a few thousand of them, and a
    # value's check depends on the value alone.
    clean: set[str] = set()
    for tenant, value in raw.items():
        if isinstance(value, str) and value in clean:
            mapping[tenant] = value
            continue
        where = display_key(tenant)
        if not isinstance(value, str):
            problems.append(
                ConfigProblem(TENANT_MAP_JSON, where, "type", "must be a policy-pack id string")
            )
            continue
        found = check_reference_text(TENANT_MAP_JSON, where, value, noun="policy-pack id")
        problems.extend(found)
        if not found:
            mapping[tenant] = value
            clean.add(value)
    return mapping

"""Build small policy repositories on disk for the compile tests."""

from __future__ import annotations

import re
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

REPOSITORY = Path(__file__).resolve().parents[2]
CONTENT_FOLDERS = ("packs", "tenants", "environments", "waivers", "policy-tests", "schema")
MODELINES = {
    "packs": "# yaml-language-server: $schema=../schema/policy-pack.schema.json",
    "tenants": "# yaml-language-server: $schema=../schema/tenant.schema.json",
    "environments": "# yaml-language-server: $schema=../schema/environment.schema.json",
}


def copy_content(target: Path) -> Path:
    """The repository's own policy content, copied to ``target`` (not a git checkout)."""
    target.mkdir(parents=True, exist_ok=True)
    for folder in CONTENT_FOLDERS:
        shutil.copytree(REPOSITORY / folder, target / folder)
    return target


class _Quoted(str):
    """Text written in double quotes: PyYAML's YAML 1.1 rules would leave text such as ``0E0``
    or ``yes`` plain, which the policy loader's YAML 1.2 rules read as a number or refuse."""


yaml.SafeDumper.add_representer(
    _Quoted, lambda dumper, text: dumper.represent_scalar("tag:yaml.org,2002:str", text, style='"')
)


def _quoted(value: Any) -> Any:
    if isinstance(value, str):
        return _Quoted(value)
    if isinstance(value, list):
        return [_quoted(item) for item in value]
    if isinstance(value, dict):
        # Field names stay plain, as authors write them; free-form keys are quoted.
        return {
            key if re.fullmatch(r"[a-z_]+", key) else _Quoted(key): _quoted(item)
            for key, item in value.items()
        }
    return value


def write_yaml(path: Path, document: Mapping[str, Any]) -> Path:
    """Write one policy file with its modeline, as an author would."""
    path.parent.mkdir(parents=True, exist_ok=True)
    body = yaml.safe_dump(_quoted(dict(document)), sort_keys=False, allow_unicode=True, width=2**20)
    path.write_text(MODELINES[path.parent.name] + "\n" + body, encoding="utf-8")
    return path


def pack(
    pack_id: str, *, version: str = "1", extends: str | None = None, **sections: Any
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "policy_pack_id": pack_id,
        "version": version,
        "description": f"Pack {pack_id} for tests.",
        "owners": ["@bank/dpm-risk"],
    }
    if extends is not None:
        document["extends"] = extends
    document.update(sections)
    return document


def tenant(
    tenant_id: str,
    default: str,
    *,
    display_name: str | None = None,
    environments: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "tenant_id": tenant_id,
        "display_name": display_name or f"Tenant {tenant_id}",
        "owners": ["@bank/dpm-operations"],
        "default_policy_pack": default,
    }
    if environments:
        document["environments"] = {
            name: {"default_policy_pack": pack_id} for name, pack_id in environments.items()
        }
    return document


def environment(
    name: str,
    packs: list[str],
    *,
    default: str | None = None,
    enabled: bool = True,
    tenant_resolution: bool = True,
    replay: bool = True,
    promotes_from: str | None = None,
    catalog_delivery: str | None = None,
    tenant_map_delivery: str | None = None,
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "environment": name,
        "description": f"The {name} engine.",
        "owners": ["@bank/dpm-platform"],
    }
    if promotes_from is not None:
        document["promotes_from"] = promotes_from
    document.update(
        {
            "policy_packs_enabled": enabled,
            "tenant_resolution_enabled": tenant_resolution,
            "idempotency_replay_enabled": replay,
        }
    )
    if default is not None:
        document["default_policy_pack"] = default
    if catalog_delivery is not None:
        document["catalog_delivery"] = catalog_delivery
    if tenant_map_delivery is not None:
        document["tenant_map_delivery"] = tenant_map_delivery
    document["packs"] = packs
    return document


def write_repository(
    root: Path,
    *,
    packs: list[dict[str, Any]],
    tenants: list[dict[str, Any]] = (),  # type: ignore[assignment]
    environments: list[dict[str, Any]],
) -> Path:
    """A repository with exactly these documents, each in the file its id names."""
    for folder in ("packs", "tenants", "environments"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    for document in packs:
        write_yaml(root / "packs" / f"{document['policy_pack_id']}.yaml", document)
    for document in tenants:
        write_yaml(root / "tenants" / f"{document['tenant_id']}.yaml", document)
    for document in environments:
        write_yaml(root / "environments" / f"{document['environment']}.yaml", document)
    return root


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (hidden ones too), by relative path."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }

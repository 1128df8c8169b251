"""Typed models of the three document kinds: the single source of truth for files and schemas."""

from __future__ import annotations

from dpm_policy.model.environment import EnvironmentFile
from dpm_policy.model.pack import SECTION_MODELS, PolicyPackFile
from dpm_policy.model.tenant import TenantFile

__all__ = ["SECTION_MODELS", "EnvironmentFile", "PolicyPackFile", "TenantFile"]

"""``dpm-policy compile``: flattened packs, tenants and environments to what the engine reads.

For each environment, ``dist/<env>/`` holds ``env.json``, ``dpm-policy.env``,
``configmap.yaml``, ``catalog.json`` and ``manifest.json``. The flow is one way:
validate -> flatten ``extends`` -> catalog and tenant map -> canonical encoding -> files ->
size budget -> read back through the runtime -> swap into place. An environment with
``catalog_delivery: postgres`` leaves the catalog out of ``dpm-policy.env`` and
``configmap.yaml`` (see :mod:`dpm_policy.compile.delivery`).
"""

from __future__ import annotations

from dpm_policy.compile.environment import FILE_NAMES, EnvironmentOutput, build_environment
from dpm_policy.compile.pipeline import CompileResult, WrittenEnvironment, compile_repository

__all__ = [
    "FILE_NAMES",
    "CompileResult",
    "EnvironmentOutput",
    "WrittenEnvironment",
    "build_environment",
    "compile_repository",
]

"""Tooling for the DPM policy-pack repository: validate, compile, review and publish."""

from __future__ import annotations

__version__ = "0.1.0"

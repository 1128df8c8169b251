"""Renderers of problems, one module each, listed in one registry (the CLI's --format)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from dpm_policy.formats import github, json_format, text
from dpm_policy.problems import Problem

__all__ = ["FORMATS", "Renderer"]

Renderer = Callable[[Sequence[Problem]], str]

FORMATS: dict[str, Renderer] = {
    "text": text.render,
    "json": json_format.render,
    "github": github.render,
}

"""Renderers of a review, one module each, listed in one registry (the CLI's --format)."""

from __future__ import annotations

from collections.abc import Callable

from dpm_policy.review.model import Review
from dpm_policy.review.render import json_report, markdown

__all__ = ["RENDERERS", "ReviewRenderer"]

ReviewRenderer = Callable[[Review], str]

RENDERERS: dict[str, ReviewRenderer] = {
    "markdown": markdown.render,
    "json": json_report.render,
}

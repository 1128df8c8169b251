"""The one entry point to PyYAML's parser: libyaml's C implementation where PyYAML was built
with it (the wheels on PyPI are), else PyYAML's own, with the same safe behaviour.

Every reader of YAML text in the tool (the policy loader, its syntax messages, the formatter's
fast check and safety comparison, the read-back of a compiled ConfigMap) goes through here, so
the choice of parser, and its speed, is made once.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml

__all__ = ["SafeLoader", "compose_all", "load", "parse", "scan"]

SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def scan(text: str) -> Iterator[Any]:
    """The tokens of ``text``, in order."""
    return iter(yaml.scan(text, Loader=SafeLoader))


def parse(text: str) -> Iterator[Any]:
    """The events of ``text``, in order."""
    return iter(yaml.parse(text, Loader=SafeLoader))


def compose_all(text: str) -> Iterator[Any]:
    """The node tree of each document of ``text``."""
    return iter(yaml.compose_all(text, Loader=SafeLoader))


def load(text: str) -> object:
    """The data of ``text``'s one document, by YAML 1.1's safe rules (PyYAML's)."""
    result: object = yaml.load(text, Loader=SafeLoader)
    return result

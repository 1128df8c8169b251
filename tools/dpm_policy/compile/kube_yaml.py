"""Kubernetes objects as YAML text: the one way the build writes them."""

from __future__ import annotations

from collections.abc import Iterable

import yaml

__all__ = ["dump_yaml"]

# libyaml's emitter where PyYAML has it: the pure-Python one takes seconds on a large catalog.
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def dump_yaml(document: object, header: Iterable[str] = ()) -> str:
    """Block-style YAML in the document's own key order, long strings never folded, with
    ``header`` lines opening it as ``#`` comments."""
    body = yaml.dump(
        document,
        Dumper=_DUMPER,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=2**31 - 1,
    )
    return "".join(f"# {line}".rstrip() + "\n" for line in header) + body

"""Reading the models' type annotations, for code that walks a document by its model."""

from __future__ import annotations

import types
import typing
from typing import Any

__all__ = ["type_parts"]


def type_parts(annotation: Any) -> list[Any]:
    """The types an annotation stands for, with ``Annotated`` unwrapped and unions split.

    ``Annotated[PolicyId | None, ...]`` gives ``[str, NoneType]``; ``dict[K, V]`` is returned
    whole, for the caller to descend into its value type.
    """
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return type_parts(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        found: list[Any] = []
        for arg in typing.get_args(annotation):
            found.extend(type_parts(arg))
        return found
    return [annotation]

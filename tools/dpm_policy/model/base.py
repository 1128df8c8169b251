"""The base every document model shares."""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic_core import PydanticCustomError

__all__ = ["SectionModel", "StrictModel"]


class StrictModel(BaseModel):
    """Unknown keys are errors; documents are immutable once read."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=False)


class SectionModel(StrictModel):
    """A policy section: at least one setting, or the section should not be written."""

    model_config = ConfigDict(json_schema_extra={"minProperties": 1})

    @model_validator(mode="after")
    def _not_empty(self) -> Self:
        if not self.model_fields_set:
            raise PydanticCustomError(
                "empty-section", "is empty; remove it, or set at least one of its keys"
            )
        return self

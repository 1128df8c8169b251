"""The policy pack file, ``packs/<policy_pack_id>.yaml``.

The six policy sections are built from ``runtime.fields``, so their fields, bounds and
descriptions are the engine's, stated once.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field, create_model

from dpm_policy.model.base import SectionModel, StrictModel
from dpm_policy.model.types import (
    GroupKey,
    NotNull,
    OwnerList,
    PolicyBool,
    PolicyId,
    Text,
    Version,
    bounded_decimal,
    bounded_int,
)
from dpm_policy_runtime.fields import GROUP_MAX_WEIGHT, SECTIONS, FieldSpec, fields_of

__all__ = ["SECTION_MODELS", "GroupConstraint", "PackHeader", "PolicyPackFile", "section_title"]


class GroupConstraint(StrictModel):
    """A cap on the total weight of one group of positions."""

    max_weight: bounded_decimal(*GROUP_MAX_WEIGHT) = Field(  # type: ignore[valid-type]
        description="Largest total weight of the group, as a fraction (0.20 means 20 %).",
        examples=["0.20"],
    )


def _field_type(spec: FieldSpec) -> Any:
    if spec.kind == "decimal":
        minimum = Decimal(spec.minimum) if spec.minimum is not None else None
        maximum = Decimal(spec.maximum) if spec.maximum is not None else None
        return bounded_decimal(minimum, maximum)
    if spec.kind == "bool":
        return PolicyBool
    if spec.kind == "int":
        assert isinstance(spec.minimum, int)
        assert isinstance(spec.maximum, int)
        return bounded_int(spec.minimum, spec.maximum)
    return dict[GroupKey, GroupConstraint]


def section_title(section: str) -> str:
    """``turnover_policy`` -> ``TurnoverPolicy``."""
    return "".join(part.capitalize() for part in section.split("_"))


def _section_model(section: str) -> type[SectionModel]:
    fields: dict[str, Any] = {}
    for spec in fields_of(section):
        extra: dict[str, Any] = {}
        if spec.kind == "group_constraints":
            extra["min_length"] = 1
        # Default None without validating it: an omitted key means "no override", while an
        # explicit null is refused by the field's own validator.
        fields[spec.name] = (
            _field_type(spec),
            Field(default=None, description=spec.description, examples=[spec.example], **extra),
        )
    model: type[SectionModel] = create_model(
        section_title(section),
        __base__=SectionModel,
        __doc__=f"The engine options that the pack's {section.replace('_', ' ')} overrides.",
        **fields,
    )
    return model


SECTION_MODELS: dict[str, type[SectionModel]] = {name: _section_model(name) for name in SECTIONS}


class PackHeader(StrictModel):
    """What every pack states about itself, besides its policies."""

    policy_pack_id: PolicyId = Field(
        description="The pack's id; the file must be named <policy_pack_id>.yaml.",
        examples=["dpm_standard_v1"],
    )
    version: Version = Field(
        description="The pack's version, as quoted text. Change it whenever the content changes.",
        examples=["1", "2.1"],
    )
    description: Text = Field(description="What the pack is for, for reviewers.")
    owners: OwnerList = Field(
        description="Who approves changes: GitHub users or teams (they become CODEOWNERS).",
        examples=[["@bank/dpm-risk"]],
    )
    extends: Annotated[PolicyId | None, NotNull] = Field(
        default=None,
        description="Another pack whose settings this one inherits and overrides.",
        examples=["dpm_standard_v1"],
    )


_section_fields: dict[str, Any] = {
    section: (
        SECTION_MODELS[section],
        Field(default=None, description=SECTION_MODELS[section].__doc__),
    )
    for section in SECTIONS
}

PolicyPackFile: type[PackHeader] = create_model(
    "PolicyPack",
    __base__=PackHeader,
    __doc__="A named, versioned set of overrides of the rebalancing engine's options.",
    **_section_fields,
)

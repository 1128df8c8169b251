"""The ``guardrails`` block of an environment file: limits no pack or switch may cross there.

Guardrails apply to the effective settings of every pack that ships to the environment (after
``extends`` is resolved, so a base pack cannot carry a breach in unseen) and to the
environment's own switches. ``validate`` reports each breach at the value that breaks it;
``waivers/`` may let one breach pass until a date.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Self

from pydantic import BeforeValidator, Field, WithJsonSchema, model_validator
from pydantic_core import PydanticCustomError

from dpm_policy.model.base import StrictModel
from dpm_policy.model.names import SettingPath, SwitchName
from dpm_policy.model.types import (
    NotNull,
    PolicyBool,
    PolicyId,
    Text,
    bounded_decimal,
    decimal_check,
)
from dpm_policy.shown import shown

__all__ = ["Guardrails", "SettingGuardrail", "SwitchGuardrail", "exact_value"]

Bound = bounded_decimal(Decimal(0), None)


_exact_decimal = decimal_check(None, None)


def exact_value(value: object) -> bool | Decimal:
    """``true``, ``false`` or an exact number (``0.25`` or ``"0.25"``), as a setting holds it."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | Decimal | str):
        number: Decimal = _exact_decimal(value)
        return number
    raise PydanticCustomError("type", f"must be true, false or a number (got {shown(value)})")


ExactValue = Annotated[
    bool | Decimal,
    BeforeValidator(exact_value),
    WithJsonSchema({"anyOf": [{"type": "boolean"}, {"type": "number"}, {"type": "string"}]}),
]


class SettingGuardrail(StrictModel):
    """A limit on one setting of every pack that ships to the environment."""

    max: Annotated[Bound | None, NotNull] = Field(  # type: ignore[valid-type]
        default=None,
        description="No shipped pack may set a larger value (for group_constraints: no group's "
        "max_weight).",
        examples=["0.25"],
    )
    min: Annotated[Bound | None, NotNull] = Field(  # type: ignore[valid-type]
        default=None, description="No shipped pack may set a smaller value.", examples=[1]
    )
    equals: Annotated[ExactValue | None, NotNull] = Field(
        default=None,
        description="Every shipped pack must set exactly this value (leaving it unset breaks "
        "the guardrail, since the request's own option would then stand).",
        examples=[True],
    )
    required: PolicyBool = Field(
        default=False, description="Every shipped pack must set the setting (to any value)."
    )
    reason: Annotated[Text | None, NotNull] = Field(
        default=None, description="Why the limit exists; shown with every breach."
    )

    @model_validator(mode="after")
    def _meaningful(self) -> Self:
        if self.max is None and self.min is None and self.equals is None and not self.required:
            raise PydanticCustomError(
                "empty-guardrail", "limits nothing; write max, min, equals or required: true"
            )
        if self.max is not None and self.min is not None and self.min > self.max:
            raise PydanticCustomError(
                "guardrail-bounds",
                f"has min {self.min} above max {self.max}; no value could pass, swap them",
            )
        return self


class SwitchGuardrail(StrictModel):
    """A required value of one of the environment's switches."""

    equals: Annotated[PolicyBool | PolicyId | None, NotNull] = Field(
        default=None,
        description="The value the switch must have (true or false; a pack id for "
        "default_policy_pack).",
        examples=[True],
    )
    required: PolicyBool = Field(
        default=False, description="default_policy_pack must be set (to any pack)."
    )
    reason: Annotated[Text | None, NotNull] = Field(
        default=None, description="Why the switch must have this value; shown with a breach."
    )

    @model_validator(mode="after")
    def _meaningful(self) -> Self:
        if self.equals is None and not self.required:
            raise PydanticCustomError(
                "empty-guardrail", "limits nothing; write equals, or required: true"
            )
        return self


class Guardrails(StrictModel):
    """Limits of one environment, whatever the pack and tenant files say."""

    settings: Annotated[dict[SettingPath, SettingGuardrail] | None, NotNull] = Field(
        default=None,
        min_length=1,
        description="Limits on the effective settings of every pack that ships here, keyed by "
        "the setting's section.name.",
        examples=[{"turnover_policy.max_turnover_pct": {"max": "0.25"}}],
    )
    switches: Annotated[dict[SwitchName, SwitchGuardrail] | None, NotNull] = Field(
        default=None,
        min_length=1,
        description="Required values of this environment's switches.",
        examples=[{"policy_packs_enabled": {"equals": True}}],
    )
    forbidden_packs: Annotated[list[PolicyId] | None, NotNull] = Field(
        default=None,
        min_length=1,
        description="Packs that may not ship here, nor be any tenant's pack here.",
        examples=[["dpm_execution_only_v1"]],
    )

"""The waiver file, ``waivers/<waiver_id>.yaml``: one accepted breach of one guardrail, until a
date.

A waiver names exactly the breach it lets pass (guardrail, environment, and the pack or tenant
that breaks it), why, who accepted it and when it ends. The day after ``expires`` the breach is
reported again, and so is the waiver; a waiver that no longer matches a breach is reported too.
"""

from __future__ import annotations

import datetime
import re
from typing import Annotated, Self

from pydantic import BeforeValidator, ConfigDict, Field, WithJsonSchema, model_validator
from pydantic_core import PydanticCustomError

from dpm_policy.model.base import StrictModel
from dpm_policy.model.names import SETTING_PATHS, SWITCHES
from dpm_policy.model.types import EnvName, NotNull, Owner, PolicyId, Text
from dpm_policy.shown import shown

__all__ = ["FORBIDDEN_PACKS", "GUARDRAIL_NAMES", "IsoDate", "WaiverFile", "parse_iso_date"]

FORBIDDEN_PACKS = "forbidden_packs"
GUARDRAIL_NAMES: tuple[str, ...] = (*SETTING_PATHS, *SWITCHES, FORBIDDEN_PACKS)

_DATE = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])")


def parse_iso_date(value: object) -> datetime.date:
    """A calendar date written ``YYYY-MM-DD``; anything else is refused in the author's words."""
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
        raise PydanticCustomError(
            "date-format", f"{shown(value)} is not a day of the calendar; write a real date"
        )
    raise PydanticCustomError(
        "date-format",
        f"must be a date written YYYY-MM-DD, such as 2027-03-31 (got {shown(value)})",
    )


IsoDate = Annotated[
    datetime.date,
    BeforeValidator(parse_iso_date),
    WithJsonSchema({"type": "string", "pattern": f"^{_DATE.pattern}$", "format": "date"}),
]


def _guardrail_name(value: object) -> str:
    if isinstance(value, str) and value in GUARDRAIL_NAMES:
        return value
    raise PydanticCustomError(
        "unknown-name",
        f"{shown(value)} names no kind of guardrail; write a setting (such as "
        "turnover_policy.max_turnover_pct), a switch (such as policy_packs_enabled) or "
        "forbidden_packs",
    )


GuardrailName = Annotated[
    str,
    BeforeValidator(_guardrail_name),
    WithJsonSchema({"type": "string", "enum": list(GUARDRAIL_NAMES)}),
]


class WaiverFile(StrictModel):
    """An accepted, temporary breach of one guardrail."""

    # A pack or a tenant, never both (the validator below says so in words).
    model_config = ConfigDict(json_schema_extra={"not": {"required": ["pack", "tenant"]}})

    waiver_id: PolicyId = Field(
        description="The waiver's id; the file must be named <waiver_id>.yaml.",
        examples=["execution-only-gates-2027q1"],
    )
    guardrail: GuardrailName = Field(
        description="The guardrail it lets pass: a setting, a switch, or forbidden_packs.",
        examples=["workflow_policy.enable_workflow_gates"],
    )
    environment: EnvName = Field(
        description="The environment whose guardrail it is.", examples=["prod"]
    )
    pack: Annotated[PolicyId | None, NotNull] = Field(
        default=None,
        description="The pack whose breach passes (for a setting or a forbidden pack).",
        examples=["dpm_execution_only_v1"],
    )
    tenant: Annotated[PolicyId | None, NotNull] = Field(
        default=None,
        description="The tenant whose breach passes (a tenant on a forbidden pack).",
        examples=["lakeside_execution"],
    )
    reason: Text = Field(description="Why the breach is accepted, for reviewers and auditors.")
    accepted_by: Owner = Field(
        description="The owner who accepted the risk: a GitHub team or user.",
        examples=["@bank/dpm-risk"],
    )
    expires: IsoDate = Field(
        description="The last day the waiver is in force (YYYY-MM-DD); from the next day the "
        "breach is reported again.",
        examples=["2027-03-31"],
    )

    @property
    def owners(self) -> list[str]:
        """Who approves a change to the waiver (CODEOWNERS): the owner who accepted it."""
        return [self.accepted_by]

    @model_validator(mode="after")
    def _one_subject(self) -> Self:
        if self.pack is not None and self.tenant is not None:
            raise PydanticCustomError(
                "waiver-subject",
                "names both a pack and a tenant; a waiver lets one breach pass, so keep one "
                "and write a second waiver for the other",
            )
        return self

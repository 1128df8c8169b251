"""The policy test file, ``policy-tests/<name>.yaml``: what requests get in one environment.

Each test states a request (tenant, explicit pack, any header) and what the engine must answer:
the source that decides, the pack, and settings, exactly or within bounds. ``dpm-policy test``
runs them through the runtime resolver on the compiled output, as the engine would answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Self

from pydantic import BeforeValidator, Field, WithJsonSchema, model_validator
from pydantic_core import PydanticCustomError

from dpm_policy.model.base import StrictModel
from dpm_policy.model.guardrails import exact_value
from dpm_policy.model.names import HeaderName, SettingPath, SourceName
from dpm_policy.model.types import EnvName, NotNull, OwnerList, PolicyId, Text
from dpm_policy.shown import shown

__all__ = ["Expected", "PolicyCase", "PolicyExpectation", "PolicyRequest", "PolicyTestFile"]


@dataclass(frozen=True)
class Expected:
    """An expected setting: exactly ``equals``, or within ``minimum`` and ``maximum``."""

    equals: bool | Decimal | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None


def _expected(value: object) -> Expected:
    if isinstance(value, Expected):
        return value
    if not isinstance(value, dict):
        return Expected(equals=exact_value(value))
    unknown = sorted(str(key) for key in value if key not in ("min", "max"))
    if unknown or not value:
        raise PydanticCustomError(
            "expectation",
            f"is a mapping with {', '.join(repr(k) for k in unknown) or 'no keys'}; write a "
            "value, or bounds as {min: ..., max: ...}",
        )
    bounds: dict[str, Decimal] = {}
    for key, bound in value.items():
        number = exact_value(bound)
        if isinstance(number, bool):
            raise PydanticCustomError("expectation", f"{key} must be a number (got {shown(bound)})")
        bounds[key] = number
    return Expected(minimum=bounds.get("min"), maximum=bounds.get("max"))


ExpectedSetting = Annotated[
    Expected,
    BeforeValidator(_expected),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "boolean"},
                {"type": "number"},
                {"type": "string"},
                {
                    "type": "object",
                    "properties": {"min": {}, "max": {}},
                    "additionalProperties": False,
                    "minProperties": 1,
                },
            ]
        }
    ),
]


def _header_value(value: object) -> str:
    if isinstance(value, str):
        return value
    raise PydanticCustomError("type", f"must be the header's text, in quotes (got {shown(value)})")


HeaderValue = Annotated[str, BeforeValidator(_header_value), WithJsonSchema({"type": "string"})]


class PolicyRequest(StrictModel):
    """The headers of one request; leave one out for a request without it."""

    tenant: Annotated[PolicyId | None, NotNull] = Field(
        default=None, description="X-Tenant-Id: a tenant of tenants/.", examples=["geneva_ucits"]
    )
    pack: Annotated[PolicyId | None, NotNull] = Field(
        default=None,
        description="X-Policy-Pack-Id: a pack the request asks for explicitly.",
        examples=["dpm_growth_v1"],
    )
    headers: Annotated[dict[HeaderName, HeaderValue] | None, NotNull] = Field(
        default=None,
        min_length=1,
        description="Headers exactly as sent, blank values included (for the engine's quirks).",
        examples=[{"X-Tenant-Policy-Pack-Id": ""}],
    )

    @model_validator(mode="after")
    def _each_header_once(self) -> Self:
        given = self.headers or {}
        for key, header in (("tenant", "X-Tenant-Id"), ("pack", "X-Policy-Pack-Id")):
            if getattr(self, key) is not None and header in given:
                raise PydanticCustomError(
                    "request",
                    f"sets {header} twice (as {key} and in headers); keep one",
                )
        return self


class PolicyExpectation(StrictModel):
    """What the engine must answer; only what is written is checked."""

    source: Annotated[SourceName | None, NotNull] = Field(
        default=None,
        description="Which source decides: REQUEST, TENANT_DEFAULT, GLOBAL_DEFAULT, NONE or "
        "DISABLED.",
        examples=["TENANT_DEFAULT"],
    )
    pack: Annotated[PolicyId | None, NotNull] = Field(
        default=None, description="The pack the engine applies.", examples=["dpm_conservative_v1"]
    )
    settings: Annotated[dict[SettingPath, ExpectedSetting] | None, NotNull] = Field(
        default=None,
        min_length=1,
        description="Settings of the applied pack: a value, or bounds {min: ..., max: ...}.",
        examples=[{"turnover_policy.max_turnover_pct": {"max": "0.05"}}],
    )

    @model_validator(mode="after")
    def _expects_something(self) -> Self:
        if not self.model_fields_set:
            raise PydanticCustomError(
                "expectation", "expects nothing; write source, pack or settings"
            )
        return self


class PolicyCase(StrictModel):
    """One request and its expected answer."""

    name: Text = Field(description="What the test states, in a few words.")
    request: PolicyRequest = Field(description="The request's headers.")
    expect: PolicyExpectation = Field(description="The expected answer.")


class PolicyTestFile(StrictModel):
    """Statements of intent about one environment, checked against the compiled output."""

    environment: EnvName = Field(description="The environment the requests go to.")
    description: Text = Field(description="What these tests protect, for reviewers.")
    owners: OwnerList = Field(
        description="Who approves changes to these tests.", examples=[["@bank/dpm-risk"]]
    )
    tests: list[PolicyCase] = Field(min_length=1, description="The tests, run in order.")

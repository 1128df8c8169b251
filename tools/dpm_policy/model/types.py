"""Field types of the policy files: exact, strict, and explained in the author's words.

Each type is an ``Annotated`` pydantic type whose validator runs before pydantic's own and
raises ``PydanticCustomError`` with a stable code and a message that ends with the fix. Each also
carries the JSON Schema that says the same thing, so editors and the models agree.
"""

from __future__ import annotations

import difflib
import json
import re
import typing
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from dpm_policy.shown import shown
from dpm_policy_runtime.decimals import canonical_decimal

__all__ = [
    "CATALOG_DELIVERIES",
    "DEFAULT_CATALOG_DELIVERY",
    "DEFAULT_TENANT_MAP_DELIVERY",
    "ENV_NAME_PATTERN",
    "ID_PATTERN",
    "MAX_ID_LENGTH",
    "TENANT_MAP_DELIVERIES",
    "CatalogDelivery",
    "CatalogDeliveryName",
    "EnvName",
    "GroupKey",
    "KubernetesName",
    "NotNull",
    "Owner",
    "OwnerList",
    "PolicyBool",
    "PolicyId",
    "TenantMapDelivery",
    "TenantMapDeliveryName",
    "Text",
    "Version",
    "bounded_decimal",
    "bounded_int",
    "decimal_check",
]

MAX_ID_LENGTH = 64
# Pack and tenant ids: letters, digits, '_', '-', '.', starting with a letter or digit.
ID_PATTERN = rf"^[A-Za-z0-9][A-Za-z0-9_.-]{{0,{MAX_ID_LENGTH - 1}}}$"
ENV_NAME_PATTERN = r"^[a-z][a-z0-9-]{0,31}$"
# A Kubernetes namespace, Deployment or container name: an RFC 1123 label (at most 63
# characters), the strictest of the three rules, so one type serves all of them.
KUBERNETES_NAME_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"
OWNER_PATTERN = r"^@[A-Za-z0-9][A-Za-z0-9-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?$"
# 'attribute:value': exactly one colon, neither side empty nor padded with spaces.
GROUP_KEY_PATTERN = r"^[^:\s](?:[^:]*[^:\s])?:[^:\s](?:[^:]*[^:\s])?$"
VERSION_PATTERN = r"^[A-Za-z0-9](?:[A-Za-z0-9._+-]{0,30}[A-Za-z0-9])?$"

# Decimal text as the models accept it: plain notation, no superfluous leading zeros.
_DECIMAL_TEXT = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?")

_TRUE_WORDS = frozenset({"yes", "y", "on", "true", "t", "1", "enabled", "enable"})
_FALSE_WORDS = frozenset({"no", "n", "off", "false", "f", "0", "disabled", "disable"})


def _error(code: str, message: str) -> PydanticCustomError:
    return PydanticCustomError(code, message)


def _reject_null(value: object) -> None:
    if value is None:
        raise _error(
            "null-value",
            "has no value; remove the key to leave the engine's setting as it is, or write a value",
        )


def _not_null(value: object) -> object:
    _reject_null(value)
    return value


# An optional key: leaving it out gives None; writing ``null`` is refused (the message says to
# remove the key), so an author's explicit null never silently means "not set".
NotNull = BeforeValidator(_not_null)


def _decimal_validator(minimum: Decimal | None, maximum: Decimal | None) -> Any:
    def check(value: object) -> Decimal:
        _reject_null(value)
        if isinstance(value, bool):
            raise _error("type", f"must be a number (got {shown(value)})")
        if isinstance(value, int):
            number = Decimal(value)
        elif isinstance(value, Decimal):
            if not value.is_finite():
                raise _error("type", "must be a finite number")
            number = value
        elif isinstance(value, str):
            # The JSON Schema's string patterns say the same (see _decimal_string_pattern).
            if not _DECIMAL_TEXT.fullmatch(value):
                raise _error("decimal-format", _decimal_text_message(value, maximum))
            number = Decimal(value)
            if value.startswith("-") and minimum is not None and minimum >= 0:
                # "-0" equals 0, but no non-negative quantity is written with a minus.
                raise _error("range", _range_message(number, minimum, maximum))
        elif isinstance(value, float):
            raise _error(
                "decimal-format",
                "must be written as an exact decimal such as 0.15, not a binary float",
            )
        else:
            raise _error("type", f"must be a number (got {shown(value)})")
        if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
            raise _error("range", _range_message(number, minimum, maximum))
        return number

    return check


_PERCENT = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*%\s*")


def _decimal_text_message(value: str, maximum: Decimal | None) -> str:
    percent = _PERCENT.fullmatch(value)
    if percent is not None and maximum == 1:
        number = Decimal(percent.group(1))
        if number <= 100:
            return (
                f"must be a fraction, not a percentage (got {shown(value)}); "
                f"write {canonical_decimal(number / 100)} for {percent.group(1)}%"
            )
    return (
        "must be a number in plain notation such as 0.15, with no exponent and no "
        f"leading zeros (got {shown(value)})"
    )


def decimal_check(minimum: Decimal | None, maximum: Decimal | None) -> Any:
    """The check of an exact decimal within bounds, for types built around it."""
    return _decimal_validator(minimum, maximum)


def _range_message(number: Decimal, minimum: Decimal | None, maximum: Decimal | None) -> str:
    if maximum is None:
        message = f"must be at least {minimum} (got {shown(number)})"
    else:
        message = f"must be between {minimum} and {maximum} (got {shown(number)})"
    if maximum == 1 and Decimal(1) < number <= Decimal(100):
        message += f"; write {canonical_decimal(number / 100)} for {number}%"
    return message


def _decimal_string_pattern(minimum: Decimal | None, maximum: Decimal | None) -> str:
    """A regular expression for decimal text within the bounds, for the JSON Schema."""
    if minimum == 0 and maximum == 1:
        return r"^(0(\.[0-9]+)?|1(\.0+)?)$"
    if minimum == 0 and maximum is None:
        return r"^(0|[1-9][0-9]*)(\.[0-9]+)?$"
    raise ValueError(f"no schema pattern for decimals bounded by {minimum}..{maximum}")


def bounded_decimal(minimum: Decimal | None, maximum: Decimal | None) -> Any:
    """An exact decimal within bounds, written as a YAML number or as quoted text."""
    number: dict[str, Any] = {"type": "number"}
    if minimum is not None:
        number["minimum"] = int(minimum) if minimum == int(minimum) else float(minimum)
    if maximum is not None:
        number["maximum"] = int(maximum) if maximum == int(maximum) else float(maximum)
    schema = {
        "anyOf": [
            number,
            {"type": "string", "pattern": _decimal_string_pattern(minimum, maximum)},
        ]
    }
    return Annotated[
        Decimal,
        BeforeValidator(_decimal_validator(minimum, maximum)),
        WithJsonSchema(schema),
    ]


def _check_bool(value: object) -> bool:
    _reject_null(value)
    if isinstance(value, bool):
        return value
    # The engine's lax parsing would read these words and 0/1 as booleans; say which one.
    word = value.strip().lower() if isinstance(value, str) else None
    if word in _TRUE_WORDS or (type(value) is int and value == 1):
        raise _error("type", f"must be true or false (got {shown(value)}); write true")
    if word in _FALSE_WORDS or (type(value) is int and value == 0):
        raise _error("type", f"must be true or false (got {shown(value)}); write false")
    raise _error("type", f"must be true or false (got {shown(value)})")


PolicyBool = Annotated[bool, BeforeValidator(_check_bool), WithJsonSchema({"type": "boolean"})]


def bounded_int(minimum: int, maximum: int) -> Any:
    """A whole number within bounds, written as a YAML integer."""

    def check(value: object) -> int:
        _reject_null(value)
        if isinstance(value, bool):
            raise _error("type", f"must be a whole number (got {shown(value)})")
        if isinstance(value, Decimal):
            whole = value.to_integral_value()
            hint = f"; write {shown(whole)}" if value == whole else ""
            raise _error("type", f"must be a whole number (got {shown(value)}){hint}")
        if isinstance(value, str):
            raise _error(
                "type", f"must be a whole number, not text (got {shown(value)}); remove the quotes"
            )
        if not isinstance(value, int):
            raise _error("type", f"must be a whole number (got {shown(value)})")
        if not minimum <= value <= maximum:
            raise _error("range", f"must be between {minimum} and {maximum} (got {value})")
        return value

    return Annotated[
        int,
        BeforeValidator(check),
        WithJsonSchema({"type": "integer", "minimum": minimum, "maximum": maximum}),
    ]


def _text_check(
    what: str, pattern: str | None, rule: str, max_length: int, code: str = "id-format"
) -> Any:
    compiled = re.compile(pattern) if pattern else None

    def check(value: object) -> str:
        _reject_null(value)
        if not isinstance(value, str):
            raise _error(
                "type",
                f"must be text (got {shown(value)}); put it in quotes",
            )
        # fullmatch: a pattern's '$' would also match before a trailing line break.
        if compiled is not None and not compiled.fullmatch(value):
            stripped = value.strip()
            if stripped != value and compiled.fullmatch(stripped):
                # The engine's admin and Postgres paths do not strip: ' a' is not 'a' there.
                raise _error(
                    code,
                    f"{shown(value)} has spaces or line breaks around it; write {shown(stripped)}",
                )
            raise _error(code, f"{shown(value)} is not a valid {what}: {rule}")
        if compiled is None and not value.strip():
            raise _error("text-format", "is blank; write a few words")
        if len(value) > max_length:
            raise _error("text-format", f"is longer than {max_length} characters; shorten it")
        return value

    return check


PolicyId = Annotated[
    str,
    BeforeValidator(
        _text_check(
            "id",
            ID_PATTERN,
            f"use letters, digits, '_', '-' and '.', start with a letter or digit, "
            f"at most {MAX_ID_LENGTH} characters",
            MAX_ID_LENGTH,
        )
    ),
    WithJsonSchema({"type": "string", "pattern": ID_PATTERN}),
]

EnvName = Annotated[
    str,
    BeforeValidator(
        _text_check(
            "environment name",
            ENV_NAME_PATTERN,
            "use lower-case letters, digits and '-', starting with a letter",
            32,
            "environment-name",
        )
    ),
    WithJsonSchema({"type": "string", "pattern": ENV_NAME_PATTERN}),
]

KubernetesName = Annotated[
    str,
    BeforeValidator(
        _text_check(
            "Kubernetes name",
            KUBERNETES_NAME_PATTERN,
            "use lower-case letters, digits and '-', starting and ending with a letter or "
            "digit, at most 63 characters",
            63,
            "kubernetes-name",
        )
    ),
    WithJsonSchema({"type": "string", "pattern": KUBERNETES_NAME_PATTERN}),
]

GroupKey = Annotated[
    str,
    BeforeValidator(
        _text_check(
            "group key",
            GROUP_KEY_PATTERN,
            "write 'attribute:value' with exactly one ':' and text on both sides, "
            "for example 'sector:TECH'",
            128,
            "group-key",
        )
    ),
    WithJsonSchema({"type": "string", "pattern": GROUP_KEY_PATTERN}),
]


def _check_version(value: object) -> str:
    _reject_null(value)
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        # A decimal loses its trailing zeros in readers that take it as a float (1.10 -> 1.1).
        why = "" if isinstance(value, int) else " (unquoted, YAML reads it as a number)"
        raise _error("version-type", f'must be text, in quotes: write version: "{value}"{why}')
    if not isinstance(value, str):
        raise _error("version-type", f"must be text in quotes (got {shown(value)})")
    if not re.fullmatch(VERSION_PATTERN, value):
        raise _error(
            "version-format",
            f"{shown(value)} is not a valid version: use letters, digits and '.', '_', '+', "
            "'-', starting and ending with a letter or digit, at most 32 characters",
        )
    return value


Version = Annotated[
    str,
    BeforeValidator(_check_version),
    WithJsonSchema({"type": "string", "pattern": VERSION_PATTERN}),
]

Text = Annotated[
    str,
    BeforeValidator(_text_check("text", None, "", 500, "text-format")),
    WithJsonSchema({"type": "string", "maxLength": 500, "pattern": r"\S"}),
]


_check_owner = _text_check(
    "owner",
    OWNER_PATTERN,
    "write a GitHub user or team, such as '@bank/dpm-risk'",
    100,
    "owner-format",
)

Owner = Annotated[
    str,
    BeforeValidator(_check_owner),
    WithJsonSchema({"type": "string", "pattern": OWNER_PATTERN}),
]


def _check_owners(value: object) -> list[str]:
    _reject_null(value)
    if isinstance(value, str):
        raise _error("type", f"must be a list of owners; write owners: [{json.dumps(value)}]")
    if not isinstance(value, list):
        raise _error("type", f"must be a list of owners (got {shown(value)})")
    if not value:
        raise _error("owners", "needs at least one owner, such as '@bank/dpm-risk'")
    seen: set[str] = set()
    for owner in value:
        checked = _check_owner(owner)
        if checked in seen:
            raise _error("owners", f"lists {shown(checked)} twice; keep one")
        seen.add(checked)
    return value


OwnerList = Annotated[
    list[str],
    BeforeValidator(_check_owners),
    WithJsonSchema(
        {
            "type": "array",
            "minItems": 1,
            "uniqueItems": True,
            "items": {"type": "string", "pattern": OWNER_PATTERN},
        }
    ),
]


def _choice_check(choices: tuple[str, ...], default: str) -> Any:
    """One word of a closed set; a near miss is named, anything else lists the words."""
    quoted = [repr(choice) for choice in choices]
    allowed = " or ".join([", ".join(quoted[:-1]), quoted[-1]] if len(quoted) > 1 else quoted)

    def check(value: object) -> str:
        _reject_null(value)
        if isinstance(value, str) and value in choices:
            return value
        message = f"must be {allowed} (got {shown(value)})"
        near = (
            difflib.get_close_matches(value.strip().lower(), choices, n=1, cutoff=0.6)
            if isinstance(value, str)
            else []
        )
        if near:
            raise _error("choice", f"{message}; write {near[0]}")
        fix = f"write one of them, or remove the key for the default, {default!r}"
        raise _error("choice", f"{message}; {fix}")

    return check


# How the catalog reaches the engine (see model.environment for what each word means).
CatalogDeliveryName = Literal["environment", "postgres"]
CATALOG_DELIVERIES: tuple[str, ...] = typing.get_args(CatalogDeliveryName)
DEFAULT_CATALOG_DELIVERY: CatalogDeliveryName = "environment"

CatalogDelivery = Annotated[
    CatalogDeliveryName,
    BeforeValidator(_choice_check(CATALOG_DELIVERIES, DEFAULT_CATALOG_DELIVERY)),
    WithJsonSchema({"type": "string", "enum": list(CATALOG_DELIVERIES)}),
]

# How the tenant map reaches the engine (see model.environment for what each word means).
TenantMapDeliveryName = Literal["environment", "file", "postgres"]
TENANT_MAP_DELIVERIES: tuple[str, ...] = typing.get_args(TenantMapDeliveryName)
DEFAULT_TENANT_MAP_DELIVERY: TenantMapDeliveryName = "environment"

TenantMapDelivery = Annotated[
    TenantMapDeliveryName,
    BeforeValidator(_choice_check(TENANT_MAP_DELIVERIES, DEFAULT_TENANT_MAP_DELIVERY)),
    WithJsonSchema({"type": "string", "enum": list(TENANT_MAP_DELIVERIES)}),
]

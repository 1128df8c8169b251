"""Where the DSN comes from, and that its password never shows."""

from __future__ import annotations

import pytest

from dpm_policy.publish import DSN_ENV_VAR, DsnError, parse_dsn, resolve_dsn
from dpm_policy.redact import MASK, redact, secrets_of

PASSWORD = "p@ss w'rd%2F"
KEYWORD = "host=db.example port=5433 dbname=engine user=publisher password='p@ss w\\'rd%2F'"
URL = "postgresql://publisher:p%40ss%20w'rd%252F@db.example:5433/engine"


def test_flag_beats_environment() -> None:
    dsn = resolve_dsn("host=a dbname=x", {DSN_ENV_VAR: "host=b dbname=y"})
    assert (dsn.host, dsn.source) == ("a", "--dsn")


def test_environment_when_no_flag() -> None:
    dsn = resolve_dsn(None, {DSN_ENV_VAR: "host=b dbname=y"})
    assert (dsn.host, dsn.source) == ("b", DSN_ENV_VAR)


def test_blank_flag_falls_back_to_environment() -> None:
    assert resolve_dsn("  ", {DSN_ENV_VAR: "host=b dbname=y"}).host == "b"


def test_no_dsn_is_an_error_naming_both_sources() -> None:
    with pytest.raises(DsnError, match=f"--dsn or set {DSN_ENV_VAR}"):
        resolve_dsn(None, {"DPM_SUPPORTABILITY_POSTGRES_DSN": "host=c"})


@pytest.mark.parametrize("text", [KEYWORD, URL])
def test_every_spelling_of_the_password_is_masked(text: str) -> None:
    dsn = parse_dsn(text, source="--dsn")
    leaked = f"raw {PASSWORD} url {text} quoted 'p@ss w\\'rd%2F'"
    masked = dsn.redact(leaked)
    assert PASSWORD not in masked
    assert "p%40ss" not in masked
    assert MASK in masked
    assert dsn.describe() == "publisher@db.example:5433/engine"


def test_repr_hides_the_connection_string() -> None:
    dsn = parse_dsn(KEYWORD, source="--dsn")
    assert "p@ss" not in repr(dsn)


def test_invalid_dsn_error_does_not_quote_it() -> None:
    bad = "host=x password=hunter2-secret 'unterminated"
    with pytest.raises(DsnError) as caught:
        parse_dsn(bad, source="--dsn")
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None
    rendered = str(caught.value)
    assert "hunter2-secret" not in rendered


def test_secrets_of_cover_unparsable_values() -> None:
    secrets = secrets_of("host=x password=hunter2-secret 'unterminated")
    assert "hunter2-secret" not in redact("failed with hunter2-secret", secrets)


def test_pgpassword_is_masked_too() -> None:
    dsn = parse_dsn("host=x dbname=y", source="--dsn", environ={"PGPASSWORD": "from-env-pw"})
    assert dsn.redact("oops from-env-pw") == f"oops {MASK}"

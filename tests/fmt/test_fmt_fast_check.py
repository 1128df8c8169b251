"""The fast verdict of ``fmt --check`` (the C parser's events and the raw text) is the round
trip's verdict, on canonical files and on messy ones; and it does decide the canonical ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from messy_files import packs, tenants

from dpm_policy.fmt.check import is_canonical
from dpm_policy.fmt.layout import format_text, kind_of
from dpm_policy.fmt.order import key_order
from dpm_policy.schema import modeline
from git_repos import REPO_ROOT

# Where the generated files stand: a pack and a tenant of a repository at /repo.
PACK = Path("/repo/packs/dpm_x_v1.yaml")
TENANT = Path("/repo/tenants/t1.yaml")


def _fast_decides(text: str, path: Path) -> bool:
    kind, root = kind_of(path, text)
    assert kind is not None
    assert root is not None
    return is_canonical(text, key_order(kind.model), modeline(root, path, kind))


def _same_verdict(text: str, path: Path) -> None:
    fast = format_text(text, file=path.name, path=path)
    slow = format_text(text, file=path.name, path=path, fast=False)
    assert fast == slow
    if _fast_decides(text, path):
        assert slow.text == text, "the fast check calls canonical a file fmt would change"


_FILES = st.one_of(
    st.tuples(packs(pack_id="dpm_x_v1", extends="dpm_base_v1", canonical=True), st.just(PACK)),
    st.tuples(packs(pack_id="dpm_x_v1", extends="dpm_base_v1", canonical=False), st.just(PACK)),
    st.tuples(tenants(tenant_id="t1", pack_id="dpm_x_v1", canonical=True), st.just(TENANT)),
    st.tuples(tenants(tenant_id="t1", pack_id="dpm_x_v1", canonical=False), st.just(TENANT)),
)


@settings(max_examples=150, deadline=None)
@given(_FILES)
def test_the_fast_verdict_is_the_round_trip_verdict(case: tuple[str, Path]) -> None:
    _same_verdict(*case)


@settings(max_examples=60, deadline=None)
@given(
    st.one_of(
        st.tuples(packs(pack_id="dpm_x_v1", extends="dpm_base_v1", canonical=True), st.just(PACK)),
        st.tuples(tenants(tenant_id="t1", pack_id="dpm_x_v1", canonical=True), st.just(TENANT)),
    )
)
def test_canonical_files_are_decided_without_the_round_trip(case: tuple[str, Path]) -> None:
    text, path = case
    assert format_text(text, file=path.name, path=path, fast=False).text == text
    assert _fast_decides(text, path)


@pytest.mark.parametrize(
    "relative",
    sorted(
        path.relative_to(REPO_ROOT).as_posix()
        for folder in ("packs", "tenants", "environments")
        for path in (REPO_ROOT / folder).rglob("*.yaml")
    ),
)
def test_the_repository_files_are_decided_without_the_round_trip(relative: str) -> None:
    path = REPO_ROOT / relative
    assert _fast_decides(path.read_text(encoding="utf-8"), path)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("tenant_id: t1\ndisplay_name: A\n", id="no modeline"),
        pytest.param(
            "# yaml-language-server: $schema=../schema/tenant.schema.json\n"
            "display_name: A\ntenant_id: t1\n",
            id="keys out of order",
        ),
        pytest.param(
            "# yaml-language-server: $schema=../schema/tenant.schema.json\n"
            "tenant_id: t1\n\ndisplay_name: A\n",
            id="a blank line",
        ),
        pytest.param(
            "# yaml-language-server: $schema=../schema/tenant.schema.json\n"
            "tenant_id: t1  # two spaces\n",
            id="inline comment spacing",
        ),
        pytest.param(
            "# yaml-language-server: $schema=../schema/tenant.schema.json\n"
            "tenant_id: t1\n  # indented unlike the key after it\ndisplay_name: A\n",
            id="comment indentation",
        ),
        pytest.param(
            "# yaml-language-server: $schema=../schema/tenant.schema.json\n"
            "tenant_id: t1\ntenant_id: t2\n",
            id="duplicate key",
        ),
        pytest.param(
            "# yaml-language-server: $schema=../schema/tenant.schema.json\n"
            "tenant_id: t1\nowners: [ '@a' ]\n",
            id="flow spacing",
        ),
        pytest.param(
            "# yaml-language-server: $schema=../schema/tenant.schema.json\n"
            "tenant_id: t1\ndisplay_name: TRUE\n",
            id="a word the round trip respells",
        ),
        pytest.param(
            "# yaml-language-server: $schema=../schema/tenant.schema.json\n"
            "tenant_id: t1\ndisplay_name: [a\n",
            id="not YAML",
        ),
    ],
)
def test_files_fmt_would_change_are_left_to_the_round_trip(text: str) -> None:
    assert not _fast_decides(text, TENANT)
    _same_verdict(text, TENANT)

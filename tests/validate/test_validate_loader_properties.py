"""Property tests: whatever the bytes, only the project's own errors come out.

Random bytes, random YAML text dumped from random nested data (weird scalars, shared nodes
that become anchors and aliases, Python tags, unicode, every dump style) and then mangled, and
random pack, tenant and environment documents go through the loader, the validator and the
CLI. The loader returns a document or raises ``YamlLoadError``; the validator returns
problems; the CLI exits 0, 1 or 2. No other exception, no traceback, and every problem is one
line at a real position.
"""

from __future__ import annotations

import datetime
import os
import re
import shutil
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from validate_corpus import BASE

from dpm_policy.load.source_files import load_document
from dpm_policy.load.yaml_source import YamlDocument, YamlLoadError, parse_yaml
from dpm_policy.problems import Problem
from dpm_policy.validate import validate
from dpm_policy_runtime.fields import FIELDS, RENAMED_FIELDS, SECTIONS

# DPM_POLICY_PROPERTY_EXAMPLES=5000 searches harder, locally or in a nightly job.
EXAMPLES = int(os.environ.get("DPM_POLICY_PROPERTY_EXAMPLES", "150"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Text that means something to YAML, to the YAML 1.1 resolver, or to our own loader.
TRICKY_WORDS = [
    "yes", "no", "on", "off", "y", "n", "True", "FALSE", "~", "null", "Null", "",
    "0x1F", "0o17", "017", "0b101", "1e5", "1E-3", ".5", "5.", "+1", "-0", "-0.0", "1_000",
    ".nan", ".NaN", ".inf", "-.Inf", "NaN", "Infinity", "1" * 60, "0." + "1" * 60,
    "1e999999999", "9" * 5000, "12:30:00", "2026-05-01", "<<", "=", "&a", "*a", "!tag",
    "!!str", "---", "...", "- x", "a: b", "[a, b]", "{a: b}", "# c", "'", '"', "\\", "\t",
    "\x85", "\u2028", "\ufeff", "\u202e", "é", "\U0001f600", "sector:TECH", " padded ",
    "dpm_standard_v1", "@bank/dpm-risk", "tenant_a\n",
]  # fmt: skip

SYNTAX_BITS = [
    ":", ": ", "-", "- ", "[", "]", "{", "}", ",", "&a ", "*a", "!", "!!", "? ", "|", ">",
    "'", '"', "#", "%", "@", "`", "\t", "\n", "\n  ", "\r\n", "---\n", "...\n", "\x00",
    "\x1b", "\x9b", "\ufffe", "\ud7ff", "<<: ", "*a ", "&a [*a]", "é",
]  # fmt: skip

# What the safe dumper writes plainly (or quoted) ...
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(TRICKY_WORDS),
)
# ... and what only the full dumper writes, with tags (!!binary, !!timestamp, !!python/...).
tagged_scalars = st.one_of(
    scalars,
    st.decimals(allow_nan=True, allow_infinity=True),
    st.binary(max_size=8),
    st.dates(min_value=datetime.date(1, 1, 1)),
)

keys = st.one_of(
    st.text(max_size=12), st.sampled_from(TRICKY_WORDS), st.integers(-3, 3), st.booleans()
)


def _trees(leaves: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(
        leaves,
        lambda children: st.one_of(
            st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=4)
        ),
        max_leaves=25,
    )


def _tagged_trees() -> st.SearchStrategy[Any]:
    return st.recursive(
        tagged_scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(st.one_of(keys, st.none(), st.tuples(keys)), children, max_size=4),
            st.tuples(children, children),
            st.frozensets(st.sampled_from(TRICKY_WORDS), max_size=3),
        ),
        max_leaves=25,
    )


def _containers(value: Any) -> Iterator[Any]:
    if isinstance(value, list | dict):
        yield value
        for child in value.values() if isinstance(value, dict) else value:
            yield from _containers(child)


@st.composite
def shared_trees(draw: st.DrawFn) -> Any:
    """A tree in which one subtree appears several times: yaml.dump writes anchors and aliases."""
    tree = draw(_trees(scalars))
    holders = list(_containers(tree))
    if holders:
        shared = draw(st.one_of(st.lists(scalars, max_size=3), _trees(scalars)))
        for _ in range(draw(st.integers(1, 20))):
            holder = draw(st.sampled_from(holders))
            if isinstance(holder, list):
                holder.append(shared)
            else:
                holder[draw(st.text(max_size=5))] = shared
    return tree


@st.composite
def dumped_yaml(draw: st.DrawFn, data: st.SearchStrategy[Any], *, tagged: bool = False) -> str:
    """YAML text of random data in a random style, sometimes mangled afterwards.

    ``tagged`` dumps with the full dumper, which tags tuples, sets, decimals, dates and bytes
    (and sometimes in canonical form, where every node carries a tag).
    """
    value = draw(data)
    text: str = yaml.dump(
        value,
        Dumper=yaml.Dumper if tagged else yaml.SafeDumper,
        default_flow_style=draw(st.sampled_from([None, True, False])),
        default_style=draw(st.sampled_from([None, None, None, "'", '"', "|", ">"])),
        allow_unicode=draw(st.booleans()),
        explicit_start=draw(st.booleans()),
        canonical=tagged and draw(st.booleans()),
        indent=draw(st.integers(2, 9)),
        width=draw(st.integers(20, 120)),
    )
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(text)))
        bit = draw(st.one_of(st.sampled_from(SYNTAX_BITS), st.text(max_size=3)))
        cut = draw(st.integers(0, 3))
        text = text[:at] + bit + text[at + cut :]
    return text


def _field_values() -> st.SearchStrategy[Any]:
    return st.one_of(scalars, _trees(scalars), st.sampled_from([0.1, 15, -1, 3, True, "0.10"]))


@st.composite
def pack_documents(draw: st.DrawFn) -> dict[Any, Any]:
    """Pack-shaped data: real keys and sections, with values good, bad and strange."""
    document: dict[Any, Any] = {}
    header = {
        "policy_pack_id": st.sampled_from(["dpm_base_v1", " dpm_base_v1", "x/y", "DPM_BASE_V1"]),
        "version": st.one_of(st.sampled_from(["1", "", "1.0", "v2 "]), scalars),
        "description": st.one_of(st.just("A pack."), scalars),
        "owners": st.one_of(st.just(["@bank/dpm-risk"]), _field_values()),
        "extends": st.sampled_from(["dpm_base_v1", "dpm_child_v1", "nope", None]),
    }
    for key, values in header.items():
        if draw(st.booleans()):
            document[key] = draw(values)
    for section in draw(st.lists(st.sampled_from([*SECTIONS, "risk_policy"]), max_size=4)):
        body: dict[Any, Any] = {}
        names = [spec.name for spec in FIELDS if spec.section == section]
        names += [old for (sec, old) in RENAMED_FIELDS if sec == section]
        for name in draw(st.lists(st.sampled_from([*names, "typo"]), max_size=4)):
            if name == "group_constraints":
                body[name] = draw(
                    st.one_of(
                        st.dictionaries(
                            st.sampled_from(["sector:TECH", "TECH", "a:b:c", " a:b", ":b"]),
                            st.one_of(st.fixed_dictionaries({"max_weight": scalars}), scalars),
                            max_size=3,
                        ),
                        scalars,
                    )
                )
            else:
                body[name] = draw(_field_values())
        document[section] = draw(st.one_of(st.just(body), scalars))
    return document


@st.composite
def tenant_or_environment_documents(draw: st.DrawFn) -> tuple[str, dict[Any, Any]]:
    if draw(st.booleans()):
        fields = {
            "tenant_id": st.sampled_from(["tenant_a", "Tenant_A", "t a", "tenant_a\n"]),
            "display_name": st.one_of(st.just("T"), scalars),
            "owners": st.one_of(st.just(["@bank/x"]), _field_values()),
            "default_policy_pack": st.sampled_from(["dpm_base_v1", "dpm_child_v1", "nope"]),
            "environments": st.one_of(
                st.dictionaries(
                    st.sampled_from(["dev", "prod", "staging", "Dev"]),
                    st.one_of(
                        st.fixed_dictionaries(
                            {"default_policy_pack": st.sampled_from(["dpm_child_v1", "x"])}
                        ),
                        scalars,
                    ),
                    max_size=3,
                ),
                scalars,
            ),
        }
        target = "tenants/tenant_a.yaml"
    else:
        fields = {
            "environment": st.sampled_from(["prod", "dev", "Prod", "qa"]),
            "description": st.one_of(st.just("Prod."), scalars),
            "owners": st.just(["@bank/p"]),
            "promotes_from": st.sampled_from(["dev", "prod", "nowhere", None]),
            "policy_packs_enabled": _field_values(),
            "tenant_resolution_enabled": st.booleans(),
            "idempotency_replay_enabled": st.booleans(),
            "default_policy_pack": st.sampled_from(["dpm_base_v1", "dpm_child_v1", "x"]),
            "packs": st.lists(st.sampled_from(["dpm_base_v1", "dpm_child_v1", "x"]), max_size=4),
        }
        target = "environments/prod.yaml"
    document = {key: draw(values) for key, values in fields.items() if draw(st.booleans())}
    return target, document


# What libyaml counts as a line break (YAML 1.1): CR LF, CR, LF, NEL, LS and PS.
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def _check_problems(problems: list[Problem], text: str | None = None) -> None:
    assert isinstance(problems, list)
    for problem in problems:
        assert isinstance(problem, Problem)
        assert problem.code
        assert problem.message
        assert "\n" not in problem.message
        assert "\r" not in problem.message
        assert problem.line >= 1
        assert problem.col >= 1
        if text is not None:
            assert problem.line <= len(_LINE_BREAK.findall(text)) + 2


def _attempt(load: Callable[[], YamlDocument]) -> YamlDocument | list[Problem]:
    """The document, or the problems of the ``YamlLoadError``; any other error propagates."""
    try:
        return load()
    except YamlLoadError as error:
        return error.problems


def _parse(text: str) -> None:
    outcome = _attempt(lambda: parse_yaml(text, "packs/p.yaml"))
    if isinstance(outcome, list):
        assert outcome
        _check_problems(outcome, text)
    else:
        assert outcome.data is not None


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy of the fixture base, whose files each example overwrites."""
    root = tmp_path_factory.mktemp("property") / "repo"
    shutil.copytree(BASE, root)
    return root


def _validate_with(root: Path, relative: str, content: bytes) -> None:
    target = root / relative
    original = (BASE / relative).read_bytes()
    target.write_bytes(content)
    try:
        result = validate(root=root)
    finally:
        target.write_bytes(original)
    _check_problems(result.problems)


@SETTINGS
@given(st.binary(max_size=3000))
def test_bytes_through_the_loader(repository: Path, raw: bytes) -> None:
    path = repository / "packs" / "fuzz.yaml"
    path.write_bytes(raw)
    try:
        outcome = _attempt(lambda: load_document(repository, path))
    finally:
        path.unlink()
    if isinstance(outcome, list):
        assert outcome
        _check_problems(outcome)
        assert {p.file for p in outcome} == {"packs/fuzz.yaml"}
    else:
        assert outcome.file == "packs/fuzz.yaml"


@SETTINGS
@given(st.text(max_size=2000))
def test_text_through_the_parser(text: str) -> None:
    _parse(text)


@SETTINGS
@given(st.one_of(dumped_yaml(shared_trees()), dumped_yaml(_tagged_trees(), tagged=True)))
def test_dumped_yaml_through_the_parser(text: str) -> None:
    _parse(text)


@SETTINGS
@given(
    st.sampled_from(["packs/dpm_base_v1.yaml", "tenants/tenant_a.yaml", "environments/dev.yaml"]),
    st.one_of(
        dumped_yaml(shared_trees()),
        dumped_yaml(pack_documents()),
        dumped_yaml(_tagged_trees(), tagged=True),
    ),
)
def test_random_yaml_through_the_validator(repository: Path, target: str, text: str) -> None:
    _validate_with(repository, target, text.encode("utf-8", "surrogatepass"))


@SETTINGS
@given(pack_documents(), st.sampled_from(["packs/dpm_base_v1.yaml", "packs/dpm_child_v1.yaml"]))
def test_random_packs_through_the_validator(
    repository: Path, document: dict[Any, Any], target: str
) -> None:
    text = yaml.dump(document, Dumper=yaml.SafeDumper, allow_unicode=True)
    _validate_with(repository, target, text.encode("utf-8", "surrogatepass"))


@SETTINGS
@given(tenant_or_environment_documents())
def test_random_tenants_and_environments_through_the_validator(
    repository: Path, drawn: tuple[str, dict[Any, Any]]
) -> None:
    target, document = drawn
    text = yaml.dump(document, Dumper=yaml.SafeDumper, allow_unicode=True)
    _validate_with(repository, target, text.encode("utf-8", "surrogatepass"))


@settings(SETTINGS, max_examples=max(EXAMPLES // 3, 1))
@given(
    st.one_of(
        st.binary(max_size=500),
        dumped_yaml(pack_documents()).map(lambda text: text.encode("utf-8", "surrogatepass")),
    )
)
def test_cli_exit_codes(repository: Path, raw: bytes) -> None:
    from dpm_policy.cli import main

    target = repository / "packs" / "dpm_base_v1.yaml"
    original = (BASE / "packs" / "dpm_base_v1.yaml").read_bytes()
    target.write_bytes(raw)
    try:
        for fmt in ("text", "json", "github"):
            code = main(["validate", "--root", str(repository), "--format", fmt])
            assert code in (0, 1, 2)
    finally:
        target.write_bytes(original)


def test_decimal_is_exact_through_the_parser() -> None:
    """The property tests above check robustness; this pins the one value rule they rely on."""
    document = parse_yaml("a: 0.10\nb: '0.10'\nc: yes\nd: 10\n", "x.yaml")
    assert document.data == {"a": Decimal("0.10"), "b": "0.10", "c": "yes", "d": 10}

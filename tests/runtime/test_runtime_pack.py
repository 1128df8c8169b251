"""PolicyPack and FrozenMap: immutable, hashable records with the engine's expanded item."""

from __future__ import annotations

from decimal import Decimal

import pytest
from runtime_fixtures import variables

from dpm_policy_runtime import FrozenMap, PolicyPack, PolicyRuntime
from dpm_policy_runtime.fields import FIELDS, SECTIONS


@pytest.fixture(scope="module")
def standard() -> PolicyPack:
    return PolicyRuntime.from_mapping(variables()).catalog["dpm_standard_v1"]


def test_value_by_path(standard: PolicyPack) -> None:
    assert standard.value("turnover_policy.max_turnover_pct") == Decimal("0.10")
    assert standard.value("settlement_policy.settlement_horizon_days") == 3
    assert standard.value("workflow_policy.enable_workflow_gates") is False
    assert standard.group_constraints == {"sector:TECH": Decimal("0.20")}


def test_unset_values(standard: PolicyPack) -> None:
    pack = PolicyPack("p", "1")
    assert pack.value("turnover_policy.max_turnover_pct") is None
    assert pack.value("constraint_policy.group_constraints") == {}
    assert pack.section("tax_policy") == {
        "enable_tax_awareness": None,
        "max_realized_capital_gains": None,
    }
    with pytest.raises(KeyError, match="unknown policy-pack field"):
        pack.value("tax_policy.nope")
    with pytest.raises(KeyError, match="unknown policy-pack section"):
        pack.section("nope")


def test_every_field_of_the_table_is_in_the_item(standard: PolicyPack) -> None:
    item = standard.to_item()
    assert list(item) == ["policy_pack_id", "version", *SECTIONS]
    for spec in FIELDS:
        section = item[spec.section]
        assert isinstance(section, dict)
        assert spec.name in section


def test_hashable_and_equal_regardless_of_construction_order() -> None:
    one = PolicyPack(
        "p",
        "1",
        FrozenMap(
            {
                "tax_policy.enable_tax_awareness": True,
                "turnover_policy.max_turnover_pct": Decimal("0.1"),
                "constraint_policy.group_constraints": FrozenMap(),
            }
        ),
    )
    two = PolicyPack(
        "p",
        "1",
        FrozenMap(
            {
                "turnover_policy.max_turnover_pct": Decimal("0.1"),
                "tax_policy.enable_tax_awareness": True,
            }
        ),
    )
    assert one == two
    assert hash(one) == hash(two)
    assert len({one, two}) == 1
    assert list(one.values) == [
        "turnover_policy.max_turnover_pct",
        "tax_policy.enable_tax_awareness",
    ]


def test_immutable(standard: PolicyPack) -> None:
    with pytest.raises(AttributeError):
        standard.version = "3"  # type: ignore[misc]
    with pytest.raises(TypeError):
        standard.values["x"] = 1  # type: ignore[index]
    with pytest.raises(AttributeError):
        standard.values._data = {}  # type: ignore[misc]


def test_unknown_path_is_refused() -> None:
    with pytest.raises(KeyError):
        PolicyPack("p", "1", FrozenMap({"tax_policy.nope": True}))


def test_frozen_map_behaves_like_a_read_only_dict() -> None:
    frozen = FrozenMap({"b": 1, "a": 2})
    assert list(frozen) == ["b", "a"]
    assert frozen == {"a": 2, "b": 1}
    assert frozen.get("zz") is None
    assert frozen.get("zz", 5) == 5
    assert frozen.to_dict() == {"b": 1, "a": 2}
    assert hash(frozen) == hash(FrozenMap({"a": 2, "b": 1}))
    assert repr(frozen) == "FrozenMap({'b': 1, 'a': 2})"

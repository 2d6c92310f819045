"""Inventory accuracy and ``Weighted(rejection_risk=...)``: the engine agrees with the
reference on random accuracies and weights, explain reports the same expected
rejections, and the defaults decide as before."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import omnichannel as oc
from omnichannel import reference
from omnichannel.allocation import FairShare, Sequential
from omnichannel.sourcing import LowestCost, Weighted
from omnichannel.testing import strategies as oms

from .test_allocate_matches_reference import assert_same
from .test_time_matches_reference import assert_same_dates


def _accuracies(scenario: oms.Scenario) -> st.SearchStrategy[oc.Accuracy]:
    node_ids = sorted(node.id for node in scenario.network.nodes)
    sku_codes = sorted({line.sku for order in scenario.orders for line in order.lines} | {"X"})
    return oms.accuracies(node_ids=node_ids, sku_codes=sku_codes)


def _weighted(data: st.DataObject) -> Weighted:
    weight = st.sampled_from([0.0, 1.0, 20.0]) | st.floats(min_value=0.0, max_value=50.0)
    return Weighted(
        shipping=1.0,
        handling=data.draw(st.sampled_from([0.0, 1.0])),
        distance=data.draw(st.sampled_from([0.0, 0.05])),
        lead_days=data.draw(st.sampled_from([0.0, 2.0])),
        rejection_risk=data.draw(weight),
    )


@given(data=st.data(), scenario=oms.scenarios(max_orders=15, timed=True))
def test_engine_matches_reference_with_accuracy(
    data: st.DataObject, scenario: oms.Scenario
) -> None:
    accuracy = data.draw(_accuracies(scenario))
    kwargs = {
        "sourcing": _weighted(data),
        "demand": scenario.demand,
        "now": scenario.now,
        "accuracy": accuracy,
    }
    fast = oc.allocate(scenario.orders, scenario.network, scenario.inventory, **kwargs)
    plain = reference.allocate(scenario.orders, scenario.network, scenario.inventory, **kwargs)
    assert_same_dates(fast, plain)


@pytest.mark.parametrize("policy", ["sequential", "window", "fair_share"])
@given(data=st.data(), scenario=oms.scenarios(max_orders=20, scarce=True))
def test_policies_match_reference_with_accuracy(
    policy: str, data: st.DataObject, scenario: oms.Scenario
) -> None:
    chosen = {
        "sequential": Sequential(),
        "window": Sequential(window=data.draw(st.integers(1, 6))),
        "fair_share": FairShare(),
    }[policy]
    kwargs = {
        "sourcing": _weighted(data),
        "demand": scenario.demand,
        "accuracy": data.draw(_accuracies(scenario)),
    }
    fast = oc.allocate(
        scenario.orders, scenario.network, scenario.inventory, policy=chosen, **kwargs
    )
    plain = reference.allocate(
        scenario.orders,
        scenario.network,
        scenario.inventory,
        policy=FairShare() if policy == "fair_share" else Sequential(),
        **kwargs,
    )
    assert_same(fast, plain)


@given(data=st.data(), scenario=oms.scenarios(min_nodes=2, max_orders=3))
def test_explain_reports_expected_rejections(data: st.DataObject, scenario: oms.Scenario) -> None:
    accuracy = data.draw(_accuracies(scenario))
    for order in scenario.orders:
        explanation = oc.explain(order, scenario.network, scenario.inventory, accuracy=accuracy)
        for candidate in explanation.candidates:
            expected = 0.0
            for line in order.lines:
                expected += 1.0 - accuracy.found(candidate.node_id, line.sku)
            assert math.isclose(candidate.expected_rejections, expected, abs_tol=1e-12)


@given(data=st.data(), scenario=oms.scenarios(max_orders=15, timed=True))
def test_defaults_decide_as_before(data: st.DataObject, scenario: oms.Scenario) -> None:
    """accuracy=None, Accuracy() and a rejection_risk of 0 decide exactly as leaving
    them out; so does any accuracy when nothing prices it."""
    kwargs = {"demand": scenario.demand, "now": scenario.now}
    args = (scenario.orders, scenario.network, scenario.inventory)
    before = oc.allocate(*args, **kwargs)
    assert oc.allocate(*args, accuracy=None, **kwargs) == before
    assert oc.allocate(*args, accuracy=oc.Accuracy(), **kwargs) == before
    accuracy = data.draw(_accuracies(scenario))
    assert oc.allocate(*args, accuracy=accuracy, **kwargs) == before
    priced = Weighted(shipping=1.0, handling=1.0, rejection_risk=0.0)
    assert oc.allocate(*args, sourcing=priced, accuracy=accuracy, **kwargs) == oc.allocate(
        *args, sourcing=LowestCost(), **kwargs
    )
    risky = Weighted(shipping=1.0, handling=1.0, rejection_risk=7.0)
    assert oc.allocate(*args, sourcing=risky, accuracy=oc.Accuracy(), **kwargs) == before

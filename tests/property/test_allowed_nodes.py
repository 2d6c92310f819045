"""``Order.allowed_node_ids`` pins orders to nodes: the engine agrees with the
reference on random pins, the default decides as before, and every node outside a
pin is reported ``EXCLUDED``."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import omnichannel as oc
from omnichannel import reference
from omnichannel.allocation import FairShare
from omnichannel.testing import strategies as oms

from .test_allocate_matches_reference import assert_same
from .test_time_matches_reference import assert_same_dates


@st.composite
def pinned(draw: st.DrawFn, scenario: oms.Scenario) -> oms.Scenario:
    """``scenario`` with about half its orders pinned to a random subset of nodes."""
    ids = sorted(node.id for node in scenario.network.nodes)
    orders = tuple(
        attrs.evolve(
            order,
            allowed_node_ids=draw(st.none() | st.frozensets(st.sampled_from(ids))),
        )
        for order in scenario.orders
    )
    return attrs.evolve(scenario, orders=orders)


@given(data=st.data(), scenario=oms.scenarios(max_orders=15, timed=True))
def test_pinned_engine_matches_reference(data: st.DataObject, scenario: oms.Scenario) -> None:
    scenario = data.draw(pinned(scenario))
    kwargs = {"demand": scenario.demand, "now": scenario.now}
    fast = oc.allocate(scenario.orders, scenario.network, scenario.inventory, **kwargs)
    plain = reference.allocate(scenario.orders, scenario.network, scenario.inventory, **kwargs)
    assert_same_dates(fast, plain)
    for order, allocation in zip(scenario.orders, fast.allocations, strict=True):
        if order.allowed_node_ids is not None:
            assert {s.node_id for s in allocation.shipments} <= order.allowed_node_ids


@pytest.mark.parametrize("policy", ["sequential", "fair_share"])
@given(data=st.data(), scenario=oms.scenarios(max_orders=15, scarce=True))
def test_pinned_policies_match_reference(
    policy: str, data: st.DataObject, scenario: oms.Scenario
) -> None:
    scenario = data.draw(pinned(scenario))
    chosen = oc.allocation.Sequential() if policy == "sequential" else FairShare()
    kwargs = {"demand": scenario.demand, "policy": chosen}
    fast = oc.allocate(scenario.orders, scenario.network, scenario.inventory, **kwargs)
    plain = reference.allocate(scenario.orders, scenario.network, scenario.inventory, **kwargs)
    assert_same(fast, plain)


@given(scenario=oms.scenarios(max_orders=15, timed=True))
def test_default_and_every_node_decide_as_before(scenario: oms.Scenario) -> None:
    """None (the default) and a pin to every node both decide exactly as without the
    field."""
    every = frozenset(node.id for node in scenario.network.nodes)
    everywhere = tuple(attrs.evolve(o, allowed_node_ids=every) for o in scenario.orders)
    kwargs = {"demand": scenario.demand, "now": scenario.now}
    before = oc.allocate(scenario.orders, scenario.network, scenario.inventory, **kwargs)
    after = oc.allocate(everywhere, scenario.network, scenario.inventory, **kwargs)
    assert after == before


@given(data=st.data(), scenario=oms.scenarios(min_nodes=2, max_orders=3))
def test_explain_reports_excluded(data: st.DataObject, scenario: oms.Scenario) -> None:
    scenario = data.draw(pinned(scenario))
    for order in scenario.orders:
        explanation = oc.explain(order, scenario.network, scenario.inventory)
        for candidate in explanation.candidates:
            outside = (
                order.allowed_node_ids is not None
                and candidate.node_id not in order.allowed_node_ids
            ) or candidate.node_id in order.excluded_node_ids
            if outside:
                assert candidate.rejected_by is not None
                assert list(oc.Rule).index(candidate.rejected_by) <= list(oc.Rule).index(
                    oc.Rule.EXCLUDED
                )
            elif candidate.rejected_by is not None:
                assert candidate.rejected_by is not oc.Rule.EXCLUDED


@pytest.mark.parametrize("policy", ["batch_optimal", "dual_price"])
@given(data=st.data(), scenario=oms.scenarios(max_nodes=5, max_orders=8, scarce=True))
def test_optimizing_policies_keep_to_the_pins(
    policy: str, data: st.DataObject, scenario: oms.Scenario
) -> None:
    """The engine's verifier refuses a shipment outside a pin, so these calls succeed
    only if every policy keeps to them."""
    pytest.importorskip("scipy", reason="the optimizing policies need the 'optimize' extra")
    scenario = data.draw(pinned(scenario))
    chosen = oc.allocation.get(policy)()
    result = oc.allocate(scenario.orders, scenario.network, scenario.inventory, policy=chosen)
    for order, allocation in zip(scenario.orders, result.allocations, strict=True):
        if order.allowed_node_ids is not None:
            assert {s.node_id for s in allocation.shipments} <= order.allowed_node_ids

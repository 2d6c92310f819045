"""``Order.excluded_node_ids`` and ``full_node_ids``: the engine agrees with the
reference on random exclusions and full nodes, an excluded node never serves its
order, a full node serves nobody, and the defaults decide as before."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import omnichannel as oc
from omnichannel import reference
from omnichannel.allocation import FairShare, Sequential
from omnichannel.testing import strategies as oms

from .test_allocate_matches_reference import assert_same
from .test_time_matches_reference import assert_same_dates


@st.composite
def shunned(draw: st.DrawFn, scenario: oms.Scenario) -> tuple[oms.Scenario, frozenset[str]]:
    """``scenario`` with about half its orders excluding some nodes, and a set of
    nodes that count as full."""
    ids = sorted(node.id for node in scenario.network.nodes)
    some = st.frozensets(st.sampled_from(ids), max_size=3)
    orders = tuple(
        attrs.evolve(order, excluded_node_ids=draw(st.just(frozenset()) | some))
        for order in scenario.orders
    )
    return attrs.evolve(scenario, orders=orders), draw(some)


def _check_kept(scenario: oms.Scenario, full: frozenset[str], result: oc.AllocationResult) -> None:
    for order, allocation in zip(scenario.orders, result.allocations, strict=True):
        nodes = {s.node_id for s in allocation.shipments}
        assert not nodes & order.excluded_node_ids
        assert not nodes & full
    assert result.full_node_ids == full


@given(data=st.data(), scenario=oms.scenarios(max_orders=15, timed=True))
def test_excluded_and_full_engine_matches_reference(
    data: st.DataObject, scenario: oms.Scenario
) -> None:
    scenario, full = data.draw(shunned(scenario))
    kwargs = {"demand": scenario.demand, "now": scenario.now, "full_node_ids": full}
    fast = oc.allocate(scenario.orders, scenario.network, scenario.inventory, **kwargs)
    plain = reference.allocate(scenario.orders, scenario.network, scenario.inventory, **kwargs)
    assert_same_dates(fast, plain)
    _check_kept(scenario, full, fast)


@pytest.mark.parametrize("policy", ["sequential", "window", "fair_share"])
@given(data=st.data(), scenario=oms.scenarios(max_orders=20, scarce=True))
def test_excluded_and_full_policies_match_reference(
    policy: str, data: st.DataObject, scenario: oms.Scenario
) -> None:
    scenario, full = data.draw(shunned(scenario))
    chosen = {
        "sequential": Sequential(),
        "window": Sequential(window=data.draw(st.integers(1, 6))),
        "fair_share": FairShare(),
    }[policy]
    kwargs = {"demand": scenario.demand, "full_node_ids": full}
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
    _check_kept(scenario, full, fast)


@given(scenario=oms.scenarios(max_orders=15, timed=True))
def test_defaults_decide_as_before(scenario: oms.Scenario) -> None:
    """No full nodes, given explicitly, decide exactly as leaving the keyword out."""
    plain = tuple(attrs.evolve(o, excluded_node_ids=frozenset()) for o in scenario.orders)
    kwargs = {"demand": scenario.demand, "now": scenario.now}
    before = oc.allocate(plain, scenario.network, scenario.inventory, **kwargs)
    after = oc.allocate(plain, scenario.network, scenario.inventory, full_node_ids=(), **kwargs)
    assert after == before


@given(data=st.data(), scenario=oms.scenarios(min_nodes=2, max_orders=3))
def test_explain_reports_excluded_and_full(data: st.DataObject, scenario: oms.Scenario) -> None:
    scenario, full = data.draw(shunned(scenario))
    rules = list(oc.Rule)
    for order in scenario.orders:
        explanation = oc.explain(order, scenario.network, scenario.inventory, full_node_ids=full)
        for candidate in explanation.candidates:
            rule = candidate.rejected_by
            if candidate.node_id in order.excluded_node_ids:
                assert rule is not None
                assert rules.index(rule) <= rules.index(oc.Rule.EXCLUDED)
            elif candidate.node_id in full:
                assert rule is not None
                assert rules.index(rule) <= rules.index(oc.Rule.CAPACITY)
            else:
                assert rule is not oc.Rule.EXCLUDED


@pytest.mark.parametrize("policy", ["batch_optimal", "dual_price"])
@given(data=st.data(), scenario=oms.scenarios(max_nodes=5, max_orders=8, scarce=True))
def test_optimizing_policies_keep_exclusions(
    policy: str, data: st.DataObject, scenario: oms.Scenario
) -> None:
    """The verifier refuses a shipment from an excluded or full node, so these calls
    succeed only if every policy keeps to them."""
    pytest.importorskip("scipy", reason="the optimizing policies need the 'optimize' extra")
    scenario, full = data.draw(shunned(scenario))
    chosen = oc.allocation.get(policy)()
    result = oc.allocate(
        scenario.orders, scenario.network, scenario.inventory, policy=chosen, full_node_ids=full
    )
    _check_kept(scenario, full, result)

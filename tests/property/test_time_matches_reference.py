"""With ``now``, the engine gives exactly the reference's decisions and dates: node
calendars in odd time zones, clock changes, full days pushing work on, transit
bands, delivery weekdays and promises."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import omnichannel as oc
from omnichannel import reference
from omnichannel.allocation import FairShare, Sequential
from omnichannel.sourcing import Fastest, Lexicographic, LowestCost, MostStock, Nearest, Weighted
from omnichannel.testing import strategies as oms

from .test_allocate_matches_reference import assert_same

STRATEGIES = [
    LowestCost(),
    Nearest(),
    MostStock(),
    Fastest(),
    Weighted(shipping=1.0, lead_days=3.0, utilisation=2.0),
    Lexicographic(Fastest(), Nearest()),
]


def assert_same_dates(fast: oc.AllocationResult, plain: oc.AllocationResult) -> None:
    assert_same(fast, plain)
    for a, b in zip(fast.allocations, plain.allocations, strict=True):
        assert [(s.ready_at, s.delivered_by) for s in a.shipments] == [
            (s.ready_at, s.delivered_by) for s in b.shipments
        ]
    assert fast.daily_used == plain.daily_used


@pytest.mark.parametrize("sourcing", STRATEGIES, ids=lambda s: type(s).__name__)
@given(scenario=oms.scenarios(max_orders=20, timed=True))
def test_dated_engine_matches_reference(
    sourcing: oc.sourcing.SourcingStrategy, scenario: oms.Scenario
) -> None:
    kwargs = {"sourcing": sourcing, "demand": scenario.demand, "now": scenario.now}
    fast = oc.allocate(scenario.orders, scenario.network, scenario.inventory, **kwargs)
    plain = reference.allocate(scenario.orders, scenario.network, scenario.inventory, **kwargs)
    assert_same_dates(fast, plain)


@given(
    scenario=oms.scenarios(max_nodes=5, max_skus=4, max_orders=40, scarce=True, timed=True),
    window=st.integers(1, 8),
    policy=st.sampled_from(["sequential", "fair_share"]),
)
def test_scarce_timed_any_window(scenario: oms.Scenario, window: int, policy: str) -> None:
    """Orders fight over few units and full days: every window gives the reference's
    decisions and dates, for the sequential policy and FairShare."""
    chosen = Sequential(window=window) if policy == "sequential" else FairShare()
    fast = oc.allocate(
        scenario.orders, scenario.network, scenario.inventory, policy=chosen, now=scenario.now
    )
    plain = reference.allocate(
        scenario.orders,
        scenario.network,
        scenario.inventory,
        policy=Sequential() if policy == "sequential" else FairShare(),
        now=scenario.now,
    )
    assert_same_dates(fast, plain)


@given(scenario=oms.scenarios(max_orders=20, timed=True))
def test_every_shipment_is_dated_and_on_time(scenario: oms.Scenario) -> None:
    assert scenario.now is not None
    result = oc.allocate(scenario.orders, scenario.network, scenario.inventory, now=scenario.now)
    orders = {o.id: o for o in scenario.orders}
    for allocation in result.allocations:
        promise = orders[allocation.order_id].deliver_by
        for shipment in allocation.shipments:
            assert shipment.ready_at is not None
            assert shipment.delivered_by is not None
            assert shipment.ready_at.utcoffset() == dt.timedelta(0)
            assert shipment.ready_at >= scenario.now - dt.timedelta(minutes=1)
            assert shipment.delivered_by >= shipment.ready_at
            assert promise is None or shipment.delivered_by <= promise
    started = sum(len(a.shipments) for a in result.allocations)
    assert sum(n for days in result.daily_used.values() for n in days.values()) == started


@given(scenario=oms.scenarios(max_orders=15, timed=True))
def test_without_now_calendars_change_nothing(scenario: oms.Scenario) -> None:
    """Calendars, transit bands and promises are read only with ``now``."""
    plain_nodes = [attrs.evolve(n, calendar=None) for n in scenario.network.nodes]
    rates = {
        level: attrs.evolve(card, transit=())
        for level, card in scenario.network.costs.rates.items()
    }
    plain_network = oc.Network(
        nodes=plain_nodes,
        channels=scenario.network.channels,
        costs=attrs.evolve(scenario.network.costs, rates=rates),
    )
    plain_orders = [attrs.evolve(o, deliver_by=None) for o in scenario.orders]
    timed = oc.allocate(scenario.orders, scenario.network, scenario.inventory)
    untimed = oc.allocate(plain_orders, plain_network, scenario.inventory)
    assert [a.shipments for a in timed.allocations] == [a.shipments for a in untimed.allocations]
    assert [a.unfulfilled for a in timed.allocations] == [
        a.unfulfilled for a in untimed.allocations
    ]
    assert timed.daily_used == {}


@given(scenario=oms.scenarios(max_nodes=4, max_skus=3, max_orders=12, scarce=True, timed=True))
def test_one_order_per_call_carries_daily_used(scenario: oms.Scenario) -> None:
    """Orders decided one per call, carrying the inventory, ``capacity_used`` and
    ``daily_used`` in priority order, get the one-call decisions and dates."""
    whole = oc.allocate(scenario.orders, scenario.network, scenario.inventory, now=scenario.now)
    ranked = sorted(range(len(scenario.orders)), key=lambda i: -scenario.orders[i].priority)
    inventory, used, daily = scenario.inventory, {}, {}
    chained: dict[int, oc.Allocation] = {}
    for index in ranked:
        one = oc.allocate(
            [scenario.orders[index]],
            scenario.network,
            inventory,
            now=scenario.now,
            capacity_used=used,
            daily_used=daily,
        )
        inventory, used, daily = one.inventory, one.capacity_used, one.daily_used
        chained[index] = one.allocations[0]
    assert [chained[i] for i in range(len(scenario.orders))] == list(whole.allocations)
    assert inventory == whole.inventory
    assert daily == whole.daily_used

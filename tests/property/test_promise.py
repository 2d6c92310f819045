"""Promise at checkout: the engine gives exactly the reference's options, and an order
placed from an option at once is allocated as promised."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import omnichannel as oc
from omnichannel import reference
from omnichannel.sourcing import Fastest, LowestCost, MostStock, Nearest
from omnichannel.testing import strategies as oms

STRATEGIES = [LowestCost(), Nearest(), MostStock(), Fastest()]


@st.composite
def checkouts(
    draw: st.DrawFn, *, parcels: bool = False
) -> tuple[oms.Scenario, tuple[oc.Cart, ...], oc.AllocationResult]:
    """A timed scenario whose orders were allocated first (so stock, capacity and days
    are partly used), and carts on the same network."""
    scenario = draw(oms.scenarios(max_orders=8, timed=True, parcels=parcels))
    assert scenario.now is not None
    before = oc.allocate(scenario.orders, scenario.network, scenario.inventory, now=scenario.now)
    catalogue = scenario.network.catalogue
    if catalogue is not None:
        skus = sorted(p.sku for p in catalogue.products)
        assume(skus)  # every SKU of a cart must be in the catalogue
    else:
        skus = sorted({p.sku for p in scenario.inventory.positions()}) or ["A"]
    carts = draw(
        st.lists(
            oms.carts(network=scenario.network, sku_codes=skus),
            max_size=4,
            unique_by=lambda cart: cart.id,
        )
    )
    return scenario, tuple(carts), before


def assert_same_options(fast: oc.Promise, plain: oc.Promise) -> None:
    assert fast.cart_id == plain.cart_id
    assert len(fast.options) == len(plain.options)
    for a, b in zip(fast.options, plain.options, strict=True):
        assert (a.method, a.service_level, a.pickup_node_id) == (
            b.method,
            b.service_level,
            b.pickup_node_id,
        )
        assert (a.delivered_by, a.complete) == (b.delivered_by, b.complete)
        assert [(s.node_id, s.lines, s.ready_at, s.delivered_by) for s in a.shipments] == [
            (s.node_id, s.lines, s.ready_at, s.delivered_by) for s in b.shipments
        ]
        assert [s.parcels for s in a.shipments] == [s.parcels for s in b.shipments]
        assert math.isclose(a.cost, b.cost, rel_tol=1e-9, abs_tol=1e-12)


@pytest.mark.parametrize("sourcing", STRATEGIES, ids=lambda s: type(s).__name__)
@given(checkout=checkouts(), per_method=st.integers(1, 3))
def test_engine_matches_reference(
    sourcing: oc.sourcing.SourcingStrategy,
    checkout: tuple[oms.Scenario, tuple[oc.Cart, ...], oc.AllocationResult],
    per_method: int,
) -> None:
    scenario, carts, before = checkout
    kwargs = {
        "now": scenario.now,
        "sourcing": sourcing,
        "capacity_used": before.capacity_used,
        "daily_used": before.daily_used,
        "per_method": per_method,
    }
    fast = oc.promise(carts, scenario.network, before.inventory, **kwargs)
    plain = reference.promise(carts, scenario.network, before.inventory, **kwargs)
    assert len(fast) == len(plain) == len(carts)
    for a, b in zip(fast, plain, strict=True):
        assert_same_options(a, b)


@given(data=st.data(), checkout=checkouts())
def test_full_nodes_offer_nothing_and_match_reference(
    data: st.DataObject,
    checkout: tuple[oms.Scenario, tuple[oc.Cart, ...], oc.AllocationResult],
) -> None:
    scenario, carts, before = checkout
    ids = sorted(node.id for node in scenario.network.nodes)
    full = data.draw(st.frozensets(st.sampled_from(ids), max_size=3))
    kwargs = {"now": scenario.now, "daily_used": before.daily_used, "full_node_ids": full}
    fast = oc.promise(carts, scenario.network, before.inventory, **kwargs)
    plain = reference.promise(carts, scenario.network, before.inventory, **kwargs)
    for a, b in zip(fast, plain, strict=True):
        assert_same_options(a, b)
        for option in a.options:
            assert not option.node_ids & full


@given(checkout=checkouts(parcels=True))
def test_engine_matches_reference_with_parcels(
    checkout: tuple[oms.Scenario, tuple[oc.Cart, ...], oc.AllocationResult],
) -> None:
    scenario, carts, before = checkout
    kwargs = {"now": scenario.now, "daily_used": before.daily_used}
    fast = oc.promise(carts, scenario.network, before.inventory, **kwargs)
    plain = reference.promise(carts, scenario.network, before.inventory, **kwargs)
    for a, b in zip(fast, plain, strict=True):
        assert_same_options(a, b)


@pytest.mark.parametrize("parcels", [False, True])
@given(data=st.data())
def test_an_order_placed_from_an_option_is_allocated_as_promised(
    parcels: bool, data: st.DataObject
) -> None:
    scenario, carts, before = data.draw(checkouts(parcels=parcels))
    now = scenario.now
    assert now is not None
    state = {"capacity_used": before.capacity_used, "daily_used": before.daily_used}
    promises = oc.promise(carts, scenario.network, before.inventory, now=now, **state)
    for cart, found in zip(carts, promises, strict=True):
        for option in found.options:
            order = oc.Order.from_option(cart, option, order_id="placed", placed_at=now)
            result = oc.allocate([order], scenario.network, before.inventory, now=now, **state)
            (allocation,) = result.allocations
            assert [(s.node_id, s.lines) for s in allocation.shipments] == [
                (s.node_id, s.lines) for s in option.shipments
            ]
            assert math.isclose(allocation.cost, option.cost, rel_tol=1e-9, abs_tol=1e-12)
            assert [(s.ready_at, s.delivered_by) for s in allocation.shipments] == [
                (s.ready_at, s.delivered_by) for s in option.shipments
            ]
            assert (allocation.status is oc.AllocationStatus.FULFILLED) == option.complete


@given(checkout=checkouts(), per_method=st.integers(1, 3))
def test_options_are_ordered_and_bounded(
    checkout: tuple[oms.Scenario, tuple[oc.Cart, ...], oc.AllocationResult], per_method: int
) -> None:
    scenario, carts, before = checkout
    promises = oc.promise(
        carts,
        scenario.network,
        before.inventory,
        now=scenario.now,
        daily_used=before.daily_used,
        per_method=per_method,
    )
    for cart, found in zip(carts, promises, strict=True):
        keys = [(o.delivered_by, o.cost) for o in found.options]
        assert keys == sorted(keys)
        groups = [(o.method, o.service_level) for o in found.options]
        assert all(groups.count(group) <= per_method for group in groups)
        for option in found.options:
            assert option.delivered_by >= (scenario.now or option.delivered_by) - dt.timedelta(
                minutes=1
            )
            if option.pickup_node_id is not None and cart.pickup_node_ids:
                assert option.pickup_node_id in cart.pickup_node_ids
            if option.method in (oc.FulfillmentMethod.SHIP_TO_HOME, oc.FulfillmentMethod.SAME_DAY):
                assert cart.destination is not None


@given(checkout=checkouts(parcels=False), data=st.data())
def test_availability_matches_reference(
    checkout: tuple[oms.Scenario, tuple[oc.Cart, ...], oc.AllocationResult], data: st.DataObject
) -> None:
    scenario, _, before = checkout
    network = scenario.network
    skus = sorted({p.sku for p in before.inventory.positions()}) or ["A"]
    question = {
        "channel_id": data.draw(st.sampled_from([c.id for c in network.channels])),
        "near": data.draw(oms.geo_points(center=network.nodes[0].location, radius_deg=1.5)),
        "radius_km": data.draw(st.sampled_from([0.0, 50.0, 150.0, 400.0])),
        "now": scenario.now,
        "daily_used": before.daily_used,
    }
    fast = oc.availability(skus, network, before.inventory, **question)
    plain = reference.availability(skus, network, before.inventory, **question)
    assert [(a.sku, [(n.node_id, n.available, n.ready_at) for n in a.nodes]) for a in fast] == [
        (a.sku, [(n.node_id, n.available, n.ready_at) for n in a.nodes]) for a in plain
    ]
    for a, b in zip(fast, plain, strict=True):
        for m, n in zip(a.nodes, b.nodes, strict=True):
            assert math.isclose(m.distance_km, n.distance_km, rel_tol=1e-9, abs_tol=1e-9)
            assert m.distance_km <= question["radius_km"]  # type: ignore[operator]

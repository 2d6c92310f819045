"""Invariants every allocation keeps, whatever the strategy."""

import importlib.util
import random
from collections import Counter, defaultdict
from collections.abc import Sequence

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import omnichannel as oc
from omnichannel import FulfillmentMethod, NodeKind, ServiceLevel
from omnichannel._core.geo import distance_km
from omnichannel.allocation import (
    AllocationPolicy,
    BatchOptimal,
    DualPriceLookahead,
    FairShare,
    Sequential,
)
from omnichannel.reference._costs import handling
from omnichannel.reference._parcels import carriers_of, shippable
from omnichannel.sourcing import LowestCost, MostStock, SourcingStrategy, StockProtecting
from omnichannel.testing import strategies as oms

from .test_parcels_match_reference import regional_waves

NEEDS = {
    FulfillmentMethod.SHIP_TO_HOME: oc.Capability.SHIP,
    FulfillmentMethod.PICKUP_IN_STORE: oc.Capability.PICKUP,
    FulfillmentMethod.SHIP_TO_STORE: oc.Capability.SHIP,
    FulfillmentMethod.PICKUP_POINT: oc.Capability.SHIP,
    FulfillmentMethod.SAME_DAY: oc.Capability.SAME_DAY,
}


def assert_hard_rules(order: oc.Order, node: oc.Node, network: oc.Network, km: float) -> None:
    channel = network.channel(order.channel_id)
    assert node.active
    assert node.kind in channel.node_kinds
    assert NEEDS[order.method] in node.capabilities
    if order.pickup_node_id is not None:
        pickup = network.node(order.pickup_node_id)
        assert pickup.active
        if order.method is FulfillmentMethod.PICKUP_IN_STORE:
            assert node.id == pickup.id
            assert oc.Capability.PICKUP in pickup.capabilities
        elif order.method is FulfillmentMethod.SHIP_TO_STORE:
            assert (oc.Capability.PICKUP | oc.Capability.RECEIVE_TRANSFER) in pickup.capabilities
        else:
            assert pickup.kind is NodeKind.PICKUP_POINT
        point = pickup.location
    else:
        assert order.destination is not None
        point = order.destination
    expected = float(
        distance_km([point.lat], [point.lon], [node.location.lat], [node.location.lon])[0]
    )
    assert km == pytest.approx(expected, rel=1e-9, abs=1e-9)
    limit = network.costs.rates[order.service_level].max_km
    if order.method is not FulfillmentMethod.PICKUP_IN_STORE and limit is not None:
        assert km <= limit


CONFIGS = [
    (LowestCost(), Sequential()),
    (MostStock(), Sequential()),
    (StockProtecting(), Sequential()),
    (LowestCost(), BatchOptimal(time_limit_s=10.0)),
    (LowestCost(), BatchOptimal(nodes_per_order=2)),
    (LowestCost(), DualPriceLookahead()),
    (LowestCost(), DualPriceLookahead(nodes_per_order=2)),
    (LowestCost(), FairShare()),
    (MostStock(), FairShare(weights={"a": 3.0})),
]


@pytest.mark.parametrize(
    ("sourcing", "policy"),
    CONFIGS,
    ids=[f"{type(s).__name__}-{type(p).__name__}" for s, p in CONFIGS],
)
@given(scenario=oms.scenarios(max_orders=30))
def test_allocations_keep_every_rule(
    sourcing: SourcingStrategy, policy: AllocationPolicy, scenario: oms.Scenario
) -> None:
    network, inventory = scenario.network, scenario.inventory
    result = oc.allocate(scenario.orders, network, inventory, sourcing=sourcing, policy=policy)
    assert_keeps_every_rule(scenario.orders, network, inventory, result)


@given(scenario=oms.scenarios(max_orders=30), cut=st.integers(min_value=0, max_value=30))
def test_a_forecast_is_priced_but_not_allocated(scenario: oms.Scenario, cut: int) -> None:
    """DualPriceLookahead with the scenario's later orders as its forecast allocates
    only the earlier ones, and keeps every rule doing so."""
    wave, later = scenario.orders[:cut], scenario.orders[cut:]
    forecast = [attrs.evolve(order, id=f"expected-{order.id}") for order in later]
    policy = DualPriceLookahead(forecast=forecast)
    result = oc.allocate(wave, scenario.network, scenario.inventory, policy=policy)
    assert_keeps_every_rule(wave, scenario.network, scenario.inventory, result)


def assert_keeps_every_rule(
    orders: Sequence[oc.Order],
    network: oc.Network,
    inventory: oc.Inventory,
    result: oc.AllocationResult,
) -> None:
    """One allocation per order, in order, each keeping the hard rules, and the stock
    and capacity taken within what there was and recorded in ``result``."""
    assert len(result.allocations) == len(orders)
    taken: Counter[tuple[str, str]] = Counter()
    taken_remote: Counter[tuple[str, str]] = Counter()
    shipments_at: Counter[str] = Counter()
    for order, allocation in zip(orders, result.allocations, strict=True):
        assert allocation.order_id == order.id
        shipped: Counter[str] = Counter()
        for shipment in allocation.shipments:
            node = network.node(shipment.node_id)
            assert_hard_rules(order, node, network, shipment.distance_km)
            shipments_at[node.id] += 1
            for line in shipment.lines:
                shipped[line.sku] += line.quantity
                taken[(node.id, line.sku)] += line.quantity
                if network.channel(order.channel_id).respects_safety_stock:
                    taken_remote[(node.id, line.sku)] += line.quantity
        assert len({s.node_id for s in allocation.shipments}) == len(allocation.shipments)
        if not order.allow_split:
            assert len(allocation.shipments) <= 1
        short = Counter()
        for line in allocation.unfulfilled:
            short[line.sku] += line.quantity
        for line in order.lines:
            assert shipped[line.sku] + short[line.sku] == line.quantity
        if not allocation.shipments:
            assert allocation.status is oc.AllocationStatus.UNFULFILLED
        elif allocation.unfulfilled:
            assert allocation.status is oc.AllocationStatus.PARTIAL
        else:
            assert allocation.status is oc.AllocationStatus.FULFILLED
    for (node_id, sku), units in taken.items():
        position = inventory.position(node_id, sku)
        assert position is not None
        assert units <= position.on_hand - position.reserved
        remote = taken_remote[(node_id, sku)]
        assert remote <= max(position.on_hand - position.reserved - position.safety_stock, 0)
        after = result.inventory.position(node_id, sku)
        assert after is not None
        assert after.reserved == position.reserved + units
    for node in network.nodes:
        if node.order_capacity is not None:
            assert shipments_at[node.id] <= node.order_capacity
        assert result.capacity_used.get(node.id, 0) == shipments_at[node.id]
    expected = defaultdict(int, {(p.node_id, p.sku): p.reserved for p in inventory.positions()})
    for pair, units in taken.items():
        expected[pair] += units
    assert {(p.node_id, p.sku): p.reserved for p in result.inventory.positions()} == dict(expected)
    assert [
        (p.node_id, p.sku, p.on_hand, p.safety_stock, p.in_transit)
        for p in result.inventory.positions()
    ] == [
        (p.node_id, p.sku, p.on_hand, p.safety_stock, p.in_transit) for p in inventory.positions()
    ]


@given(scenario=oms.scenarios(max_orders=20))
def test_same_input_same_output_whatever_the_node_listing_order(scenario: oms.Scenario) -> None:
    first = oc.allocate(scenario.orders, scenario.network, scenario.inventory)
    again = oc.allocate(scenario.orders, scenario.network, scenario.inventory)
    assert first == again
    nodes = list(scenario.network.nodes)
    random.Random(len(nodes)).shuffle(nodes)
    shuffled = oc.Network(
        nodes=nodes, channels=scenario.network.channels, costs=scenario.network.costs
    )
    assert oc.allocate(scenario.orders, shuffled, scenario.inventory).allocations == (
        first.allocations
    )


@given(scenario=oms.scenarios(max_orders=10))
def test_a_failed_call_allocates_nothing(scenario: oms.Scenario) -> None:
    bad = oc.Order(
        id="bad-order",
        channel_id="no-such-channel",
        lines=[oc.OrderLine(sku="X", quantity=1)],
        destination=oc.GeoPoint(lat=0, lon=0),
        service_level=ServiceLevel.STANDARD,
    )
    before = scenario.inventory.positions()
    with pytest.raises(oc.UnknownReferenceError):
        oc.allocate([*scenario.orders, bad], scenario.network, scenario.inventory)
    assert scenario.inventory.positions() == before


NEEDS_SCIPY = pytest.mark.skipif(
    importlib.util.find_spec("scipy") is None, reason="needs the 'optimize' extra"
)
PARCEL_POLICIES = [
    pytest.param(Sequential(), id="Sequential"),
    pytest.param(FairShare(), id="FairShare"),
    pytest.param(BatchOptimal(time_limit_s=10.0), id="BatchOptimal", marks=NEEDS_SCIPY),
    pytest.param(DualPriceLookahead(), id="DualPriceLookahead", marks=NEEDS_SCIPY),
]


@pytest.mark.parametrize("policy", PARCEL_POLICIES)
@given(scenario=regional_waves() | oms.scenarios(max_orders=20, parcels=True))
def test_parcel_allocations_keep_every_rule(
    policy: AllocationPolicy, scenario: oms.Scenario
) -> None:
    """With carrier services: no oversell, stock conserved, no unit shipped that no
    service takes from its node, and each shipment costs its parcels plus handling."""
    network, inventory = scenario.network, scenario.inventory
    result = oc.allocate(scenario.orders, network, inventory, policy=policy)
    assert_keeps_every_rule(scenario.orders, network, inventory, result)
    assert_parcels_priced(scenario.orders, network, result)


def assert_parcels_priced(
    orders: Sequence[oc.Order], network: oc.Network, result: oc.AllocationResult
) -> None:
    """Every shipment of an order carrier services price carries only units that can
    travel from its node, in parcels holding exactly its units, at their price plus the
    node's handling; other shipments have no parcels."""
    for order, allocation in zip(orders, result.allocations, strict=True):
        by_carrier = bool(carriers_of(network, order))
        for shipment in allocation.shipments:
            if not by_carrier:
                assert shipment.parcels == ()
                continue
            for line in shipment.lines:
                assert shippable(network, order, line.sku, shipment.distance_km)
            packed: Counter[str] = Counter()
            for parcel in shipment.parcels:
                for unit in parcel.units:
                    packed[unit.sku] += unit.quantity
            assert packed == Counter({line.sku: line.quantity for line in shipment.lines})
            node = network.node(shipment.node_id)
            expected = sum(p.cost for p in shipment.parcels) + handling(node, shipment.units)
            assert shipment.cost == pytest.approx(expected, rel=1e-9, abs=1e-9)

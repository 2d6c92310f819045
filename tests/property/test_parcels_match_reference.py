"""With a catalogue and carrier services, the engine packs, rate-shops and prices
parcels exactly as the plain reference does: zone and weight step boundaries,
dimensional weight, parcels split at the weight limit, units travelling alone,
gaps in a table that make a parcel or a unit unshippable."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import omnichannel as oc
from omnichannel import reference
from omnichannel.allocation import FairShare, Sequential
from omnichannel.sourcing import LowestCost, MostStock, Nearest, Weighted
from omnichannel.testing import strategies as oms

from .test_allocate_matches_reference import assert_same
from .test_time_matches_reference import assert_same_dates

STRATEGIES = [LowestCost(), Nearest(), MostStock(), Weighted(shipping=1.0, stock=0.5)]
LEVELS = list(oc.ServiceLevel)


@st.composite
def regional_waves(draw: st.DrawFn) -> oms.Scenario:
    """A DC and stores within a few hundred km of customers, stock for most lines and
    orders of 1-3 lines of up to 4 units at every level: most orders ship, often from
    far, in one parcel or several."""
    nodes = [
        oc.Node(
            id=f"n{i}",
            kind=draw(st.sampled_from([oc.NodeKind.DC, oc.NodeKind.STORE])),
            location=oc.GeoPoint(lat=48.0 + draw(st.floats(0.0, 3.0)), lon=9.0),
            capabilities=oc.Capability.SHIP | oc.Capability.SAME_DAY | oc.Capability.PICKUP,
            order_capacity=draw(st.none() | st.integers(1, 6)),
            handling_cost_per_order=draw(st.sampled_from([0.0, 1.5])),
        )
        for i in range(draw(st.integers(1, 4)))
    ]
    skus = ["A", "B", "C", "D"]
    positions = [
        oc.StockPosition(node_id=n.id, sku=sku, on_hand=draw(st.integers(0, 8)))
        for n in nodes
        for sku in skus
    ]
    orders = []
    for i in range(draw(st.integers(1, 25))):
        chosen = draw(st.lists(st.sampled_from(skus), min_size=1, max_size=3, unique=True))
        orders.append(
            oc.Order(
                id=f"o{i}",
                channel_id="web",
                method=oc.FulfillmentMethod.SHIP_TO_HOME,
                service_level=draw(st.sampled_from(LEVELS)),
                destination=oc.GeoPoint(lat=48.0 + draw(st.floats(0.0, 3.0)), lon=9.2),
                lines=[oc.OrderLine(sku=s, quantity=draw(st.integers(1, 4))) for s in chosen],
                allow_split=draw(st.booleans()),
            )
        )
    network = oc.Network(
        nodes=nodes, channels=[oc.Channel(id="web", kind=oc.ChannelKind.WEB)], costs=oc.CostModel()
    )
    scenario = oms.Scenario(
        network=network,
        inventory=oc.Inventory.from_positions(positions),
        orders=tuple(orders),
        returns=(),
        demand=oc.DemandRates.from_mapping({}),
    )
    return draw(oms.with_parcels(scenario))


def assert_same_parcels(fast: oc.AllocationResult, plain: oc.AllocationResult) -> None:
    assert_same(fast, plain)
    for a, b in zip(fast.allocations, plain.allocations, strict=True):
        assert [s.parcels for s in a.shipments] == [s.parcels for s in b.shipments]
        assert [s.cost for s in a.shipments] == [s.cost for s in b.shipments]


@pytest.mark.parametrize("sourcing", STRATEGIES, ids=lambda s: type(s).__name__)
@given(scenario=regional_waves() | oms.scenarios(max_orders=20, parcels=True))
def test_parcel_prices_match_reference(
    sourcing: oc.sourcing.SourcingStrategy, scenario: oms.Scenario
) -> None:
    kwargs = {"sourcing": sourcing, "demand": scenario.demand}
    fast = oc.allocate(scenario.orders, scenario.network, scenario.inventory, **kwargs)
    plain = reference.allocate(scenario.orders, scenario.network, scenario.inventory, **kwargs)
    assert_same_parcels(fast, plain)


@given(scenario=regional_waves())
def test_parcels_scarce_and_dated(scenario: oms.Scenario) -> None:
    """Scarce stock, any window, FairShare too: still the reference's decisions."""
    for policy in (Sequential(window=3), FairShare()):
        fast = oc.allocate(scenario.orders, scenario.network, scenario.inventory, policy=policy)
        plain = reference.allocate(
            scenario.orders, scenario.network, scenario.inventory, policy=policy
        )
        assert_same_parcels(fast, plain)


@given(scenario=oms.scenarios(max_orders=15, parcels=True, timed=True))
def test_parcels_with_dates_match_reference(scenario: oms.Scenario) -> None:
    """Dates too: a shipment the engine prices after the policy keeps its dates."""
    kwargs = {"now": scenario.now}
    fast = oc.allocate(scenario.orders, scenario.network, scenario.inventory, **kwargs)
    plain = reference.allocate(scenario.orders, scenario.network, scenario.inventory, **kwargs)
    assert_same_parcels(fast, plain)
    assert_same_dates(fast, plain)


@given(scenario=oms.scenarios(max_orders=15))
def test_without_carriers_nothing_changes(scenario: oms.Scenario) -> None:
    """A catalogue alone prices nothing: the same decisions and costs as without one."""
    skus = {line.sku for order in scenario.orders for line in order.lines} | {
        p.sku for p in scenario.inventory.positions()
    }
    catalogue = oc.Catalogue(products=[oc.Product(sku=sku, weight_kg=1.0) for sku in sorted(skus)])
    with_catalogue = attrs.evolve(scenario.network, catalogue=catalogue)
    plain = oc.allocate(scenario.orders, scenario.network, scenario.inventory)
    listed = oc.allocate(scenario.orders, with_catalogue, scenario.inventory)
    assert listed.allocations == plain.allocations
    assert all(not s.parcels for a in listed.allocations for s in a.shipments)


@given(scenario=regional_waves())
def test_explain_quotes_every_service_for_the_winning_node(scenario: oms.Scenario) -> None:
    """The chosen node's parcels in ``explain`` are the shipment's, and each went with
    the cheapest service quoted (ties: the first)."""
    for order in scenario.orders[:5]:
        why = oc.explain(order, scenario.network, scenario.inventory)
        result = oc.allocate([order], scenario.network, scenario.inventory)
        shipments = result.allocations[0].shipments
        if why.chosen_node_id is None:
            assert why.parcels == ()
            continue
        (shipment,) = shipments
        assert shipment.node_id == why.chosen_node_id
        if not shipment.parcels:  # priced by a rate card
            assert why.parcels == ()
            continue
        assert [q.units for q in why.parcels] == [p.units for p in shipment.parcels]
        for quoted, parcel in zip(why.parcels, shipment.parcels, strict=True):
            offers = [q for q in quoted.quotes if q.cost is not None]
            best = min(offers, key=lambda q: q.cost or 0.0)
            assert (best.carrier, best.cost, best.billable_kg) == (
                parcel.carrier,
                parcel.cost,
                parcel.billable_kg,
            )
            assert quoted.weight_kg == parcel.weight_kg

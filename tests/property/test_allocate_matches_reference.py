"""The engine gives exactly the reference's decisions, for every built-in strategy."""

import math
from unittest import mock

import pytest
from hypothesis import given
from hypothesis import strategies as st

import omnichannel as oc
from omnichannel import reference
from omnichannel.allocation import FairShare, Sequential, _sequential
from omnichannel.sourcing import (
    Lexicographic,
    LowestCost,
    MostStock,
    Nearest,
    Ranked,
    StockProtecting,
    Weighted,
)
from omnichannel.testing import strategies as oms

STRATEGIES = [
    LowestCost(),
    Nearest(),
    Ranked(),
    MostStock(),
    StockProtecting(penalty=4.0, cover_days=2.0),
    Weighted(distance=0.05, shipping=1.0, depletion=3.0, utilisation=2.0, rank=0.5),
    Lexicographic(Ranked(), MostStock(), Nearest()),
]


def assert_same(fast: oc.AllocationResult, plain: oc.AllocationResult) -> None:
    assert len(fast.allocations) == len(plain.allocations)
    for a, b in zip(fast.allocations, plain.allocations, strict=True):
        assert a.order_id == b.order_id
        assert a.status == b.status
        assert a.unfulfilled == b.unfulfilled
        assert [(s.node_id, s.lines) for s in a.shipments] == [
            (s.node_id, s.lines) for s in b.shipments
        ]
        for s, t in zip(a.shipments, b.shipments, strict=True):
            assert math.isclose(s.cost, t.cost, rel_tol=1e-9, abs_tol=1e-12)
            assert math.isclose(s.distance_km, t.distance_km, rel_tol=1e-9, abs_tol=1e-12)
        assert math.isclose(a.split_penalty, b.split_penalty, rel_tol=1e-9)
    assert fast.inventory == plain.inventory
    assert fast.capacity_used == plain.capacity_used


@pytest.mark.parametrize("sourcing", STRATEGIES, ids=lambda s: type(s).__name__)
@given(scenario=oms.scenarios(max_orders=25))
def test_engine_matches_reference(
    sourcing: oc.sourcing.SourcingStrategy, scenario: oms.Scenario
) -> None:
    kwargs = {"sourcing": sourcing, "demand": scenario.demand}
    fast = oc.allocate(scenario.orders, scenario.network, scenario.inventory, **kwargs)
    plain = reference.allocate(scenario.orders, scenario.network, scenario.inventory, **kwargs)
    assert_same(fast, plain)


@pytest.mark.parametrize("sourcing", STRATEGIES, ids=lambda s: type(s).__name__)
@given(
    scenario=oms.scenarios(max_nodes=5, max_skus=4, max_orders=50, scarce=True),
    window=st.integers(1, 8),
)
def test_scarce_stock_any_window(
    sourcing: oc.sourcing.SourcingStrategy, scenario: oms.Scenario, window: int
) -> None:
    """Orders fight over few units: every window size gives the reference's decisions."""
    fast = oc.allocate(
        scenario.orders,
        scenario.network,
        scenario.inventory,
        sourcing=sourcing,
        policy=Sequential(window=window),
        demand=scenario.demand,
    )
    plain = reference.allocate(
        scenario.orders,
        scenario.network,
        scenario.inventory,
        sourcing=sourcing,
        demand=scenario.demand,
    )
    assert_same(fast, plain)


@given(scenario=oms.scenarios(max_orders=30), data=st.data())
def test_a_wave_continued_matches_one_call(scenario: oms.Scenario, data: st.DataObject) -> None:
    """Capacity used so far carries over; the reference agrees on the second half."""
    cut = data.draw(st.integers(0, len(scenario.orders)))
    first = oc.allocate(scenario.orders[:cut], scenario.network, scenario.inventory)
    rest = scenario.orders[cut:]
    fast = oc.allocate(rest, scenario.network, first.inventory, capacity_used=first.capacity_used)
    plain = reference.allocate(
        rest, scenario.network, first.inventory, capacity_used=first.capacity_used
    )
    assert_same(fast, plain)


@pytest.mark.parametrize(
    "sourcing", [LowestCost(), MostStock(), StockProtecting()], ids=lambda s: type(s).__name__
)
@given(
    scenario=oms.scenarios(max_nodes=5, max_skus=4, max_orders=40, scarce=True),
    data=st.data(),
)
def test_fair_share_matches_reference(
    sourcing: oc.sourcing.SourcingStrategy, scenario: oms.Scenario, data: st.DataObject
) -> None:
    """Rationing and both sequential passes give the plain version's decisions."""
    channel_ids = [c.id for c in scenario.network.channels]
    weights = data.draw(
        st.dictionaries(st.sampled_from(channel_ids), st.floats(min_value=0.1, max_value=10.0))
    )
    kwargs = {"sourcing": sourcing, "policy": FairShare(weights=weights), "demand": scenario.demand}
    fast = oc.allocate(scenario.orders, scenario.network, scenario.inventory, **kwargs)
    plain = reference.allocate(scenario.orders, scenario.network, scenario.inventory, **kwargs)
    assert_same(fast, plain)


@st.composite
def contested_waves(draw: st.DrawFn) -> tuple[oms.Scenario, dict[str, float]]:
    """Channels competing for a few units of a few SKUs at nodes every order may use."""
    here = oc.GeoPoint(lat=50.0, lon=10.0)
    channels = [
        oc.Channel(id=c, kind=oc.ChannelKind.WEB, respects_safety_stock=draw(st.booleans()))
        for c in ("web", "app", "till")
    ]
    nodes = [
        oc.Node(
            id=f"dc{i}",
            kind=oc.NodeKind.DC,
            location=oc.GeoPoint(lat=50.0 + i / 10, lon=10.0),
            capabilities=oc.Capability.SHIP,
            order_capacity=draw(st.none() | st.integers(1, 6)),
        )
        for i in range(draw(st.integers(1, 3)))
    ]
    positions = []
    for node in nodes:
        for sku in ("A", "B", "C"):
            on_hand = draw(st.integers(0, 4))
            positions.append(
                oc.StockPosition(
                    node_id=node.id,
                    sku=sku,
                    on_hand=on_hand,
                    safety_stock=draw(st.integers(0, 2)),
                )
            )
    orders = [
        oc.Order(
            id=f"o{i}",
            channel_id=draw(st.sampled_from([c.id for c in channels])),
            destination=here,
            lines=[
                oc.OrderLine(sku=sku, quantity=draw(st.integers(1, 3)))
                for sku in draw(st.lists(st.sampled_from("ABC"), min_size=1, unique=True))
            ],
            priority=draw(st.integers(0, 1)),
            allow_split=draw(st.booleans()),
        )
        for i in range(draw(st.integers(1, 30)))
    ]
    weights = draw(st.dictionaries(st.sampled_from(["web", "app", "till"]), st.floats(0.1, 10.0)))
    scenario = oms.Scenario(
        network=oc.Network(nodes=nodes, channels=channels),
        inventory=oc.Inventory.from_positions(positions),
        orders=tuple(orders),
        returns=(),
        demand=oc.DemandRates.from_mapping({}),
    )
    return scenario, weights


@given(wave=contested_waves())
def test_fair_share_matches_reference_when_channels_compete(
    wave: tuple[oms.Scenario, dict[str, float]],
) -> None:
    scenario, weights = wave
    policy = FairShare(weights=weights)
    fast = oc.allocate(scenario.orders, scenario.network, scenario.inventory, policy=policy)
    plain = reference.allocate(scenario.orders, scenario.network, scenario.inventory, policy=policy)
    assert_same(fast, plain)


@st.composite
def short_waves(draw: st.DrawFn) -> tuple[oms.Scenario, dict[str, int]]:
    """Pickups at stores short of some lines, and deliveries no node serves whole,
    with few shipments left: orders the scan plans as lone (one node holds anything
    for them) or split (several do), whose plans later orders often break."""
    here = oc.GeoPoint(lat=50.0, lon=10.0)
    channels = [
        oc.Channel(id=c, kind=oc.ChannelKind.WEB, respects_safety_stock=draw(st.booleans()))
        for c in ("web", "app")
    ]
    stores = [
        oc.Node(
            id=f"store{i}",
            kind=oc.NodeKind.STORE,
            location=oc.GeoPoint(lat=50.0 + i / 20, lon=10.0),
            capabilities=oc.Capability.PICKUP | oc.Capability.SHIP,
            order_capacity=draw(st.none() | st.integers(0, 4)),
        )
        for i in range(draw(st.integers(1, 2)))
    ]
    dcs = [
        oc.Node(
            id=f"dc{i}",
            kind=oc.NodeKind.DC,
            location=oc.GeoPoint(lat=50.2 + i / 20, lon=10.0),
            capabilities=oc.Capability.SHIP,
            order_capacity=draw(st.none() | st.integers(0, 4)),
        )
        for i in range(draw(st.integers(0, 2)))
    ]
    positions = [
        oc.StockPosition(
            node_id=node.id,
            sku=sku,
            on_hand=draw(st.integers(0, 4)),
            safety_stock=draw(st.integers(0, 1)),
        )
        for node in stores + dcs
        for sku in ("A", "B", "C")
    ]
    orders = []
    for i in range(draw(st.integers(1, 30))):
        pickup = draw(st.booleans())
        orders.append(
            oc.Order(
                id=f"o{i}",
                channel_id=draw(st.sampled_from(["web", "app"])),
                method=(
                    oc.FulfillmentMethod.PICKUP_IN_STORE
                    if pickup
                    else oc.FulfillmentMethod.SHIP_TO_HOME
                ),
                destination=None if pickup else here,
                pickup_node_id=draw(st.sampled_from([s.id for s in stores])) if pickup else None,
                lines=[
                    oc.OrderLine(sku=sku, quantity=draw(st.integers(1, 3)))
                    for sku in draw(st.lists(st.sampled_from("ABC"), min_size=1, unique=True))
                ],
                priority=draw(st.integers(0, 1)),
                allow_split=draw(st.booleans()),
            )
        )
    used = draw(st.dictionaries(st.sampled_from([n.id for n in stores + dcs]), st.integers(0, 3)))
    scenario = oms.Scenario(
        network=oc.Network(nodes=stores + dcs, channels=channels),
        inventory=oc.Inventory.from_positions(positions),
        orders=tuple(orders),
        returns=(),
        demand=oc.DemandRates.from_mapping({}),
    )
    return scenario, used


@pytest.mark.parametrize("plan_splits", ["when_few_contend", "always"])
@pytest.mark.parametrize(
    "sourcing",
    [LowestCost(), MostStock(), Weighted(shipping=1.0, utilisation=5.0)],
    ids=lambda s: type(s).__name__,
)
@given(wave=short_waves(), window=st.integers(1, 8))
def test_orders_no_node_serves_whole_match_reference(
    sourcing: oc.sourcing.SourcingStrategy,
    plan_splits: str,
    wave: tuple[oms.Scenario, dict[str, int]],
    window: int,
) -> None:
    """Orders no node serves whole take what one node holds (or nothing when it has no
    shipment left) or split by the greedy rule, exactly as the reference decides them
    at their turn, for strategies whose costs read state and those that do not, and
    whether or not the scan plans the splits (these waves are contended, so by
    default it mostly does not)."""
    scenario, used = wave
    kwargs = {"sourcing": sourcing, "capacity_used": used}
    share = 2.0 if plan_splits == "always" else _sequential._SPLIT_PLANS_BELOW
    with mock.patch.object(_sequential, "_SPLIT_PLANS_BELOW", share):
        fast = oc.allocate(
            scenario.orders,
            scenario.network,
            scenario.inventory,
            policy=Sequential(window=window),
            **kwargs,
        )
    plain = reference.allocate(scenario.orders, scenario.network, scenario.inventory, **kwargs)
    assert_same(fast, plain)


def test_a_split_plan_broken_by_a_spent_shipment_is_redone() -> None:
    """The scan plans the split when the window starts, while dc1 still has its one
    shipment; the order before it takes that shipment, so the split must be decided
    again: X stays unfulfilled for want of capacity, Y ships from dc2."""
    here = oc.GeoPoint(lat=50.0, lon=10.0)
    network = oc.Network(
        nodes=[
            oc.Node(
                id="dc1",
                kind=oc.NodeKind.DC,
                location=here,
                capabilities=oc.Capability.SHIP,
                order_capacity=1,
            ),
            oc.Node(
                id="dc2",
                kind=oc.NodeKind.DC,
                location=oc.GeoPoint(lat=51.0, lon=10.0),
                capabilities=oc.Capability.SHIP,
            ),
        ],
        channels=[oc.Channel(id="web", kind=oc.ChannelKind.WEB)],
    )
    stock = oc.Inventory.from_positions(
        [
            oc.StockPosition(node_id="dc1", sku="X", on_hand=5),
            oc.StockPosition(node_id="dc2", sku="Y", on_hand=5),
        ]
    )
    orders = [
        oc.Order(
            id="first",
            channel_id="web",
            destination=here,
            lines=[oc.OrderLine(sku="X", quantity=1)],
        ),
        oc.Order(
            id="split",
            channel_id="web",
            destination=here,
            lines=[oc.OrderLine(sku="X", quantity=1), oc.OrderLine(sku="Y", quantity=1)],
        ),
    ]
    with mock.patch.object(_sequential, "_SPLIT_PLANS_BELOW", 2.0):
        fast = oc.allocate(orders, network, stock)
    assert_same(fast, reference.allocate(orders, network, stock))
    split = fast.allocations[1]
    assert [s.node_id for s in split.shipments] == ["dc2"]
    assert split.unfulfilled == (
        oc.UnfulfilledLine(sku="X", quantity=1, reason=oc.UnfulfilledReason.NO_CAPACITY),
    )

"""Readable examples of the sequential rule: who serves, how splits go, why lines fail."""

import pytest

import omnichannel as oc
from omnichannel import (
    Capability,
    Channel,
    ChannelKind,
    CostModel,
    FulfillmentMethod,
    GeoPoint,
    Inventory,
    Network,
    Node,
    NodeKind,
    Order,
    OrderLine,
    RateCard,
    ServiceLevel,
    StockPosition,
    UnfulfilledReason,
)

BERLIN = GeoPoint(lat=52.52, lon=13.40)
LEIPZIG = GeoPoint(lat=51.34, lon=12.37)
HAMBURG = GeoPoint(lat=53.55, lon=9.99)
STORE_FLAGS = Capability.SHIP | Capability.PICKUP | Capability.RECEIVE_TRANSFER
RATES = {
    ServiceLevel.STANDARD: RateCard(base=5.0, per_km=0.01, per_unit=0.5),
    ServiceLevel.EXPRESS: RateCard(base=9.0, per_km=0.02, per_unit=0.5, max_km=300.0),
    ServiceLevel.SAME_DAY: RateCard(base=8.0, per_km=0.5, per_unit=0.3, max_km=40.0),
}


def network(*, store_capacity: int | None = None, split_penalty: float = 0.0) -> Network:
    return Network(
        nodes=[
            Node(
                id="dc",
                kind=NodeKind.DC,
                location=LEIPZIG,
                capabilities=Capability.SHIP,
                handling_cost_per_order=1.0,
            ),
            Node(
                id="berlin",
                kind=NodeKind.STORE,
                location=BERLIN,
                capabilities=STORE_FLAGS | Capability.SAME_DAY,
                order_capacity=store_capacity,
                handling_cost_per_order=3.0,
                handling_cost_per_unit=0.5,
            ),
            Node(
                id="hamburg",
                kind=NodeKind.STORE,
                location=HAMBURG,
                capabilities=STORE_FLAGS,
                handling_cost_per_order=3.0,
            ),
        ],
        channels=[
            Channel(id="web", kind=ChannelKind.WEB),
            Channel(id="till", kind=ChannelKind.STORE, respects_safety_stock=False),
            Channel(id="market", kind=ChannelKind.MARKETPLACE, node_kinds={NodeKind.DC}),
        ],
        costs=CostModel(rates=RATES, split_penalty=split_penalty),
    )


def stock(**units: int) -> Inventory:
    """``stock(berlin_A=2)``: 2 units of SKU A at node berlin."""
    return Inventory.from_positions(
        StockPosition(node_id=key.split("_")[0], sku=key.split("_")[1], on_hand=value)
        for key, value in units.items()
    )


def order(order_id: str, *lines: tuple[str, int], **fields: object) -> Order:
    defaults: dict[str, object] = {"channel_id": "web", "destination": BERLIN}
    defaults.update(fields)
    return Order(
        id=order_id,
        lines=[OrderLine(sku=sku, quantity=q) for sku, q in lines],
        **defaults,  # type: ignore[arg-type]
    )


def test_the_cheapest_node_that_has_everything_wins() -> None:
    inventory = stock(dc_A=5, dc_B=5, berlin_A=5, berlin_B=5)
    result = oc.allocate([order("o1", ("A", 1), ("B", 1))], network(), inventory)
    (shipment,) = result.allocations[0].shipments
    # From the DC, ~150 km: 5 base + 0.01/km x km + 0.5 x 2 units, plus 1.0 handling.
    # From the Berlin store, 0 km: 5 + 0 + 1.0, plus 3.0 + 0.5 x 2 handling = 10.
    assert shipment.node_id == "dc"
    assert 140 < shipment.distance_km < 160
    assert shipment.cost == pytest.approx(5 + 0.01 * shipment.distance_km + 1.0 + 1.0)
    assert result.fill_rate == 1.0
    assert result.inventory.position("dc", "A").reserved == 1  # type: ignore[union-attr]
    explained = oc.explain(order("o1", ("A", 1), ("B", 1)), network(), inventory)
    assert explained.candidate("berlin").score == pytest.approx(10.0)


def test_split_opens_the_node_serving_most_lines_first_then_fills_quantities() -> None:
    o = order("o1", ("A", 1), ("B", 1), ("C", 3))
    result = oc.allocate(
        [o], network(split_penalty=2.0), stock(hamburg_A=1, hamburg_B=1, berlin_C=2, dc_C=1)
    )
    allocation = result.allocations[0]
    assert [
        (s.node_id, [(line.sku, line.quantity) for line in s.lines]) for s in allocation.shipments
    ] == [
        ("hamburg", [("A", 1), ("B", 1)]),
        ("dc", [("C", 1)]),  # cheaper for this order than berlin, so it is drained first
        ("berlin", [("C", 2)]),
    ]
    assert allocation.split_penalty == 4.0
    assert allocation.status is oc.AllocationStatus.FULFILLED
    assert result.split_rate == 1.0


def test_an_order_that_may_not_split_ships_whole_or_not_at_all() -> None:
    o = order("o1", ("A", 1), ("B", 1), ("Z", 1), allow_split=False)
    allocation = oc.allocate([o], network(), stock(dc_A=1, berlin_B=1)).allocations[0]
    assert allocation.shipments == ()
    assert [(u.sku, u.reason) for u in allocation.unfulfilled] == [
        ("A", UnfulfilledReason.SPLIT_NOT_ALLOWED),
        ("B", UnfulfilledReason.SPLIT_NOT_ALLOWED),
        ("Z", UnfulfilledReason.OUT_OF_STOCK),
    ]


def test_priority_first_then_input_order() -> None:
    orders = [
        order("first", ("A", 1)),
        order("second", ("A", 1)),
        order("urgent", ("A", 1), priority=5),
    ]
    result = oc.allocate(orders, network(), stock(berlin_A=2))
    assert [a.status.name for a in result.allocations] == ["FULFILLED", "UNFULFILLED", "FULFILLED"]


def test_capacity_runs_out_and_the_reason_says_so() -> None:
    orders = [order("o1", ("A", 1)), order("o2", ("A", 1), channel_id="web")]
    net = network(store_capacity=1)
    result = oc.allocate(orders, net, stock(berlin_A=5))
    assert result.allocations[1].unfulfilled[0].reason is UnfulfilledReason.NO_CAPACITY
    assert result.capacity_used == {"berlin": 1}
    later = oc.allocate(
        [order("o3", ("A", 1))], net, result.inventory, capacity_used=result.capacity_used
    )
    assert later.allocations[0].unfulfilled[0].reason is UnfulfilledReason.NO_CAPACITY


def test_safety_stock_is_held_back_from_remote_channels_only() -> None:
    inventory = Inventory.from_positions(
        [StockPosition(node_id="berlin", sku="A", on_hand=3, safety_stock=2)]
    )
    till = order(
        "till",
        ("A", 3),
        channel_id="till",
        method=FulfillmentMethod.PICKUP_IN_STORE,
        destination=None,
        pickup_node_id="berlin",
    )
    web = order(
        "web",
        ("A", 3),
        method=FulfillmentMethod.PICKUP_IN_STORE,
        destination=None,
        pickup_node_id="berlin",
    )
    assert oc.allocate([till], network(), inventory).allocations[0].status.name == "FULFILLED"
    web_result = oc.allocate([web], network(), inventory).allocations[0]
    assert web_result.units_allocated == 1


def test_pickup_in_store_comes_from_the_store_itself_and_pays_handling_only() -> None:
    o = order(
        "o1",
        ("A", 2),
        method=FulfillmentMethod.PICKUP_IN_STORE,
        destination=None,
        pickup_node_id="hamburg",
    )
    allocation = oc.allocate([o], network(), stock(dc_A=9, hamburg_A=2)).allocations[0]
    (shipment,) = allocation.shipments
    assert (shipment.node_id, shipment.cost) == ("hamburg", 3.0)


def test_ship_to_store_travels_to_the_pickup_store() -> None:
    o = order(
        "o1",
        ("A", 1),
        method=FulfillmentMethod.SHIP_TO_STORE,
        destination=None,
        pickup_node_id="hamburg",
    )
    (shipment,) = oc.allocate([o], network(), stock(dc_A=1)).allocations[0].shipments
    assert shipment.node_id == "dc"
    assert shipment.distance_km == pytest.approx(296, abs=5)


def test_same_day_needs_the_capability_and_the_distance() -> None:
    near = order(
        "near", ("A", 1), method=FulfillmentMethod.SAME_DAY, service_level=ServiceLevel.SAME_DAY
    )
    far = order(
        "far",
        ("A", 1),
        method=FulfillmentMethod.SAME_DAY,
        service_level=ServiceLevel.SAME_DAY,
        destination=HAMBURG,
    )
    result = oc.allocate([near, far], network(), stock(berlin_A=5, dc_A=5, hamburg_A=5))
    assert result.allocations[0].shipments[0].node_id == "berlin"
    assert result.allocations[1].unfulfilled[0].reason is UnfulfilledReason.NO_ELIGIBLE_NODE


def test_channel_node_kinds_are_a_hard_rule() -> None:
    o = order("o1", ("A", 1), channel_id="market")
    result = oc.allocate([o], network(), stock(berlin_A=5))
    assert result.allocations[0].unfulfilled[0].reason is UnfulfilledReason.OUT_OF_STOCK
    assert (
        oc.allocate([o], network(), stock(berlin_A=5, dc_A=1)).allocations[0].shipments[0].node_id
        == "dc"
    )


def test_ties_go_to_lower_rank_then_id() -> None:
    twins = Network(
        nodes=[
            Node(
                id=name, kind=NodeKind.DC, location=LEIPZIG, capabilities=Capability.SHIP, rank=rank
            )
            for name, rank in (("b", 1), ("c", 0), ("a", 1))
        ],
        channels=[Channel(id="web", kind=ChannelKind.WEB)],
    )
    inventory = stock(a_A=1, b_A=1, c_A=1)
    winners = [
        a.shipments[0].node_id
        for a in oc.allocate(
            [order(f"o{i}", ("A", 1)) for i in range(3)], twins, inventory
        ).allocations
    ]
    assert winners == ["c", "a", "b"]


def test_no_orders_no_change() -> None:
    inventory = stock(berlin_A=1)
    result = oc.allocate([], network(), inventory)
    assert result.allocations == ()
    assert result.inventory == inventory
    assert result.fill_rate == 1.0
    assert result.total_cost == 0.0

"""Readable examples of ``reallocate``: what each rejection reason does, how pickup
orders wait for the customer, and the errors."""

from __future__ import annotations

import datetime as dt
import json

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
    Rejection,
    RejectionReason,
    ServiceLevel,
    StockPosition,
    UnfulfilledReason,
    reference,
)

STORE = Capability.SHIP | Capability.PICKUP | Capability.RECEIVE_TRANSFER
NOW = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.timezone.utc)
NETWORK = Network(
    nodes=[
        Node(
            id="dc",
            kind=NodeKind.DC,
            location=GeoPoint(lat=51.34, lon=12.37),
            capabilities=Capability.SHIP,
        ),
        Node(
            id="berlin",
            kind=NodeKind.STORE,
            location=GeoPoint(lat=52.52, lon=13.40),
            capabilities=STORE,
        ),
        Node(
            id="potsdam",
            kind=NodeKind.STORE,
            location=GeoPoint(lat=52.39, lon=13.06),
            capabilities=STORE,
        ),
    ],
    channels=[Channel(id="web", kind=ChannelKind.WEB)],
    costs=CostModel(
        rates={
            ServiceLevel.STANDARD: RateCard(base=5.0, per_km=0.02, per_unit=0.5),
            ServiceLevel.EXPRESS: RateCard(base=9.0, per_km=0.02, per_unit=0.5),
            ServiceLevel.SAME_DAY: RateCard(base=8.0, per_km=0.5, per_unit=0.3, max_km=40.0),
        },
        split_penalty=2.0,
    ),
)
STOCK = Inventory.from_positions(
    StockPosition(node_id=node, sku=sku, on_hand=units)
    for node, sku, units in [
        ("dc", "tee", 10),
        ("berlin", "tee", 2),
        ("berlin", "cap", 1),
        ("potsdam", "tee", 3),
        ("potsdam", "cap", 2),
    ]
)
HOME = GeoPoint(lat=52.50, lon=13.35)


def _order(**changes: object) -> Order:
    fields: dict[str, object] = {
        "id": "o1",
        "channel_id": "web",
        "lines": [OrderLine(sku="tee", quantity=2), OrderLine(sku="cap", quantity=1)],
        "destination": HOME,
    }
    fields.update(changes)
    return Order(**fields)  # type: ignore[arg-type]


def _reject(reason: RejectionReason, sku: str = "cap", node_id: str = "berlin") -> Rejection:
    return Rejection(order_id="o1", node_id=node_id, sku=sku, quantity=1, reason=reason)


def _placed(order: Order, **kwargs: object) -> oc.AllocationResult:
    result = oc.allocate([order], NETWORK, STOCK, **kwargs)  # type: ignore[arg-type]
    assert [s.node_id for s in result.allocations[0].shipments] == ["berlin"]
    return result


def test_not_found_writes_the_units_off_and_resources_them_elsewhere() -> None:
    order = _order()
    placed = _placed(order)
    result = oc.reallocate(
        [order],
        placed.allocations,
        [_reject(RejectionReason.NOT_FOUND)],
        NETWORK,
        placed.inventory,
    )
    allocation = result.allocations[0]
    kept, moved = allocation.shipments
    assert kept.node_id == "berlin"
    assert kept.lines == (OrderLine(sku="tee", quantity=2),)
    assert kept.cost == placed.allocations[0].shipments[0].cost  # as decided
    assert moved.node_id == "potsdam"
    assert moved.lines == (OrderLine(sku="cap", quantity=1),)
    assert allocation.split_penalty == 2.0
    assert result.orders[0].excluded_node_ids == {"berlin"}
    assert [(a.node_id, a.sku, a.quantity) for a in result.adjustments] == [("berlin", "cap", 1)]
    berlin_cap = result.inventory.position("berlin", "cap")
    assert berlin_cap is not None
    assert (berlin_cap.on_hand, berlin_cap.reserved) == (0, 0)
    assert result.inventory.available("berlin", "tee") == 0  # the tees stay reserved
    assert result == reference.reallocate(
        [order],
        placed.allocations,
        [_reject(RejectionReason.NOT_FOUND)],
        NETWORK,
        placed.inventory,
    )


def test_cancelled_units_stay_cancelled_when_the_rest_is_resourced() -> None:
    """One tee cancelled, then the cap rejected: the re-sourced allocation still
    records the cancelled tee, and only the cap moves."""
    order = _order()
    placed = _placed(order)
    one_tee = oc.Cancellation(order_id="o1", lines=[OrderLine(sku="tee", quantity=1)])
    cancelled = oc.cancel(placed.allocations, [one_tee], placed.inventory)
    result = oc.reallocate(
        [order],
        cancelled.allocations,
        [_reject(RejectionReason.NOT_FOUND)],
        NETWORK,
        cancelled.inventory,
    )
    (allocation,) = result.allocations
    assert allocation.cancelled == (OrderLine(sku="tee", quantity=1),)
    assert [(s.node_id, s.lines) for s in allocation.shipments] == [
        ("berlin", (OrderLine(sku="tee", quantity=1),)),
        ("potsdam", (OrderLine(sku="cap", quantity=1),)),
    ]
    assert result == reference.reallocate(
        [order],
        cancelled.allocations,
        [_reject(RejectionReason.NOT_FOUND)],
        NETWORK,
        cancelled.inventory,
    )


@pytest.mark.parametrize("reason", [RejectionReason.NO_CAPACITY, RejectionReason.OTHER])
def test_other_reasons_keep_the_stock(reason: RejectionReason) -> None:
    order = _order()
    placed = _placed(order)
    result = oc.reallocate(
        [order], placed.allocations, [_reject(reason)], NETWORK, placed.inventory
    )
    assert result.adjustments == ()
    assert result.inventory.available("berlin", "cap") == 1
    assert ("berlin" in result.full_node_ids) is (reason is RejectionReason.NO_CAPACITY)


def test_a_full_node_serves_nobody_for_the_rest_of_the_wave() -> None:
    order = _order()
    placed = _placed(order)
    result = oc.reallocate(
        [order],
        placed.allocations,
        [_reject(RejectionReason.NO_CAPACITY)],
        NETWORK,
        placed.inventory,
    )
    other = _order(id="o2", lines=[OrderLine(sku="tee", quantity=1)])
    later = oc.allocate([other], NETWORK, result.inventory, full_node_ids=result.full_node_ids)
    assert later.allocations[0].shipments[0].node_id != "berlin"
    assert later.full_node_ids == {"berlin"}


def test_an_order_that_may_not_split_moves_whole() -> None:
    order = _order(allow_split=False)
    placed = _placed(order)
    result = oc.reallocate(
        [order], placed.allocations, [_reject(RejectionReason.DAMAGED)], NETWORK, placed.inventory
    )
    (shipment,) = result.allocations[0].shipments
    assert shipment.node_id == "potsdam"
    assert shipment.units == 3
    assert result.inventory.available("berlin", "tee") == 2  # found, released, not written off


def test_a_rejected_pickup_waits_for_the_customer_with_alternatives() -> None:
    order = _order(
        method=FulfillmentMethod.PICKUP_IN_STORE, destination=None, pickup_node_id="berlin"
    )
    placed = _placed(order, now=NOW)
    result = oc.reallocate(
        [order],
        placed.allocations,
        [_reject(RejectionReason.NOT_FOUND)],
        NETWORK,
        placed.inventory,
        now=NOW,
    )
    allocation = result.allocations[0]
    assert allocation.shipments[0].lines == (OrderLine(sku="tee", quantity=2),)
    assert [(u.sku, u.reason) for u in allocation.unfulfilled] == [
        ("cap", UnfulfilledReason.AWAITING_CUSTOMER)
    ]
    options = result.alternatives["o1"]
    assert options
    assert all(o.method is not FulfillmentMethod.SHIP_TO_HOME for o in options)
    assert all("berlin" not in o.node_ids for o in options)
    chosen = next(o for o in options if o.method is FulfillmentMethod.SHIP_TO_STORE)
    new_order = Order.from_option(result.awaiting["o1"], chosen, order_id="o1-cap", placed_at=NOW)
    again = oc.allocate([new_order], NETWORK, result.inventory, now=NOW)
    assert again.allocations[0].shipments == chosen.shipments


def test_without_now_a_waiting_pickup_gets_a_note() -> None:
    order = _order(
        method=FulfillmentMethod.PICKUP_IN_STORE, destination=None, pickup_node_id="berlin"
    )
    placed = _placed(order)
    result = oc.reallocate(
        [order], placed.allocations, [_reject(RejectionReason.OTHER)], NETWORK, placed.inventory
    )
    assert result.alternatives == {}
    assert any("no now" in note for note in result.notes)


def test_orders_without_rejections_stay_as_they_were() -> None:
    order, other = _order(), _order(id="o2", lines=[OrderLine(sku="tee", quantity=1)])
    placed = oc.allocate([order, other], NETWORK, STOCK)
    result = oc.reallocate(
        [order, other],
        placed.allocations,
        [_reject(RejectionReason.OTHER)],
        NETWORK,
        placed.inventory,
    )
    assert result.allocations[1] == placed.allocations[1]
    assert result.orders[1] == other


def test_errors_name_the_field() -> None:
    order = _order()
    placed = _placed(order)
    args = (NETWORK, placed.inventory)
    with pytest.raises(oc.UnknownReferenceError, match=r"rejections\[0\]\.order_id"):
        oc.reallocate(
            [order],
            placed.allocations,
            [
                Rejection(
                    order_id="nope",
                    node_id="berlin",
                    sku="cap",
                    quantity=1,
                    reason=RejectionReason.OTHER,
                )
            ],
            *args,
        )
    with pytest.raises(oc.UnknownReferenceError, match=r"rejections\[0\]\.node_id"):
        oc.reallocate(
            [order], placed.allocations, [_reject(RejectionReason.OTHER, node_id="x")], *args
        )
    with pytest.raises(oc.InvalidInputError, match=r"rejections\[0\]\.quantity"):
        oc.reallocate(
            [order], placed.allocations, [_reject(RejectionReason.OTHER, node_id="dc")], *args
        )
    with pytest.raises(oc.InvalidInputError, match=r"allocations\[0\]\.order_id"):
        oc.reallocate([_order(id="o9")], placed.allocations, [], *args)
    with pytest.raises(oc.InvalidInputError, match=r"^allocations"):
        oc.reallocate([order], [], [], *args)
    with pytest.raises(oc.InvalidInputError, match=r"rejections\[0\]"):
        oc.reallocate([order], placed.allocations, ["cap"], *args)  # type: ignore[list-item]
    with pytest.raises(oc.InvalidInputError, match=r"^rejections"):
        oc.reallocate([order], placed.allocations, 3, *args)  # type: ignore[arg-type]
    with pytest.raises(oc.InvalidInputError, match="quantity"):
        Rejection(
            order_id="o1", node_id="berlin", sku="cap", quantity=0, reason=RejectionReason.OTHER
        )
    with pytest.raises(oc.InvalidInputError, match="reason"):
        Rejection(order_id="o1", node_id="berlin", sku="cap", quantity=1, reason="lost")  # type: ignore[arg-type]


def test_results_and_rejections_round_trip_through_json() -> None:
    from omnichannel.serialization import from_dict, to_dict

    order = _order(
        method=FulfillmentMethod.PICKUP_IN_STORE, destination=None, pickup_node_id="berlin"
    )
    placed = _placed(order, now=NOW)
    found = [_reject(RejectionReason.NOT_FOUND)]
    result = oc.reallocate([order], placed.allocations, found, NETWORK, placed.inventory, now=NOW)
    for value in (result, found[0], result.adjustments[0], result.orders[0]):
        assert from_dict(type(value), json.loads(json.dumps(to_dict(value)))) == value

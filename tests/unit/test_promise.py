"""Promise at checkout: the values, a worked cart, and bad calls named by their path."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import omnichannel as oc
from omnichannel import reference
from omnichannel._domain.enums import DELIVERED_METHODS
from omnichannel._domain.promise import OFFERED
from omnichannel.serialization import from_dict, to_dict

BERLIN = oc.GeoPoint(lat=52.52, lon=13.405)
HOURS = oc.NodeCalendar.every_day("Europe/Berlin", dt.time(8), dt.time(20))
NOW = dt.datetime(2026, 6, 2, 9, 0, tzinfo=dt.timezone.utc)  # a Tuesday, 11:00 in Berlin


def _network() -> oc.Network:
    ship = oc.Capability.SHIP
    return oc.Network(
        nodes=[
            oc.Node(
                id="dc",
                kind=oc.NodeKind.DC,
                location=oc.GeoPoint(lat=52.3, lon=13.6),
                capabilities=ship | oc.Capability.SAME_DAY,
                calendar=HOURS,
            ),
            oc.Node(
                id="store",
                kind=oc.NodeKind.STORE,
                location=oc.GeoPoint(lat=52.52, lon=13.41),
                capabilities=ship | oc.Capability.PICKUP | oc.Capability.RECEIVE_TRANSFER,
                calendar=HOURS,
            ),
            oc.Node(
                id="point",
                kind=oc.NodeKind.PICKUP_POINT,
                location=oc.GeoPoint(lat=52.5, lon=13.4),
                capabilities=oc.Capability(0),
                calendar=HOURS,
            ),
        ],
        channels=[oc.Channel(id="web", kind=oc.ChannelKind.WEB)],
    )


NETWORK = _network()
STOCK = oc.Inventory.from_positions(
    [
        oc.StockPosition(node_id="dc", sku="A", on_hand=10),
        oc.StockPosition(node_id="store", sku="A", on_hand=2),
    ]
)


def cart(cart_id: str = "c1", **fields: Any) -> oc.Cart:
    values: dict[str, Any] = {
        "channel_id": "web",
        "lines": [oc.OrderLine(sku="A", quantity=1)],
        "destination": BERLIN,
    }
    values.update(fields)
    return oc.Cart(id=cart_id, **values)


def test_a_cart_gets_an_option_per_method_and_nothing_is_reserved() -> None:
    (found,) = oc.promise([cart()], NETWORK, STOCK, now=NOW)
    groups = {(o.method, o.service_level, o.pickup_node_id) for o in found.options}
    method = oc.FulfillmentMethod
    assert (method.PICKUP_IN_STORE, oc.ServiceLevel.STANDARD, "store") in groups
    assert (method.PICKUP_POINT, oc.ServiceLevel.STANDARD, "point") in groups
    assert (method.SHIP_TO_HOME, oc.ServiceLevel.EXPRESS, None) in groups
    assert (method.SAME_DAY, oc.ServiceLevel.SAME_DAY, None) in groups
    keys = [(o.delivered_by, o.cost) for o in found.options]
    assert keys == sorted(keys)
    assert all(o.complete for o in found.options)
    assert STOCK.available("store", "A") == 2  # the snapshot is a value: still all there
    assert found == reference.promise([cart()], NETWORK, STOCK, now=NOW)[0]


def test_a_faster_option_is_offered_when_it_costs_more() -> None:
    """The store ships today's express only at a price; with the DC's stock ready
    later, home delivery offers both."""
    slow = oc.NodeCalendar.every_day(
        "Europe/Berlin", dt.time(8), dt.time(20), processing=dt.timedelta(hours=30)
    )
    nodes = [
        oc.Node(
            id="far-dc",
            kind=oc.NodeKind.DC,
            location=oc.GeoPoint(lat=52.0, lon=13.0),
            capabilities=oc.Capability.SHIP,
            calendar=slow,
        ),
        oc.Node(
            id="store",
            kind=oc.NodeKind.STORE,
            location=oc.GeoPoint(lat=52.52, lon=13.41),
            capabilities=oc.Capability.SHIP,
            calendar=HOURS,
            handling_cost_per_order=20.0,
        ),
    ]
    network = oc.Network(nodes=nodes, channels=[oc.Channel(id="web", kind=oc.ChannelKind.WEB)])
    stock = oc.Inventory.from_positions(
        [
            oc.StockPosition(node_id="far-dc", sku="A", on_hand=5),
            oc.StockPosition(node_id="store", sku="A", on_hand=5),
        ]
    )
    (found,) = oc.promise([cart()], network, stock, now=NOW)
    standard = [
        o
        for o in found.options
        if (o.method, o.service_level)
        == (oc.FulfillmentMethod.SHIP_TO_HOME, oc.ServiceLevel.STANDARD)
    ]
    assert [sorted(o.node_ids) for o in standard] == [["store"], ["far-dc"]]
    assert standard[0].delivered_by < standard[1].delivered_by
    assert standard[0].cost > standard[1].cost
    (only,) = oc.promise([cart()], network, stock, now=NOW, per_method=1)
    assert [
        sorted(o.node_ids) for o in only.options if o.service_level is oc.ServiceLevel.STANDARD
    ] == [["far-dc"]]


def test_a_cart_without_destination_or_pickup_nodes_gets_no_option() -> None:
    (found,) = oc.promise([cart(destination=None)], NETWORK, STOCK, now=NOW)
    assert found.options == ()


def test_pickup_nodes_named_by_the_cart_are_the_only_ones() -> None:
    (found,) = oc.promise([cart(pickup_node_ids=["point"])], NETWORK, STOCK, now=NOW)
    assert {o.pickup_node_id for o in found.options} == {None, "point"}


def test_a_short_cart_gets_partial_options() -> None:
    big = cart(lines=[oc.OrderLine(sku="A", quantity=3), oc.OrderLine(sku="B", quantity=1)])
    (found,) = oc.promise([big], NETWORK, STOCK, now=NOW)
    assert found.options
    assert not any(o.complete for o in found.options)


def test_from_option_copies_the_cart_and_pins_the_option() -> None:
    basket = cart(priority=2, allow_split=False)
    (found,) = oc.promise([basket], NETWORK, STOCK, now=NOW)
    option = found.options[0]
    order = oc.Order.from_option(basket, option, order_id="o1", placed_at=NOW)
    assert (order.id, order.channel_id, order.lines) == ("o1", "web", basket.lines)
    assert (order.priority, order.allow_split, order.placed_at) == (2, False, NOW)
    assert (order.method, order.service_level) == (option.method, option.service_level)
    assert order.pickup_node_id == option.pickup_node_id
    assert order.deliver_by == option.delivered_by
    assert order.allowed_node_ids == option.node_ids


def test_from_option_refuses_what_is_no_cart_option_or_id() -> None:
    basket = cart()
    option = oc.promise([basket], NETWORK, STOCK, now=NOW)[0].options[0]
    with pytest.raises(oc.InvalidInputError, match=r"^cart: must be Cart, got NoneType"):
        oc.Order.from_option(None, option, order_id="o1", placed_at=NOW)  # type: ignore[arg-type]
    with pytest.raises(oc.InvalidInputError, match=r"^option: must be FulfillmentOption"):
        oc.Order.from_option(basket, None, order_id="o1", placed_at=NOW)  # type: ignore[arg-type]
    with pytest.raises(oc.InvalidInputError, match=r"^order_id: must be a non-empty string"):
        oc.Order.from_option(basket, option, order_id=None, placed_at=NOW)  # type: ignore[arg-type]


def test_from_option_refuses_an_option_of_another_cart() -> None:
    option = oc.promise([cart()], NETWORK, STOCK, now=NOW)[0].options[0]
    other = cart("c2", lines=[oc.OrderLine(sku="B", quantity=1)])
    with pytest.raises(oc.InvalidInputError, match=r"^option\.shipments\[0\]\.lines\[0\]: "):
        oc.Order.from_option(other, option, order_id="o1", placed_at=NOW)


@pytest.mark.parametrize("promise", [oc.promise, reference.promise])
def test_a_network_without_nodes_offers_nothing(promise: Any) -> None:
    empty = oc.Network(nodes=[], channels=[oc.Channel(id="web", kind=oc.ChannelKind.WEB)])
    found = promise([cart()], empty, oc.Inventory.from_positions([]), now=NOW)
    assert found == (oc.Promise(cart_id="c1", options=()),)


@pytest.mark.parametrize("promise", [oc.promise, reference.promise])
@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"now": NOW.replace(tzinfo=None)}, oc.InvalidInputError, "^now: must be timezone-aware"),
        ({"now": "today"}, oc.InvalidInputError, "^now: must be an aware datetime"),
        (
            {"now": NOW, "per_method": 0},
            oc.InvalidInputError,
            r"^per_method: must be an int in \[1",
        ),
        ({"now": NOW, "per_method": True}, oc.InvalidInputError, "^per_method: "),
        ({"now": NOW, "per_method": 10**13}, oc.InvalidInputError, "^per_method: "),
        ({"now": NOW, "daily_used": {"ghost": {}}}, oc.UnknownReferenceError, "daily_used"),
        ({"now": NOW, "capacity_used": {"dc": -1}}, oc.InvalidInputError, "capacity_used"),
    ],
)
def test_bad_arguments(promise: Any, kwargs: dict[str, Any], error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        promise([cart()], NETWORK, STOCK, **kwargs)


@pytest.mark.parametrize("promise", [oc.promise, reference.promise])
def test_now_is_required(promise: Any) -> None:
    with pytest.raises(TypeError, match="now"):
        promise([cart()], NETWORK, STOCK)


UTC = dt.timezone.utc
LAST_NOW = dt.datetime(9000, 11, 1, 23, 59, tzinfo=UTC)  # 60 days before the end of 9000
CALLS = {  # what each call decides, from the engine's or the reference's function
    "promise": lambda fn, now: fn([cart()], NETWORK, STOCK, now=now)[0].options,
    "availability": lambda fn, now: (
        fn(["A"], NETWORK, STOCK, channel_id="web", near=BERLIN, radius_km=50.0, now=now)[0].nodes
    ),
    "allocate": lambda fn, now: (
        fn([cart().as_order(**ORDER_AS)], NETWORK, STOCK, now=now).allocations[0].shipments
    ),
}
ORDER_AS: dict[str, Any] = {
    "order_id": "o",
    "method": oc.FulfillmentMethod.SHIP_TO_HOME,
    "service_level": oc.ServiceLevel.STANDARD,
    "pickup_node_id": None,
}


@pytest.mark.parametrize("call", sorted(CALLS))
@pytest.mark.parametrize(
    "now",
    [
        dt.datetime(9000, 12, 31, 23, 59, tzinfo=UTC),
        LAST_NOW + dt.timedelta(minutes=1),
        LAST_NOW + dt.timedelta(seconds=1),  # rounds up past the last minute
        dt.datetime(1900, 1, 1, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=1))),  # 1899 in UTC
    ],
    ids=str,
)
def test_a_now_whose_dates_leave_the_years_is_named_now(call: str, now: dt.datetime) -> None:
    for fn in (getattr(oc, call), getattr(reference, call)):
        with pytest.raises(oc.InvalidInputError) as caught:
            CALLS[call](fn, now)
        assert str(caught.value) == (
            "now: must be from 1900-01-01T00:00:00+00:00 to 9000-11-01T23:59:00+00:00, so "
            "that every date worked out from it (up to 60 days later, in UTC) falls in the "
            f"years 1900 to 9000, got {now.isoformat()}"
        )


@pytest.mark.parametrize("call", sorted(CALLS))
@pytest.mark.parametrize(
    "now", [LAST_NOW, dt.datetime(1900, 1, 1, tzinfo=UTC), dt.datetime(1900, 1, 2, tzinfo=UTC)]
)
def test_a_now_at_the_edge_of_the_years_decides(call: str, now: dt.datetime) -> None:
    found = CALLS[call](getattr(oc, call), now)
    assert found
    assert found == CALLS[call](getattr(reference, call), now)


@pytest.mark.parametrize("promise", [oc.promise, reference.promise])
@pytest.mark.parametrize(
    ("carts", "error", "path"),
    [
        ([cart(), cart("c2", channel_id="fax")], oc.UnknownReferenceError, "carts[1].channel_id"),
        (
            [cart(pickup_node_ids=["store", "ghost"])],
            oc.UnknownReferenceError,
            "carts[0].pickup_node_ids[1]",
        ),
        ([cart(), cart()], oc.InvalidInputError, "carts[1].id"),
        ([cart(), "c2"], oc.InvalidInputError, "carts[1]"),
    ],
)
def test_bad_carts_are_named_by_their_path(
    promise: Any, carts: list[Any], error: type, path: str
) -> None:
    with pytest.raises(error) as caught:
        promise(carts, NETWORK, STOCK, now=NOW)
    assert str(caught.value).startswith(f"{path}:")


@pytest.mark.parametrize("promise", [oc.promise, reference.promise])
def test_a_sku_missing_from_the_catalogue_is_unknown(promise: Any) -> None:
    network = oc.Network(
        nodes=NETWORK.nodes,
        channels=NETWORK.channels,
        catalogue=oc.Catalogue(products=[oc.Product(sku="A", weight_kg=1.0)]),
    )
    basket = cart(lines=[oc.OrderLine(sku="A", quantity=1), oc.OrderLine(sku="Z", quantity=1)])
    with pytest.raises(oc.UnknownReferenceError) as caught:
        promise([basket], network, STOCK, now=NOW)
    assert str(caught.value) == (
        "carts[0].lines[1].sku: cart 'c1' holds 'Z', which is not in the catalogue"
    )


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        ({"lines": []}, "lines"),
        ({"lines": [oc.OrderLine(sku="A", quantity=1)] * 2}, "lines[1].sku"),
        ({"pickup_node_ids": ["store", "store"]}, "pickup_node_ids[1]"),
        ({"pickup_node_ids": ["store", ""]}, "pickup_node_ids[1]"),
        ({"pickup_node_ids": "store"}, "pickup_node_ids"),
        ({"destination": (52.5, 13.4)}, "destination"),
        ({"priority": -(10**13)}, "priority"),
        ({"allow_split": 1}, "allow_split"),
    ],
)
def test_bad_cart_fields_are_named(fields: dict[str, Any], path: str) -> None:
    with pytest.raises(oc.InvalidInputError) as caught:
        cart(**fields)
    assert str(caught.value).startswith(f"{path}:")


@pytest.mark.parametrize("ids", [{"store", "point", "dc"}, frozenset({"store", "point", "dc"})])
def test_pickup_nodes_given_as_a_set_are_refused_not_read_in_hash_order(ids: Any) -> None:
    with pytest.raises(oc.InvalidInputError) as caught:
        cart(pickup_node_ids=ids)
    assert str(caught.value) == (
        f"pickup_node_ids: must be a list or tuple of ids in the order meant, got a "
        f"{type(ids).__name__}, whose order changes from run to run; pass sorted(...): "
        "['dc', 'point', 'store']"
    )


def test_pickup_nodes_keep_the_order_given() -> None:
    assert cart(pickup_node_ids=["store", "point"]).pickup_node_ids == ("store", "point")
    assert cart(pickup_node_ids=iter(["point", "store"])).pickup_node_ids == ("point", "store")
    keys = dict.fromkeys(["store", "dc"]).keys()  # a set-like view, but ordered
    assert cart(pickup_node_ids=keys).pickup_node_ids == ("store", "dc")


def test_every_bad_pickup_node_id_is_named() -> None:
    with pytest.raises(oc.InvalidInputError) as caught:
        cart(pickup_node_ids=["store", "", 3, "store"])
    assert caught.value.problems == (
        ("pickup_node_ids[1]", "must be a non-empty string, got ''"),
        ("pickup_node_ids[2]", "must be a non-empty string, got 3"),
        ("pickup_node_ids[3]", "duplicate of pickup_node_ids[0]: 'store'"),
    )


def _option(**fields: Any) -> oc.FulfillmentOption:
    shipment = oc.Shipment(
        node_id="dc",
        lines=[oc.OrderLine(sku="A", quantity=1)],
        distance_km=10.0,
        cost=5.0,
        ready_at=NOW,
        delivered_by=NOW + dt.timedelta(hours=12),
    )
    values: dict[str, Any] = {
        "method": oc.FulfillmentMethod.SHIP_TO_HOME,
        "service_level": oc.ServiceLevel.STANDARD,
        "pickup_node_id": None,
        "shipments": [shipment],
        "delivered_by": NOW + dt.timedelta(hours=12),
        "cost": 5,
        "complete": True,
    }
    values.update(fields)
    return oc.FulfillmentOption(**values)


def test_an_option_is_consistent() -> None:
    assert _option().cost == 5.0
    assert _option().node_ids == frozenset({"dc"})


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        ({"pickup_node_id": "store"}, "pickup_node_id"),
        ({"method": oc.FulfillmentMethod.PICKUP_POINT}, "pickup_node_id"),
        ({"delivered_by": NOW}, "delivered_by"),
        ({"delivered_by": dt.datetime(2026, 6, 2, 21)}, "delivered_by"),
        ({"shipments": []}, "shipments"),
        ({"cost": -1.0}, "cost"),
        ({"complete": "yes"}, "complete"),
        (
            {
                "shipments": [
                    oc.Shipment(
                        node_id="dc",
                        lines=[oc.OrderLine(sku="A", quantity=1)],
                        distance_km=1.0,
                        cost=1.0,
                    )
                ]
            },
            "shipments[0]",
        ),
    ],
)
def test_bad_option_fields_are_named(fields: dict[str, Any], path: str) -> None:
    with pytest.raises(oc.InvalidInputError) as caught:
        _option(**fields)
    assert str(caught.value).startswith(f"{path}:")


PAIRS = [(m, level) for m in oc.FulfillmentMethod for level in oc.ServiceLevel]


@pytest.mark.parametrize(("method", "level"), PAIRS, ids=lambda x: x.name)
def test_an_option_has_a_method_and_level_promise_offers(
    method: oc.FulfillmentMethod, level: oc.ServiceLevel
) -> None:
    pickup = None if method in DELIVERED_METHODS else "store"
    if (method, level) in OFFERED:
        assert _option(method=method, service_level=level, pickup_node_id=pickup)
        return
    with pytest.raises(oc.InvalidInputError) as caught:
        _option(method=method, service_level=level, pickup_node_id=pickup)
    levels = " or ".join(lv.name for m, lv in OFFERED if m is method)
    assert str(caught.value) == (
        f"service_level: must be {levels} for {method.name} (promise offers no other), "
        f"got {level.name}"
    )


def test_promise_makes_only_offered_pairs() -> None:
    (found,) = oc.promise([cart()], NETWORK, STOCK, now=NOW)
    assert {(o.method, o.service_level) for o in found.options} <= set(OFFERED)


def _dated(hours: int, cost: float, **fields: Any) -> oc.FulfillmentOption:
    when = NOW + dt.timedelta(hours=hours)
    shipment = oc.Shipment(
        node_id="dc",
        lines=[oc.OrderLine(sku="A", quantity=1)],
        distance_km=10.0,
        cost=cost,
        ready_at=NOW,
        delivered_by=when,
    )
    return _option(shipments=[shipment], delivered_by=when, cost=cost, **fields)


def test_a_promise_keeps_its_options_in_order() -> None:
    early, late = _dated(12, 5.0), _dated(36, 2.0)
    assert oc.Promise(cart_id="c1", options=[early, late]).options == (early, late)
    cheap, dear = _dated(12, 2.0), _dated(12, 5.0)
    express = _dated(12, 2.0, service_level=oc.ServiceLevel.EXPRESS)
    # Ties of (delivered_by, cost) are not judged: the documented order is only those.
    assert oc.Promise(cart_id="c1", options=[express, cheap, dear])
    with pytest.raises(oc.InvalidInputError) as caught:
        oc.Promise(cart_id="c1", options=[late, early, dear, cheap])
    assert [path for path, _ in caught.value.problems] == ["options[1]", "options[3]"]
    assert str(caught.value).startswith(
        "options[1]: out of order: options are sorted by (delivered_by, cost), and "
        "(2026-06-02T21:00:00+00:00, 5.0) sorts before options[0]'s "
        "(2026-06-03T21:00:00+00:00, 2.0)"
    )


def test_options_out_of_order_are_refused_by_from_dict() -> None:
    (found,) = oc.promise([cart()], NETWORK, STOCK, now=NOW)
    data = to_dict(found)
    data["options"].reverse()
    with pytest.raises(oc.InvalidInputError) as caught:
        from_dict(oc.Promise, data)
    assert caught.value.problems[0][0] == "options[1]"
    option = to_dict(found.options[0])
    option["service_level"] = "express" if option["pickup_node_id"] else "same_day"
    with pytest.raises(oc.InvalidInputError, match=r"^options\[0\]\.service_level: must be "):
        from_dict(oc.Promise, {"cart_id": "c1", "options": [option]})


def test_the_state_given_is_left_as_it_was() -> None:
    capacity_used = {"dc": 1}
    daily_used = {"dc": {dt.date(2026, 6, 2): 2}}
    positions = STOCK.positions()
    oc.promise(
        [cart(), cart("c2", pickup_node_ids=["store"])],
        NETWORK,
        STOCK,
        now=NOW,
        capacity_used=capacity_used,
        daily_used=daily_used,
    )
    assert capacity_used == {"dc": 1}
    assert daily_used == {"dc": {dt.date(2026, 6, 2): 2}}
    assert STOCK.positions() == positions


def test_carts_do_not_compete_for_stock() -> None:
    """Each cart sees the whole state: two carts may both be promised the last unit."""
    short = oc.Inventory.from_positions([oc.StockPosition(node_id="store", sku="A", on_hand=1)])
    first, second = oc.promise([cart(), cart("c2")], NETWORK, short, now=NOW, per_method=1)
    assert first.options == second.options != ()


def test_availability_lists_the_stores_near_a_point_that_can_hand_a_sku_over() -> None:
    found = oc.availability(
        ["A", "B"], NETWORK, STOCK, channel_id="web", near=BERLIN, radius_km=50.0, now=NOW
    )
    assert [a.sku for a in found] == ["A", "B"]
    (store,) = found[0].nodes  # the DC cannot hand over in store, the point holds no stock
    assert (store.node_id, store.available) == ("store", 2)
    assert store.ready_at == NOW  # open, no processing time
    assert store.distance_km < 1.0
    assert found[1].nodes == ()
    far = oc.availability(
        ["A"], NETWORK, STOCK, channel_id="web", near=BERLIN, radius_km=0.1, now=NOW
    )
    assert far[0].nodes == ()
    assert found == reference.availability(
        ["A", "B"], NETWORK, STOCK, channel_id="web", near=BERLIN, radius_km=50.0, now=NOW
    )


def test_availability_leaves_out_stores_that_cannot_have_it_ready_or_take_no_order() -> None:
    import attrs

    full = attrs.evolve(HOURS, daily_capacity=0)  # never a free day: never ready
    closed = oc.Network(
        nodes=[attrs.evolve(n, calendar=full) if n.id == "store" else n for n in NETWORK.nodes],
        channels=NETWORK.channels,
    )
    no_orders = oc.Network(
        nodes=[attrs.evolve(n, order_capacity=0) if n.id == "store" else n for n in NETWORK.nodes],
        channels=NETWORK.channels,
    )
    for network in (closed, no_orders):
        question = {"channel_id": "web", "near": BERLIN, "radius_km": 50.0, "now": NOW}
        found = oc.availability(["A"], network, STOCK, **question)  # type: ignore[arg-type]
        assert found[0].nodes == ()
        assert found == reference.availability(["A"], network, STOCK, **question)  # type: ignore[arg-type]


@pytest.mark.parametrize("availability", [oc.availability, reference.availability])
@pytest.mark.parametrize(
    ("skus", "kwargs", "error", "path"),
    [
        (["A"], {"now": NOW.replace(tzinfo=None)}, oc.InvalidInputError, "now"),
        (["A"], {"channel_id": "fax"}, oc.UnknownReferenceError, "channel_id"),
        (["A"], {"radius_km": -1.0}, oc.InvalidInputError, "radius_km"),
        (["A"], {"radius_km": float("nan")}, oc.InvalidInputError, "radius_km"),
        (["A"], {"near": (52.5, 13.4)}, oc.InvalidInputError, "near"),
        (["A", "A"], {}, oc.InvalidInputError, "skus[1]"),
        (["A", ""], {}, oc.InvalidInputError, "skus[1]"),
        ("A", {}, oc.InvalidInputError, "skus"),
        (["Z"], {"daily_used": {"ghost": {}}}, oc.UnknownReferenceError, "daily_used['ghost']"),
    ],
)
def test_bad_availability_questions_are_named(
    availability: Any, skus: Any, kwargs: dict[str, Any], error: type, path: str
) -> None:
    question: dict[str, Any] = {
        "channel_id": "web",
        "near": BERLIN,
        "radius_km": 10.0,
        "now": NOW,
        **kwargs,
    }
    with pytest.raises(error) as caught:
        availability(skus, NETWORK, STOCK, **question)
    assert str(caught.value).startswith(f"{path}:")

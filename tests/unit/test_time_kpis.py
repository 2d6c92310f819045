"""The time figures of a simulated day (``time_kpis``), on hand-built allocations whose
dates give exact answers, and None wherever the feature is off."""

import datetime as dt
import json

import attrs
import pytest

from omnichannel import UnknownReferenceError
from omnichannel._domain.calendar import NodeCalendar
from omnichannel._domain.decisions import (
    Allocation,
    Shipment,
    UnfulfilledLine,
    UnfulfilledReason,
)
from omnichannel._domain.enums import ChannelKind, FulfillmentMethod, NodeKind, ServiceLevel
from omnichannel._domain.geo import GeoPoint
from omnichannel._domain.network import Channel, Network, Node
from omnichannel._domain.orders import Order, OrderLine
from omnichannel.simulation import DayKpis
from omnichannel.simulation._kpis import (
    CHECKOUT_KPIS,
    PARCEL_KPIS,
    REJECTION_KPIS,
    STOCK_KPIS,
    TIME_KPIS,
    time_kpis,
)

UTC = dt.timezone.utc
T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday, 08:00 UTC
HOME = GeoPoint(lat=48.85, lon=2.35)
LINE = OrderLine(sku="A", quantity=1)
M = FulfillmentMethod
S = ServiceLevel


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """2026-03-<day> hour:minute, UTC."""
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def order(
    order_id: str,
    method: FulfillmentMethod = M.SHIP_TO_HOME,
    level: ServiceLevel = S.STANDARD,
    *,
    placed_at: dt.datetime | None = T0,
    deliver_by: dt.datetime | None = None,
) -> Order:
    delivered = method in (M.SHIP_TO_HOME, M.SAME_DAY)
    return Order(
        id=order_id,
        channel_id="web",
        lines=[LINE],
        method=method,
        destination=HOME if delivered else None,
        pickup_node_id=None if delivered else "store",
        service_level=level,
        placed_at=placed_at,
        deliver_by=deliver_by,
    )


def shipment(
    delivered_by: dt.datetime | None,
    ready_at: dt.datetime | None = None,
    node_id: str = "dc",
) -> Shipment:
    return Shipment(
        node_id=node_id,
        lines=[LINE],
        distance_km=10.0,
        cost=5.0,
        ready_at=delivered_by if ready_at is None else ready_at,
        delivered_by=delivered_by,
    )


def allocation(order_id: str, *shipments: Shipment, short: bool = False) -> Allocation:
    missing = [UnfulfilledLine(sku="B", quantity=1, reason=UnfulfilledReason.OUT_OF_STOCK)]
    return Allocation(order_id=order_id, shipments=shipments, unfulfilled=missing if short else [])


DAY = [
    # order, its allocation; lead minutes from placed_at to the latest delivered_by
    (  # on time: 3779 min
        order("home-on-time", deliver_by=at(5, 8)),
        allocation("home-on-time", shipment(at(4, 22, 59))),
    ),
    (  # one of two shipments after the promise: late; 2279 min
        order("home-late", placed_at=T0 + dt.timedelta(hours=1), deliver_by=at(3, 8)),
        allocation("home-late", shipment(at(3, 7)), shipment(at(3, 22, 59))),
    ),
    (  # partial: neither on time nor express met; 2339 min
        order("home-partial", level=S.EXPRESS, deliver_by=at(4, 0)),
        allocation("home-partial", shipment(at(3, 22, 59)), short=True),
    ),
    (  # not served: late, and no lead time
        order("home-unserved", deliver_by=at(9, 0)),
        allocation("home-unserved", short=True),
    ),
    (  # same day, met: 899 min
        order("same-day", M.SAME_DAY, S.SAME_DAY),
        allocation("same-day", shipment(at(2, 22, 59))),
    ),
    (  # express, next day, met: 2339 min
        order("express", level=S.EXPRESS),
        allocation("express", shipment(at(3, 22, 59))),
    ),
    (  # pickup ready in 90 min, promised 4 h
        order("pickup-fast", M.PICKUP_IN_STORE, deliver_by=T0 + dt.timedelta(hours=4)),
        allocation("pickup-fast", shipment(T0 + dt.timedelta(minutes=90), node_id="store")),
    ),
    (  # pickup ready in 121 min
        order("pickup-slow", M.PICKUP_IN_STORE),
        allocation("pickup-slow", shipment(T0 + dt.timedelta(minutes=121), node_id="store")),
    ),
    (  # pickup ready in exactly 2 h: within
        order("pickup-2h", M.PICKUP_IN_STORE),
        allocation("pickup-2h", shipment(T0 + dt.timedelta(hours=2), node_id="store")),
    ),
    (  # no placed_at: counts for on time only
        order("unplaced", placed_at=None, deliver_by=at(6, 0)),
        allocation("unplaced", shipment(at(5, 22, 59))),
    ),
]


def figures(
    rows: list[tuple[Order, Allocation]] = DAY, network: Network | None = None
) -> dict[str, float | None]:
    return time_kpis([o for o, _ in rows], [a for _, a in rows], network)


def test_figures_of_a_hand_built_day() -> None:
    found = figures()
    assert list(found) == list(TIME_KPIS)
    assert found["on_time_rate"] == 3 / 6
    assert found["lead_hours_ship_to_home"] == pytest.approx((3779 + 2279 + 2339 + 2339) / 4 / 60)
    assert found["lead_hours_pickup_in_store"] == pytest.approx((90 + 121 + 120) / 3 / 60)
    assert found["lead_hours_same_day"] == pytest.approx(899 / 60)
    assert found["lead_hours_ship_to_store"] is None
    assert found["lead_hours_pickup_point"] is None
    assert found["express_met"] == 2 / 3
    assert found["ready_within_2h"] == 2 / 3


def test_allocations_are_matched_to_orders_by_id_not_position() -> None:
    orders = [o for o, _ in DAY]
    allocations = [a for _, a in DAY]
    assert time_kpis(orders[::-1], allocations) == figures()


def test_readiness_is_read_from_ready_at() -> None:
    slow_pick = shipment(T0 + dt.timedelta(hours=3), ready_at=T0 + dt.timedelta(hours=3))
    rows = [(order("p", M.PICKUP_IN_STORE), allocation("p", slow_pick))]
    assert figures(rows)["ready_within_2h"] == 0.0
    early = attrs.evolve(slow_pick, ready_at=T0 + dt.timedelta(minutes=30))
    assert figures([(rows[0][0], allocation("p", early))])["ready_within_2h"] == 1.0


def test_fast_orders_count_local_dates_of_the_shipping_node() -> None:
    # Placed at 00:30 and delivered by 23:59 on 3 March in Paris; in UTC, 2 and 3 March.
    placed = at(2, 23, 30)
    rows = [
        (
            order("late-night", M.SAME_DAY, S.SAME_DAY, placed_at=placed),
            allocation("late-night", shipment(at(3, 22, 59), node_id="dark")),
        )
    ]
    assert figures(rows)["express_met"] == 0.0
    paris = NodeCalendar.every_day("Europe/Paris", dt.time(0), dt.time(0))
    network = Network(
        nodes=[Node(id="dark", kind=NodeKind.DARK_STORE, location=HOME, calendar=paris)],
        channels=[Channel(id="web", kind=ChannelKind.WEB)],
    )
    assert figures(rows, network)["express_met"] == 1.0
    undated_node = Network(
        nodes=[Node(id="dark", kind=NodeKind.DARK_STORE, location=HOME)],
        channels=network.channels,
    )
    assert figures(rows, undated_node)["express_met"] == 0.0


def test_everything_is_none_without_dated_shipments() -> None:
    undated = [
        (
            o,
            attrs.evolve(
                a,
                shipments=[attrs.evolve(s, delivered_by=None, ready_at=None) for s in a.shipments],
            ),
        )
        for o, a in DAY
    ]
    assert figures(undated) == dict.fromkeys(TIME_KPIS)
    assert figures([]) == dict.fromkeys(TIME_KPIS)


def test_each_figure_is_none_without_the_orders_it_needs() -> None:
    unpromised = [(attrs.evolve(o, deliver_by=None), a) for o, a in DAY]
    found = figures(unpromised)
    assert found["on_time_rate"] is None
    assert found["express_met"] == 2 / 3
    unplaced = figures([(attrs.evolve(o, placed_at=None), a) for o, a in DAY])
    assert unplaced["on_time_rate"] == 3 / 6
    assert {name: unplaced[name] for name in TIME_KPIS if name != "on_time_rate"} == dict.fromkeys(
        name for name in TIME_KPIS if name != "on_time_rate"
    )


def test_an_allocation_of_an_unknown_order_is_refused() -> None:
    with pytest.raises(UnknownReferenceError, match=r"allocations\[0\]\.order_id"):
        time_kpis([], [DAY[0][1]])


def test_day_kpis_take_the_figures_and_default_to_none() -> None:
    base = {
        "name": "x",
        "orders": 1,
        "cost_per_order": 1.0,
        "shipping_cost": 1.0,
        "handling_cost": 0.0,
        "splits_per_order": 0.0,
        "fill_rate": 1.0,
        "mean_distance_km": 1.0,
        "service_level_met": 1.0,
        "stores_below_safety": 0,
        "return_lines": 0,
        "return_value_recovered": 0.0,
        "return_net_value": 0.0,
        "decisions_per_second": 1.0,
        "engine_seconds": 1.0,
    }
    plain = DayKpis(**base)  # type: ignore[arg-type]
    names = [field.name for field in attrs.fields(DayKpis)]
    assert names == [*base, *TIME_KPIS, *PARCEL_KPIS, *REJECTION_KPIS, *STOCK_KPIS, *CHECKOUT_KPIS]
    assert all(getattr(plain, name) is None for name in TIME_KPIS)
    assert '"on_time_rate": null' in json.dumps(plain.as_dict())
    dated = DayKpis(**base, **figures())  # type: ignore[arg-type]
    assert dated.on_time_rate == 0.5
    assert "NaN" not in json.dumps(dated.as_dict())

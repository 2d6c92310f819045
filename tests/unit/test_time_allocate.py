"""Dated allocation by example: calendars, cut-offs, promises, full days, explain,
carried daily loads, and the errors a caller gets for bad time input."""

from __future__ import annotations

import datetime as dt

import attrs
import numpy as np
import pytest

import omnichannel as oc
from omnichannel import reference
from omnichannel._domain.validators import MAX_COUNT
from omnichannel.allocation import BatchOptimal, FairShare, Sequential
from omnichannel.allocation._wave import Wave
from omnichannel.sourcing import Fastest, LowestCost, SourcingBatch, Weighted

UTC = dt.timezone.utc
PARIS = "Europe/Paris"
HERE = oc.GeoPoint(lat=48.85, lon=2.35)
NEAR = oc.GeoPoint(lat=48.86, lon=2.36)
FAR = oc.GeoPoint(lat=48.0, lon=2.0)
WEB = oc.Channel(id="web", kind=oc.ChannelKind.WEB)
WEDNESDAY_10_UTC = dt.datetime(2026, 3, 4, 10, tzinfo=UTC)


def _node(
    node_id: str, location: oc.GeoPoint, calendar: oc.NodeCalendar | None, **fields: object
) -> oc.Node:
    return oc.Node(
        id=node_id,
        kind=fields.pop("kind", oc.NodeKind.STORE),  # type: ignore[arg-type]
        location=location,
        calendar=calendar,
        capabilities=fields.pop("capabilities", oc.Capability.SHIP | oc.Capability.PICKUP),  # type: ignore[arg-type]
        **fields,  # type: ignore[arg-type]
    )


def _network(*nodes: oc.Node, costs: oc.CostModel | None = None) -> oc.Network:
    return oc.Network(nodes=nodes, channels=[WEB], costs=costs or oc.CostModel())


def _stock(*node_ids: str, units: int = 10) -> oc.Inventory:
    return oc.Inventory.from_positions(
        [oc.StockPosition(node_id=n, sku="tee", on_hand=units) for n in node_ids]
    )


def _order(order_id: str = "o1", **fields: object) -> oc.Order:
    fields.setdefault("destination", NEAR)
    return oc.Order(
        id=order_id,
        channel_id="web",
        lines=[oc.OrderLine(sku="tee", quantity=1)],
        **fields,  # type: ignore[arg-type]
    )


def _both(
    orders: list[oc.Order], network: oc.Network, inventory: oc.Inventory, **kw: object
) -> oc.AllocationResult:
    """The engine's result, checked to be the reference's (decisions and dates)."""
    fast = oc.allocate(orders, network, inventory, **kw)  # type: ignore[arg-type]
    plain = reference.allocate(orders, network, inventory, **kw)  # type: ignore[arg-type]
    assert fast.allocations == plain.allocations
    assert fast.daily_used == plain.daily_used
    return fast


def test_store_processing_and_cutoff_make_the_dates() -> None:
    # Open 9:00-20:00 Paris (UTC+1 in March), 2 h processing, carrier at 17:00.
    calendar = oc.NodeCalendar.every_day(
        PARIS, dt.time(9), dt.time(20), processing=dt.timedelta(hours=2), cutoff=dt.time(17)
    )
    network = _network(_node("store", HERE, calendar))
    result = _both([_order()], network, _stock("store"), now=WEDNESDAY_10_UTC)
    (shipment,) = result.allocations[0].shipments
    # 11:00 Paris + 2 h = 13:00 Paris = 12:00 UTC; dispatched at 17:00, no transit
    # bands: delivered the same day, by 23:59 Paris = 22:59 UTC.
    assert shipment.ready_at == dt.datetime(2026, 3, 4, 12, tzinfo=UTC)
    assert shipment.delivered_by == dt.datetime(2026, 3, 4, 22, 59, tzinfo=UTC)
    assert result.daily_used == {"store": {dt.date(2026, 3, 4): 1}}


def test_past_the_cutoff_ships_the_next_open_day_and_transit_counts_delivery_days() -> None:
    calendar = oc.NodeCalendar.every_day(PARIS, dt.time(0), dt.time(0), cutoff=dt.time(18))
    rates = dict(oc.CostModel().rates)
    rates[oc.ServiceLevel.STANDARD] = oc.RateCard(
        base=5.0, per_km=0.0, transit=[oc.TransitBand(max_km=500.0, days=1)]
    )
    network = _network(
        _node("dc", HERE, calendar, kind=oc.NodeKind.DC), costs=oc.CostModel(rates=rates)
    )
    saturday_evening = dt.datetime(2026, 3, 7, 19, tzinfo=UTC)  # 20:00 Paris, past 18:00
    result = _both([_order()], network, _stock("dc"), now=saturday_evening)
    (shipment,) = result.allocations[0].shipments
    # Dispatched Sunday 18:00 Paris; carriers deliver Monday to Saturday: Monday.
    assert shipment.delivered_by == dt.datetime(2026, 3, 9, 22, 59, tzinfo=UTC)


def test_a_store_closed_on_sunday_has_click_and_collect_ready_on_monday() -> None:
    hours = (dt.time(9), dt.time(20))
    calendar = oc.NodeCalendar(
        timezone=PARIS, opening=(hours,) * 6 + (None,), processing=dt.timedelta(hours=1)
    )
    network = _network(_node("store", HERE, calendar, capabilities=oc.Capability.PICKUP))
    sunday = dt.datetime(2026, 3, 8, 12, tzinfo=UTC)
    order = _order(
        method=oc.FulfillmentMethod.PICKUP_IN_STORE, destination=None, pickup_node_id="store"
    )
    result = _both([order], network, _stock("store"), now=sunday)
    (shipment,) = result.allocations[0].shipments
    assert shipment.ready_at == dt.datetime(2026, 3, 9, 9, tzinfo=UTC)  # 10:00 Paris
    assert shipment.delivered_by == shipment.ready_at


def test_only_an_on_time_node_serves_a_promise_and_none_gives_too_late() -> None:
    slow = oc.NodeCalendar.every_day(
        PARIS, dt.time(9), dt.time(20), processing=dt.timedelta(days=1)
    )
    network = _network(
        _node("cheap", HERE, slow), _node("quick", FAR, None, handling_cost_per_order=20.0)
    )
    promise = dt.datetime(2026, 3, 4, 23, 59, tzinfo=UTC)
    served = _both(
        [_order(deliver_by=promise)], network, _stock("cheap", "quick"), now=WEDNESDAY_10_UTC
    )
    assert served.allocations[0].shipments[0].node_id == "quick"
    too_soon = dt.datetime(2026, 3, 4, 11, tzinfo=UTC)
    late = _both(
        [_order(deliver_by=too_soon)], network, _stock("cheap", "quick"), now=WEDNESDAY_10_UTC
    )
    (line,) = late.allocations[0].unfulfilled
    assert line.reason is oc.UnfulfilledReason.TOO_LATE
    why = oc.explain(
        _order(deliver_by=too_soon), network, _stock("cheap", "quick"), now=WEDNESDAY_10_UTC
    )
    assert [c.rejected_by for c in why.candidates] == [oc.Rule.LATE, oc.Rule.LATE]
    assert why.candidates[0].delivered_by is not None


def test_a_full_day_pushes_work_to_the_next_open_day() -> None:
    calendar = oc.NodeCalendar.every_day(PARIS, dt.time(9), dt.time(20), daily_capacity=1)
    network = _network(_node("store", HERE, calendar))
    orders = [_order("first", priority=1), _order("second")]
    result = _both(orders, network, _stock("store"), now=WEDNESDAY_10_UTC)
    first, second = (a.shipments[0] for a in result.allocations)
    assert first.ready_at == dt.datetime(2026, 3, 4, 10, tzinfo=UTC)
    assert second.ready_at == dt.datetime(2026, 3, 5, 8, tzinfo=UTC)  # Thursday 9:00 Paris
    assert result.daily_used == {"store": {dt.date(2026, 3, 4): 1, dt.date(2026, 3, 5): 1}}


def test_a_day_that_fills_mid_window_ends_the_plans_there() -> None:
    """``first`` fills the store's day; ``big`` is decided alone; ``promised`` was
    planned at the store on the window's dates, which no longer hold."""
    calendar = oc.NodeCalendar.every_day(PARIS, dt.time(8), dt.time(20), daily_capacity=1)
    network = _network(_node("store", HERE, calendar), _node("dc", FAR, None))
    big = oc.Order(
        id="big",
        channel_id="web",
        lines=[oc.OrderLine(sku="tee", quantity=30)],
        destination=NEAR,
        priority=2,
        allow_split=False,
    )
    tonight = dt.datetime(2026, 3, 4, 23, 59, 59, tzinfo=UTC)
    orders = [_order("first", priority=3), big, _order("promised", priority=1, deliver_by=tonight)]
    result = _both(orders, network, _stock("store", "dc"), now=WEDNESDAY_10_UTC)
    assert result.allocations[2].shipments[0].node_id == "dc"


def test_daily_used_carries_between_calls() -> None:
    calendar = oc.NodeCalendar.every_day(PARIS, dt.time(9), dt.time(20), daily_capacity=1)
    network = _network(_node("store", HERE, calendar))
    one = oc.allocate([_order("a")], network, _stock("store"), now=WEDNESDAY_10_UTC)
    two = oc.allocate(
        [_order("b")], network, one.inventory, now=WEDNESDAY_10_UTC, daily_used=one.daily_used
    )
    assert two.allocations[0].shipments[0].ready_at == dt.datetime(2026, 3, 5, 8, tzinfo=UTC)
    assert two.daily_used["store"] == {dt.date(2026, 3, 4): 1, dt.date(2026, 3, 5): 1}


def test_other_policies_take_only_what_the_day_has_left() -> None:
    calendar = oc.NodeCalendar.every_day(PARIS, dt.time(9), dt.time(20), daily_capacity=1)
    network = _network(_node("store", HERE, calendar), _node("dc", FAR, None))
    orders = [_order("a"), _order("b")]
    fair = _both(orders, network, _stock("store", "dc"), now=WEDNESDAY_10_UTC, policy=FairShare())
    assert sorted(a.shipments[0].node_id for a in fair.allocations) == ["dc", "store"]
    pytest.importorskip("scipy", reason="BatchOptimal needs the optimize extra")
    best = oc.allocate(
        orders, network, _stock("store", "dc"), now=WEDNESDAY_10_UTC, policy=BatchOptimal()
    )
    assert sorted(a.shipments[0].node_id for a in best.allocations) == ["dc", "store"]
    assert all(s.ready_at is not None for a in best.allocations for s in a.shipments)


def test_fastest_and_lead_days_prefer_the_earlier_node() -> None:
    slow = oc.NodeCalendar.every_day(
        PARIS, dt.time(9), dt.time(20), processing=dt.timedelta(days=1)
    )
    network = _network(
        _node("cheap", HERE, slow), _node("quick", FAR, None, handling_cost_per_order=20.0)
    )
    stock = _stock("cheap", "quick")
    plain = _both([_order()], network, stock, now=WEDNESDAY_10_UTC)
    assert plain.allocations[0].shipments[0].node_id == "cheap"
    for strategy in (Fastest(), Weighted(shipping=1.0, handling=1.0, lead_days=30.0)):
        fast = _both([_order()], network, stock, now=WEDNESDAY_10_UTC, sourcing=strategy)
        assert fast.allocations[0].shipments[0].node_id == "quick"
        # A soft term: the shipment still costs its shipping and handling only.
        quick = next(
            c for c in oc.explain(_order(), network, stock).candidates if c.node_id == "quick"
        )
        shipment = fast.allocations[0].shipments[0]
        assert shipment.cost == pytest.approx(quick.shipping_cost + quick.handling_cost)
    # Without now every node is equally fast.
    untimed = oc.allocate([_order()], network, stock, sourcing=Fastest())
    assert untimed.allocations[0].shipments[0].node_id == "cheap"


def test_without_now_promises_are_noted_and_nothing_is_dated() -> None:
    network = _network(
        _node("store", HERE, oc.NodeCalendar.every_day(PARIS, dt.time(9), dt.time(20)))
    )
    result = oc.allocate([_order(deliver_by=WEDNESDAY_10_UTC)], network, _stock("store"))
    assert result.allocations[0].shipments[0].ready_at is None
    assert any("deliver_by" in note for note in result.notes)
    assert result.daily_used == {}


def test_bad_time_input_names_its_field() -> None:
    network = _network(_node("store", HERE, None))
    with pytest.raises(oc.InvalidInputError, match="now"):
        oc.allocate([_order()], network, _stock("store"), now=dt.datetime(2026, 3, 4, 10))
    with pytest.raises(oc.InvalidInputError, match="now"):
        oc.route_returns([], network, _stock("store"), now=dt.datetime(2026, 3, 4, 10))
    with pytest.raises(oc.UnknownReferenceError, match="daily_used"):
        oc.allocate(
            [_order()], network, _stock("store"), now=WEDNESDAY_10_UTC, daily_used={"x": {}}
        )
    with pytest.raises(oc.InvalidInputError, match=r"daily_used\['store'\]\['2026-03-04'\]"):
        oc.allocate(
            [_order()],
            network,
            _stock("store"),
            now=WEDNESDAY_10_UTC,
            daily_used={"store": {dt.date(2026, 3, 4): -1}},
        )
    with pytest.raises(oc.InvalidInputError, match="deliver_by"):
        _order(deliver_by=dt.datetime(2026, 3, 4))


class _AlwaysFirstNode:
    """A custom policy that ships every order whole from the first canonical node."""

    def allocate(self, wave: object, /) -> list[oc.Allocation]:
        arrays = wave.arrays  # type: ignore[attr-defined]
        node_id = arrays.network.arrays.ids[0]
        found = []
        for order in arrays.orders:
            why = oc.explain(order, arrays.network, wave.inventory)  # type: ignore[attr-defined]
            candidate = why.candidate(node_id)
            shipment = oc.Shipment(
                node_id=node_id,
                lines=order.lines,
                distance_km=candidate.distance_km,
                cost=candidate.shipping_cost + candidate.handling_cost,
            )
            found.append(oc.Allocation(order_id=order.id, shipments=(shipment,), unfulfilled=()))
        return found


def test_the_engine_refuses_a_custom_policy_that_ships_late() -> None:
    slow = oc.NodeCalendar.every_day(
        PARIS, dt.time(9), dt.time(20), processing=dt.timedelta(days=2)
    )
    network = _network(_node("a-slow", HERE, slow), _node("b-quick", FAR, None))
    promise = dt.datetime(2026, 3, 4, 23, 59, tzinfo=UTC)
    order = _order(deliver_by=promise)
    on_time = oc.allocate([order], network, _stock("a-slow", "b-quick"), now=WEDNESDAY_10_UTC)
    assert on_time.allocations[0].shipments[0].node_id == "b-quick"
    with pytest.raises(oc.InvalidInputError, match="broke rule LATE") as caught:
        oc.allocate(
            [order],
            network,
            _stock("a-slow", "b-quick"),
            now=WEDNESDAY_10_UTC,
            policy=_AlwaysFirstNode(),
        )
    assert caught.value.rule == "LATE"  # type: ignore[attr-defined]


def test_an_empty_network_with_now_has_no_eligible_node() -> None:
    empty = oc.Network(nodes=[], channels=[WEB])
    result = _both([_order()], empty, oc.Inventory.from_positions([]), now=WEDNESDAY_10_UTC)
    assert result.allocations[0].unfulfilled[0].reason is oc.UnfulfilledReason.NO_ELIGIBLE_NODE


@pytest.mark.parametrize("year", [1, 1899, 9001, 9999])
def test_now_out_of_range_names_the_field(year: int) -> None:
    network = _network(_node("store", HERE, None))
    with pytest.raises(oc.InvalidInputError, match="now: must be in the years 1900 to 9000"):
        oc.allocate([_order()], network, _stock("store"), now=dt.datetime(year, 6, 1, tzinfo=UTC))


def test_a_late_node_out_of_shipments_says_no_capacity_first() -> None:
    """CAPACITY comes before LATE in explain's order of rules, and so do the reasons."""
    slow = oc.NodeCalendar.every_day(
        PARIS, dt.time(9), dt.time(20), processing=dt.timedelta(days=2)
    )
    network = _network(_node("store", HERE, slow, order_capacity=0))
    promise = dt.datetime(2026, 3, 4, 23, 59, tzinfo=UTC)
    result = _both([_order(deliver_by=promise)], network, _stock("store"), now=WEDNESDAY_10_UTC)
    assert result.allocations[0].unfulfilled[0].reason is oc.UnfulfilledReason.NO_CAPACITY
    why = oc.explain(_order(deliver_by=promise), network, _stock("store"), now=WEDNESDAY_10_UTC)
    assert why.candidates[0].rejected_by is oc.Rule.CAPACITY


@pytest.mark.parametrize("window", [1, 2, 16])
@pytest.mark.parametrize(
    ("units", "capacity", "reason"),
    [
        (5, None, oc.UnfulfilledReason.TOO_LATE),  # the late store keeps units to spare
        (1, None, oc.UnfulfilledReason.OUT_OF_STOCK),  # ``taker`` takes its last unit
        (2, 1, oc.UnfulfilledReason.NO_CAPACITY),  # ``taker`` takes its last shipment
    ],
)
def test_what_a_late_node_holds_is_read_at_each_orders_turn(
    window: int, units: int, capacity: int | None, reason: oc.UnfulfilledReason
) -> None:
    """The store is late for the promised orders only; what it still holds when their
    turn comes gives their reasons, in any window: whole orders, the short line of a
    lone plan at the DC and of a split between the DC and the kiosk alike."""
    slow = oc.NodeCalendar.every_day(
        PARIS, dt.time(9), dt.time(20), processing=dt.timedelta(days=1)
    )
    network = _network(
        _node("store", HERE, slow, order_capacity=capacity),
        _node("dc", FAR, None),
        _node("kiosk", NEAR, None),
    )
    inventory = oc.Inventory.from_positions(
        [
            oc.StockPosition(node_id="store", sku="tee", on_hand=units),
            oc.StockPosition(node_id="dc", sku="cap", on_hand=50),
            oc.StockPosition(node_id="kiosk", sku="hat", on_hand=5),
        ]
    )
    tonight = dt.datetime(2026, 3, 4, 23, 59, tzinfo=UTC)

    def promised(order_id: str, *skus: str) -> oc.Order:
        lines = [oc.OrderLine(sku=sku, quantity=1) for sku in skus]
        return oc.Order(
            id=order_id, channel_id="web", lines=lines, destination=NEAR, deliver_by=tonight
        )

    orders = [
        _order("taker", priority=1),
        promised("whole", "tee"),
        promised("lone", "tee", "cap"),
        attrs.evolve(promised("refused", "tee"), allow_split=False),
        promised("split", "tee", "cap", "hat"),
        # Orders the DC serves whole, so that the window plans splits.
        *(promised(f"cap-{k}", "cap") for k in range(12)),
    ]
    result = _both(
        orders, network, inventory, now=WEDNESDAY_10_UTC, policy=Sequential(window=window)
    )
    taker, whole, lone, refused, split = result.allocations[:5]
    assert taker.shipments[0].node_id == "store"
    assert [line.reason for line in whole.unfulfilled] == [reason]
    assert [s.node_id for s in lone.shipments] == ["dc"]
    assert [line.reason for line in lone.unfulfilled] == [reason]
    assert [line.reason for line in refused.unfulfilled] == [reason]
    assert sorted(s.node_id for s in split.shipments) == ["dc", "kiosk"]
    assert [line.reason for line in split.unfulfilled] == [reason]


def test_days_long_past_are_not_carried_and_counts_stay_bounded() -> None:
    network = _network(_node("store", HERE, None))
    old = {dt.date(2025, 1, 1): 3, dt.date(2026, 3, 4): MAX_COUNT}
    result = oc.allocate(
        [_order()], network, _stock("store"), now=WEDNESDAY_10_UTC, daily_used={"store": old}
    )
    assert result.daily_used == {"store": {dt.date(2026, 3, 4): MAX_COUNT}}


def test_a_strategy_cannot_change_eligibility_in_place() -> None:
    network = _network(_node("store", HERE, None))
    wave, _ = Wave.prepare(
        [_order()], network, _stock("store"), LowestCost(), None, None, WEDNESDAY_10_UTC
    )
    batch = SourcingBatch(wave.arrays, np.array([0]), wave.state)
    for array in (batch.eligible, batch.static_eligible, batch.on_time, batch.lead_days):
        assert not array.flags.writeable


def test_calls_at_one_minute_share_the_nodes_start_only_while_the_same_days_are_full() -> None:
    """Each node's start is kept for the next call at the same minute with the same
    full days: a call with another ``daily_used`` (or another minute) decides as on a
    network that never saw a call."""
    import pickle

    from omnichannel.simulation import Scenario

    start = dt.datetime(2026, 3, 2, tzinfo=UTC)
    day = Scenario.generate(n_nodes=30, n_skus=100, n_orders=300, rng=2, start=start)
    now = start + dt.timedelta(hours=10)
    network = day.network
    stores = [n for n in network.nodes if n.calendar is not None and n.calendar.daily_capacity]
    full = {n.id: {now.date(): n.calendar.daily_capacity} for n in stores}  # type: ignore[union-attr]
    assert stores
    moved = 0
    # Picked up where they are ordered: a full store moves their dates.
    pickups = [o for o in day.orders if o.method is oc.FulfillmentMethod.PICKUP_IN_STORE]
    for index, order in enumerate(pickups[:30]):
        daily = full if index % 3 == 1 else {}
        at = now + dt.timedelta(minutes=index // 10)
        shared = oc.allocate([order], network, day.inventory, now=at, daily_used=daily)
        fresh = oc.allocate(
            [order], pickle.loads(pickle.dumps(network)), day.inventory, now=at, daily_used=daily
        )
        assert shared.allocations == fresh.allocations
        assert shared.daily_used == fresh.daily_used
        if daily:
            free = oc.allocate([order], network, day.inventory, now=at)
            moved += free.allocations != shared.allocations
    assert moved  # full days changed some decisions, so the test can tell


def test_handovers_for_a_later_pass_start_where_the_shipped_loads_leave_each_node() -> None:
    """A pass after shipments (FairShare, DualPriceLookahead) starts each node at the
    loads it reached, never at the call's shared start."""
    calendar = oc.NodeCalendar.every_day(PARIS, dt.time(9), dt.time(18), daily_capacity=1)
    network = _network(_node("store", HERE, calendar))
    wave, _ = Wave.prepare(
        [_order()], network, _stock("store"), LowestCost(), None, None, WEDNESDAY_10_UTC
    )
    times = wave.state.times
    assert times is not None
    first = int(times.day[0])
    times.ship(np.array([0]), np.array([1]))  # the only shipment of the day: it fills
    assert int(times.day[0]) == first + 1
    _, later = wave.times_for(wave.arrays, times)
    assert later is not None
    assert int(later.day[0]) == first + 1

"""The reference's dates on readable cases: the specification of docs/time.md."""

from __future__ import annotations

import datetime as dt

import pytest

import omnichannel as oc
from omnichannel._domain.calendar import NodeCalendar, TransitBand, from_minute, to_minute
from omnichannel._errors import InvalidInputError
from omnichannel.reference._time import shipment_dates

PARIS = "Europe/Paris"
NEW_YORK = "America/New_York"
HERE = oc.GeoPoint(lat=48.85, lon=2.35)
STORE_HOURS = ((dt.time(9), dt.time(20)),) * 6 + (None,)  # closed on Sundays
COSTS = oc.CostModel(
    rates={
        **oc.CostModel().rates,
        oc.ServiceLevel.STANDARD: oc.RateCard(
            base=5,
            per_km=0,
            transit=[TransitBand(max_km=100, days=1), TransitBand(max_km=900, days=2)],
        ),
    }
)


def _node(calendar: NodeCalendar | None, node_id: str = "n") -> oc.Node:
    return oc.Node(id=node_id, kind=oc.NodeKind.STORE, location=HERE, calendar=calendar)


def _order(**fields: object) -> oc.Order:
    base: dict[str, object] = {
        "id": "o",
        "channel_id": "web",
        "lines": [oc.OrderLine(sku="s", quantity=1)],
        "destination": HERE,
    }
    return oc.Order(**(base | fields))  # type: ignore[arg-type]


def _at(zone: str, *parts: int) -> dt.datetime:
    from zoneinfo import ZoneInfo

    return dt.datetime(*parts, tzinfo=ZoneInfo(zone))  # type: ignore[misc]


def _dates(order: oc.Order, node: oc.Node, now: dt.datetime, km: float = 50.0, **kw: object):  # type: ignore[no-untyped-def]
    return shipment_dates(
        order,
        node,
        kw.get("pickup"),
        COSTS,
        km,
        to_minute(now, "now", round_up=True),
        kw.get("loads", {}),  # type: ignore[arg-type]
    )


def _local(minute: int, zone: str) -> dt.datetime:
    from zoneinfo import ZoneInfo

    return from_minute(minute).astimezone(ZoneInfo(zone)).replace(tzinfo=None)


def test_a_store_closed_on_sunday_starts_on_monday() -> None:
    store = _node(
        NodeCalendar(
            timezone=PARIS,
            opening=STORE_HOURS,
            processing=dt.timedelta(hours=1),
            cutoff=dt.time(17),
        )
    )
    found = _dates(_order(), store, _at(PARIS, 2026, 12, 5, 20, 30))  # Saturday, closed
    assert found is not None
    assert found.day == dt.date(2026, 12, 7)
    assert _local(found.ready_at, PARIS) == dt.datetime(2026, 12, 7, 10, 0)
    assert _local(found.delivered_by, PARIS) == dt.datetime(2026, 12, 8, 23, 59)


def test_ready_exactly_at_the_cutoff_leaves_that_day() -> None:
    store = _node(
        NodeCalendar(
            timezone=PARIS,
            opening=STORE_HOURS,
            processing=dt.timedelta(hours=1),
            cutoff=dt.time(17),
        )
    )
    on_time = _dates(_order(), store, _at(PARIS, 2026, 12, 4, 16, 0))
    late = _dates(_order(), store, _at(PARIS, 2026, 12, 4, 16, 0, 1))  # rounds up a minute
    assert on_time is not None
    assert late is not None
    assert _local(on_time.delivered_by, PARIS).date() == dt.date(2026, 12, 5)
    assert _local(late.delivered_by, PARIS).date() == dt.date(2026, 12, 7)  # Saturday's dispatch


def test_processing_counts_open_hours_only_across_a_closed_day() -> None:
    store = _node(
        NodeCalendar(timezone=PARIS, opening=STORE_HOURS, processing=dt.timedelta(hours=2))
    )
    found = _dates(
        _order(method=oc.FulfillmentMethod.PICKUP_IN_STORE, destination=None, pickup_node_id="n"),
        store,
        _at(PARIS, 2026, 12, 5, 19, 0),
    )
    assert found is not None
    assert _local(found.ready_at, PARIS) == dt.datetime(2026, 12, 7, 10, 0)  # 1 h Sat, 1 h Mon
    assert found.delivered_by == found.ready_at


def test_hours_past_midnight_and_holidays() -> None:
    night = NodeCalendar.every_day(
        PARIS, dt.time(22), dt.time(6), closed_dates={dt.date(2026, 12, 25)}
    )
    collect = _order(
        method=oc.FulfillmentMethod.PICKUP_IN_STORE, destination=None, pickup_node_id="n"
    )
    found = _dates(collect, _node(night), _at(PARIS, 2026, 12, 25, 3, 0))
    assert found is not None
    # 03:00 on the 25th is still the 24th's night; the 25th's own night is a holiday.
    assert found.day == dt.date(2026, 12, 24)
    later = _dates(collect, _node(night), _at(PARIS, 2026, 12, 25, 12, 0))
    assert later is not None
    assert later.day == dt.date(2026, 12, 26)


@pytest.mark.parametrize(
    ("day", "hours"), [(dt.date(2026, 3, 29), 10), (dt.date(2026, 10, 25), 12)]
)
def test_a_daylight_saving_day_has_its_real_length(day: dt.date, hours: int) -> None:
    dc = _node(
        NodeCalendar.every_day(PARIS, dt.time(0), dt.time(0), processing=dt.timedelta(hours=hours))
    )
    found = _dates(
        _order(method=oc.FulfillmentMethod.PICKUP_IN_STORE, destination=None, pickup_node_id="n"),
        dc,
        _at(PARIS, day.year, day.month, day.day, 0, 0),
    )
    assert found is not None
    # Spring forward: 10 h of work from midnight end at 11:00; fall back, 12 h at 11:00.
    assert _local(found.ready_at, PARIS) == dt.datetime(day.year, day.month, day.day, 11, 0)


def test_a_full_day_pushes_processing_to_the_next_open_day() -> None:
    store = _node(NodeCalendar(timezone=PARIS, opening=STORE_HOURS, daily_capacity=2))
    now = _at(PARIS, 2026, 12, 4, 10, 0)
    free = _dates(_order(), store, now, loads={dt.date(2026, 12, 4): 1})
    full = _dates(_order(), store, now, loads={dt.date(2026, 12, 4): 2})
    assert free is not None
    assert free.day == dt.date(2026, 12, 4)
    assert full is not None
    assert full.day == dt.date(2026, 12, 5)


def test_same_day_needs_todays_dispatch() -> None:
    store = _node(NodeCalendar(timezone=PARIS, opening=STORE_HOURS, cutoff=dt.time(14)))
    order = _order(service_level=oc.ServiceLevel.SAME_DAY, method=oc.FulfillmentMethod.SAME_DAY)
    morning = _dates(order, store, _at(PARIS, 2026, 12, 4, 10, 0))
    evening = _dates(order, store, _at(PARIS, 2026, 12, 4, 15, 0))
    assert morning is not None
    assert morning.same_day_ok
    assert evening is not None
    assert not evening.same_day_ok


def test_now_in_another_time_zone_is_the_same_instant() -> None:
    store = _node(NodeCalendar(timezone=PARIS, opening=STORE_HOURS))
    in_paris = _dates(_order(), store, _at(PARIS, 2026, 12, 4, 16, 0))
    in_new_york = _dates(_order(), store, _at(NEW_YORK, 2026, 12, 4, 10, 0))
    assert in_paris == in_new_york


def test_ship_to_store_is_ready_after_the_pickup_nodes_own_processing() -> None:
    dc = _node(NodeCalendar.every_day(PARIS, dt.time(0), dt.time(0), cutoff=dt.time(18)), "dc")
    store = _node(
        NodeCalendar(timezone=PARIS, opening=STORE_HOURS, processing=dt.timedelta(minutes=90)),
        "store",
    )
    order = _order(
        method=oc.FulfillmentMethod.SHIP_TO_STORE, destination=None, pickup_node_id="store"
    )
    found = _dates(order, dc, _at(PARIS, 2026, 12, 3, 12, 0), pickup=store)
    assert found is not None  # dispatched Thursday 18:00, arrives Friday, 9:00 + 1.5 h
    assert _local(found.delivered_by, PARIS) == dt.datetime(2026, 12, 4, 10, 30)


def test_beyond_the_last_band_or_the_horizon_cannot_be_made() -> None:
    always = _node(None)
    assert _dates(_order(), always, _at(PARIS, 2026, 12, 4, 10, 0), km=901.0) is None
    shut = NodeCalendar(
        timezone=PARIS,
        opening=STORE_HOURS,
        closed_dates={dt.date(2026, 12, 4) + dt.timedelta(days=d) for d in range(70)},
    )
    assert _dates(_order(), _node(shut), _at(PARIS, 2026, 12, 4, 10, 0)) is None


def test_a_node_without_calendar_counts_in_utc() -> None:
    found = _dates(_order(), _node(None), _at("UTC", 2026, 12, 4, 23, 30))
    assert found is not None
    assert found.ready_at == to_minute(_at("UTC", 2026, 12, 4, 23, 30), "now", round_up=True)
    assert from_minute(found.delivered_by) == _at("UTC", 2026, 12, 5, 23, 59)


def test_calendars_refuse_what_they_cannot_mean() -> None:
    with pytest.raises(InvalidInputError, match="timezone"):
        NodeCalendar(timezone="Mars/Olympus", opening=STORE_HOURS)
    with pytest.raises(InvalidInputError, match="cutoff"):
        NodeCalendar(timezone=PARIS, opening=STORE_HOURS, cutoff=dt.time(21))
    with pytest.raises(InvalidInputError, match=r"opening\[0\]"):
        NodeCalendar(
            timezone=PARIS, opening=((dt.time(22), dt.time(10)),) + ((dt.time(9), dt.time(20)),) * 6
        )
    with pytest.raises(InvalidInputError, match="naive"):
        _order(deliver_by=dt.datetime(2026, 12, 4, 10))

"""The time kernel gives the reference's dates on random calendars: DST changes both
ways, hours past midnight, closed days, holidays, full days, cut-offs at ``now``."""

from __future__ import annotations

import datetime as dt

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import omnichannel as oc
from omnichannel._core.bands import band_index
from omnichannel._domain.calendar import NodeCalendar, TransitBand, to_minute
from omnichannel.reference._time import shipment_dates
from omnichannel.sourcing._dates import (
    TABLE_DAYS,
    delivery_table,
    first_days,
    handover,
    pair_dates,
    time_tables,
)
from omnichannel.testing import strategies as oms

PLACE = oc.GeoPoint(lat=0.0, lon=0.0)


METHODS = (
    oc.FulfillmentMethod.SHIP_TO_HOME,
    oc.FulfillmentMethod.PICKUP_IN_STORE,
    oc.FulfillmentMethod.SHIP_TO_STORE,
    oc.FulfillmentMethod.SAME_DAY,
)


@given(data=st.data())
def test_kernel_dates_are_the_reference_dates(data: st.DataObject) -> None:
    now_at = data.draw(oms.nows())
    now = to_minute(now_at, "now", round_up=True)
    near = now_at.date()
    shipping = data.draw(st.none() | oms.node_calendars(near=near))
    pickup = data.draw(st.none() | oms.node_calendars(near=near))
    method = data.draw(st.sampled_from(METHODS))
    level = (
        oc.ServiceLevel.SAME_DAY
        if method is oc.FulfillmentMethod.SAME_DAY
        else data.draw(st.sampled_from([oc.ServiceLevel.STANDARD, oc.ServiceLevel.EXPRESS]))
    )
    bands = [
        TransitBand(max_km=100.0, days=data.draw(st.integers(0, 3))),
        TransitBand(max_km=500.0, days=data.draw(st.integers(1, 9))),
    ]
    weekdays = data.draw(st.frozensets(st.integers(0, 6), min_size=1))
    rates = dict(oc.CostModel().rates)
    rates[level] = oc.RateCard(base=1.0, per_km=0.0, transit=bands)
    costs = oc.CostModel(rates=rates, delivery_weekdays=weekdays)
    km = data.draw(st.sampled_from([0.0, 100.0, 100.5, 500.0, 501.0]))
    loads = data.draw(
        st.dictionaries(
            st.integers(-2, 6).map(lambda d: near + dt.timedelta(days=d)),
            st.integers(0, 4),
            max_size=5,
        )
    )
    node = oc.Node(id="n", kind=oc.NodeKind.STORE, location=PLACE, calendar=shipping)
    pickup_node = oc.Node(id="p", kind=oc.NodeKind.STORE, location=PLACE, calendar=pickup)
    if method in (oc.FulfillmentMethod.SHIP_TO_HOME, oc.FulfillmentMethod.SAME_DAY):
        order = oc.Order(
            id="o",
            channel_id="c",
            lines=[oc.OrderLine(sku="s", quantity=1)],
            method=method,
            destination=PLACE,
            service_level=level,
        )
        via = None
    else:
        order = oc.Order(
            id="o",
            channel_id="c",
            lines=[oc.OrderLine(sku="s", quantity=1)],
            method=method,
            pickup_node_id="p",
            service_level=level,
        )
        via = pickup_node if method is oc.FulfillmentMethod.SHIP_TO_STORE else None
    expected = shipment_dates(order, node, via, costs, km, now, loads)

    first = dt.date.fromordinal(now_at.date().toordinal() - 2)
    found_calendars = [c for c in (shipping, pickup) if c is not None]
    tables = time_tables(
        found_calendars or [NodeCalendar.every_day("UTC", dt.time(0), dt.time(0))], first
    )
    node_row = np.array([0 if shipping is not None else -1])
    pickup_row = np.array([(1 if shipping is not None else 0) if pickup is not None else -1])
    if level is oc.ServiceLevel.SAME_DAY:
        days = np.array([0])
    else:
        index = band_index(np.array([b.max_km for b in bands]), np.array([km]))
        days = np.where(index < len(bands), np.array([b.days for b in bands] + [-1])[index], -1)
    blocked = None
    if shipping is not None and shipping.daily_capacity is not None:
        blocked = np.array(
            [
                [
                    loads.get(first + dt.timedelta(days=j), 0) >= shipping.daily_capacity
                    for j in range(tables.open_at.shape[1])
                ]
            ]
        )
    weekmask = "".join("1" if d in weekdays else "0" for d in range(7))
    day = first_days(tables, now, node_row, blocked)
    hand = handover(tables, now, node_row, day)
    table = delivery_table(first, weekmask, np.maximum(days, 0))
    delivery = np.where(days >= 0, table[0, np.clip(hand.dispatch_day, 0, TABLE_DAYS - 1)], -1)
    in_store = np.array([method is oc.FulfillmentMethod.PICKUP_IN_STORE])
    via_row = pickup_row if via is not None else np.array([-2])
    got = pair_dates(tables, now, hand, node_row, in_store, via_row, delivery)
    assert bool(got.made[0]) == (expected is not None)
    if expected is not None:
        assert first + dt.timedelta(days=int(hand.day[0])) == expected.day
        assert int(got.ready_at[0]) == expected.ready_at
        assert int(got.delivered_by[0]) == expected.delivered_by
        same_day = level is oc.ServiceLevel.SAME_DAY
        same_day_ok = bool(in_store[0] or hand.same_day[0])
        assert (not same_day or same_day_ok) == expected.same_day_ok

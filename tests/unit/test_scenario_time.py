"""Dated scenarios (``Scenario.generate(start=...)``): the old parts stay as they were,
and the new ones are consistent calendars, bands and promises."""

import datetime as dt
import zoneinfo

import attrs
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from omnichannel import InvalidInputError
from omnichannel._domain.calendar import NodeCalendar
from omnichannel._domain.enums import FulfillmentMethod, NodeKind, ServiceLevel
from omnichannel._domain.network import CostModel
from omnichannel.simulation import Scenario

UTC = dt.timezone.utc
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
MONDAY = dt.datetime(2026, 3, 2, tzinfo=PARIS)
ZONES = {
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/Amsterdam",
    "Europe/Prague",
    "Europe/Warsaw",
    "Europe/London",
}
SMALL = {"n_nodes": 60, "n_skus": 300, "n_orders": 2_000}


def day(seed: int = 3, start: dt.datetime | None = MONDAY, **options: object) -> Scenario:
    return Scenario.generate(**{**SMALL, **options}, rng=seed, start=start)  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", [0, 3, 11])
def test_a_start_changes_only_the_dates(seed: int) -> None:
    undated, dated = day(seed, start=None), day(seed)
    assert [attrs.evolve(node, calendar=None) for node in dated.network.nodes] == list(
        undated.network.nodes
    )
    assert dated.network.channels == undated.network.channels
    assert dated.inventory == undated.inventory
    assert dated.demand == undated.demand
    assert dated.returns == undated.returns
    assert [attrs.evolve(o, placed_at=None, deliver_by=None) for o in dated.orders] == list(
        undated.orders
    )


def test_without_a_start_nothing_is_dated() -> None:
    undated = day(start=None)
    assert undated.network.costs == CostModel()
    assert all(node.calendar is None for node in undated.network.nodes)
    assert all(o.placed_at is None and o.deliver_by is None for o in undated.orders)


def test_the_same_seed_and_start_give_the_same_dated_day() -> None:
    a, b = day(4), day(4)
    assert (a.network, a.orders, a.returns, a.inventory) == (
        b.network,
        b.orders,
        b.returns,
        b.inventory,
    )
    assert a.orders != day(4, start=MONDAY + dt.timedelta(days=1)).orders


def test_every_node_gets_a_valid_calendar_of_its_kind() -> None:
    network = day().network
    for node in network.nodes:
        calendar = node.calendar
        assert isinstance(calendar, NodeCalendar)
        # Re-running the validators: the calendar is one a user could have built.
        assert NodeCalendar(**attrs.asdict(calendar, recurse=False)) == calendar
        assert calendar.timezone in ZONES
        hours = calendar.opening
        if node.kind is NodeKind.STORE:
            assert hours[:6] == ((dt.time(9), dt.time(20)),) * 6
            assert hours[6] is None
            assert dt.timedelta(hours=1) <= calendar.processing <= dt.timedelta(hours=2)
            assert calendar.cutoff is not None
            assert dt.time(16, 30) <= calendar.cutoff <= dt.time(17, 30)
            assert calendar.daily_capacity is not None
            assert calendar.daily_capacity >= 10
        elif node.kind is NodeKind.DC:
            assert hours == ((dt.time(0), dt.time(0)),) * 7
            assert dt.timedelta(hours=2) <= calendar.processing <= dt.timedelta(hours=4)
            assert calendar.cutoff is not None
            assert dt.time(20) <= calendar.cutoff <= dt.time(22)
        elif node.kind is NodeKind.DARK_STORE:
            assert hours == ((dt.time(7), dt.time(23)),) * 7
            assert calendar.processing == dt.timedelta(minutes=20)
        elif node.kind is NodeKind.DROP_SHIP:
            assert hours[5:] == (None, None)
            assert calendar.processing == dt.timedelta(hours=9)
        else:
            assert hours[6] is None
            assert calendar.processing == dt.timedelta(0)


def test_store_capacity_scales_with_the_orders() -> None:
    def mean_capacity(n_orders: int) -> float:
        stores = [n for n in day(n_orders=n_orders).network.nodes if n.kind is NodeKind.STORE]
        return sum(n.calendar.daily_capacity for n in stores) / len(stores)  # type: ignore[misc, union-attr]

    assert mean_capacity(8_000) > 3 * mean_capacity(2_000)


def test_rate_cards_get_transit_bands_per_service_level() -> None:
    rates = day().network.costs.rates
    standard = [(b.max_km, b.days) for b in rates[ServiceLevel.STANDARD].transit]
    assert standard[:3] == [(150.0, 1), (600.0, 2), (2_000.0, 3)]
    assert standard[3][1] == 5
    assert standard[3][0] > 20_000.0
    express = rates[ServiceLevel.EXPRESS]
    assert [(b.max_km, b.days) for b in express.transit] == [(express.max_km, 1)]
    assert rates[ServiceLevel.SAME_DAY].transit == ()
    # Prices and reach stay those of the default cost model.
    assert {
        level: attrs.evolve(card, transit=()) for level, card in rates.items()
    } == CostModel().rates


def test_promises_follow_the_method_and_service_level() -> None:
    orders = day(n_orders=6_000).orders
    promised = [o for o in orders if o.deliver_by is not None]
    assert 0.25 < len(promised) / len(orders) < 0.36
    fast = [o for o in orders if o.service_level is not ServiceLevel.STANDARD]
    assert sum(o.deliver_by is not None for o in fast) / len(fast) > 0.4
    for order in promised:
        assert order.placed_at is not None
        assert order.deliver_by is not None
        wait = order.deliver_by - order.placed_at
        if order.method is FulfillmentMethod.PICKUP_IN_STORE:
            assert wait == dt.timedelta(hours=4)
            continue
        # The end of a local day (23:59) in one of the cities' zones, some days on.
        zone = next(
            zone
            for zone in map(zoneinfo.ZoneInfo, sorted(ZONES))
            if order.deliver_by.astimezone(zone).time() == dt.time(23, 59)
        )
        ordered = order.placed_at.astimezone(zone)
        days = (order.deliver_by.astimezone(zone).date() - ordered.date()).days
        if order.service_level is ServiceLevel.SAME_DAY:
            assert days == 0 or (days == 1 and ordered.time() >= dt.time(23, 59))
        elif order.service_level is ServiceLevel.EXPRESS:
            assert days in (1, 2)
        else:
            assert days in (2, 3, 4, 5)


@given(
    start=st.datetimes(
        min_value=dt.datetime(2000, 1, 1),
        max_value=dt.datetime(2100, 1, 1),
        timezones=st.sampled_from(
            [UTC, PARIS, zoneinfo.ZoneInfo("Asia/Tokyo"), zoneinfo.ZoneInfo("America/New_York")]
        ),
    ),
    seed=st.integers(0, 2**32),
    n_orders=st.integers(0, 300),
)
# Days of clock changes: 23 and 25 hours long in Europe's zones.
@example(start=dt.datetime(2026, 3, 29, tzinfo=PARIS), seed=1, n_orders=300)
@example(start=dt.datetime(2026, 10, 25, tzinfo=PARIS), seed=2, n_orders=300)
@example(start=dt.datetime(2026, 3, 2, 0, 0, 0, 500_000, tzinfo=UTC), seed=3, n_orders=50)
def test_orders_are_placed_through_the_day_and_promised_after(
    start: dt.datetime, seed: int, n_orders: int
) -> None:
    orders = Scenario.generate(
        n_nodes=25, n_skus=80, n_orders=n_orders, rng=seed, start=start
    ).orders
    placed = [o.placed_at for o in orders]
    assert all(p is not None and p.tzinfo is UTC and p.microsecond == 0 for p in placed)
    assert placed == sorted(placed)  # type: ignore[type-var]
    # 24 hours of elapsed time: a clock change makes the local day 23 or 25 hours long.
    end = start.astimezone(UTC) + dt.timedelta(hours=24)
    for order in orders:
        assert order.placed_at is not None
        assert start <= order.placed_at < end
        if order.deliver_by is not None:
            assert order.deliver_by.tzinfo is UTC
            assert order.deliver_by > order.placed_at


def test_a_naive_start_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="start: must be timezone-aware") as caught:
        Scenario.generate(n_nodes=5, n_skus=10, n_orders=10, start=dt.datetime(2026, 3, 2))
    assert caught.value.problems[0][0] == "start"
    with pytest.raises(InvalidInputError, match="start: must be an aware datetime"):
        Scenario.generate(n_nodes=5, n_skus=10, n_orders=10, start=dt.date(2026, 3, 2))  # type: ignore[arg-type]

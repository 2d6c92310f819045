"""Carrier transit days (CONTRACTS 14): without ``now`` they change nothing, days that
say what the rate card says decide as before, and with a promise every parcel goes
with the cheapest carrier that keeps it and arrives with its carrier's days."""

from __future__ import annotations

import datetime as dt

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import omnichannel as oc
from omnichannel import reference
from omnichannel.allocation import Sequential
from omnichannel.reference._parcels import _Box, _price
from omnichannel.sourcing import Fastest, LowestCost, Nearest, Weighted
from omnichannel.testing import strategies as oms

from .test_parcels_match_reference import assert_same_parcels, regional_waves
from .test_time_matches_reference import assert_same_dates

STRATEGIES = [LowestCost(), Nearest(), Fastest(), Weighted(shipping=1.0, lead_days=3.0)]
DAY = 1440


def _without_transit(network: oc.Network) -> oc.Network:
    carriers = tuple(attrs.evolve(c, transit_days=None) for c in network.costs.carriers)
    return attrs.evolve(network, costs=attrs.evolve(network.costs, carriers=carriers))


def _dated_by_carriers(network: oc.Network) -> bool:
    return any(
        c.transit_days is not None and c.service_level is not oc.ServiceLevel.SAME_DAY
        for c in network.costs.carriers
    )


@given(scenario=oms.scenarios(max_orders=15, parcels=True, transit_days=True))
def test_without_now_carrier_transit_changes_nothing(scenario: oms.Scenario) -> None:
    """The defaults decide as before: without ``now`` no date is read, so transit days
    change no decision, in the engine or the reference."""
    stripped = _without_transit(scenario.network)
    fast = oc.allocate(scenario.orders, scenario.network, scenario.inventory)
    plain = reference.allocate(scenario.orders, scenario.network, scenario.inventory)
    assert_same_parcels(fast, plain)
    assert (
        fast.allocations == oc.allocate(scenario.orders, stripped, scenario.inventory).allocations
    )


@pytest.mark.parametrize("sourcing", STRATEGIES, ids=lambda s: type(s).__name__)
@given(
    scenario=oms.scenarios(max_orders=12, parcels=True, timed=True, transit_days=True),
    days=st.integers(0, 3),
)
def test_transit_days_as_the_card_s_decide_as_before(
    sourcing: oc.sourcing.SourcingStrategy, scenario: oms.Scenario, days: int
) -> None:
    """Every carrier given the days its level's card gives everywhere (one band) decides
    exactly as carriers without days, which the engine decides as the reference."""
    plain_network = _without_transit(scenario.network)
    costs = plain_network.costs
    rates = {
        level: attrs.evolve(card, transit=(oc.TransitBand(max_km=1e5, days=days),))
        for level, card in costs.rates.items()
    }
    card_dated = attrs.evolve(plain_network, costs=attrs.evolve(costs, rates=rates))
    carriers = tuple(
        attrs.evolve(
            c,
            transit_days=(days if c.service_level is not oc.ServiceLevel.SAME_DAY else 0,)
            * len(c.zones),
        )
        for c in card_dated.costs.carriers
    )
    carrier_dated = attrs.evolve(
        card_dated, costs=attrs.evolve(card_dated.costs, carriers=carriers)
    )
    kwargs = {"sourcing": sourcing, "now": scenario.now}
    fast = oc.allocate(scenario.orders, card_dated, scenario.inventory, **kwargs)
    plain = reference.allocate(scenario.orders, card_dated, scenario.inventory, **kwargs)
    by_carriers = reference.allocate(scenario.orders, carrier_dated, scenario.inventory, **kwargs)
    assert_same_dates(fast, plain)
    assert_same_parcels(fast, plain)
    assert by_carriers.allocations == plain.allocations


@given(scenario=oms.scenarios(max_orders=12, parcels=True, timed=True, transit_days=True))
def test_the_engine_decides_dated_calls_only_where_carrier_days_change_nothing(
    scenario: oms.Scenario,
) -> None:
    """Mixed carriers: with days of their own on a level that has dates, the engine
    refuses the dated call (it would date by the card); otherwise it decides as the
    reference does."""
    args = (scenario.orders, scenario.network, scenario.inventory)
    if _dated_by_carriers(scenario.network):
        with pytest.raises(oc.InvalidInputError, match="carrier transit days"):
            oc.allocate(*args, now=scenario.now)
        return
    assert_same_dates(
        oc.allocate(*args, now=scenario.now), reference.allocate(*args, now=scenario.now)
    )


@st.composite
def promised_waves(draw: st.DrawFn) -> oms.Scenario:
    """Regional waves (nodes always open, in UTC) whose carriers have transit days of
    their own or the card's, a ``now``, and promises around the ends of the next days:
    a carrier is on time or a day late."""
    scenario = draw(regional_waves())
    now = draw(oms.nows())
    network = scenario.network
    days = st.integers(0, 3)
    carriers = tuple(
        attrs.evolve(
            c,
            transit_days=None
            if c.service_level is oc.ServiceLevel.SAME_DAY
            else draw(st.none() | st.tuples(*[days] * len(c.zones))),
        )
        for c in network.costs.carriers
    )
    rates = {
        level: attrs.evolve(card, transit=(oc.TransitBand(max_km=1e5, days=draw(days)),))
        for level, card in network.costs.rates.items()
    }
    costs = attrs.evolve(
        network.costs,
        carriers=carriers,
        rates=rates,
        delivery_weekdays=draw(st.frozensets(st.integers(0, 6), min_size=1)),
    )
    end_of_today = dt.datetime.combine(now.date(), dt.time(23, 59), tzinfo=dt.timezone.utc)
    promise = st.integers(-1, 5).map(lambda k: end_of_today + dt.timedelta(days=k))
    orders = tuple(
        attrs.evolve(order, deliver_by=draw(st.none() | promise)) for order in scenario.orders
    )
    return attrs.evolve(
        scenario, network=attrs.evolve(network, costs=costs), orders=orders, now=now
    )


_NEVER = 2**62
"""A delivery minute later than any promise."""


def _delivered(network: oc.Network, service: oc.CarrierService, km: float, now: dt.datetime) -> int:
    """When ``service`` delivers a parcel dispatched at ``now`` from a node without a
    calendar, ``km`` away (minutes since the epoch): 23:59 UTC of the day its transit
    days later in the delivery weekdays (counted from ``now`` rounded up to its minute),
    worked out with numpy's business days; ``_NEVER`` beyond the service's last zone."""
    costs = network.costs
    if service.service_level is oc.ServiceLevel.SAME_DAY:
        days = 0
    elif service.transit_days is None:
        days = costs.rates[service.service_level].transit[0].days
    else:
        zone = int(np.searchsorted(service.zones, km, side="left"))
        if zone >= len(service.transit_days):
            return _NEVER  # beyond its last zone: the service cannot carry it there
        days = service.transit_days[zone]
    mask = "".join("1" if d in costs.delivery_weekdays else "0" for d in range(7))
    # The engine decides at ``now`` rounded up to its minute, which may be the next day.
    at = now.astimezone(dt.timezone.utc)
    if at.second or at.microsecond:
        at = at.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    start = np.datetime64(at.date(), "D")
    day = np.busday_offset(start, days, roll="backward", weekmask=mask) if days else start
    return int(day.astype("datetime64[m]").astype(np.int64)) + DAY - 1


def _minute(instant: dt.datetime) -> int:
    return int(instant.timestamp() // 60)


@given(scenario=promised_waves())
def test_each_parcel_goes_with_the_cheapest_carrier_that_keeps_the_promise(
    scenario: oms.Scenario,
) -> None:
    """The reference (the specification): a shipment is delivered with its latest
    parcel, by its promise; each parcel's carrier keeps the promise and no carrier
    that keeps it quotes the parcel lower; a line is TOO_LATE only where stock is."""
    network, now = scenario.network, scenario.now
    assert now is not None
    result = reference.allocate(
        scenario.orders, network, scenario.inventory, policy=Sequential(), now=now
    )
    catalogue = network.catalogue
    assert catalogue is not None
    services = {c.name: c for c in network.costs.carriers}
    for order, allocation in zip(scenario.orders, result.allocations, strict=True):
        promise = None if order.deliver_by is None else _minute(order.deliver_by)
        for shipment in allocation.shipments:
            assert shipment.delivered_by is not None
            if not shipment.parcels:
                continue
            km = shipment.distance_km
            arrivals = [_delivered(network, services[p.carrier], km, now) for p in shipment.parcels]
            assert _minute(shipment.delivered_by) == max(arrivals)
            if promise is None:
                continue
            assert max(arrivals) <= promise
            keeping = [
                c
                for c in network.costs.carriers
                if c.service_level is order.service_level
                and _delivered(network, c, km, now) <= promise
            ]
            for parcel in shipment.parcels:
                products = [
                    catalogue.product(u.sku) for u in parcel.units for _ in range(u.quantity)
                ]
                box = _Box(
                    skus=[p.sku for p in products],
                    grams=sum(round(p.weight_kg * 1000) for p in products),
                    volume=sum(round(p.volume_cm3) for p in products),
                    side=max(p.longest_side_cm for p in products),
                )
                quotes = [q for c in keeping if (q := _price(c, box, km)) is not None]
                assert round(parcel.cost * 100) == min(cents for cents, _ in quotes)
        for line in allocation.unfulfilled:
            if line.reason is oc.UnfulfilledReason.TOO_LATE:
                assert (
                    order.deliver_by is not None or order.service_level is oc.ServiceLevel.SAME_DAY
                )

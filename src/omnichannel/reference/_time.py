"""The dates of one shipment, the plain way: step through the calendar day by day.

This is the specification of dates (docs/time.md); the engine's kernel must give
the same minutes. Every instant is whole minutes since the epoch, UTC.

1. **Start.** Processing starts at the first instant at or after ``now`` inside
   the hours of an open operating day whose shipments (``loads``) are below the
   calendar's ``daily_capacity``; the shipment counts against that day.
2. **Ready.** ``processing`` minutes of open hours later (hours of later days
   count, full or not); with no processing, at the start.
3. **Dispatch** (every method but pickup in store): the cut-off instant of the
   first open operating day, in date order, whose cut-off is at or after ready.
   Its local date is the dispatch date. A SAME_DAY service level must dispatch
   on the local date of ``now``, else the node is late.
4. **Delivery date**: the dispatch date plus the transit days of the order's
   level (the band of the node's distance; 0 without bands, 0 for SAME_DAY), or
   of the carrier service taking the parcel when it has ``transit_days`` (its
   zone's), counted in the carrier's delivery weekdays after the dispatch date.
5. **Delivered by**: home and same day, 23:59 local on the delivery date (the
   shipping node's zone, UTC without a calendar); pickup in store, ready; ship
   to store and pickup point, the pickup node's own start and processing from
   ``max(dispatch, 00:00 on the delivery date in the pickup node's zone)``,
   without daily capacity.
6. Nothing is looked for beyond ``now + HORIZON_DAYS``: a shipment delivered
   later, or whose dates lie beyond, cannot be made (the node is late).

A node without a calendar is always open in UTC, with no processing, cut-off or
daily capacity: ready and dispatched at ``now``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from .._domain.calendar import (
    HORIZON_DAYS,
    MINUTES_PER_DAY,
    NodeCalendar,
    local_date,
    local_minute,
)
from .._domain.carriers import CarrierService
from .._domain.enums import FulfillmentMethod, ServiceLevel
from .._domain.network import CostModel, Node
from .._domain.orders import Order

_UTC = dt.timezone.utc
_LAST_MINUTE = dt.time(23, 59)


@dataclass(frozen=True)
class Dates:
    """When one node's shipment of one order happens."""

    day: dt.date
    """The operating day (local date) whose daily capacity the shipment uses."""
    ready_at: int
    """Picked and packed, minutes since the epoch."""
    delivered_by: int
    """Delivered (end of the day) or ready for collection, minutes since the epoch."""
    same_day_ok: bool
    """False for a SAME_DAY level dispatched after the local date of ``now``."""


def _days(calendar: NodeCalendar, first: dt.date, limit: int) -> Iterator[tuple[dt.date, int, int]]:
    """Open operating days from ``first`` on, with their hours ``[open, close)``
    (instants), until one starts after ``limit`` (or the dates pass it); hours start
    no earlier than the previous date's hours end (a clock change could make them
    overlap), and hours of no length are skipped."""
    day = first
    last = local_date(limit, calendar.zone) + dt.timedelta(days=1)
    before = calendar.interval(day - dt.timedelta(days=1))
    while day <= last:
        hours = calendar.interval(day)
        if hours is not None:
            start, end = hours
            if before is not None:
                start = max(start, before[1])
            if end > start:
                yield day, start, end
        before = hours
        day += dt.timedelta(days=1)


def _work(
    calendar: NodeCalendar | None,
    at: int,
    limit: int,
    loads: Mapping[dt.date, int] | None,
) -> tuple[dt.date, int] | None:
    """The operating day processing starts in, and the instant it ends, for work that
    may start at ``at``; None when either lies beyond ``limit``. ``loads`` (None:
    ignore daily capacity) counts the shipments each day already has."""
    if calendar is None:
        return local_date(at, _UTC), at
    capacity = calendar.daily_capacity if loads is not None else None
    left = calendar.processing_minutes
    first = local_date(at, calendar.zone) - dt.timedelta(days=1)
    started: dt.date | None = None
    for day, start, end in _days(calendar, first, limit):
        if start > limit:
            return None
        if started is None:
            if end <= at:
                continue
            if capacity is not None and loads is not None and loads.get(day, 0) >= capacity:
                continue
            started, start = day, max(start, at)
            if left == 0:
                return day, start
        if end - start >= left:
            ready = start + left
            return (started, ready) if ready <= limit else None
        left -= end - start
    return None


def first_day(node: Node, now: int, loads: Mapping[dt.date, int]) -> dt.date | None:
    """The operating day a shipment from ``node`` decided at ``now`` starts on, with
    ``loads`` shipments already on its days; None when none is within the horizon."""
    worked = _work(node.calendar, now, now + HORIZON_DAYS * MINUTES_PER_DAY, loads)
    return None if worked is None else worked[0]


def _dispatch(calendar: NodeCalendar | None, ready: int, limit: int) -> int | None:
    """The instant the carrier collects a parcel ready at ``ready``."""
    if calendar is None:
        return ready
    first = local_date(ready, calendar.zone) - dt.timedelta(days=1)
    for day, start, _ in _days(calendar, first, limit):
        if start > limit:
            return None
        cutoff = calendar.cutoff_minute(day)
        assert cutoff is not None
        if cutoff >= ready:
            return cutoff if cutoff <= limit else None
    return None


def transit_days(order: Order, costs: CostModel, distance_km: float) -> int | None:
    """Carrier delivery days from the node, by the order's level; None when the node is
    beyond the level's last band."""
    if order.service_level is ServiceLevel.SAME_DAY:
        return 0
    bands = costs.rates[order.service_level].transit
    if not bands:
        return 0
    for band in bands:
        if distance_km <= band.max_km:
            return band.days
    return None


def carrier_transit_days(
    order: Order, costs: CostModel, service: CarrierService, distance_km: float
) -> int | None:
    """Delivery days of a parcel of ``order`` that ``service`` takes ``distance_km``
    from the node: its zone's ``transit_days``, or the level's bands when it has none;
    None where neither reaches."""
    if order.service_level is ServiceLevel.SAME_DAY:
        return 0
    if service.transit_days is None:
        return transit_days(order, costs, distance_km)
    for zone, bound in enumerate(service.zones):
        if distance_km <= bound:
            return service.transit_days[zone]
    return None


def _delivery_date(dispatched: dt.date, days: int, weekdays: frozenset[int]) -> dt.date:
    day = dispatched
    while days:
        day += dt.timedelta(days=1)
        if day.weekday() in weekdays:
            days -= 1
    return day


def _zone(node: Node) -> dt.tzinfo:
    return _UTC if node.calendar is None else node.calendar.zone


def shipment_dates(
    order: Order,
    node: Node,
    pickup: Node | None,
    costs: CostModel,
    distance_km: float,
    now: int,
    loads: Mapping[dt.date, int],
    service: CarrierService | None = None,
) -> Dates | None:
    """The dates of ``order`` shipped from ``node`` (its pickup node ``pickup``, if
    any), ``distance_km`` from the hand-over point, deciding at ``now`` (minutes since
    the epoch) with ``loads`` shipments already on the node's operating days, its
    parcels carried by ``service`` (None: dated by the level's rate card bands); None
    when it cannot be made within the horizon (or the node is beyond the level's last
    transit band, or the service's last zone)."""
    limit = now + HORIZON_DAYS * MINUTES_PER_DAY
    worked = _work(node.calendar, now, limit, loads)
    if worked is None:
        return None
    day, ready = worked
    if order.method is FulfillmentMethod.PICKUP_IN_STORE:
        return Dates(day=day, ready_at=ready, delivered_by=ready, same_day_ok=True)
    dispatched = _dispatch(node.calendar, ready, limit)
    days = (
        transit_days(order, costs, distance_km)
        if service is None
        else carrier_transit_days(order, costs, service, distance_km)
    )
    if dispatched is None or days is None:
        return None
    zone = _zone(node)
    dispatch_date = local_date(dispatched, zone)
    same_day_ok = order.service_level is not ServiceLevel.SAME_DAY or dispatch_date == local_date(
        now, zone
    )
    delivery = _delivery_date(dispatch_date, days, costs.delivery_weekdays)
    if pickup is None:
        delivered = local_minute(delivery, _LAST_MINUTE, zone)
    else:
        arrival = max(dispatched, local_minute(delivery, dt.time(0), _zone(pickup)))
        if arrival > limit:
            return None
        collected = _work(pickup.calendar, arrival, limit, None)
        if collected is None:
            return None
        delivered = collected[1]
    if delivered > limit:
        return None
    return Dates(day=day, ready_at=ready, delivered_by=delivered, same_day_ok=same_day_ok)


def day_caps(
    canonical: list[Node],
    now: int,
    used: Mapping[str, int],
    loads: Mapping[str, Mapping[dt.date, int]],
    capacity: Mapping[str, float],
) -> dict[str, float]:
    """Each node's shipments in a call that does not push work to later days: its
    ``capacity``, and at most what it has ``used`` plus what its first operating day
    at ``now`` has left (``loads``: shipments per node id and day so far)."""
    caps = dict(capacity)
    for node in canonical:
        calendar = node.calendar
        if calendar is None or calendar.daily_capacity is None:
            continue
        days = loads.get(node.id, {})
        day = first_day(node, now, days)
        if day is not None:
            left = max(calendar.daily_capacity - days.get(day, 0), 0)
            caps[node.id] = min(caps[node.id], used.get(node.id, 0) + left)
    return caps

"""Carrier transit days, written plainly: which carrier services keep an order's
promise from one node, and the date of a shipment they carry.

The rule (CONTRACTS 14; docs/parcels.md, "Carrier transit days"):

- With ``now``, each carrier service of an order's level dates its parcels by its own
  ``transit_days`` at the node's zone (the level's rate card bands when it has none).
  A service *keeps the promise* from a node when its parcels are delivered within the
  horizon and by the order's ``deliver_by`` (when there is one).
- Rate shopping then takes, for each parcel, the cheapest service that keeps the
  promise; the packing limit is still that of every service of the level.
- A node is on time for the order only if every unit some service of the level can
  carry alone from there, a service that keeps the promise can carry alone: then
  every parcel of any of the order's shipments from the node has an on-time carrier
  (a packed parcel none of them takes is unpacked, as always). Otherwise the node is
  late for the order (reason ``TOO_LATE``).
- A shipment's ``delivered_by`` is the latest of its parcels'; the node's date for
  scoring (``lead_days``) is that of the order's lines it can ship, sent whole.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .._domain.calendar import to_minute
from .._domain.carriers import CarrierService, Parcel
from .._domain.network import Network, Node
from .._domain.orders import Order, OrderLine
from ._costs import shipping
from ._parcels import carriers_of, shippable
from ._time import Dates, shipment_dates


@dataclass(frozen=True)
class CarrierDates:
    """What the carrier services of an order's level give from one node."""

    dates: Mapping[str, Dates]
    """The shipment's dates with each service (by name) whose parcels can be made."""
    on_time: tuple[CarrierService, ...]
    """The services that keep the promise, in ``CostModel.carriers`` order."""

    def delivered_by(self, parcels: Sequence[Parcel]) -> int:
        """When a shipment of ``parcels`` (carried by services that keep the promise) is
        delivered: the latest of its parcels (minutes since the epoch)."""
        return max(self.dates[parcel.carrier].delivered_by for parcel in parcels)


def carrier_dates(
    order: Order,
    network: Network,
    node: Node,
    pickup: Node | None,
    distance_km: float,
    now: int,
    loads: Mapping[dt.date, int],
) -> CarrierDates | None:
    """Each carrier service's dates of ``order`` from ``node`` (as
    :func:`~._time.shipment_dates` takes them) and those that keep its promise; None
    when no carrier service prices the order."""
    services = carriers_of(network, order)
    if not services:
        return None
    promise = (
        None
        if order.deliver_by is None
        else to_minute(order.deliver_by, "deliver_by", round_up=False)
    )
    dates: dict[str, Dates] = {}
    on_time = []
    for service in services:
        found = shipment_dates(order, node, pickup, network.costs, distance_km, now, loads, service)
        if found is None:
            continue
        dates[service.name] = found
        if promise is None or found.delivered_by <= promise:
            on_time.append(service)
    return CarrierDates(dates=dates, on_time=tuple(on_time))


def covers(order: Order, network: Network, carriers: CarrierDates, distance_km: float) -> bool:
    """Whether every unit of ``order`` that can travel alone ``distance_km`` from the
    node can travel alone with a service that keeps the promise."""
    if not carriers.on_time:
        return False
    return all(
        shippable(network, order, line.sku, distance_km, carriers.on_time)
        for line in order.lines
        if shippable(network, order, line.sku, distance_km)
    )


def node_dates(
    order: Order,
    network: Network,
    carriers: CarrierDates,
    distance_km: float,
    lines: Sequence[OrderLine],
) -> Dates:
    """The node's dates for ``order`` when it :func:`covers` it: the work and dispatch
    of any service, delivered when ``lines`` (those it can ship) sent whole would be."""
    first = carriers.dates[carriers.on_time[0].name]
    if not lines:
        return first
    _, parcels = shipping(order, network, distance_km, lines, carriers.on_time)
    return Dates(
        day=first.day,
        ready_at=first.ready_at,
        delivered_by=carriers.delivered_by(parcels),
        same_day_ok=first.same_day_ok,
    )

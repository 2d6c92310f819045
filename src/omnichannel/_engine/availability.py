"""``availability``: where each SKU can be collected near a point, and when."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import numpy as np

from .._core.geo import chord_distance_km, unit_vectors
from .._domain.calendar import HORIZON_DAYS, MINUTES_PER_DAY, from_minutes, now_minute
from .._domain.call_checks import (
    checked_context,
    checked_daily_used,
    checked_near,
    checked_skus,
    reject_carrier_transit,
)
from .._domain.enums import FulfillmentMethod
from .._domain.geo import GeoPoint
from .._domain.inventory import Inventory
from .._domain.network import Network
from .._domain.promise import NodeAvailability, SkuAvailability
from ..sourcing._batch import METHODS, node_units, pickup_acceptance, source_permission
from ..sourcing._timing import Timing

_IN_STORE = METHODS.index(FulfillmentMethod.PICKUP_IN_STORE)
_NONE = np.zeros(0, dtype=np.int64)
"""No orders: the nodes' times at the call's start need none."""


def availability(
    skus: Iterable[str],
    network: Network,
    inventory: Inventory,
    *,
    channel_id: str,
    near: GeoPoint,
    radius_km: float,
    now: dt.datetime,
    daily_used: Mapping[str, Mapping[dt.date, int]] | None = None,
) -> tuple[SkuAvailability, ...]:
    """For each of ``skus``, the nodes within ``radius_km`` of ``near`` where a customer
    of ``channel_id`` can collect it in store: units available to the channel now, and
    when one unit ordered now would be ready (as ``promise`` dates pickup in store).

    A node counts when it is active, has ``PICKUP``, the channel may use its kind,
    it lies within ``radius_km`` (great-circle km), holds at least one unit available
    to the channel and can have it ready within the horizon (its calendar, and with
    ``daily_used`` its daily capacity). Nodes come nearest first (ties: rank, then
    id). Nothing is reserved; ``now`` is required and must be aware.
    """
    now_minute(now)
    reject_carrier_transit(network, now, "availability")
    network, inventory, _ = checked_context(network, inventory, None)
    found = checked_skus(skus, network)
    channel_id, near, radius_km = checked_near(network, channel_id, near, radius_km)
    earlier = checked_daily_used(daily_used, network)
    channel = network.channel(channel_id)
    can = (
        pickup_acceptance(network)[_IN_STORE]
        & source_permission(network)[network.channel_index(channel_id), _IN_STORE]
    )
    nodes = np.flatnonzero(can)
    point = unit_vectors(np.array([near.lat]), np.array([near.lon]))
    km = chord_distance_km(point, network.derived(node_units)[:, nodes])
    inside = km <= radius_km
    nodes, km = nodes[inside], km[inside]
    order = np.lexsort((nodes, km))
    nodes, km = nodes[order], km[order]
    ids = [network.arrays.ids[n] for n in nodes.tolist()]
    block = inventory.dense(found, ids)
    held = block.safety_stock if channel.respects_safety_stock else 0
    units = np.maximum(block.on_hand - block.reserved - held, 0)
    rows, columns = np.nonzero(units >= 1)
    per_sku: list[list[NodeAvailability]] = [[] for _ in found]
    # Dates only where some node holds the SKU: most questions end before any.
    if rows.size:
        # A unit picked up where it is: ready when the node's work can start and is
        # done (its calendar, processing and full days), as promise dates it; a node
        # with no shipment left in the wave, or none ready within the horizon, offers
        # nothing.
        times = Timing.build(network, (), _NONE, _NONE, _NONE, now, earlier).start()
        limit = times.timing.now + HORIZON_DAYS * MINUTES_PER_DAY
        ready = times.ready[nodes]
        offered = (ready <= limit) & (network.arrays.capacity[nodes] >= 1)
        # Only offered nodes' instants: the others' may lie past every datetime.
        (instants,) = from_minutes(np.where(offered, ready, times.timing.now).tolist())
        for row, column in zip(rows.tolist(), columns.tolist(), strict=True):
            if offered[column]:
                per_sku[row].append(
                    NodeAvailability(
                        node_id=ids[column],
                        distance_km=float(km[column]),
                        available=int(units[row, column]),
                        ready_at=instants[column],
                    )
                )
    return tuple(
        SkuAvailability(sku=sku, nodes=tuple(listed))
        for sku, listed in zip(found, per_sku, strict=True)
    )

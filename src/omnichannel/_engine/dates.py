"""Dates on a policy's shipments: each dated in decision order as its node's
operating days fill, and checked against its order's time rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import numpy as np

from .._domain.calendar import from_minutes, to_minute
from .._domain.decisions import Allocation, date_in_place, dated_shipment, with_shipments
from .._domain.validators import MAX_COUNT
from .._types import BoolArray
from ..allocation._wave import Wave
from .verify import Shipped, verify_on_time


def dated(
    wave: Wave,
    allocations: Sequence[Allocation],
    shipped: Shipped,
    policy: str,
    reference_daily: Mapping[str, Mapping[dt.date, int]] | None,
    *,
    fresh: bool,
) -> tuple[tuple[Allocation, ...], Mapping[str, Mapping[dt.date, int]]]:
    """``allocations`` with every shipment dated, and the shipments per node and day.

    Shipments are dated in decision order: orders by descending priority (ties in
    input order), each order's shipments in its order. Each starts on its node's
    next operating day that is not full, so the sequential policy, which decides in
    that order, gets exactly the dates it chose by. The reference dates its own
    shipments and counts its own days (``reference_daily``); those are only checked.
    ``fresh`` allocations were made in this call by one of this library's policies,
    which nobody else holds yet: their shipments are dated where they are. Any
    other policy's allocations are copied with their dates.
    """
    timing = wave.timing
    assert timing is not None
    arrays = wave.arrays
    if reference_daily is not None:
        verify_on_time(wave, shipped, _promised(wave, shipped), policy)
        return tuple(allocations), reference_daily
    sequence = np.argsort(-arrays.priority[shipped.row], kind="stable")
    rows, nodes = shipped.row[sequence], shipped.node[sequence]
    day, dates, on_time = timing.stamp(rows, nodes, arrays.pair_distance_km(rows, nodes))
    in_order = np.empty_like(on_time)
    in_order[sequence] = on_time
    verify_on_time(wave, shipped, in_order, policy)
    ready = np.empty(sequence.size, dtype=np.int64)
    delivered = np.empty(sequence.size, dtype=np.int64)
    ready[sequence], delivered[sequence] = dates.ready_at, dates.delivered_by
    ready_at, delivered_by = map(iter, from_minutes(ready.tolist(), delivered.tolist()))
    if fresh:
        date_in_place(shipped.shipments, ready_at, delivered_by)
        found = tuple(allocations)
    else:
        found = tuple(
            with_shipments(
                allocation,
                tuple(
                    dated_shipment(shipment, next(ready_at), next(delivered_by))
                    for shipment in allocation.shipments
                ),
            )
            if allocation.shipments
            else allocation
            for allocation in allocations
        )
    daily = timing.daily_used(nodes, day, arrays.network.arrays.ids)
    return found, daily


def carried(
    daily: Mapping[str, Mapping[dt.date, int]], first: dt.date
) -> dict[str, dict[dt.date, int]]:
    """Shipments per node id and day to carry to later calls: days before ``first``
    (two days before the UTC date of ``now``, before any day a later call can start
    work on) are dropped, so the counts do not grow with every day a stream runs; a
    count is at most ``MAX_COUNT`` (a day that full has nothing left anyway)."""
    kept = {
        node_id: {day: min(count, MAX_COUNT) for day, count in days.items() if day >= first}
        for node_id, days in daily.items()
    }
    return {node_id: days for node_id, days in kept.items() if days}


def _promised(wave: Wave, shipped: Shipped) -> BoolArray:
    """Whether each shipment carries dates that keep its order's ``deliver_by``."""
    orders = wave.arrays.orders
    ok = []
    for row, shipment in zip(shipped.row.tolist(), shipped.shipments, strict=True):
        promise = orders[row].deliver_by
        delivered = shipment.delivered_by
        ok.append(
            delivered is not None
            and shipment.ready_at is not None
            and (
                promise is None
                or to_minute(delivered, "delivered_by", round_up=False)
                <= to_minute(promise, "deliver_by", round_up=False)
            )
        )
    return np.array(ok, dtype=np.bool_)

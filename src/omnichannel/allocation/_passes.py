"""Sequential allocation of part of a wave on a state other policies have already drawn on."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import attrs
import numpy as np

from .._domain.decisions import UnfulfilledLine
from .._domain.orders import Order, OrderLine
from .._types import IntArray
from ..sourcing._batch import OrderArrays, StockState
from ..sourcing._protocol import SourcingStrategy
from ._resolve import Taken
from ._sequential import Sequential
from ._wave import Wave


def trimmed(order: Order, units: IntArray) -> tuple[Order | None, list[int]]:
    """``order`` with ``units[i]`` units of line ``i`` (lines with none dropped), and the
    positions of the kept lines; None when no line is left."""
    kept = [i for i, u in enumerate(units.tolist()) if u > 0]
    if not kept:
        return None, kept
    lines = [
        order.lines[i]
        if units[i] == order.lines[i].quantity
        else OrderLine(sku=order.lines[i].sku, quantity=int(units[i]))
        for i in kept
    ]
    return attrs.evolve(order, lines=lines), kept


def sequential_pass(
    wave: Wave,
    state: StockState,
    orders: Sequence[tuple[Order | None, list[int]]],
    taken: list[Taken],
    km: list[dict[int, float]],
) -> dict[int, list[UnfulfilledLine]]:
    """Allocate the given part of each order sequentially on ``state`` (which it
    updates), adding what each takes to ``taken`` and ``km``; returns the
    unfulfilled lines of each order that took part, by order position."""
    parts = [(r, order, kept) for r, (order, kept) in enumerate(orders) if order is not None]
    if not parts:
        return {}
    arrays = wave.arrays
    sub = sub_wave(wave, [order for _, order, _ in parts], state)
    index = arrays.sku_rows
    unfulfilled: dict[int, list[UnfulfilledLine]] = {}
    for (r, _, positions), allocation in zip(parts, Sequential().allocate(sub), strict=True):
        for shipment in allocation.shipments:
            node = arrays.network.node_index(shipment.node_id)
            km[r][node] = shipment.distance_km
            state.ship_one(node)
            for line in shipment.lines:
                position = next(p for p in positions if arrays.orders[r].lines[p].sku == line.sku)
                lines = taken[r].setdefault(node, {})
                lines[position] = lines.get(position, 0) + line.quantity
                state.take(np.array([index[line.sku]]), np.array([node]), np.array([line.quantity]))
        unfulfilled[r] = list(allocation.unfulfilled)
    return unfulfilled


def sub_wave(
    wave: Wave,
    orders: Sequence[Order],
    state: StockState,
    sourcing: Callable[[IntArray], SourcingStrategy] | None = None,
) -> Wave:
    """A wave of ``orders`` (of ``wave``'s, whole or trimmed) on a copy of ``state``.

    ``sourcing`` makes the part's strategy from the wave's SKU row of each of the
    part's SKU rows (for strategies holding per-SKU arrays); None keeps the wave's.
    """
    part = OrderArrays.build(orders, wave.arrays.network, wave.accuracy)
    index = wave.arrays.sku_rows
    sku_rows = np.array([index[sku] for sku in part.skus], dtype=np.int64)
    sub_state = StockState(
        spare=state.spare[:, sku_rows].copy(),
        safety=state.safety[sku_rows],
        demand=state.demand[sku_rows],
        capacity=state.capacity,
        used=state.used.copy(),
    )
    timing, sub_state.times = wave.times_for(part, state.times)
    strategy = wave.sourcing if sourcing is None else sourcing(sku_rows)
    return Wave(
        arrays=part,
        inventory=wave.inventory,
        state=sub_state,
        sourcing=strategy,
        demand=wave.demand,
        timing=timing,
        push=wave.push,
        accuracy=wave.accuracy,
    )

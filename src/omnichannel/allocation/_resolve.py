"""The sequential rule for one order on the current state: the specification the fast
scan falls back on whenever it cannot prove a precomputed choice still stands."""

from __future__ import annotations

import numpy as np

from .._core.costs import handling_cost, shipment_cost, shipping_cost
from .._domain.decisions import (
    Allocation,
    Shipment,
    UnfulfilledLine,
    UnfulfilledReason,
    allocation_status,
)
from .._domain.enums import FulfillmentMethod
from .._domain.orders import OrderLine
from .._types import BoolArray, FloatArray, IntArray
from ..sourcing._batch import METHODS, SourcingBatch, StockState
from ..sourcing._builtin import checked_costs
from ._wave import Wave

_IN_STORE = METHODS.index(FulfillmentMethod.PICKUP_IN_STORE)


Taken = dict[int, dict[int, int]]
"""Units an order takes: canonical node -> line position in the order -> units."""


def resolve_order(row: int, wave: Wave, state: StockState) -> tuple[Allocation, Taken]:
    """Decide order ``row`` of the wave on ``state`` and take what it uses from ``state``.

    The cheapest node that can serve every line wins (ties: node rank, then id).
    If none can and the order allows splits, lines are split greedily: first,
    repeatedly open the node that serves the most remaining lines in full (ties:
    cheaper, then rank, then id); then fill what is left of each line, in line
    order, unit by unit from nodes already opened for the order, then from new
    nodes, each group cheapest first. Units no node can give are unfulfilled.
    """
    arrays = wave.arrays
    order = arrays.orders[row]
    batch = SourcingBatch(arrays, np.array([row]), state)
    cost = checked_costs(wave.sourcing, batch)[0]
    eligible = batch.eligible[0] & np.isfinite(cost)
    sku = batch.line_sku
    quantity = batch.line_quantity
    available = batch.line_available.copy()
    has_capacity = state.capacity_left >= 1
    whole = eligible & has_capacity & np.all(available >= quantity[:, None], axis=0)
    taken: Taken = {}
    if whole.any():
        node = int(np.argmin(np.where(whole, cost, np.inf)))
        taken[node] = dict(enumerate(quantity.tolist()))
        unfulfilled: list[UnfulfilledLine] = []
    elif not arrays.allow_split[row]:
        unfulfilled = _refused_whole(order.lines, available, quantity, eligible, has_capacity)
    else:
        unfulfilled = _split(order.lines, available, quantity, cost, eligible, state, taken)
    for node, lines in taken.items():
        for line, units in lines.items():
            state.free[sku[line], node] -= units
        state.used[node] += 1
    return _allocation(row, wave, batch.distance_km[0], taken, unfulfilled), taken


def _split(
    lines: tuple[OrderLine, ...],
    available: IntArray,
    quantity: IntArray,
    cost: FloatArray,
    eligible: BoolArray,
    state: StockState,
    taken: Taken,
) -> list[UnfulfilledLine]:
    """The greedy split; fills ``taken`` (node -> line -> units) and updates ``state.used``
    for opened nodes only at the end (by the caller)."""
    remaining = {line: int(q) for line, q in enumerate(quantity.tolist())}
    opened = np.zeros(cost.size, dtype=np.bool_)
    capacity_left = state.capacity_left.copy()
    while remaining:
        rows = list(remaining)
        need = np.array([remaining[line] for line in rows])
        serves = available[rows] >= need[:, None]
        candidates = eligible & (capacity_left >= 1) & ~opened
        cover = np.where(candidates, serves.sum(axis=0), 0)
        best = int(cover.max(initial=0))
        if best == 0:
            break
        node = int(np.argmin(np.where(cover == best, cost, np.inf)))
        opened[node] = True
        capacity_left[node] -= 1
        for line, serve in zip(rows, serves[:, node].tolist(), strict=True):
            if serve:
                _take(taken, node, line, remaining.pop(line), available)
    unfulfilled = []
    canonical = np.arange(cost.size)
    for line, need_left in list(remaining.items()):
        usable = eligible & (available[line] >= 1) & (opened | (capacity_left >= 1))
        nodes = np.flatnonzero(usable)
        for node in nodes[np.lexsort((canonical[nodes], cost[nodes], ~opened[nodes]))].tolist():
            units = min(int(available[line, node]), need_left)
            if not opened[node]:
                opened[node] = True
                capacity_left[node] -= 1
            _take(taken, node, line, units, available)
            need_left -= units
            if need_left == 0:
                break
        if need_left:
            reason = _reason(available[line], eligible, capacity_left >= 1, opened)
            unfulfilled.append(
                UnfulfilledLine(sku=lines[line].sku, quantity=need_left, reason=reason)
            )
    return unfulfilled


def _take(taken: Taken, node: int, line: int, units: int, available: IntArray) -> None:
    taken.setdefault(node, {})[line] = taken.get(node, {}).get(line, 0) + units
    available[line, node] -= units


def _refused_whole(
    lines: tuple[OrderLine, ...],
    available: IntArray,
    quantity: IntArray,
    eligible: BoolArray,
    has_capacity: BoolArray,
) -> list[UnfulfilledLine]:
    """Every line unfulfilled, for an order that may not split and no node serves whole."""
    unfulfilled = []
    nobody = np.zeros(eligible.size, dtype=np.bool_)
    for line, order_line in enumerate(lines):
        alone = eligible & has_capacity & (available[line] >= quantity[line])
        reason = (
            UnfulfilledReason.SPLIT_NOT_ALLOWED
            if alone.any()
            else _reason(available[line], eligible, has_capacity, nobody)
        )
        unfulfilled.append(
            UnfulfilledLine(sku=order_line.sku, quantity=order_line.quantity, reason=reason)
        )
    return unfulfilled


def _reason(
    available: IntArray, eligible: BoolArray, has_capacity: BoolArray, opened: BoolArray
) -> UnfulfilledReason:
    """Why units of a line stay unfulfilled: no eligible node at all; else an eligible
    node with units but no shipments left; else out of stock."""
    if not eligible.any():
        return UnfulfilledReason.NO_ELIGIBLE_NODE
    if (eligible & ~has_capacity & ~opened & (available >= 1)).any():
        return UnfulfilledReason.NO_CAPACITY
    return UnfulfilledReason.OUT_OF_STOCK


def _allocation(
    row: int,
    wave: Wave,
    distance: FloatArray,
    taken: Taken,
    unfulfilled: list[UnfulfilledLine],
) -> Allocation:
    arrays = wave.arrays
    order = arrays.orders[row]
    nodes = arrays.network.arrays
    base, per_km, per_unit, _ = arrays.rates
    level = int(arrays.level[row])
    in_store = int(arrays.method[row]) == _IN_STORE
    shipments = []
    for node, lines in taken.items():
        units = float(sum(lines.values()))
        km = float(distance[node])
        shipping = (
            0.0
            if in_store
            else shipping_cost(
                float(base[level]), float(per_km[level]), km, float(per_unit[level]), units
            )
        )
        handling = handling_cost(
            float(nodes.handling_per_order[node]), float(nodes.handling_per_unit[node]), units
        )
        shipments.append(
            Shipment(
                node_id=nodes.ids[node],
                lines=tuple(
                    order.lines[line]
                    if units_taken == order.lines[line].quantity
                    else OrderLine(sku=order.lines[line].sku, quantity=units_taken)
                    for line, units_taken in sorted(lines.items())
                ),
                distance_km=km,
                cost=shipment_cost(shipping, handling),
            )
        )
    penalty = arrays.network.costs.split_penalty * max(len(shipments) - 1, 0)
    return Allocation(
        order_id=order.id,
        shipments=tuple(shipments),
        unfulfilled=tuple(unfulfilled),
        status=allocation_status(bool(shipments), bool(unfulfilled)),
        split_penalty=penalty,
    )

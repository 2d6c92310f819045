"""The sequential rule for one order on the current state: the specification the fast
scan falls back on whenever it cannot prove a precomputed choice still stands."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import attrs
import numpy as np

from .._core.costs import handling_cost, shipment_cost, shipping_cost
from .._domain.decisions import (
    Allocation,
    AllocationStatus,
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
from ..sourcing._parcel_window import unshippable
from ._wave import Wave

_IN_STORE = METHODS.index(FulfillmentMethod.PICKUP_IN_STORE)


Taken = dict[int, dict[int, int]]
"""Units an order takes: canonical node -> line position in the order -> units."""


class Scored(NamedTuple):
    """An order's view of every node, shape (n_nodes,) each."""

    cost: FloatArray
    """The sourcing strategy's cost."""
    eligible: BoolArray
    """Hard rules other than stock, capacity and time hold, and the cost is finite."""
    distance_km: FloatArray
    """Km from the node to the order's hand-over point."""


def score_alone(row: int, wave: Wave, state: StockState) -> Scored:
    """Score order ``row`` on ``state`` by itself."""
    batch = SourcingBatch(wave.arrays, np.array([row]), state)
    cost = checked_costs(wave.sourcing, batch)[0]
    return Scored(cost, batch.static_eligible[0] & np.isfinite(cost), batch.distance_km[0])


def late_nodes(row: int, state: StockState, eligible: BoolArray, distance: FloatArray) -> BoolArray:
    """Which of the ``eligible`` nodes cannot keep order ``row``'s time rules on
    ``state`` now (none without ``now``), shape (n_nodes,)."""
    late = np.zeros(eligible.size, dtype=np.bool_)
    if state.times is None:
        return late
    nodes = np.flatnonzero(eligible)
    on_time = state.times.on_time(np.full(nodes.size, row), nodes, distance[nodes])
    late[nodes] = ~on_time
    return late


def resolve_order(
    row: int,
    wave: Wave,
    state: StockState,
    scored: Scored | None = None,
    on_time: BoolArray | None = None,
) -> tuple[Allocation, Taken]:
    """Decide order ``row`` of the wave on ``state`` (see :func:`decide_order`) and take
    what it uses from ``state``. Returns the allocation and the units it took at each
    node."""
    allocation, taken = decide_order(row, wave, state, scored, on_time)
    arrays = wave.arrays
    sku = arrays.line_sku[int(arrays.line_start[row]) : int(arrays.line_start[row + 1])]
    for node, lines in taken.items():
        state.take(sku[list(lines)], np.full(len(lines), node), np.array(list(lines.values())))
        state.ship_one(node)
    return allocation, taken


def decide_order(
    row: int,
    wave: Wave,
    state: StockState,
    scored: Scored | None = None,
    on_time: BoolArray | None = None,
) -> tuple[Allocation, Taken]:
    """Decide order ``row`` of the wave on ``state``, which is left as it was.

    The cheapest node that can serve every line wins (ties: node rank, then id).
    If none can and the order allows splits, lines are split greedily: first,
    repeatedly open the node that serves the most remaining lines in full (ties:
    cheaper, then rank, then id); then fill what is left of each line, in line
    order, unit by unit from nodes already opened for the order, then from new
    nodes, each group cheapest first. Units no node can give are unfulfilled.

    With ``now``, only nodes that keep the order's time rules on ``state`` may serve.
    ``scored`` is the order's scoring on ``state``, and ``on_time`` whether each
    node keeps its time rules on ``state`` (n_nodes,), when the caller already has
    them. Returns the allocation and the units it would take at each node.
    """
    arrays = wave.arrays
    order = arrays.orders[row]
    cost, eligible, distance = scored if scored is not None else score_alone(row, wave, state)
    late = late_nodes(row, state, eligible, distance) if on_time is None else eligible & ~on_time
    eligible = eligible & ~late
    span = slice(int(arrays.line_start[row]), int(arrays.line_start[row + 1]))
    sku = arrays.line_sku[span]
    quantity = arrays.line_qty[span]
    available = state.available_to(sku, bool(arrays.respects_safety[row]))
    unshippable = unshippable_lines(wave, row, distance, eligible | late)
    held_unshippable = None
    if unshippable is not None:
        held_unshippable = np.any(unshippable & (available >= 1), axis=1)
        available = np.where(unshippable, 0, available)
    has_capacity = state.capacity_left >= 1
    whole = eligible & has_capacity & np.all(available >= quantity[:, None], axis=0)
    taken: Taken = {}
    if whole.any():
        node = int(np.argmin(np.where(whole, cost, np.inf)))
        taken[node] = dict(enumerate(quantity.tolist()))
        unfulfilled: list[UnfulfilledLine] = []
    elif not arrays.allow_split[row]:
        unfulfilled = refused_whole(order.lines, available, quantity, eligible, has_capacity, late)
    else:
        unfulfilled = split_order(
            order.lines, available, quantity, cost, eligible, state, taken, late
        )
    if held_unshippable is not None:
        unfulfilled = unshippable_reasons(order.lines, unfulfilled, held_unshippable)
    km = {node: float(distance[node]) for node in taken}
    return build_allocation(row, wave, km, taken, unfulfilled), taken


def unshippable_lines(
    wave: Wave, row: int, distance: FloatArray, usable: BoolArray
) -> BoolArray | None:
    """Whether no carrier service can carry a unit of each line of order ``row`` from
    each of the ``usable`` nodes, shape (n_lines_of_row, n_nodes); None when carriers
    do not price the order or every line can leave every usable node."""
    arrays = wave.arrays
    if not arrays.parcel_priced[row]:
        return None
    level = int(arrays.level[row])
    tables, reach = arrays.carrier_tables[level], arrays.lone_reach[level]
    assert tables is not None
    assert reach is not None
    sku = arrays.line_sku[int(arrays.line_start[row]) : int(arrays.line_start[row + 1])]
    km = np.broadcast_to(distance, (sku.size, distance.size))
    mask = unshippable(tables, arrays.parcel_item_arrays, reach, sku, km) & usable
    return mask if mask.any() else None


def unshippable_reasons(
    lines: tuple[OrderLine, ...], unfulfilled: list[UnfulfilledLine], held: BoolArray
) -> list[UnfulfilledLine]:
    """``unfulfilled`` with reason UNSHIPPABLE for each line an eligible (or only late)
    node holds but cannot ship; it comes first after SPLIT_NOT_ALLOWED and
    NO_ELIGIBLE_NODE (which no such node allows)."""
    position = {line.sku: index for index, line in enumerate(lines)}
    return [
        attrs.evolve(line, reason=UnfulfilledReason.UNSHIPPABLE)
        if held[position[line.sku]] and line.reason is not UnfulfilledReason.SPLIT_NOT_ALLOWED
        else line
        for line in unfulfilled
    ]


def refused(row: int, wave: Wave, reason: UnfulfilledReason) -> Allocation:
    """Every line of order ``row`` unfulfilled for ``reason``.

    The scan decides in bulk the orders that no node may serve (NO_ELIGIBLE_NODE)
    and those whose eligible nodes hold no unit of any of their lines
    (OUT_OF_STOCK): stock and eligibility only shrink during a wave, so
    :func:`resolve_order` would reach the same decision at their turn.
    """
    order = wave.arrays.orders[row]
    return Allocation(
        order_id=order.id,
        shipments=(),
        unfulfilled=tuple(
            UnfulfilledLine(sku=line.sku, quantity=line.quantity, reason=reason)
            for line in order.lines
        ),
        status=AllocationStatus.UNFULFILLED,
    )


def split_order(
    lines: tuple[OrderLine, ...],
    available: IntArray,
    quantity: IntArray,
    cost: FloatArray,
    eligible: BoolArray,
    state: StockState,
    taken: Taken,
    late: BoolArray,
) -> list[UnfulfilledLine]:
    """The greedy split over the eligible nodes; fills ``taken`` in opening order.
    ``late`` marks the nodes only the time rules keep out (for reasons).

    Works on the eligible columns only (canonical order is kept, so ties still
    go to the lower rank, then id).
    """
    nodes = np.flatnonzero(eligible)
    units = available[:, nodes]
    price = cost[nodes]
    capacity_left = state.capacity_left[nodes]
    opened = np.zeros(nodes.size, dtype=np.bool_)
    remaining = dict(enumerate(quantity.tolist()))
    while remaining:
        rows = list(remaining)
        serves = units[rows] >= np.array(list(remaining.values()))[:, None]
        cover = np.where((capacity_left >= 1) & ~opened, serves.sum(axis=0), 0)
        best = int(cover.max(initial=0))
        if best == 0:
            break
        column = int(np.argmin(np.where(cover == best, price, np.inf)))
        opened[column] = True
        capacity_left[column] -= 1
        for line, serve in zip(rows, serves[:, column].tolist(), strict=True):
            if serve:
                _take(taken, int(nodes[column]), line, remaining.pop(line), units, column)
    if not remaining:
        return []
    # From here on a node is usable (opened, or with a shipment left) or blocked (not
    # opened, no shipment left) for good: opening a node makes it usable, and only
    # usable nodes are opened. So both are decided once for every line left.
    rows = list(remaining)
    usable_node = opened | (capacity_left >= 1)
    held: BoolArray = units[rows] >= 1
    reachable = held & usable_node
    # A short line's units at blocked nodes were never taken: NO_CAPACITY if there are
    # any (the reason unfulfilled_reason gives, every node here being eligible).
    blocked: list[bool] = np.any(held & ~usable_node, axis=1).tolist()
    late_held = (available[rows] >= 1) & late
    held_late: list[bool] = np.any(late_held, axis=1).tolist()
    # A late node out of shipments is NO_CAPACITY first, as explain's order of rules.
    late_full: list[bool] = np.any(late_held & (state.capacity_left < 1), axis=1).tolist()
    any_late = bool(late.any())
    position = np.arange(nodes.size)
    unfulfilled = []
    for i, line in enumerate(rows):
        need_left = remaining[line]
        usable = np.flatnonzero(reachable[i])
        for column in usable[
            np.lexsort((position[usable], price[usable], ~opened[usable]))
        ].tolist():
            given = min(int(units[line, column]), need_left)
            if not opened[column]:
                opened[column] = True
                capacity_left[column] -= 1
            _take(taken, int(nodes[column]), line, given, units, column)
            need_left -= given
            if need_left == 0:
                break
        if need_left:
            if nodes.size == 0 and not any_late:
                reason = UnfulfilledReason.NO_ELIGIBLE_NODE
            elif blocked[i] or late_full[i]:
                reason = UnfulfilledReason.NO_CAPACITY
            elif held_late[i]:
                reason = UnfulfilledReason.TOO_LATE
            else:
                reason = UnfulfilledReason.OUT_OF_STOCK
            unfulfilled.append(
                UnfulfilledLine(sku=lines[line].sku, quantity=need_left, reason=reason)
            )
    return unfulfilled


def _take(taken: Taken, node: int, line: int, units: int, available: IntArray, column: int) -> None:
    """Record ``units`` of ``line`` taken at ``node`` (column ``column`` of ``available``)."""
    line_units = taken.setdefault(node, {})
    line_units[line] = line_units.get(line, 0) + units
    available[line, column] -= units


def refused_whole(
    lines: tuple[OrderLine, ...],
    available: IntArray,
    quantity: IntArray,
    eligible: BoolArray,
    has_capacity: BoolArray,
    late: BoolArray,
) -> list[UnfulfilledLine]:
    """Every line unfulfilled, for an order that may not split and no node serves whole
    (``late``: the nodes only the time rules keep out)."""
    unfulfilled = []
    nobody = np.zeros(eligible.size, dtype=np.bool_)
    for line, order_line in enumerate(lines):
        alone = eligible & has_capacity & (available[line] >= quantity[line])
        reason = (
            UnfulfilledReason.SPLIT_NOT_ALLOWED
            if alone.any()
            else unfulfilled_reason(available[line], eligible, has_capacity, nobody, late)
        )
        unfulfilled.append(
            UnfulfilledLine(sku=order_line.sku, quantity=order_line.quantity, reason=reason)
        )
    return unfulfilled


def units_left(lines: tuple[OrderLine, ...], taken: Taken) -> list[int]:
    """Units of each of an order's ``lines`` that ``taken`` does not give."""
    left = [line.quantity for line in lines]
    for given in taken.values():
        for line, units in given.items():
            left[line] -= units
    return left


def unfulfilled_reason(
    available: IntArray,
    eligible: BoolArray,
    has_capacity: BoolArray,
    opened: BoolArray,
    late: BoolArray | None = None,
) -> UnfulfilledReason:
    """Why units of a line stay unfulfilled: no eligible node at all, late ones
    included; else an eligible or late node with units but no shipments left; else
    a node with units that only the time rules (``late``) keep out; else out of
    stock (the order of explain's rules: CAPACITY before LATE)."""
    late_held = late is not None and bool((late & (available >= 1)).any())
    if not eligible.any() and (late is None or not late.any()):
        return UnfulfilledReason.NO_ELIGIBLE_NODE
    usable = eligible if late is None else eligible | late
    if (usable & ~has_capacity & ~opened & (available >= 1)).any():
        return UnfulfilledReason.NO_CAPACITY
    if late_held:
        return UnfulfilledReason.TOO_LATE
    return UnfulfilledReason.OUT_OF_STOCK


def build_allocation(
    row: int,
    wave: Wave,
    distance_km: Mapping[int, float],
    taken: Taken,
    unfulfilled: list[UnfulfilledLine],
) -> Allocation:
    """Order ``row``'s allocation: a priced shipment per node of ``taken`` (in its order),
    ``distance_km`` from each such node to the hand-over point, and ``unfulfilled``."""
    arrays = wave.arrays
    order = arrays.orders[row]
    nodes = arrays.network.arrays
    base, per_km, per_unit, _ = arrays.rates
    level = int(arrays.level[row])
    in_store = int(arrays.method[row]) == _IN_STORE
    shipments = []
    for node, lines in taken.items():
        units = float(sum(lines.values()))
        km = distance_km[node]
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

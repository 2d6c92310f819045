"""Sequential allocation: orders in priority order, each on the stock left by those before.

The fast scan decides a window of orders at once: it scores them all on the
state at the window's start, takes each order's cheapest feasible node, and
accepts the longest run of orders whose choices provably still stand at their
turn (their units and capacity are still there, and nothing their costs read
has changed). The first order it cannot prove is decided alone on the current
state by :func:`resolve_order`, the rule itself; then the scan goes on.
"""

from __future__ import annotations

from typing import final

import attrs
import numpy as np

from .._core.costs import handling_cost, shipment_cost, shipping_cost
from .._core.geo import chord_distance_km
from .._core.runs import overdrawn
from .._domain import validators as v
from .._domain.decisions import Allocation, AllocationStatus, Shipment, UnfulfilledReason
from .._domain.enums import FulfillmentMethod
from .._types import IntArray
from ..sourcing._batch import METHODS, SourcingBatch
from ..sourcing._builtin import checked_costs
from ..sourcing._protocol import StateUse
from ._resolve import Scored, Taken, refused, resolve_order
from ._wave import Wave

NO_ELIGIBLE_NODE = UnfulfilledReason.NO_ELIGIBLE_NODE
OUT_OF_STOCK = UnfulfilledReason.OUT_OF_STOCK

_CELLS_PER_WINDOW = 1 << 17
"""Orders x nodes scored at once: bounds a window's memory (1 MB per array) and keeps
its arrays in cache."""

_NO_LIMIT = float(2**62)
"""Stands for unlimited capacity in integer limits."""

_FIRST_RUN = 64
"""Orders checked in the first run of a window; later runs double after a clean run."""


@final
@attrs.frozen(kw_only=True)
class Sequential:
    """Orders are served in descending ``priority``, ties in input order; each takes
    its cheapest feasible node on the stock and capacity left by those before it.

    When no single node can serve every line, an order that allows splits is
    split by the greedy rule of :func:`omnichannel.allocation.resolve_order`;
    units no node can give are reported unfulfilled with a reason.
    """

    window: int | None = attrs.field(default=None, validator=v.optional(v.int_at_least(1)))
    """Most orders scored together; None sizes windows to about half a million
    (order, node) cells. Decisions never depend on it; memory and speed do."""

    def allocate(self, wave: Wave, /) -> list[Allocation]:
        """One allocation per order of ``wave``, in input order."""
        return _Scan(wave, self.window).run()


def _ones(items: IntArray) -> IntArray:
    return np.ones(items.size, dtype=np.int64)


class _Scan:
    """One run of the windowed sequential scan over a wave."""

    def __init__(self, wave: Wave, window: int | None) -> None:
        self.wave = wave
        self.arrays = wave.arrays
        self.state = wave.state.copy()
        n_nodes = self.arrays.network.arrays.n_nodes
        self.window = window or int(np.clip(_CELLS_PER_WINDOW // max(n_nodes, 1), 64, 4096))
        self.reads = wave.sourcing.state_use
        self.stock_stamp = np.full(self.state.free.shape, -1, dtype=np.int64)
        self.node_stamp = np.full(n_nodes, -1, dtype=np.int64)
        self.decided: dict[int, Allocation] = {}
        self.accepted_rows: list[IntArray] = []
        self.accepted_nodes: list[IntArray] = []

    def run(self) -> list[Allocation]:
        order = np.argsort(-self.arrays.priority, kind="stable")
        for window_id, start in enumerate(range(0, order.size, self.window)):
            self._decide_window(order[start : start + self.window], window_id)
        self._accepted_allocations()
        return [self.decided[row] for row in range(self.arrays.n_orders)]

    def _decide_window(self, rows: IntArray, window_id: int) -> None:
        state = self.state
        batch = SourcingBatch(self.arrays, rows, state)
        cost = checked_costs(self.wave.sourcing, batch)
        eligible = batch.eligible & np.isfinite(cost)
        distance = batch.distance_km
        available = batch.line_available
        stocked = batch.any_line(available > 0) & eligible
        hopeless = ~eligible.any(axis=1)
        starved = ~hopeless & ~stocked.any(axis=1)
        if hopeless.any() or starved.any():
            # Eligibility and stock only shrink as the wave goes on, so these orders
            # get nothing whenever their turn comes: decide them now, go on without.
            for reason, refuse in ((NO_ELIGIBLE_NODE, hopeless), (OUT_OF_STOCK, starved)):
                for row in rows[refuse].tolist():
                    self.decided[row] = refused(row, self.wave, reason)
            keep = ~(hopeless | starved)
            rows, cost, eligible, distance = rows[keep], cost[keep], eligible[keep], distance[keep]
            batch = SourcingBatch(self.arrays, rows, state)
            available = batch.line_available
        lines, owner, line_start = batch.lines, batch.line_row, batch.line_start
        whole = batch.all_lines(available >= batch.line_quantity[:, None])
        feasible = eligible & whole & (state.capacity_left >= 1)
        reuse = not self.reads
        choice = np.argmin(np.where(feasible, cost, np.inf), axis=1)
        has_choice = feasible[np.arange(rows.size), choice]
        position, run = 0, _FIRST_RUN
        while position < rows.size:
            stop, blocked = self._accepted_run(
                rows, choice, has_choice, lines, owner, line_start, position, run, window_id
            )
            self._accept(rows, choice, lines, owner, line_start, position, stop, window_id)
            run = min(max(2 * (stop - position), _FIRST_RUN), rows.size)
            position = stop
            if blocked:
                row = int(rows[position])
                scored = (
                    Scored(cost[position], eligible[position], distance[position])
                    if reuse
                    else None
                )
                allocation, taken = resolve_order(row, self.wave, state, scored)
                self.decided[row] = allocation
                self._stamp(row, taken, window_id)
                position += 1

    def _accepted_run(
        self,
        rows: IntArray,
        choice: IntArray,
        has_choice: np.ndarray,
        lines: IntArray,
        owner: IntArray,
        line_start: IntArray,
        position: int,
        run: int,
        window_id: int,
    ) -> tuple[int, bool]:
        """End of the run of orders from ``position`` whose choices stand, and whether the
        order at that end must be decided alone."""
        end = min(position + run, rows.size)
        without = np.flatnonzero(~has_choice[position:end])
        limit = position + int(without[0]) if without.size else end
        if limit == position:
            return position, True
        first_line, last_line = (
            int(line_start[position]),
            (int(line_start[limit]) if limit < rows.size else lines.size),
        )
        members = owner[first_line:last_line]
        node = choice[members]
        sku = self.arrays.line_sku[lines[first_line:last_line]]
        respects = self.arrays.respects_safety[rows[members]]
        state = self.state
        order_nodes = choice[position:limit]
        n_positions = state.spare[0].size
        reads_stock = bool(self.reads & StateUse.STOCK)
        reads_capacity = bool(self.reads & StateUse.CAPACITY)
        # One check over two kinds of takes: each line takes its units from its
        # (sku, node) position, each order one shipment from its node's capacity.
        failed = overdrawn(
            np.concatenate([sku * state.spare.shape[2] + node, n_positions + order_nodes]),
            np.concatenate([self.arrays.line_qty[lines[first_line:last_line]], _ones(order_nodes)]),
            np.concatenate(
                [
                    state.spare[respects.astype(np.intp), sku, node],
                    np.minimum(state.capacity_left[order_nodes], _NO_LIMIT),
                ]
            ).astype(np.int64),
            np.concatenate(
                [
                    (self.stock_stamp[sku, node] == window_id) & reads_stock,
                    (self.node_stamp[order_nodes] == window_id) & reads_capacity,
                ]
            ),
            np.concatenate(
                [np.full(sku.size, reads_stock), np.full(order_nodes.size, reads_capacity)]
            ),
        )
        owners = np.concatenate([members, np.arange(position, limit)])
        first_bad = int(owners[failed].min(initial=limit))
        return first_bad, first_bad < limit or limit < end

    def _accept(
        self,
        rows: IntArray,
        choice: IntArray,
        lines: IntArray,
        owner: IntArray,
        line_start: IntArray,
        start: int,
        stop: int,
        window_id: int,
    ) -> None:
        if stop <= start:
            return
        first_line = int(line_start[start])
        last_line = int(line_start[stop]) if stop < rows.size else lines.size
        node = choice[owner[first_line:last_line]]
        sku = self.arrays.line_sku[lines[first_line:last_line]]
        self.state.take(sku, node, self.arrays.line_qty[lines[first_line:last_line]])
        np.add.at(self.state.used, choice[start:stop], 1)
        self.stock_stamp[sku, node] = window_id
        self.node_stamp[choice[start:stop]] = window_id
        self.accepted_rows.append(rows[start:stop])
        self.accepted_nodes.append(choice[start:stop])

    def _stamp(self, row: int, taken: Taken, window_id: int) -> None:
        """Mark what an order decided alone took, so later choices that read it are redone."""
        first_line = int(self.arrays.line_start[row])
        for node, lines in taken.items():
            self.node_stamp[node] = window_id
            for line in lines:
                self.stock_stamp[self.arrays.line_sku[first_line + line], node] = window_id

    def _accepted_allocations(self) -> None:
        """Allocations of the orders accepted in runs: one whole shipment each."""
        if not self.accepted_rows:
            return
        arrays = self.arrays
        rows = np.concatenate(self.accepted_rows)
        node = np.concatenate(self.accepted_nodes)
        nodes = arrays.network.arrays
        base, per_km, per_unit, _ = arrays.rates
        level = arrays.level[rows]
        units = arrays.units[rows].astype(np.float64)
        km = chord_distance_km(arrays.point_unit[:, rows], arrays.node_unit[:, node])
        shipping = shipping_cost(base[level], per_km[level], km, per_unit[level], units)
        shipping[arrays.method[rows] == METHODS.index(FulfillmentMethod.PICKUP_IN_STORE)] = 0.0
        handling = handling_cost(
            nodes.handling_per_order[node], nodes.handling_per_unit[node], units
        )
        cost = shipment_cost(shipping, handling)
        ids = nodes.ids
        for row, node_index, distance, price in zip(
            rows.tolist(), node.tolist(), km.tolist(), cost.tolist(), strict=True
        ):
            order = arrays.orders[row]
            self.decided[row] = Allocation(
                order_id=order.id,
                shipments=(
                    Shipment(
                        node_id=ids[node_index], lines=order.lines, distance_km=distance, cost=price
                    ),
                ),
                unfulfilled=(),
                status=AllocationStatus.FULFILLED,
            )

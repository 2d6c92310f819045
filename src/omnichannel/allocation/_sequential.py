"""Sequential allocation: orders in priority order, each on the stock left by those before.

The fast scan decides a window of orders at once: it scores them all on the
state at the window's start, plans each order (its cheapest node that serves it
whole; when only one node holds anything for it, what that node holds; see
``_Plan``; else, for strategies that read no state, the split rule's decision,
see ``_Splits``), and accepts the longest run of orders whose plans provably
still stand at their turn (their units and capacity are still there, and nothing
their costs read has changed). The first order it cannot prove is decided alone
on the current state by :func:`resolve_order`, the rule itself; then the scan
goes on.
"""

from __future__ import annotations

from typing import NamedTuple, final

import attrs
import numpy as np

from .._core.costs import handling_cost, shipment_cost, shipping_cost
from .._core.geo import chord_distance_km
from .._core.runs import between, overdrawn
from .._domain import validators as v
from .._domain.decisions import (
    Allocation,
    AllocationStatus,
    Shipment,
    UnfulfilledLine,
    UnfulfilledReason,
    allocation_status,
)
from .._domain.enums import FulfillmentMethod
from .._domain.orders import Order, OrderLine
from .._types import BoolArray, FloatArray, IntArray
from ..sourcing._batch import METHODS, SourcingBatch, StockState
from ..sourcing._builtin import checked_costs
from ..sourcing._protocol import StateUse
from ..sourcing._shipment_parcels import one_parcel
from ._late import REASONS, LateReasons
from ._resolve import (
    Scored,
    Taken,
    build_allocation,
    refused,
    resolve_order,
    split_order,
    units_left,
)
from ._wave import Wave

NO_ELIGIBLE_NODE = UnfulfilledReason.NO_ELIGIBLE_NODE
OUT_OF_STOCK = UnfulfilledReason.OUT_OF_STOCK
NO_CAPACITY = UnfulfilledReason.NO_CAPACITY

_CELLS_PER_WINDOW = 1 << 17
"""Orders x nodes scored at once: bounds a window's memory (1 MB per array) and keeps
its arrays in cache."""

_NO_LIMIT = float(2**62)
"""Stands for unlimited capacity in integer limits."""

_RESCORE_AT = 8
"""Plans left at nodes whose work moved to a later day (a day filled) from which the
rest of a window is scored again rather than decided order by order. Decisions never
depend on it."""

_FIRST_RUN = 64
"""Orders checked in the first run of a window; later runs double after a clean run."""

_SPLIT_PLANS_BELOW = 0.1
"""Share of a window's orders without a whole or lone plan below which the scan plans
splits. Planning only saves ending a run at each split; where many orders lack a
plan, stock is contested, runs end early anyway and split plans often break (on the
one-day-of-stock quality days, 11-23% of orders lack one and planning made the scan
15-20% slower; on the 50,000-order day, 1.4-7.5% do and it made it 8% faster).
Decisions never depend on it."""


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
    """Most orders scored together (1 to 10**12); None sizes windows to about half a
    million (order, node) cells. Decisions never depend on it; memory and speed do."""

    def allocate(self, wave: Wave, /) -> list[Allocation]:
        """One allocation per order of ``wave``, in input order."""
        return _Scan(wave, self.window).run()


class _Scan:
    """One run of the windowed sequential scan over a wave."""

    def __init__(self, wave: Wave, window: int | None) -> None:
        self.wave = wave
        self.arrays = wave.arrays
        self.state = wave.state.copy()
        n_nodes = self.arrays.network.arrays.n_nodes
        self.window = window or int(np.clip(_CELLS_PER_WINDOW // max(n_nodes, 1), 64, 4096))
        self.reads = wave.sourcing.state_use
        self.reads_stock = bool(self.reads & StateUse.STOCK)
        self.reads_capacity = bool(self.reads & StateUse.CAPACITY)
        # Read only to redo choices of strategies that read stock.
        self.stock_stamp = np.full(
            self.state.free.shape if self.reads_stock else (0, 0), -1, dtype=np.int64
        )
        self.node_stamp = np.full(n_nodes, -1, dtype=np.int64)
        self.decided: dict[int, Allocation] = {}
        self.accepted_rows: list[IntArray] = []
        self.accepted_nodes: list[IntArray] = []
        self.lone: list[_Lone] = []
        self.window_days: IntArray | None = None
        """Each node's operating day when the window was scored (with ``now``)."""

    def run(self) -> list[Allocation]:
        order = np.argsort(-self.arrays.priority, kind="stable")
        window_id = 0
        for start in range(0, order.size, self.window):
            pending = order[start : start + self.window]
            while pending.size:
                pending = self._decide_window(pending, window_id)
                window_id += 1
        self._accepted_allocations()
        return [self.decided[row] for row in range(self.arrays.n_orders)]

    def _decide_window(self, rows: IntArray, window_id: int) -> IntArray:
        """Decide the orders ``rows`` (in decision order) as one window; returns those
        left to score again as a new window (see ``_RESCORE_AT``)."""
        state = self.state
        self.window_days = None if state.times is None else state.times.day.copy()
        batch = SourcingBatch(self.arrays, rows, state)
        cost = checked_costs(self.wave.sourcing, batch)
        static = batch.static_eligible & np.isfinite(cost)
        timely = batch.on_time
        eligible = np.asarray(static & timely, dtype=np.bool_)
        distance = batch.distance_km
        available = batch.line_available
        holds = batch.any_line(available > 0)
        stocked = holds & eligible
        late = np.asarray(static & ~eligible, dtype=np.bool_)
        # The reasons of an order that late nodes hold units for (TOO_LATE or not)
        # depend on who takes those units first: unless they can be checked at its
        # turn (LateReasons, for strategies that read no state), it is decided alone.
        late_held = np.asarray((holds & late).any(axis=1), dtype=np.bool_)
        # An order with a line some node cannot ship is decided alone: its reasons
        # (UNSHIPPABLE or not) depend on the stock that node still holds at its turn.
        unshippable = _unshippable_orders(batch)
        hopeless = ~static.any(axis=1)
        unstocked = np.asarray(~hopeless & ~stocked.any(axis=1), dtype=np.bool_)
        starved = unstocked & ~late_held & ~unshippable
        if hopeless.any() or starved.any():
            # Eligibility and stock only shrink as the wave goes on, so these orders
            # get nothing whenever their turn comes: decide them now, go on without.
            for reason, refuse in ((NO_ELIGIBLE_NODE, hopeless), (OUT_OF_STOCK, starved)):
                for row in rows[refuse].tolist():
                    self.decided[row] = refused(row, self.wave, reason)
            keep = np.asarray(~(hopeless | starved), dtype=np.bool_)
            rows, cost, eligible, distance = rows[keep], cost[keep], eligible[keep], distance[keep]
            static, late, timely = static[keep], late[keep], timely[keep]
            late_held, unstocked = late_held[keep], unstocked[keep]
            unshippable = unshippable[keep]
            stocked, available = stocked[keep], available[keep[batch.line_row]]
            if rows.size == 0:
                return rows  # every order of the window is decided (always so with no nodes)
            batch = SourcingBatch(self.arrays, rows, state)
        reuse = not self.reads
        if rows.size == 1:
            # One order (a real-time call): nothing to plan, it is decided alone.
            self._decide_alone(rows, 0, (cost, static, distance, timely), window_id)
            return rows[1:]
        checked = late_held if reuse else np.zeros(rows.size, dtype=np.bool_)
        plan = _Plan.make(
            batch,
            cost,
            eligible,
            stocked,
            available,
            self.arrays.allow_split[rows] & (~late_held | checked) & ~unshippable,
            unstocked & checked,
        )
        # Split plans hold only while costs cannot change under them, and pay only
        # while few orders contend (see _SPLIT_PLANS_BELOW).
        contended = np.count_nonzero(~plan.planned) >= _SPLIT_PLANS_BELOW * rows.size
        splits = (
            _Splits.make(
                self.wave,
                plan,
                (cost, eligible, distance),
                available,
                state,
                late,
            )
            if reuse and not contended
            else _Splits.none()
        )
        short = (checked & plan.lone)[plan.owner] & plan.short
        short[splits.short] = checked[plan.owner[splits.short]]
        late_reasons = LateReasons.make(
            (plan.owner, plan.sku, plan.line_plane, short), late, available, state.capacity_left
        )
        if splits.positions.size:
            planned = plan.planned.copy()
            planned[splits.positions] = True
            plan = attrs.evolve(plan, planned=planned)
        if unshippable.any():
            plan = attrs.evolve(plan, planned=plan.planned & ~unshippable)
        position, run = 0, _FIRST_RUN
        while position < rows.size:
            stop, blocked = self._accepted_run(
                plan, splits, late_reasons, (position, run), window_id
            )
            self._accept(plan, splits, late_reasons, (position, stop), window_id)
            run = min(max(2 * (stop - position), _FIRST_RUN), rows.size)
            position = stop
            if blocked:
                self._decide_alone(rows, position, (cost, static, distance, timely), window_id)
                position += 1
                if self._plans_moved(plan, position) >= _RESCORE_AT:
                    return rows[position:]
        return rows[position:]

    def _decide_alone(
        self,
        rows: IntArray,
        position: int,
        scoring: tuple[FloatArray, BoolArray, FloatArray, BoolArray],
        window_id: int,
    ) -> None:
        """Decide the order at window ``position`` alone on the state left now;
        ``scoring`` the window's (cost, static, distance, timely), one row per order."""
        cost, static, distance, timely = scoring
        row = int(rows[position])
        scored = (
            Scored(cost[position], static[position], distance[position]) if not self.reads else None
        )
        on_time = self._on_time_now(row, timely[position], distance[position])
        allocation, taken = resolve_order(row, self.wave, self.state, scored, on_time)
        self.decided[row] = allocation
        self._stamp(row, taken, window_id)

    def _on_time_now(self, row: int, timely: BoolArray, distance: FloatArray) -> BoolArray | None:
        """Whether each node keeps order ``row``'s time rules now: as the window found
        (``timely``) where the node's work has not moved to a later day since, worked
        out again where it has; None without ``now``."""
        times = self.state.times
        if times is None or self.window_days is None:
            return None
        moved = np.flatnonzero(times.day != self.window_days)
        if not moved.size:
            return timely
        found: BoolArray = timely.copy()
        found[moved] = times.on_time(np.full(moved.size, row), moved, distance[moved])
        return found

    def _plans_moved(self, plan: _Plan, position: int) -> int:
        """Plans from ``position`` on at nodes whose work moved to a later day since the
        window was scored: each would be decided alone."""
        times = self.state.times
        if times is None or self.window_days is None:
            return 0
        moved = times.day != self.window_days
        if not moved.any():
            return 0
        return int(np.count_nonzero(moved[plan.node[position:]] & (plan.ships[position:] > 0)))

    def _accepted_run(
        self,
        plan: _Plan,
        splits: _Splits,
        late: LateReasons,
        start: tuple[int, int],
        window_id: int,
    ) -> tuple[int, bool]:
        """End of the run of orders from ``start = (position, most orders)`` whose plans
        stand, and whether the order at that end must be decided alone."""
        position, run = start
        end = min(position + run, plan.rows.size)
        without = np.flatnonzero(~plan.planned[position:end])
        limit = position + int(without[0]) if without.size else end
        if limit == position:
            return position, True
        lines = slice(*plan.line_span(position, limit))
        key = plan.line_key[lines]
        order_nodes = plan.node[position:limit]
        state = self.state
        n_positions = self.state.free.size
        spare = state.spare.reshape(-1)
        # One check over two kinds of takes: each line takes its units from its
        # (sku, node) position, each order its shipment from its node's capacity.
        # A lone line plans min(held, quantity) units, so it stands exactly when
        # those units are still there: the same check as for a whole order. A lone
        # order whose node had no shipment left takes nothing, and nobody can take
        # from that node after it; a take of nothing stands whatever is left.
        stale = np.zeros(key.size + order_nodes.size, dtype=np.bool_)
        repeat = np.zeros_like(stale)
        if self.reads_stock:
            stale[: key.size] = self.stock_stamp.reshape(-1)[key] == window_id
            repeat[: key.size] = True
        if self.reads_capacity:
            stale[key.size :] = self.node_stamp[order_nodes] == window_id
            repeat[key.size :] = True
        keys = [key, n_positions + order_nodes]
        amounts = [plan.line_units[lines], plan.ships[position:limit]]
        limits = [
            spare[plan.line_plane[lines] * n_positions + key],
            self._shipments_left(order_nodes),
        ]
        owners = [plan.owner[lines], np.arange(position, limit)]
        takes, shipments = splits.takes(position, limit), splits.shipments(position, limit)
        if takes.stop > takes.start or shipments.stop > shipments.start:
            # Split plans take at several nodes.
            take_key = splits.key[takes]
            keys += [take_key, n_positions + splits.ship_node[shipments]]
            amounts += [splits.units[takes], np.ones(shipments.stop - shipments.start, np.int64)]
            limits += [
                spare[splits.plane[takes] * n_positions + take_key],
                self._shipments_left(splits.ship_node[shipments]),
            ]
            owners += [splits.order[takes], splits.ship_order[shipments]]
        units, ships = late.units(position, limit), late.shipments(position, limit)
        if units.stop > units.start or ships.stop > ships.start:
            # Reasons that late nodes give take nothing: a units check stands while a
            # unit is left at its position, a shipments check while a shipment is.
            unit_key, ship_node = late.unit_key[units], late.ship_node[ships]
            keys += [unit_key, n_positions + ship_node]
            amounts += [np.zeros(unit_key.size + ship_node.size, np.int64)]
            limits += [
                spare[late.unit_plane[units] * n_positions + unit_key] - 1,
                np.minimum(state.capacity_left[ship_node], _NO_LIMIT) - 1,
            ]
            owners += [late.unit_order[units], late.ship_order[ships]]
        every_key, every_amount = np.concatenate(keys), np.concatenate(amounts)
        every_limit = np.concatenate(limits)
        every_limit[: stale.size] = np.where(
            every_amount[: stale.size] > 0, every_limit[: stale.size], _NO_LIMIT
        )
        every_owner = np.concatenate(owners)
        if every_key.size > stale.size:
            # In decision order, each group's running total is the one the orders
            # meet, so a failure is pinned on the order that meets it rather than an
            # earlier one that would stand.
            extra = every_key.size - stale.size
            stale = np.concatenate([stale, np.zeros(extra, np.bool_)])
            repeat = np.concatenate([repeat, np.zeros(extra, np.bool_)])
            in_order = np.argsort(every_owner, kind="stable")
            every_key, every_amount = every_key[in_order], every_amount[in_order]
            every_limit, every_owner = every_limit[in_order], every_owner[in_order]
            stale, repeat = stale[in_order], repeat[in_order]
        failed = overdrawn(every_key, every_amount, every_limit.astype(np.int64), stale, repeat)
        first_bad = int(every_owner[failed].min(initial=limit))
        return first_bad, first_bad < limit or limit < end

    def _shipments_left(self, nodes: IntArray) -> FloatArray:
        """Shipments each of ``nodes`` can take while the window's plans there stand:
        none once its work moved to a later operating day (a day filled since the
        window was scored, so its dates there changed)."""
        left = np.minimum(self.state.shipments_left(nodes), _NO_LIMIT)
        times = self.state.times
        if times is None or self.window_days is None:
            return left
        return np.where(times.day[nodes] != self.window_days[nodes], 0.0, left)

    def _accept(
        self,
        plan: _Plan,
        splits: _Splits,
        late: LateReasons,
        span: tuple[int, int],
        window_id: int,
    ) -> None:
        """Take what the plans of orders ``span = (start, stop)`` take, and record their
        decisions."""
        start, stop = span
        if stop <= start:
            return
        lines = slice(*plan.line_span(start, stop))
        self.state.take(plan.sku[lines], plan.line_node[lines], plan.line_units[lines])
        nodes = plan.node[start:stop]
        self.state.ship(nodes, plan.ships[start:stop])
        if self.reads_stock:
            self.stock_stamp.reshape(-1)[plan.line_key[lines]] = window_id
        self.node_stamp[nodes] = window_id
        lone = plan.lone[start:stop]
        whole = ~lone
        split_orders = splits.within(start, stop)
        if split_orders.size:
            takes, shipments = splits.takes(start, stop), splits.shipments(start, stop)
            self.state.take(splits.sku[takes], splits.node[takes], splits.units[takes])
            ship_nodes = splits.ship_node[shipments]
            self.state.ship(ship_nodes, np.ones(ship_nodes.size, dtype=np.int64))
            if self.reads_stock:
                self.stock_stamp.reshape(-1)[splits.key[takes]] = window_id
            self.node_stamp[splits.ship_node[shipments]] = window_id
            whole[split_orders - start] = False
            for order in split_orders.tolist():
                self.decided[int(plan.rows[order])] = splits.allocation[order]
        self.accepted_rows.append(plan.rows[start:stop][whole])
        self.accepted_nodes.append(nodes[whole])
        for order in (start + np.flatnonzero(lone)).tolist():
            order_lines = slice(*plan.line_span(order, order + 1))
            self.lone.append(
                _Lone(
                    int(plan.rows[order]),
                    int(plan.node[order]),
                    bool(plan.ships[order]),
                    plan.line_units[order_lines].tolist(),
                    plan.line_held[order_lines].tolist(),
                    late.reason[order_lines].tolist(),
                )
            )

    def _stamp(self, row: int, taken: Taken, window_id: int) -> None:
        """Mark what an order decided alone took, so later choices that read it are redone."""
        first_line = int(self.arrays.line_start[row])
        for node, lines in taken.items():
            self.node_stamp[node] = window_id
            for line in lines if self.reads_stock else ():
                self.stock_stamp[self.arrays.line_sku[first_line + line], node] = window_id

    def _accepted_allocations(self) -> None:
        """Allocations of the orders accepted in runs: one whole shipment each, or for a
        lone order what its node held (or nothing when the node had no shipment left)."""
        arrays = self.arrays
        ids = arrays.network.arrays.ids
        if self.accepted_rows:
            rows = np.concatenate(self.accepted_rows)
            node = np.concatenate(self.accepted_nodes)
            km, cost = self._shipments(rows, node, arrays.units[rows])
            # Whole orders that travel as one parcel are priced here, all at once; the
            # engine prices every other carrier shipment (see _engine/parcels.py).
            lines, owner = arrays.lines_of(rows)
            one = one_parcel(
                arrays, rows, km, arrays.line_sku[lines], arrays.line_qty[lines], owner
            )
            parcelled = np.flatnonzero(one.who >= 0)
            if parcelled.size:
                cost[parcelled] = self._shipments(
                    rows[parcelled],
                    node[parcelled],
                    arrays.units[rows[parcelled]],
                    one.cents[parcelled] / 100,
                )[1]
            one_parcel_at = set(parcelled.tolist())
            for position, (row, node_index, distance, price) in enumerate(
                zip(rows.tolist(), node.tolist(), km.tolist(), cost.tolist(), strict=True)
            ):
                order = arrays.orders[row]
                self.decided[row] = Allocation(
                    order_id=order.id,
                    shipments=(
                        Shipment(
                            node_id=ids[node_index],
                            lines=order.lines,
                            distance_km=distance,
                            cost=price,
                            parcels=(
                                (one.parcel(arrays, position, order.lines),)
                                if position in one_parcel_at
                                else ()
                            ),
                        ),
                    ),
                    unfulfilled=(),
                    status=AllocationStatus.FULFILLED,
                )
        if not self.lone:
            return
        rows = np.array([lone.row for lone in self.lone], dtype=np.int64)
        node = np.array([lone.node for lone in self.lone], dtype=np.int64)
        shipped = np.array([sum(lone.units) for lone in self.lone], dtype=np.int64)
        km, cost = self._shipments(rows, node, shipped)
        for lone, distance, price in zip(self.lone, km.tolist(), cost.tolist(), strict=True):
            self.decided[lone.row] = lone.allocation(arrays.orders[lone.row], ids, distance, price)

    def _shipments(
        self,
        rows: IntArray,
        node: IntArray,
        units: IntArray,
        shipping: FloatArray | None = None,
    ) -> tuple[FloatArray, FloatArray]:
        """Km and cost (currency) of shipping ``units`` of order ``rows[i]`` from canonical
        node ``node[i]``, shape (n,) each; ``shipping`` the carrier prices, when known
        (default: the rate cards')."""
        arrays = self.arrays
        nodes = arrays.network.arrays
        base, per_km, per_unit, _ = arrays.rates
        level = arrays.level[rows]
        amount = units.astype(np.float64)
        km = chord_distance_km(arrays.point_unit[:, rows], arrays.node_unit[:, node])
        if shipping is None:
            shipping = shipping_cost(base[level], per_km[level], km, per_unit[level], amount)
            in_store = arrays.method[rows] == METHODS.index(FulfillmentMethod.PICKUP_IN_STORE)
            shipping[in_store] = 0.0
        handling = handling_cost(
            nodes.handling_per_order[node], nodes.handling_per_unit[node], amount
        )
        return km, shipment_cost(shipping, handling)


def _unshippable_orders(batch: SourcingBatch) -> BoolArray:
    """Whether some line of each order cannot be shipped from some node that may
    serve it, shape (n_orders,)."""
    parcels = batch.parcels
    if parcels is None or parcels.unshippable is None:
        return np.zeros(batch.n_orders, dtype=np.bool_)
    per_line = np.asarray(parcels.unshippable.any(axis=1))[:, None]
    return np.asarray(batch.any_line(per_line)[:, 0], dtype=np.bool_)


@attrs.frozen(kw_only=True, eq=False)
class _Splits:
    """Split plans of a window: for every order that may split, that no node serves
    whole and that more than one node holds something for, what the split rule
    decides on the window's starting state, and its takes.

    For a strategy that reads no state such a plan stands exactly when its takes
    are still there at the order's turn: stock and capacity only shrink, so no
    node covers more lines than it did, a node the rule passed over cannot win,
    and a node it drained or opened that lost units or shipments fails the check.
    The reasons of what stays unfulfilled cannot change either: a node without
    shipments keeps its units, and any other node holding units was drained
    (those late nodes give are checked apart: ``LateReasons``).
    """

    positions: IntArray
    """Window positions of the split orders, ascending."""
    allocation: dict[int, Allocation]
    """Each split order's allocation, by window position."""
    order: IntArray
    """Window position of each take, ascending."""
    key: IntArray
    """(SKU, node) position of each take as ``sku * n_nodes + node``."""
    plane: IntArray
    """Plane of ``StockState.spare`` each take draws on."""
    sku: IntArray
    """SKU row of each take."""
    node: IntArray
    """Canonical node of each take."""
    units: IntArray
    """Units of each take."""
    ship_order: IntArray
    """Window position of each shipment (node opened), ascending."""
    ship_node: IntArray
    """Canonical node of each shipment."""
    short: IntArray
    """Window positions of the lines the split orders leave short, ascending."""

    @classmethod
    def none(cls) -> _Splits:
        """No split plans."""
        empty = np.zeros(0, dtype=np.int64)
        return cls(
            positions=empty,
            allocation={},
            order=empty,
            key=empty,
            plane=empty,
            sku=empty,
            node=empty,
            units=empty,
            ship_order=empty,
            ship_node=empty,
            short=empty,
        )

    @classmethod
    def make(
        cls,
        wave: Wave,
        plan: _Plan,
        scored: tuple[FloatArray, BoolArray, FloatArray],
        available: IntArray,
        state: StockState,
        late: BoolArray,
    ) -> _Splits:
        """The split plans of the window ``plan`` covers, from its scoring (cost,
        eligibility and km, orders x nodes) and the ``available`` units per line and
        node, all on ``state``; ``late`` marks the nodes only the time rules keep out
        (orders x nodes), whose units give reasons that ``LateReasons`` checks."""
        cost, eligible, distance = scored
        arrays = wave.arrays
        n_nodes = available.shape[1]
        candidates = ~plan.planned & arrays.allow_split[plan.rows]
        short: list[int] = []
        positions: list[int] = []
        allocation: dict[int, Allocation] = {}
        takes: list[tuple[int, int, int, int, int, int]] = []
        ships: list[tuple[int, int]] = []
        for order in np.flatnonzero(candidates).tolist():
            row = int(plan.rows[order])
            lines = slice(*plan.line_span(order, order + 1))
            taken: Taken = {}
            unfulfilled = split_order(
                arrays.orders[row].lines,
                available[lines],
                plan.quantity[lines],
                cost[order],
                eligible[order],
                state,
                taken,
                late[order],
            )
            km = {node: float(distance[order, node]) for node in taken}
            left = units_left(arrays.orders[row].lines, taken)
            short.extend(lines.start + line for line, units in enumerate(left) if units)
            positions.append(order)
            allocation[order] = build_allocation(row, wave, km, taken, unfulfilled)
            plane = int(plan.line_plane[lines.start])
            for node, units in taken.items():
                ships.append((order, node))
                for line, amount in units.items():
                    sku = int(plan.sku[lines.start + line])
                    takes.append((order, sku * n_nodes + node, plane, sku, node, amount))
        if not positions:
            return cls.none()
        take = np.array(takes, dtype=np.int64).reshape(-1, 6)
        ship = np.array(ships, dtype=np.int64).reshape(-1, 2)
        return cls(
            positions=np.array(positions, dtype=np.int64),
            allocation=allocation,
            order=take[:, 0],
            key=take[:, 1],
            plane=take[:, 2],
            sku=take[:, 3],
            node=take[:, 4],
            units=take[:, 5],
            ship_order=ship[:, 0],
            ship_node=ship[:, 1],
            short=np.array(short, dtype=np.int64),
        )

    def takes(self, start: int, stop: int) -> slice:
        """The takes of orders ``start:stop``."""
        return between(self.order, start, stop)

    def shipments(self, start: int, stop: int) -> slice:
        """The shipments of orders ``start:stop``."""
        return between(self.ship_order, start, stop)

    def within(self, start: int, stop: int) -> IntArray:
        """Split orders among orders ``start:stop``."""
        return self.positions[between(self.positions, start, stop)]


class _Lone(NamedTuple):
    """An order accepted on a lone plan, as :func:`resolve_order` would decide it: each
    line takes what the node holds, up to its quantity."""

    row: int
    node: int
    ships: bool
    """Whether the node had a shipment left."""
    units: list[int]
    """Units each line takes."""
    held: list[int]
    """Units of each line the node held."""
    late: list[int]
    """Code in ``REASONS`` of each line's reason for its units left short, unless the
    node held some and had no shipment left (NO_CAPACITY)."""

    def allocation(self, order: Order, ids: tuple[str, ...], km: float, cost: float) -> Allocation:
        """The order's allocation, with the shipment's ``km`` and ``cost`` (currency)."""
        lines: list[OrderLine] = []
        short: list[UnfulfilledLine] = []
        for line, units, held, late in zip(
            order.lines, self.units, self.held, self.late, strict=True
        ):
            if units:
                lines.append(
                    line if units == line.quantity else OrderLine(sku=line.sku, quantity=units)
                )
            if units < line.quantity:
                reason = NO_CAPACITY if not self.ships and held >= 1 else REASONS[late]
                short.append(
                    UnfulfilledLine(sku=line.sku, quantity=line.quantity - units, reason=reason)
                )
        shipments = (
            (Shipment(node_id=ids[self.node], lines=lines, distance_km=km, cost=cost),)
            if self.ships
            else ()
        )
        return Allocation(
            order_id=order.id,
            shipments=shipments,
            unfulfilled=short,
            status=allocation_status(bool(shipments), bool(short)),
        )


@attrs.frozen(kw_only=True, eq=False)
class _Plan:
    """What each order of a window would do on the state it was scored on.

    An order that some node can serve whole plans its cheapest such node. An
    order that may split, that no node serves whole and that only one eligible
    node holds any units for (a pickup in a store short of some lines, say) is
    *lone*: the split rule takes what that node holds of each line, up to its
    quantity, so the plan is fixed by the stock there. An order that no eligible
    node holds anything for but a late one does is *refused* here: a lone plan that
    takes nothing. What late nodes hold gives the reasons of the lines these plans
    leave short (``LateReasons``). Other orders have no plan here (``_Splits`` plans
    some of them) and are decided alone at their turn.
    """

    rows: IntArray
    """Wave rows of the window's orders, in decision order, shape (n_orders,)."""
    node: IntArray
    """Canonical node each order plans to ship from, shape (n_orders,)."""
    planned: BoolArray
    """Whether the order has a plan, shape (n_orders,)."""
    lone: BoolArray
    """Whether the plan is a lone one, shape (n_orders,)."""
    ships: IntArray
    """Shipments the plan takes (0 or 1), shape (n_orders,)."""
    owner: IntArray
    """Order (position in the window) of each line, shape (n_lines,)."""
    line_start: IntArray
    """Position of each order's first line, shape (n_orders,)."""
    sku: IntArray
    """SKU row of each line, shape (n_lines,)."""
    line_node: IntArray
    """Canonical node each line's plan takes from, shape (n_lines,)."""
    line_key: IntArray
    """Each line's (SKU, node) position as ``sku * n_nodes + node``, shape (n_lines,)."""
    line_plane: IntArray
    """Plane of ``StockState.spare`` each line's channel draws on (1 when it respects
    safety stock), shape (n_lines,)."""
    quantity: IntArray
    """Units ordered on each line, shape (n_lines,)."""
    line_units: IntArray
    """Units the plan takes for each line, shape (n_lines,)."""
    line_held: IntArray
    """Units of each line's SKU its plan's node held, shape (n_lines,)."""

    @classmethod
    def make(
        cls,
        batch: SourcingBatch,
        cost: FloatArray,
        eligible: BoolArray,
        stocked: BoolArray,
        available: IntArray,
        allow_split: BoolArray,
        refused: BoolArray,
    ) -> _Plan:
        """Plans for ``batch`` from its scoring: ``cost``, ``eligible`` and ``stocked``
        (eligible and holding a unit of some line) per order and node, and the
        ``available`` units per line and node; orders that may split get lone plans
        (where ``allow_split``), and the ``refused`` ones, which no eligible node
        holds anything for, plans that take nothing (lone plans without a shipment at
        a node that holds nothing, whatever node it is)."""
        quantity = batch.line_quantity
        owner = batch.line_row
        can_ship = batch.capacity - batch.capacity_used >= 1
        feasible = eligible & batch.all_lines(available >= quantity[:, None]) & can_ship
        choice = np.argmin(np.where(feasible, cost, np.inf), axis=1)
        whole = feasible[np.arange(batch.n_orders), choice]
        alone = ~whole & allow_split & (np.count_nonzero(stocked, axis=1) == 1)
        node = np.where(whole, choice, np.argmax(stocked, axis=1))
        ships = whole | (alone & can_ship[node])
        line_node = node[owner]
        held = np.where(refused[owner], 0, available[np.arange(owner.size), line_node])
        units = np.where(ships[owner], np.minimum(held, quantity), 0)
        return cls(
            rows=batch.rows,
            node=node,
            planned=whole | alone | refused,
            lone=alone | refused,
            ships=ships.astype(np.int64),
            owner=owner,
            line_start=batch.line_start,
            sku=batch.line_sku,
            line_node=line_node,
            line_key=batch.line_sku * batch.n_nodes + line_node,
            line_plane=batch.line_respects_safety.astype(np.int64),
            quantity=quantity,
            line_units=units,
            line_held=held,
        )

    @property
    def short(self) -> BoolArray:
        """Whether the plan leaves units of each line unserved, shape (n_lines,)."""
        return np.asarray(self.line_units < self.quantity, dtype=np.bool_)

    def line_span(self, start: int, stop: int) -> tuple[int, int]:
        """First line and end of the lines of orders ``start:stop``."""
        first = int(self.line_start[start]) if start < self.rows.size else self.owner.size
        return first, int(self.line_start[stop]) if stop < self.rows.size else self.owner.size

"""A stateful machine over an order's life: place, reject, reallocate, cancel, fulfil.

Any sequence of these conserves units (on hand only drops by what is fulfilled or
written off; reserved is exactly what the open orders' shipments hold), a node that
rejected an order never gets a new shipment of it, every unit of an open order is
shipped, unfulfilled or cancelled exactly once, a cancellation sent twice changes
nothing more, and the counts carried between calls only grow.
"""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

import omnichannel as oc
from omnichannel.simulation import Scenario


def _totals(inventory: oc.Inventory) -> tuple[int, int]:
    positions = inventory.positions()
    return sum(p.on_hand for p in positions), sum(p.reserved for p in positions)


def _moves(allocation: oc.Allocation) -> list[oc.StockMove]:
    return [
        oc.StockMove(node_id=s.node_id, sku=line.sku, quantity=line.quantity)
        for s in allocation.shipments
        for line in s.lines
    ]


class OrderLives(RuleBasedStateMachine):
    """One wave of a small simulated day, its orders placed one by one."""

    @initialize(seed=st.integers(0, 2**32 - 1), scarce=st.booleans())
    def start(self, seed: int, scarce: bool) -> None:
        day = Scenario.generate(
            n_nodes=10, n_skus=15, n_orders=30, rng=seed, stock_cover_days=0.5 if scarce else 3.0
        )
        self.network = day.network
        self.waiting = list(day.orders)
        self.inventory = day.inventory
        self.on_hand_start, self.reserved_start = _totals(day.inventory)
        self.orders: dict[str, oc.Order] = {}
        self.open: dict[str, oc.Allocation] = {}
        self.capacity_used: dict[str, int] = {}
        self.full: frozenset[str] = frozenset()
        self.fulfilled = 0
        self.written_off = 0

    def _carry(self, result: oc.AllocationResult | oc.ReallocationResult) -> None:
        for node_id, count in self.capacity_used.items():
            assert result.capacity_used.get(node_id, 0) >= count
        assert self.full <= result.full_node_ids
        self.inventory = result.inventory
        self.capacity_used = dict(result.capacity_used)
        self.full = result.full_node_ids

    @precondition(lambda self: bool(self.waiting))
    @rule()
    def place(self) -> None:
        order = self.waiting.pop(0)
        result = oc.allocate(
            [order],
            self.network,
            self.inventory,
            capacity_used=self.capacity_used,
            full_node_ids=self.full,
        )
        self._carry(result)
        self.orders[order.id] = order
        self.open[order.id] = result.allocations[0]

    def _shipping(self) -> list[str]:
        return sorted(order_id for order_id, a in self.open.items() if a.shipments)

    @precondition(lambda self: bool(self._shipping()))
    @rule(data=st.data())
    def reject(self, data: st.DataObject) -> None:
        order_id = data.draw(st.sampled_from(self._shipping()))
        allocation = self.open[order_id]
        shipment = data.draw(st.sampled_from(allocation.shipments))
        line = data.draw(st.sampled_from(shipment.lines))
        shipped_there = sum(
            held.quantity
            for s in allocation.shipments
            if s.node_id == shipment.node_id
            for held in s.lines
            if held.sku == line.sku
        )
        rejection = oc.Rejection(
            order_id=order_id,
            node_id=shipment.node_id,
            sku=line.sku,
            quantity=data.draw(st.integers(1, shipped_there)),
            reason=data.draw(st.sampled_from(oc.RejectionReason)),
        )
        order = self.orders[order_id]
        result = oc.reallocate(
            [order],
            [allocation],
            [rejection],
            self.network,
            self.inventory,
            capacity_used=self.capacity_used,
            full_node_ids=self.full,
        )
        (new,) = result.allocations
        (history,) = result.orders
        assert shipment.node_id in history.excluded_node_ids
        before = Counter(s.node_id for s in allocation.shipments)
        for s in new.shipments:
            if s not in allocation.shipments:
                # A new shipment, or one that lost lines at a node that served before.
                assert s.node_id not in history.excluded_node_ids or before[s.node_id]
        self.written_off += sum(a.quantity for a in result.adjustments)
        self._carry(result)
        self.orders[order_id] = history
        self.open[order_id] = new

    @precondition(lambda self: bool(self.open))
    @rule(data=st.data(), whole=st.booleans())
    def cancel_units(self, data: st.DataObject, whole: bool) -> None:
        order_id = data.draw(st.sampled_from(sorted(self.open)))
        order = self.orders[order_id]
        lines: tuple[oc.OrderLine, ...] = ()
        if not whole:
            line = data.draw(st.sampled_from(order.lines))
            total = data.draw(st.integers(1, line.quantity), label="cancelled in all")
            lines = (oc.OrderLine(sku=line.sku, quantity=total),)
        cancellation = oc.Cancellation(order_id=order_id, lines=lines)
        once = oc.cancel([self.open[order_id]], [cancellation], self.inventory)
        twice = oc.cancel(once.allocations, [cancellation], once.inventory)
        assert twice.released == ()
        assert twice.allocations == once.allocations
        self.inventory = once.inventory
        self.open[order_id] = once.allocations[0]

    @precondition(lambda self: bool(self._shipping()))
    @rule(data=st.data())
    def fulfil(self, data: st.DataObject) -> None:
        order_id = data.draw(st.sampled_from(self._shipping()))
        allocation = self.open.pop(order_id)
        self.inventory = self.inventory.fulfil(_moves(allocation))
        self.fulfilled += allocation.units_allocated

    @invariant()
    def units_are_conserved(self) -> None:
        if not hasattr(self, "inventory"):
            return
        on_hand, reserved = _totals(self.inventory)
        assert on_hand == self.on_hand_start - self.fulfilled - self.written_off
        held = sum(a.units_allocated for a in self.open.values())
        assert reserved == self.reserved_start + held

    @invariant()
    def every_unit_is_accounted_for_once(self) -> None:
        for order_id, allocation in getattr(self, "open", {}).items():
            units: Counter[str] = Counter()
            for shipment in allocation.shipments:
                for line in shipment.lines:
                    units[line.sku] += line.quantity
            for short in allocation.unfulfilled:
                units[short.sku] += short.quantity
            for gone in allocation.cancelled:
                units[gone.sku] += gone.quantity
            ordered = {line.sku: line.quantity for line in self.orders[order_id].lines}
            assert dict(units) == ordered


TestOrderLives = OrderLives.TestCase
TestOrderLives.settings = settings(
    max_examples=40,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

"""The problem a policy decides: one wave of orders, the network, and the stock state."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

import attrs
import numpy as np

from .._domain.accuracy import Accuracy
from .._domain.call_checks import (
    capacity_vector,
    checked_accuracy,
    checked_context,
    checked_daily_used,
    checked_full_nodes,
    checked_orders,
    checked_strategy,
)
from .._domain.demand import DemandRates
from .._domain.inventory import Inventory
from .._domain.network import Network
from .._domain.orders import Order
from .._types import FloatArray
from ..sourcing._batch import OrderArrays, StockState
from ..sourcing._protocol import SourcingStrategy
from ..sourcing._timing import NodeTimes, Timing


@attrs.frozen(kw_only=True, eq=False)
class Wave:
    """One allocation wave, validated and turned into arrays by the engine.

    ``state`` is the stock and capacity before any order is decided; a policy
    works on ``state.copy()``. With ``now`` (``timing``), a node's daily capacity
    either pushes work to its next open day (``push``, the sequential rule) or,
    for every other policy, caps the shipments it takes in the wave at what its
    current operating day has left, so each node's dates hold for the whole wave.
    """

    arrays: OrderArrays
    inventory: Inventory
    state: StockState
    sourcing: SourcingStrategy
    demand: DemandRates | None = None
    """The sales rates the call was given (for waves built from this one)."""
    notes: list[str] = attrs.field(factory=list)
    """What a policy wants the caller to know about how it decided (for example a
    solver stopped at its time limit); copied to ``AllocationResult.notes``."""
    timing: Timing | None = None
    """The call's time context, None without ``now``."""
    push: bool = True
    """Whether a full operating day pushes work to the next one (else caps capacity)."""
    daily_used: dict[str, dict[dt.date, int]] = attrs.field(factory=dict)
    """The call's ``daily_used``, checked (carried into the result unchanged without
    ``now``)."""
    full_node_ids: frozenset[str] = frozenset()
    """Nodes that count as full for the rest of the wave (no capacity left), checked;
    carried into the result."""
    accuracy: Accuracy | None = None
    """The call's inventory accuracy, checked (for waves built from this one); the
    arrays carry it to every sourcing batch."""

    @classmethod
    def prepare(
        cls,
        orders: Iterable[Order],
        network: Network,
        inventory: Inventory,
        sourcing: SourcingStrategy,
        capacity_used: Mapping[str, int] | None,
        demand: DemandRates | None,
        now: dt.datetime | None = None,
        daily_used: Mapping[str, Mapping[dt.date, int]] | None = None,
        push: bool = True,
        full_node_ids: Iterable[str] | None = None,
        accuracy: Accuracy | None = None,
    ) -> tuple[Wave, FloatArray]:
        """Validate a call and turn it into a wave; also the shipments each canonical
        node took before it."""
        network, inventory, demand = checked_context(network, inventory, demand)
        checked_strategy(sourcing, SourcingStrategy, "sourcing")
        found = checked_orders(orders, network)
        used = capacity_vector(capacity_used, network)
        checked = checked_accuracy(accuracy, network)
        arrays = OrderArrays.build(found, network, checked)
        earlier = checked_daily_used(daily_used, network)
        full = checked_full_nodes(full_node_ids, network)
        timing = None if now is None else _timing(arrays, now, earlier)
        state = StockState.start(
            arrays, inventory, used, demand, None if timing is None else timing.start()
        )
        if state.times is not None and not push:
            state.capacity = _capped(state.capacity, used, state.times)
        if full:
            state.capacity[[network.node_index(node_id) for node_id in full]] = 0.0
        wave = cls(
            arrays=arrays,
            inventory=inventory,
            state=state,
            sourcing=sourcing,
            demand=demand,
            timing=timing,
            push=push,
            daily_used=earlier,
            full_node_ids=full,
            accuracy=checked,
        )
        return wave, used

    def with_orders(self, extra: Sequence[Order]) -> Wave:
        """A wave of this wave's orders followed by ``extra`` (already checked against
        the network) on this wave's state; the SKUs ``extra`` adds start from the
        inventory. Orders, lines and SKUs of this wave keep their rows."""
        arrays = OrderArrays.build(
            (*self.arrays.orders, *extra), self.arrays.network, self.accuracy
        )
        timing, times = self.times_for(arrays, self.state.times)
        state = StockState.start(arrays, self.inventory, self.state.used.copy(), self.demand, times)
        state.capacity = self.state.capacity
        state.spare[:, : len(self.arrays.skus)] = self.state.spare
        return attrs.evolve(self, arrays=arrays, state=state, notes=[], timing=timing)

    def times_for(
        self, arrays: OrderArrays, times: NodeTimes | None
    ) -> tuple[Timing | None, NodeTimes | None]:
        """The timing of other orders of this call (``arrays``), and node handovers for
        them at the daily loads of ``times`` (None without ``now``)."""
        if self.timing is None or times is None:
            return None, None
        timing = _timing(arrays, self.timing.now_at, self.timing.earlier)
        return timing, NodeTimes(timing, times.load.copy())


def _timing(
    arrays: OrderArrays, now: dt.datetime, daily_used: dict[str, dict[dt.date, int]]
) -> Timing:
    return Timing.build(
        arrays.network,
        arrays.orders,
        arrays.level,
        arrays.method,
        arrays.pickup_node,
        now,
        daily_used,
    )


def _capped(capacity: FloatArray, used: FloatArray, times: NodeTimes) -> FloatArray:
    """Each node's capacity in a wave that does not push: at most what it has used plus
    what its current operating day has left."""
    every = np.arange(capacity.size)
    return np.minimum(capacity, used + times.day_left(every))

"""The problem a policy decides: one wave of orders, the network, and the stock state."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import attrs

from .._domain.call_checks import capacity_vector, checked_context, checked_orders, checked_strategy
from .._domain.demand import DemandRates
from .._domain.inventory import Inventory
from .._domain.network import Network
from .._domain.orders import Order
from .._types import FloatArray
from ..sourcing._batch import OrderArrays, StockState
from ..sourcing._protocol import SourcingStrategy


@attrs.frozen(kw_only=True, eq=False)
class Wave:
    """One allocation wave, validated and turned into arrays by the engine.

    ``state`` is the stock and capacity before any order is decided; a policy
    works on ``state.copy()``.
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

    @classmethod
    def prepare(
        cls,
        orders: Iterable[Order],
        network: Network,
        inventory: Inventory,
        sourcing: SourcingStrategy,
        capacity_used: Mapping[str, int] | None,
        demand: DemandRates | None,
    ) -> tuple[Wave, FloatArray]:
        """Validate a call and turn it into a wave; also the shipments each canonical
        node took before it."""
        network, inventory, demand = checked_context(network, inventory, demand)
        checked_strategy(sourcing, SourcingStrategy, "sourcing")
        found = checked_orders(orders, network)
        used = capacity_vector(capacity_used, network)
        arrays = OrderArrays.build(found, network)
        state = StockState.start(arrays, inventory, used, demand)
        wave = cls(
            arrays=arrays, inventory=inventory, state=state, sourcing=sourcing, demand=demand
        )
        return wave, used

    def with_orders(self, extra: Sequence[Order]) -> Wave:
        """A wave of this wave's orders followed by ``extra`` (already checked against
        the network) on this wave's state; the SKUs ``extra`` adds start from the
        inventory. Orders, lines and SKUs of this wave keep their rows."""
        arrays = OrderArrays.build((*self.arrays.orders, *extra), self.arrays.network)
        state = StockState.start(arrays, self.inventory, self.state.used.copy(), self.demand)
        state.spare[:, : len(self.arrays.skus)] = self.state.spare
        return attrs.evolve(self, arrays=arrays, state=state, notes=[])

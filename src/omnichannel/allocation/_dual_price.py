"""DualPriceLookahead: sequential allocation that pays the LP's price for scarce stock."""

from __future__ import annotations

from typing import final

import attrs
import numpy as np

from .._domain import validators as v
from .._domain.decisions import Allocation
from .._types import FloatArray
from ..sourcing._batch import SourcingBatch
from ..sourcing._builtin import checked_costs
from ..sourcing._protocol import SourcingStrategy, StateUse
from ._model import pruned_model, solve
from ._sequential import Sequential
from ._wave import Wave


@final
@attrs.frozen(kw_only=True)
class DualPriceLookahead:
    """Sequential allocation on costs that include the shadow price of what each
    choice consumes (Acimovic & Graves 2015).

    Solves the LP relaxation of the wave's model (see
    :func:`omnichannel.allocation.lower_bound`), takes the dual price of every
    stock position (per unit, for all channels and for those that respect
    safety stock) and of every node's capacity (per shipment), then runs
    :class:`Sequential` with ``cost + sum over lines of units x price of the
    position + price of a shipment at the node``. Stock that later orders of
    the wave need more is dearer, so an order leaves it to them when it has a
    cheap alternative. Prices are in currency, so use it with a currency-valued
    sourcing strategy (``LowestCost``, ``StockProtecting``, ``Weighted`` on
    money). Needs the ``optimize`` extra.
    """

    unserved_penalty: float = attrs.field(
        default=100.0, converter=v.to_float, validator=v.finite_at_least(0.0)
    )
    nodes_per_order: int | None = attrs.field(default=None, validator=v.optional(v.int_at_least(1)))
    """Candidate nodes per order in the LP: the cheapest for the whole order plus
    those :class:`Sequential` would use. A smaller LP prices faster and a little
    less well; None keeps every eligible node."""

    def allocate(self, wave: Wave, /) -> list[Allocation]:
        """One allocation per order of ``wave``, in input order."""
        _, model = pruned_model(wave, self.unserved_penalty, self.nodes_per_order)
        solution = solve(model, relax=True)
        if not solution.found:
            wave.notes.append(
                f"DualPriceLookahead: the LP was not solved ({solution.message}); "
                "the wave was decided by Sequential without prices"
            )
            return Sequential().allocate(wave)
        state = wave.state
        n_skus, n_nodes = state.safety.shape
        stock_price = np.zeros((2, n_skus, n_nodes))
        stock_price.reshape(-1)[model.stock_key] = solution.stock_duals
        node_price = np.zeros(n_nodes)
        node_price[model.capacity_node] = solution.capacity_duals
        priced = PricedSourcing(inner=wave.sourcing, stock_price=stock_price, node_price=node_price)
        return Sequential().allocate(attrs.evolve(wave, sourcing=priced))


@attrs.frozen(kw_only=True, eq=False)
class PricedSourcing:
    """A sourcing strategy plus static prices of stock (per unit) and capacity (per
    shipment); reads the same state as the strategy it wraps."""

    inner: SourcingStrategy
    stock_price: FloatArray
    """Currency per unit, shape (2, n_skus, n_nodes): all channels, then those that
    respect safety stock (added on top)."""
    node_price: FloatArray
    """Currency per shipment, shape (n_nodes,)."""

    @property
    def state_use(self) -> StateUse:
        """What the wrapped strategy reads; the prices are fixed for the wave."""
        return self.inner.state_use

    def costs(self, batch: SourcingBatch, /) -> FloatArray:
        """The wrapped strategy's costs plus the price of what each order would take."""
        respects = batch.line_respects_safety.astype(np.float64)[:, None]
        sku = batch.line_sku
        per_line = batch.line_quantity[:, None] * (
            self.stock_price[0][sku] + respects * self.stock_price[1][sku]
        )
        price = batch.sum_lines(per_line)
        return np.asarray(checked_costs(self.inner, batch) + price + self.node_price[None, :])

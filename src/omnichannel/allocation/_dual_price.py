"""DualPriceLookahead: sequential allocation that pays the LP's price for scarce stock."""

from __future__ import annotations

from typing import final

import attrs
import numpy as np

from .._domain import validators as v
from .._domain.call_checks import checked_orders
from .._domain.decisions import Allocation
from .._domain.orders import Order
from .._types import FloatArray, IntArray
from ..sourcing._batch import SourcingBatch, StockState
from ..sourcing._builtin import checked_costs
from ..sourcing._protocol import SourcingStrategy, StateUse
from ._model import Solution, WaveModel, build_model, solve
from ._passes import sub_wave
from ._resolve import build_allocation
from ._sequential import Sequential
from ._wave import Wave

_WHOLE = 1e-6
"""How close to whole (1 shipment, every unit) an LP value must be to count as whole."""


@final
@attrs.frozen(kw_only=True)
class DualPriceLookahead:
    """Sequential allocation on costs that include the shadow price of what each
    choice consumes (Acimovic & Graves 2015), after reserving what the LP keeps
    for orders that may not split.

    Solves the LP relaxation of the wave's model (see
    :func:`omnichannel.allocation.lower_bound`), with the ``forecast`` orders
    after the wave's when given, and takes the dual price of
    every stock position (per unit, for all channels and for those that respect
    safety stock) and of every node's capacity (per shipment). Then:

    1. every order that may not split and that the LP ships whole from one node
       gets that node first, in :class:`Sequential` order: such an order loses
       everything if a node it needs whole is drained by orders that had other
       options, and prices alone cannot say which order a scarce unit is for;
    2. the other orders are allocated by :class:`Sequential` with ``cost + sum
       over lines of units x price of the position + price of a shipment at the
       node``: stock that the wave needs more is dearer, so an order leaves it
       to others when it has a cheap alternative. Among orders of equal
       priority, those the LP serves go before those it leaves wholly unserved,
       and the scarcest first: an order that few units are within reach of
       goes before one that could take stock elsewhere, since prices often tie
       between an order's options.

    Prices are in currency, so use it with a currency-valued sourcing strategy
    (``LowestCost``, ``StockProtecting``, ``Weighted`` on money). ``unserved_penalty``
    (currency) is finite, >= 0 and at most 1e12. Needs the ``optimize`` extra.
    """

    unserved_penalty: float = attrs.field(
        default=100.0, converter=v.to_float, validator=v.finite_at_least(0.0)
    )
    nodes_per_order: int | None = attrs.field(default=3, validator=v.optional(v.int_at_least(1)))
    """Candidate nodes per order in the LP (1 to 10**12): those where shipping the
    order costs least per unit they hold of it. A smaller LP solves faster and prices
    a little less well; None keeps every eligible node (on the scarce benchmark days,
    3 to 4 times the LP time for a few points of the gap, see docs/benchmarks.md)."""
    forecast: tuple[Order, ...] = attrs.field(
        default=(), converter=v.to_tuple, validator=v.tuple_of(Order)
    )
    """Orders expected before the stock is next replenished (for example the rest of
    the day, sampled from a demand forecast), as orders of the wave's network with ids
    unique among them. They join the LP, so stock they will need is priced and kept
    for them where the LP would, but they are not allocated."""

    def allocate(self, wave: Wave, /) -> list[Allocation]:
        """One allocation per order of ``wave``, in input order."""
        lp = wave
        if self.forecast:
            lp = wave.with_orders(checked_orders(self.forecast, wave.arrays.network, "forecast"))
        model = build_model(
            lp, self.unserved_penalty, nodes_per_order=self.nodes_per_order, relaxed=True
        )
        solution = solve(model, relax=True)
        if not solution.found:
            wave.notes.append(
                f"DualPriceLookahead: the LP was not solved ({solution.message}); "
                "the wave was decided by Sequential without prices"
            )
            return Sequential().allocate(wave)
        state = wave.state.copy()
        decided = _reserve(model, solution.values, lp, wave, state)
        rest = _turns(model, solution.values, wave, decided)
        if rest:
            priced = PricedSourcing.of(lp, model, solution)
            sub = sub_wave(wave, [wave.arrays.orders[r] for r in rest], state, priced.on_skus)
            decided.update(zip(rest, Sequential().allocate(sub), strict=True))
        return [decided[r] for r in range(wave.arrays.n_orders)]


def _reserve(
    model: WaveModel, values: FloatArray, lp: Wave, wave: Wave, state: StockState
) -> dict[int, Allocation]:
    """Allocations of the orders of ``wave`` that may not split and that the LP
    solution ``values`` ships whole from one node, taken from ``state`` in sequential
    order. ``model`` is built on ``lp``: the wave's orders, then any forecast ones."""
    arrays = lp.arrays
    line_whole = model.x_values(values) >= arrays.line_qty[model.x_line] - _WHOLE
    lines_whole = np.bincount(model.x_pair, weights=line_whole, minlength=model.n_pairs)
    whole = (
        (model.pair_values(values) >= 1 - _WHOLE)
        & (lines_whole == np.diff(arrays.line_start)[model.pair_row])
        & ~arrays.allow_split[model.pair_row]
        & (model.pair_row < wave.arrays.n_orders)
    )
    pairs = np.flatnonzero(whole)
    pairs = pairs[np.argsort(-arrays.priority[model.pair_row[pairs]], kind="stable")]
    decided: dict[int, Allocation] = {}
    for pair in pairs.tolist():
        row, node = int(model.pair_row[pair]), int(model.pair_node[pair])
        span = slice(int(arrays.line_start[row]), int(arrays.line_start[row + 1]))
        sku, quantity = arrays.line_sku[span], arrays.line_qty[span]
        held = state.available_to(sku, bool(arrays.respects_safety[row]))[:, node]
        # The LP's whole shipments fit together; the check keeps rounding honest.
        if state.capacity_left[node] < 1 or np.any(held < quantity):
            continue
        state.take(sku, np.full(sku.size, node), quantity)
        state.ship_one(node)
        taken = {node: dict(enumerate(quantity.tolist()))}
        decided[row] = build_allocation(row, wave, {node: float(model.pair_km[pair])}, taken, [])
    return decided


def _turns(
    model: WaveModel, values: FloatArray, wave: Wave, decided: dict[int, Allocation]
) -> list[int]:
    """The orders not yet ``decided``, in the order the priced pass takes orders of
    equal priority (:class:`Sequential` keeps it among them): first those the LP
    solution ``values`` serves some units of, then those it serves none of; within
    each, the scarcest first (fewest units within reach per unit ordered, see
    ``WaveModel.supply``), then input order. An order with few options loses its
    units to any order before it; one with many can take what is left."""
    arrays = wave.arrays
    served = np.bincount(
        model.pair_row[model.x_pair], weights=model.x_values(values), minlength=arrays.n_orders
    )
    rest = np.array([r for r in range(arrays.n_orders) if r not in decided], dtype=np.int64)
    reach = model.supply[rest] / arrays.units[rest]
    turns: list[int] = rest[np.lexsort((reach, served[rest] < _WHOLE))].tolist()
    return turns


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

    @classmethod
    def of(cls, wave: Wave, model: WaveModel, solution: Solution) -> PricedSourcing:
        """The strategy of ``wave``, the model's, priced by the duals of ``solution``."""
        n_skus, n_nodes = wave.state.safety.shape
        stock_price = np.zeros((2, n_skus, n_nodes))
        stock_price.reshape(-1)[model.stock_key] = solution.stock_duals
        node_price = np.zeros(n_nodes)
        node_price[model.capacity_node] = solution.capacity_duals
        return cls(inner=wave.sourcing, stock_price=stock_price, node_price=node_price)

    def on_skus(self, sku_rows: IntArray) -> PricedSourcing:
        """The same prices for a wave whose SKU row ``i`` is row ``sku_rows[i]`` here."""
        return attrs.evolve(self, stock_price=self.stock_price[:, sku_rows])

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

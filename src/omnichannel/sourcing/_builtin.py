"""The built-in sourcing strategies: a weighted sum of factors and its presets."""

from __future__ import annotations

import abc
from typing import Any, final

import attrs
import numpy as np

from .._core.contract import checked_cost_array
from .._domain import validators as v
from .._domain.call_checks import amount_problem, strategy_problem
from .._domain.enums import NodeKind
from .._domain.network import NODE_KINDS
from .._errors import InvalidInputError, Problem
from .._types import FloatArray
from ._batch import SourcingBatch
from ._protocol import NO_STATE, SourcingStrategy, StateUse


def _weight(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    # Bounded by MAX_AMOUNT: a weight times a cost or distance then stays far from overflow.
    problem = amount_problem(value)
    if problem is not None:
        raise InvalidInputError(attribute.name, problem)


def _kinds(value: object) -> object:
    return frozenset(value) if isinstance(value, (set, frozenset, list, tuple)) else value


def _check_kinds(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, frozenset) or not all(isinstance(k, NodeKind) for k in value):
        raise InvalidInputError(attribute.name, f"must be a set of NodeKind, got {value!r}")


def protection_level(safety_stock: Any, demand_per_day: Any, cover_days: float) -> Any:
    """Units a protected node keeps: its safety stock or ``cover_days`` of demand, the larger."""
    return np.maximum(safety_stock, np.ceil(demand_per_day * cover_days))


def _field(default: float = 0.0) -> Any:
    return attrs.field(default=default, converter=v.to_float, validator=_weight)


@final
@attrs.frozen(kw_only=True)
class Weighted:
    """A weighted sum of factors; every other built-in is one of its presets.

    cost = distance x km
         + shipping x carrier cost + handling x handling cost   (currency)
         + rank x node rank
         - stock x units of the order's SKUs the channel may promise at the node
         + depletion x sum over lines of quantity / max(available, quantity)
         + utilisation x shipments taken / order capacity (0 for unlimited nodes)
         + lead_days x days from ``now`` to delivered (ready for collection for
           pickups; 0 without ``now``)
         + protection x units taken below the protection level (``protect_kinds`` only)
         + rejection_risk x expected rejected lines (sum over the order's lines of
           1 - the node's ``accuracy.found``; 0 without ``accuracy``)

    The protection level of a position is ``max(safety_stock, ceil(cover_days x
    units per day))`` from the ``demand`` given to ``allocate``. Weights (and
    ``cover_days``) are finite, >= 0 and at most 1e12, so taking stock or capacity
    never makes a node cheaper and no sum of terms overflows. ``lead_days`` prices
    speed (currency per day): a soft term that ranks nodes and never enters
    ``Shipment.cost``; dates move as nodes' days fill, so it reads CAPACITY.
    ``rejection_risk`` (currency per expected rejected line) prices what a line the
    node cannot find costs: re-sourcing, re-picking and delay. It is soft too, never
    in ``Shipment.cost``, and reads no state: the ``accuracy`` given to ``allocate``
    is fixed for the call. BatchOptimal and ``lower_bound`` minimise money, so
    ``lead_days`` and ``rejection_risk`` do not move them.
    """

    distance: float = _field()
    shipping: float = _field()
    handling: float = _field()
    rank: float = _field()
    stock: float = _field()
    depletion: float = _field()
    utilisation: float = _field()
    lead_days: float = _field()
    protection: float = _field()
    rejection_risk: float = _field()
    cover_days: float = _field()
    protect_kinds: frozenset[NodeKind] = attrs.field(
        default=frozenset({NodeKind.STORE}), converter=_kinds, validator=_check_kinds
    )

    @property
    def state_use(self) -> StateUse:
        """STOCK when stock, depletion or protection count; CAPACITY when utilisation or
        lead days do."""
        use = NO_STATE
        if self.stock or self.depletion or self.protection:
            use |= StateUse.STOCK
        if self.utilisation or self.lead_days:
            use |= StateUse.CAPACITY
        return use

    def costs(self, batch: SourcingBatch, /) -> FloatArray:
        """The weighted sum, shape (n_orders, n_nodes); terms with weight 0 are skipped."""
        total = np.zeros((batch.n_orders, batch.n_nodes))
        if self.distance:
            total += self.distance * batch.distance_km
        if self.shipping:
            total += self.shipping * batch.shipping_cost
        if self.handling:
            total += self.handling * batch.handling_cost
        if self.rank:
            total += self.rank * batch.nodes.rank.astype(np.float64)[None, :]
        if self.stock:
            total -= self.stock * batch.sum_lines(batch.line_available)
        if self.depletion:
            quantity = batch.line_quantity[:, None]
            taken = quantity / np.maximum(batch.line_available, quantity)
            total += self.depletion * batch.sum_lines(taken)
        if self.utilisation:
            total += self.utilisation * _utilisation(batch.capacity_used, batch.capacity)[None, :]
        if self.lead_days:
            total += self.lead_days * batch.lead_days
        if self.protection:
            total += self.protection * batch.sum_lines(self._below_protection(batch))
        if self.rejection_risk:
            total += self.rejection_risk * batch.expected_rejections
        return total

    def _below_protection(self, batch: SourcingBatch) -> FloatArray:
        level = protection_level(batch.line_safety_stock, batch.line_demand, self.cover_days)
        spare = np.maximum(batch.line_free - level, 0)
        below = np.maximum(batch.line_quantity[:, None] - spare, 0).astype(np.float64)
        protected = np.isin(batch.nodes.kind, [NODE_KINDS.index(k) for k in self.protect_kinds])
        return np.asarray(below * protected[None, :])


def _utilisation(used: FloatArray, capacity: FloatArray) -> FloatArray:
    finite = np.isfinite(capacity)
    safe = np.where(finite & (capacity > 0), capacity, 1.0)
    share = np.where(finite, np.where(capacity > 0, used / safe, 1.0), 0.0)
    return np.asarray(share, dtype=np.float64)


class _Preset(abc.ABC):
    """A built-in that is a fixed :class:`Weighted`; it scores exactly as that."""

    @abc.abstractmethod
    def as_weighted(self) -> Weighted:
        """The Weighted this preset stands for."""

    @property
    def state_use(self) -> StateUse:
        """What the equivalent Weighted reads."""
        return self.as_weighted().state_use

    def costs(self, batch: SourcingBatch, /) -> FloatArray:
        """Costs of the equivalent Weighted."""
        return self.as_weighted().costs(batch)


_NEAREST = Weighted(distance=1.0)
_LOWEST_COST = Weighted(shipping=1.0, handling=1.0)
_RANKED = Weighted(rank=1.0)
_MOST_STOCK = Weighted(stock=1.0)


@final
@attrs.frozen(kw_only=True)
class Nearest(_Preset):
    """Shortest great-circle distance to the hand-over point: ``Weighted(distance=1)``."""

    def as_weighted(self) -> Weighted:
        """The Weighted this preset stands for."""
        return _NEAREST


@final
@attrs.frozen(kw_only=True)
class LowestCost(_Preset):
    """Cheapest carrier plus handling cost: ``Weighted(shipping=1, handling=1)``."""

    def as_weighted(self) -> Weighted:
        """The Weighted this preset stands for."""
        return _LOWEST_COST


@final
@attrs.frozen(kw_only=True)
class Ranked(_Preset):
    """The fixed node ranking, lowest rank first: ``Weighted(rank=1)``."""

    def as_weighted(self) -> Weighted:
        """The Weighted this preset stands for."""
        return _RANKED


@final
@attrs.frozen(kw_only=True)
class MostStock(_Preset):
    """The node holding most units of the order's SKUs: ``Weighted(stock=1)``."""

    def as_weighted(self) -> Weighted:
        """The Weighted this preset stands for."""
        return _MOST_STOCK


@final
@attrs.frozen(kw_only=True)
class StockProtecting(_Preset):
    """Lowest cost, plus ``penalty`` (currency) per unit that takes a protected node
    (stores, by default) below its safety stock or below ``cover_days`` of demand;
    both are finite, >= 0 and at most 1e12."""

    penalty: float = _field(10.0)
    cover_days: float = _field(0.0)
    protect_kinds: frozenset[NodeKind] = attrs.field(
        default=frozenset({NodeKind.STORE}), converter=_kinds, validator=_check_kinds
    )
    _weighted: Weighted = attrs.field(init=False, eq=False, hash=False, repr=False)

    def __attrs_post_init__(self) -> None:
        weighted = Weighted(
            shipping=1.0,
            handling=1.0,
            protection=self.penalty,
            cover_days=self.cover_days,
            protect_kinds=self.protect_kinds,
        )
        object.__setattr__(self, "_weighted", weighted)

    def as_weighted(self) -> Weighted:
        """The Weighted this preset stands for."""
        return self._weighted


def _strategies(value: object) -> tuple[SourcingStrategy, ...]:
    items = tuple(value) if isinstance(value, (list, tuple)) else (value,)
    if not items:
        raise InvalidInputError("strategies", "Lexicographic needs at least one strategy")
    problems: list[Problem] = []
    for index, item in enumerate(items):
        problem = strategy_problem(item, SourcingStrategy)
        if problem is not None:
            problems.append((f"strategies[{index}]", problem))
    if problems:
        raise InvalidInputError.collect(problems)
    return items


@final
@attrs.frozen(init=False)
class Lexicographic:
    """Ordered routing rules: each strategy only breaks exact ties of those before it.

    ``Lexicographic(Ranked(), LowestCost())`` takes the best-ranked nodes and,
    among those, the cheapest. Each item is a strategy instance (``LowestCost()``,
    not the class ``LowestCost``). Its costs are each order's dense ranks of the
    nodes under that ordering (0 = best), ``inf`` where any strategy forbids.
    """

    strategies: tuple[SourcingStrategy, ...]

    def __init__(self, *strategies: SourcingStrategy) -> None:
        self.__attrs_init__(strategies=_strategies(strategies))

    @property
    def state_use(self) -> StateUse:
        """Everything any of its strategies reads."""
        use = NO_STATE
        for strategy in self.strategies:
            use |= strategy.state_use
        return use

    def costs(self, batch: SourcingBatch, /) -> FloatArray:
        """Dense lexicographic ranks per order, shape (n_orders, n_nodes)."""
        keys = [checked_costs(s, batch) for s in self.strategies]
        return lexicographic_ranks(keys)


@final
@attrs.frozen
class Fastest:
    """The earliest ``delivered_by`` (ready for collection, for pickups), then the
    lowest cost: ``Lexicographic(Weighted(lead_days=1.0), LowestCost())``. Without
    ``now`` every node is equally fast, so it decides as :class:`LowestCost`."""

    def as_lexicographic(self) -> Lexicographic:
        """The rules it stands for."""
        return Lexicographic(Weighted(lead_days=1.0), LowestCost())

    @property
    def state_use(self) -> StateUse:
        """CAPACITY: dates move as nodes' operating days fill."""
        return self.as_lexicographic().state_use

    def costs(self, batch: SourcingBatch, /) -> FloatArray:
        """Dense ranks by lead time, then cost, shape (n_orders, n_nodes)."""
        return self.as_lexicographic().costs(batch)


def lexicographic_ranks(keys: list[FloatArray]) -> FloatArray:
    """Per row, the dense rank (0 = best) of each column under ``keys`` compared in turn.

    ``keys`` share one shape (n_rows, n_columns); a column that any key forbids
    (``inf``) ranks ``inf``.
    """
    n_rows, n_columns = keys[0].shape
    forbidden = np.zeros((n_rows, n_columns), dtype=np.bool_)
    for key in keys:
        forbidden |= np.isinf(key)
    flat = [np.where(forbidden, np.inf, key).ravel() for key in keys]
    row = np.repeat(np.arange(n_rows), n_columns)
    order = np.lexsort((*reversed(flat), row))
    changed = np.zeros(order.size, dtype=np.bool_)
    if order.size:
        changed[0] = True
        changed[1:] = row[1:] != row[:-1]
    for key in flat:
        changed[1:] |= key[order][1:] != key[order][:-1]
    group = np.cumsum(changed)
    ranks = np.empty(order.size, dtype=np.float64)
    ranks[order] = group - group[row * n_columns]
    return np.where(forbidden, np.inf, ranks.reshape(n_rows, n_columns))


def checked_costs(strategy: SourcingStrategy, batch: SourcingBatch) -> FloatArray:
    """``strategy.costs(batch)``, refused with a clear error when it breaks the contract."""

    def describe(index: tuple[int, ...]) -> str:
        row, column = index
        return f"order {batch.orders[row].id!r} at node {batch.nodes.ids[column]!r}"

    return checked_cost_array(
        strategy.costs(batch),
        (batch.n_orders, batch.n_nodes),
        path="sourcing",
        producer=f"{type(strategy).__name__}.costs",
        describe=describe,
    )

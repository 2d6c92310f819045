"""Run a simulated day through a configuration, and compare configurations."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, overload

import attrs
import numpy as np

from .._domain import validators as v
from .._domain.accuracy import Accuracy
from .._domain.calendar import now_minute
from .._domain.call_checks import strategy_problem
from .._domain.decisions import Allocation, AllocationResult
from .._domain.demand import DemandRates
from .._domain.inventory import Inventory
from .._domain.lifecycle import Rejection, RejectionReason
from .._domain.network import Network
from .._domain.orders import Order
from .._domain.routes import ReturnRoute
from .._domain.stock import StockMove
from .._engine.allocate import allocate
from .._engine.promise import promise
from .._engine.reallocate import reallocate
from .._engine.returns import restocked_moves, route_returns
from .._errors import InvalidInputError
from .._types import FloatArray
from ..allocation._protocol import AllocationPolicy
from ..allocation._sequential import Sequential
from ..returns._builtin import ValueRecovery
from ..returns._protocol import ReturnStrategy
from ..sourcing._builtin import LowestCost
from ..sourcing._protocol import SourcingStrategy
from ._checkout import Checkout, CheckoutTally, cart_of, place
from ._kpis import (
    CHECKOUT_KPIS,
    PARCEL_KPIS,
    REJECTION_KPIS,
    STOCK_KPIS,
    TIME_KPIS,
    DayEndStock,
    DayKpis,
    allocation_kpis,
    day_end_stock,
    parcel_kpis,
    return_kpis,
    stores_below_safety,
    time_kpis,
)
from ._replenishment import DayMoves, Replenisher, WalkIn, WalkInSales
from ._scenario import MAX_DAYS, Scenario


def _implements(protocol: Any) -> Callable[[object, attrs.Attribute[Any], object], None]:
    """Validator: the value is an instance (not a class) implementing ``protocol``."""

    def check(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
        problem = strategy_problem(value, protocol)
        if problem is not None:
            raise InvalidInputError(attribute.name, problem)

    return check


@attrs.frozen(kw_only=True)
class SimulationConfig:
    """One way to run the day: a sourcing strategy, an allocation policy and a
    return strategy (instances, such as ``Nearest()``), under a name for the
    comparison table."""

    name: str = attrs.field(validator=v.instance_of(str))
    sourcing: SourcingStrategy = attrs.field(
        factory=LowestCost, validator=_implements(SourcingStrategy)
    )
    policy: AllocationPolicy = attrs.field(
        factory=Sequential, validator=_implements(AllocationPolicy)
    )
    returns: ReturnStrategy = attrs.field(
        factory=ValueRecovery, validator=_implements(ReturnStrategy)
    )
    checkout: Checkout | None = attrs.field(
        default=None, validator=v.optional(v.instance_of(Checkout))
    )
    """How customers choose at checkout (None: orders are placed as generated)."""


@overload
def simulate(
    scenario: Scenario,
    *,
    sourcing: SourcingStrategy = ...,
    policy: AllocationPolicy = ...,
    returns_strategy: ReturnStrategy = ...,
    waves: int = ...,
    name: str = ...,
    now: dt.datetime | None = ...,
    days: None = ...,
    checkout: Checkout | None = ...,
) -> DayKpis: ...


@overload
def simulate(
    scenario: Scenario,
    *,
    sourcing: SourcingStrategy = ...,
    policy: AllocationPolicy = ...,
    returns_strategy: ReturnStrategy = ...,
    waves: int = ...,
    name: str = ...,
    now: dt.datetime | None = ...,
    days: int,
    checkout: Checkout | None = ...,
) -> SimulatedRun: ...


def simulate(
    scenario: Scenario,
    *,
    sourcing: SourcingStrategy = LowestCost(),  # noqa: B008 (immutable configuration)
    policy: AllocationPolicy = Sequential(),  # noqa: B008 (immutable configuration)
    returns_strategy: ReturnStrategy = ValueRecovery(),  # noqa: B008 (immutable configuration)
    waves: int = 4,
    name: str = "",
    now: dt.datetime | None = None,
    days: int | None = None,
    checkout: Checkout | None = None,
) -> DayKpis | SimulatedRun:
    """Run ``scenario``'s day in ``waves`` equal waves, in order, and measure it; with
    ``days``, run that many days one after the other and measure each and the whole.

    Each wave: stock that was travelling back from the previous wave's returns
    arrives; the wave's orders are allocated (node capacity is per wave) and
    their shipments leave (reserved units are fulfilled); the wave's returns
    are routed, restocked units entering stock on hand or in transit. The
    scenario's ``demand`` feeds stock-protecting and value-recovering
    strategies.

    With ``now`` (the day's start, an aware datetime; e.g. the ``start`` the
    scenario was generated with), wave ``k`` of day ``d`` is decided at ``now + d
    days + (k + 1) x 24 h / waves``, shipments are dated, ``daily_used`` carries
    from wave to wave and day to day, and the time KPIs (on-time rate, lead hours
    per method, express met, click-and-collect ready within 2 h) are measured.

    When the shipments have parcels (a network whose carriers price its levels,
    e.g. ``Scenario.generate(parcels=True)``), the parcel KPIs (parcels per order,
    shipping cost per kg) are measured too; otherwise they are None.

    When the scenario has a shelf truth (``Scenario.generate(stock_accuracy=...)``),
    every shipment line of a wave is picked from the real shelf: its node finds
    ``min(units, what the shelf still holds)``, the shelf drops by what was found,
    and the missing units are a ``NOT_FOUND`` :class:`Rejection`, re-sourced with
    :func:`omnichannel.reallocate` (which writes them off the records and keeps the
    node away from the order); the new shipments are picked again, round after
    round, until a round finds everything (at most one round per node: each
    excludes a node per order). The rejection KPIs (rejection rate, re-sourced
    lines, extra cost, delay hours, orders failed after a rejection) are then
    measured; otherwise they are None. The scenario's known ``accuracy`` (if any)
    is passed to ``allocate`` and ``reallocate``, for ``Weighted(rejection_risk=...)``.

    With walk-in sales (``scenario.mix.walk_in > 0``), each wave first sells to
    walk-in customers at the stores (:class:`DayMix`), and ``lost_store_sales``
    counts what they could not buy.

    With ``checkout`` (a :class:`Checkout`; needs ``now``), each wave's orders are
    first carts: ``promise`` offers each its options on the wave's state (with the
    configuration's sourcing, ``daily_used`` carried), the customer picks one by the
    checkout's choice model and places the order from it (``Order.from_option``:
    the option's method, nodes and promised date), and the placed orders are
    allocated; a cart offered nothing is not ordered. The checkout KPIs (promise
    kept, options per cart, carts offered nothing) are then measured.

    ``days`` (None, the default: one day, measured as a :class:`DayKpis`; else an
    int from 1 to 3,660) runs day ``d``'s orders and returns
    (:meth:`Scenario.day`) on the stock day ``d - 1`` left, the scenario's
    ``replenishment`` (if any) restocking at each day's end, and returns a
    :class:`SimulatedRun`: each day's KPIs and the whole run's, which add the
    stock-out rates per node kind and inventory turns (and replenished units and
    cost, with replenishment).
    """
    if not isinstance(scenario, Scenario):
        raise InvalidInputError("scenario", f"must be Scenario, got {type(scenario).__name__}")
    if isinstance(waves, bool) or not isinstance(waves, int) or waves < 1:
        raise InvalidInputError("waves", f"must be an int >= 1, got {waves!r}")
    if waves > v.MAX_COUNT:
        raise InvalidInputError("waves", f"must be <= {v.MAX_COUNT}, got {waves!r}")
    if days is not None and (
        isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS
    ):
        raise InvalidInputError(
            "days", f"must be None or an int from 1 to {MAX_DAYS}, got {days!r}"
        )
    if days is not None and days > 1 and not scenario.generated:
        raise InvalidInputError(
            "days", "this scenario has one day of orders; Scenario.generate draws more"
        )
    if checkout is not None and not isinstance(checkout, Checkout):
        raise InvalidInputError("checkout", f"must be Checkout, got {type(checkout).__name__}")
    if checkout is not None and now is None:
        raise InvalidInputError("checkout", "needs now: promise dates every option")
    if now is not None:
        now_minute(now)
        if days is not None:
            check_run_end(now, days)
    strategies = (sourcing, policy, returns_strategy)
    run = _Run(scenario, strategies, waves, now, checkout, multi_day=days is not None)
    if days is None:
        return _measure(name, [run.day(0)], scenario.network)
    done = [run.day(day) for day in range(days)]
    return SimulatedRun(
        name=name,
        days=tuple(_measure(name, [one], scenario.network) for one in done),
        total=_measure(name, done, scenario.network),
    )


_DAY = dt.timedelta(days=1)


def check_run_end(now: dt.datetime, days: int) -> None:
    """Raise unless the last wave of a run of ``days`` from ``now`` is a valid ``now``."""
    end = now + days * _DAY
    try:
        now_minute(end)
    except InvalidInputError as error:
        raise InvalidInputError(
            "days", f"a run of {days} days from now ends at {end.isoformat()}: {error}"
        ) from None


@attrs.frozen(kw_only=True)
class SimulatedRun:
    """What one configuration did over several simulated days."""

    name: str
    """The configuration's name."""
    days: tuple[DayKpis, ...]
    """Each day's KPIs, day 0 first."""
    total: DayKpis
    """The whole run measured as one: every order, shipment and return of its days
    (``stores_below_safety`` from the first day's start to the last day's end;
    stock-out rates the mean of the days')."""

    def as_dict(self) -> dict[str, Any]:
        """The figures as a JSON-safe dict: ``name``, ``days`` and ``total``."""
        return {
            "name": self.name,
            "days": [day.as_dict() for day in self.days],
            "total": self.total.as_dict(),
        }


@attrs.frozen(kw_only=True)
class _Day:
    """What one simulated day did, before it is measured."""

    orders: list[Order]
    allocations: list[Allocation]
    routes: list[ReturnRoute]
    opening: Inventory
    """Stock at the day's start."""
    closing: Inventory
    """Stock at the day's end, after replenishment."""
    engine_s: float
    shelf: _Shelf | None
    walk_in: WalkInSales | None
    restocked: DayMoves | None
    stock: DayEndStock | None
    """Stock-outs and units on hand at the day's end (multi-day runs)."""
    sold: int
    """Units shipped to customers and sold to walk-ins."""
    checkout: CheckoutTally | None
    """What checkout offered and placed (None: orders are placed as generated)."""


class _Run:
    """The state a simulation carries from wave to wave and day to day."""

    def __init__(
        self,
        scenario: Scenario,
        strategies: tuple[SourcingStrategy, AllocationPolicy, ReturnStrategy],
        waves: int,
        now: dt.datetime | None,
        checkout: Checkout | None,
        *,
        multi_day: bool,
    ) -> None:
        self.scenario = scenario
        self.checkout = checkout
        self.sourcing, self.policy, self.returns_strategy = strategies
        self.waves = waves
        self.now = now
        self.multi_day = multi_day
        self.inventory = scenario.inventory
        self.daily: dict[str, dict[dt.date, int]] = {}
        self.arriving: list[StockMove] = []
        self.missing = None if scenario.shelf is None else _Shelf.of(scenario).missing
        mix = scenario.mix
        self.walk_in = (
            None
            if mix.walk_in <= 0
            else WalkIn(scenario.network, scenario.demand, mix.walk_in / waves)
        )
        self.replenisher = (
            None
            if scenario.replenishment is None or not multi_day
            else Replenisher(
                scenario.replenishment, scenario.network, scenario.demand, scenario.inventory
            )
        )

    def day(self, day: int) -> _Day:
        """Run day ``day``: its waves, then the day-end replenishment."""
        scenario, network, demand = self.scenario, self.scenario.network, self.scenario.demand
        orders, returns = scenario.day(day)
        if self.replenisher is not None:
            self.inventory = self.replenisher.arrive(day, self.inventory)
        opening = self.inventory
        shelf = None if self.missing is None else _Shelf(missing=self.missing)
        walk_in_rng = None if self.walk_in is None else scenario.draws(day, "walk_in")
        checkout = None if self.checkout is None else CheckoutTally()
        prefers = None if checkout is None else scenario.draws(day, "checkout").random(len(orders))
        sales = WalkInSales(sold=0, lost=0)
        shipped_units = 0
        allocations: list[Allocation] = []
        routes: list[ReturnRoute] = []
        engine_s = 0.0
        order_waves = np.array_split(np.arange(len(orders)), self.waves)
        return_waves = np.array_split(np.arange(len(returns)), self.waves)
        for wave, (order_rows, return_rows) in enumerate(
            zip(order_waves, return_waves, strict=True)
        ):
            at = None
            if self.now is not None:
                at = (
                    self.now
                    + dt.timedelta(days=day)
                    + (wave + 1) * dt.timedelta(days=1) / self.waves
                )
            inventory = self.inventory.receive(self.arriving, from_transit=True)
            if self.walk_in is not None and walk_in_rng is not None:
                inventory, wave_sales = self.walk_in.sell(inventory, walk_in_rng, self.missing)
                sales = WalkInSales(
                    sold=sales.sold + wave_sales.sold, lost=sales.lost + wave_sales.lost
                )
            wave_orders = [orders[i] for i in order_rows.tolist()]
            start = time.perf_counter()
            if checkout is not None and prefers is not None:
                wave_orders = self._check_out(
                    wave_orders, inventory, at, prefers[order_rows], checkout
                )
            allocated = allocate(
                wave_orders,
                network,
                inventory,
                sourcing=self.sourcing,
                policy=self.policy,
                demand=demand,
                now=at,
                daily_used=self.daily,
                accuracy=scenario.accuracy,
            )
            if shelf is not None:
                allocated = shelf.pick(
                    wave_orders,
                    allocated,
                    network,
                    sourcing=self.sourcing,
                    policy=self.policy,
                    demand=demand,
                    now=at,
                    accuracy=scenario.accuracy,
                )
            engine_s += time.perf_counter() - start
            self.daily = {key: dict(days) for key, days in allocated.daily_used.items()}
            shipped = _shipped(allocated.allocations)
            shipped_units += sum(move.quantity for move in shipped)
            inventory = allocated.inventory.fulfil(shipped)
            requests = [returns[i] for i in return_rows.tolist()]
            start = time.perf_counter()
            routed = route_returns(
                requests,
                network,
                inventory,
                strategy=self.returns_strategy,
                demand=demand,
                now=at,
            )
            engine_s += time.perf_counter() - start
            self.inventory = routed.inventory
            _, self.arriving = restocked_moves(requests, routed.routes)
            allocations.extend(allocated.allocations)
            routes.extend(routed.routes)
        restocked = None
        if self.replenisher is not None:
            self.inventory, restocked = self.replenisher.restock(day, self.inventory, self.missing)
        return _Day(
            orders=list(orders) if checkout is None else checkout.placed,
            allocations=allocations,
            routes=routes,
            opening=opening,
            closing=self.inventory,
            engine_s=engine_s,
            shelf=shelf,
            walk_in=None if self.walk_in is None else sales,
            restocked=restocked,
            stock=(
                day_end_stock(scenario.inventory, self.inventory, network)
                if self.multi_day
                else None
            ),
            sold=shipped_units + sales.sold,
            checkout=checkout,
        )

    def _check_out(
        self,
        orders: list[Order],
        inventory: Inventory,
        at: dt.datetime | None,
        prefers: FloatArray,
        tally: CheckoutTally,
    ) -> list[Order]:
        """The orders the customers of ``orders`` place at ``at`` from the options
        ``promise`` offers their carts on ``inventory``."""
        assert self.checkout is not None
        assert at is not None
        network = self.scenario.network
        offered = promise(
            [cart_of(order, network) for order in orders],
            network,
            inventory,
            now=at,
            sourcing=self.sourcing,
            daily_used=self.daily,
            per_method=self.checkout.per_method,
        )
        return place(self.checkout, orders, offered, network, at, prefers, tally)


def _measure(name: str, days: Sequence[_Day], network: Network) -> DayKpis:
    """The KPIs of ``days`` (one or more, in order) measured as one period."""
    orders = [order for day in days for order in day.orders]
    allocations = [a for day in days for a in day.allocations]
    routes = [route for day in days for route in day.routes]
    engine_s = sum(day.engine_s for day in days)
    decisions = len(allocations) + len(routes)
    timed: dict[str, Any] = time_kpis(orders, allocations, network)
    parcelled: dict[str, Any] = parcel_kpis(allocations)
    shelves = [day.shelf for day in days if day.shelf is not None]
    rejected: dict[str, Any] = (
        _Shelf.merged(shelves).kpis() if shelves else dict.fromkeys(REJECTION_KPIS)
    )
    stocked: dict[str, Any] = _stock_kpis(days)
    checked_out: dict[str, Any] = _checkout_kpis(days, allocations)
    return DayKpis(
        name=name,
        orders=len(allocations),
        stores_below_safety=stores_below_safety(days[0].opening, days[-1].closing, network),
        return_lines=len(routes),
        decisions_per_second=decisions / engine_s if engine_s > 0 else 0.0,
        engine_seconds=engine_s,
        **allocation_kpis(allocations, network),
        **return_kpis(routes),
        **timed,
        **parcelled,
        **rejected,
        **stocked,
        **checked_out,
    )


def _checkout_kpis(days: Sequence[_Day], allocations: Sequence[Allocation]) -> dict[str, Any]:
    """The ``CHECKOUT_KPIS`` of ``days`` (whose ``allocations`` are given): None where
    orders were placed as generated."""
    tallies = [day.checkout for day in days if day.checkout is not None]
    if not tallies:
        return dict.fromkeys(CHECKOUT_KPIS)
    total = CheckoutTally()
    for tally in tallies:
        total.add(tally)
    return {
        "promise_kept": total.kept(allocations),
        "options_per_cart": total.options / total.carts if total.carts else 0.0,
        "carts_without_options": total.unoffered / total.carts if total.carts else 0.0,
    }


def _stock_kpis(days: Sequence[_Day]) -> dict[str, float | None]:
    """The ``STOCK_KPIS`` of ``days``: each None where its feature is off."""
    found: dict[str, float | None] = dict.fromkeys(STOCK_KPIS)
    walk_ins = [day.walk_in for day in days if day.walk_in is not None]
    if walk_ins:
        found["lost_store_sales"] = float(sum(sales.lost for sales in walk_ins))
    moves = [day.restocked for day in days if day.restocked is not None]
    if moves:
        found["replenished_units"] = float(sum(move.units for move in moves))
        found["replenishment_cost"] = sum(move.cost for move in moves)
    ends = [day.stock for day in days if day.stock is not None]
    if ends:
        for field in ends[0].stockout_rates:
            rates = [end.stockout_rates[field] for end in ends]
            known = [rate for rate in rates if rate is not None]
            found[field] = float(np.mean(known)) if known else None
        on_hand = float(np.mean([end.on_hand for end in ends]))
        sold = sum(day.sold for day in days)
        found["inventory_turns"] = sold / on_hand if on_hand > 0 else None
    return found


def _shipped(allocations: Sequence[Allocation]) -> list[StockMove]:
    """Every shipped line as a move out of its node."""
    return [
        StockMove(node_id=shipment.node_id, sku=line.sku, quantity=line.quantity)
        for allocation in allocations
        for shipment in allocation.shipments
        for line in shipment.lines
    ]


@attrs.define
class _Shelf:
    """The real shelf of a simulated day, and the tally of what picking from it did.

    ``missing`` holds, per ``(node_id, sku)`` position whose record is wrong, the
    units the record counts that the shelf does not hold; ``picked`` the units found
    this wave and not yet fulfilled (both in units of stock).
    """

    missing: dict[tuple[str, str], int]
    picked: dict[tuple[str, str], int] = attrs.field(factory=dict)
    lines: int = 0
    """Shipment lines picked."""
    rejected: int = 0
    """Shipment lines some of whose units were not found."""
    resourced: int = 0
    """Rejected (order, SKU) lines that got a new shipment."""
    extra_cost: float = 0.0
    """Cost (currency) of the final allocations minus that before the rejections."""
    delays_h: list[float] = attrs.field(factory=list)
    """Hours each re-sourced order's latest ``delivered_by`` moved."""
    failed: int = 0
    """Orders with a rejection left with more units unfulfilled than before it."""

    @classmethod
    def of(cls, scenario: Scenario) -> _Shelf:
        """The shelf of ``scenario`` (which has a ``shelf`` truth)."""
        missing = {}
        for (node_id, sku), units in (scenario.shelf or {}).items():
            position = scenario.inventory.position(node_id, sku)
            if position is not None and position.on_hand > units:
                missing[(node_id, sku)] = position.on_hand - units
        return cls(missing=missing)

    def pick(
        self,
        orders: Sequence[Order],
        allocated: AllocationResult,
        network: Network,
        *,
        sourcing: SourcingStrategy,
        policy: AllocationPolicy,
        demand: DemandRates | None,
        now: dt.datetime | None,
        accuracy: Accuracy | None,
    ) -> AllocationResult:
        """A wave's allocations picked from the shelf, rejected units re-sourced round
        after round until every shipment line is found; the result carries the final
        allocations, stock (reservations held) and counts."""
        self.picked = {}
        history = {order.id: order for order in orders}
        first = {a.order_id: a for a in allocated.allocations}
        current = dict(first)
        inventory = allocated.inventory
        capacity, daily = allocated.capacity_used, allocated.daily_used
        full = allocated.full_node_ids
        done: dict[str, dict[tuple[str, str], int]] = {}
        rejected_lines: set[tuple[str, str]] = set()
        touched: set[str] = set()
        resourced: set[str] = set()
        for _ in range(len(network.nodes) + 1):
            rejections = self._round(current.values(), inventory, done, rejected_lines, resourced)
            if not rejections:
                break
            ids = sorted({r.order_id for r in rejections})
            touched.update(ids)
            result = reallocate(
                [history[i] for i in ids],
                [current[i] for i in ids],
                rejections,
                network,
                inventory,
                sourcing=sourcing,
                policy=policy,
                capacity_used=capacity,
                demand=demand,
                now=now,
                daily_used=daily,
                full_node_ids=full,
                accuracy=accuracy,
            )
            for adjustment in result.adjustments:
                self.missing[(adjustment.node_id, adjustment.sku)] -= adjustment.quantity
            history.update((order.id, order) for order in result.orders)
            current.update((a.order_id, a) for a in result.allocations)
            inventory, capacity, daily = result.inventory, result.capacity_used, result.daily_used
            full = result.full_node_ids
            rejected_lines = {(r.order_id, r.sku) for r in rejections}
        for order_id in sorted(touched):  # a set of str: sort, so sums are reproducible
            before, after = first[order_id], current[order_id]
            self.extra_cost += after.cost - before.cost
            self.failed += after.units_unfulfilled > before.units_unfulfilled
            late_before, late_after = _latest(before), _latest(after)
            if order_id in resourced and late_before is not None and late_after is not None:
                self.delays_h.append((late_after - late_before) / dt.timedelta(hours=1))
        return attrs.evolve(
            allocated,
            allocations=tuple(current[a.order_id] for a in allocated.allocations),
            inventory=inventory,
            capacity_used=capacity,
            daily_used=daily,
            full_node_ids=full,
        )

    def _round(
        self,
        allocations: Iterable[Allocation],
        inventory: Inventory,
        done: dict[str, dict[tuple[str, str], int]],
        rejected_lines: set[tuple[str, str]],
        resourced: set[str],
    ) -> list[Rejection]:
        """Pick every shipment line not picked yet (units beyond ``done``, per order
        and ``(node_id, sku)``, which it updates) and return what was not found;
        units a shipment gave back (an order that moved whole) go back on the
        shelf."""
        rejections = []
        for allocation in allocations:
            order_id = allocation.order_id
            units: dict[tuple[str, str], int] = {}
            for shipment in allocation.shipments:
                for line in shipment.lines:
                    key = (shipment.node_id, line.sku)
                    units[key] = units.get(key, 0) + line.quantity
            picked = done.setdefault(order_id, {})
            units.update(dict.fromkeys(picked.keys() - units.keys(), 0))
            for position, total in units.items():
                node_id, sku = position
                wanted = total - picked.get(position, 0)
                picked[position] = total
                if wanted < 0 and position in self.missing:
                    self.picked[position] -= -wanted
                if wanted <= 0:
                    continue
                self.lines += 1
                if (order_id, sku) in rejected_lines:
                    rejected_lines.discard((order_id, sku))
                    self.resourced += 1
                    resourced.add(order_id)
                if position not in self.missing:
                    continue  # the record is right: every unit is found
                stock = inventory.position(node_id, sku)
                on_shelf = (0 if stock is None else stock.on_hand) - self.missing[position]
                found = max(min(wanted, on_shelf - self.picked.get(position, 0)), 0)
                self.picked[position] = self.picked.get(position, 0) + found
                if found < wanted:
                    self.rejected += 1
                    picked[position] = total - (wanted - found)
                    rejections.append(
                        Rejection(
                            order_id=order_id,
                            node_id=node_id,
                            sku=sku,
                            quantity=wanted - found,
                            reason=RejectionReason.NOT_FOUND,
                        )
                    )
        return rejections

    @classmethod
    def merged(cls, shelves: Sequence[_Shelf]) -> _Shelf:
        """One tally of the picks of ``shelves`` (the days of a run, in order)."""
        return cls(
            missing=shelves[-1].missing,
            lines=sum(shelf.lines for shelf in shelves),
            rejected=sum(shelf.rejected for shelf in shelves),
            resourced=sum(shelf.resourced for shelf in shelves),
            extra_cost=sum(shelf.extra_cost for shelf in shelves),
            delays_h=[delay for shelf in shelves for delay in shelf.delays_h],
            failed=sum(shelf.failed for shelf in shelves),
        )

    def kpis(self) -> dict[str, float | None]:
        """The ``REJECTION_KPIS`` fields of :class:`DayKpis` (no delay figure on an
        undated day: its shipments have no ``delivered_by``)."""
        delay = float(np.mean(self.delays_h)) if self.delays_h else None
        return {
            "rejection_rate": self.rejected / self.lines if self.lines else 0.0,
            "resourced_lines": float(self.resourced),
            "rejection_extra_cost": self.extra_cost,
            "rejection_delay_hours": delay,
            "failed_after_rejection": float(self.failed),
        }


def _latest(allocation: Allocation) -> dt.datetime | None:
    """The latest ``delivered_by`` of ``allocation``'s shipments (None: undated)."""
    dates = [s.delivered_by for s in allocation.shipments if s.delivered_by is not None]
    return max(dates) if dates else None


@attrs.frozen(kw_only=True)
class Comparison:
    """The KPIs of several configurations on the same day, side by side."""

    kpis: tuple[DayKpis, ...]

    def table(self) -> str:
        """A plain-text table: one row per KPI, one column per configuration."""
        rows = [("KPI", *(k.name for k in self.kpis))]
        for label, field, digits in _TABLE_ROWS:
            values = [getattr(k, field) for k in self.kpis]
            if field in _OPTIONAL_KPIS and all(value is None for value in values):
                continue  # the feature was off in every configuration
            rows.append((label, *(_format(value, digits) for value in values)))
        return "\n".join(aligned(rows))

    def as_dict(self) -> dict[str, Any]:
        """Every configuration's KPIs, JSON-safe, keyed by name."""
        return {k.name: k.as_dict() for k in self.kpis}


_TABLE_ROWS = (
    ("cost per order", "cost_per_order", 2),
    ("shipping cost", "shipping_cost", 0),
    ("handling cost", "handling_cost", 0),
    ("splits per order", "splits_per_order", 3),
    ("fill rate %", "fill_rate", -2),
    ("mean distance km", "mean_distance_km", 1),
    ("service level met %", "service_level_met", -2),
    ("stores below safety", "stores_below_safety", 0),
    ("return value recovered", "return_value_recovered", 0),
    ("return net value", "return_net_value", 0),
    ("on time %", "on_time_rate", -2),
    ("lead hours ship to home", "lead_hours_ship_to_home", 1),
    ("lead hours pickup in store", "lead_hours_pickup_in_store", 1),
    ("lead hours ship to store", "lead_hours_ship_to_store", 1),
    ("lead hours pickup point", "lead_hours_pickup_point", 1),
    ("lead hours same day", "lead_hours_same_day", 1),
    ("express met %", "express_met", -2),
    ("pickup ready in 2 h %", "ready_within_2h", -2),
    ("parcels per order", "parcels_per_order", 2),
    ("shipping cost per kg", "shipping_cost_per_kg", 2),
    ("rejection rate %", "rejection_rate", -2),
    ("re-sourced lines", "resourced_lines", 0),
    ("rejection extra cost", "rejection_extra_cost", 0),
    ("rejection delay hours", "rejection_delay_hours", 1),
    ("failed after rejection", "failed_after_rejection", 0),
    ("lost store sales", "lost_store_sales", 0),
    ("store stock-outs %", "store_stockout_rate", -2),
    ("dark-store stock-outs %", "dark_store_stockout_rate", -2),
    ("DC stock-outs %", "dc_stockout_rate", -2),
    ("replenished units", "replenished_units", 0),
    ("replenishment cost", "replenishment_cost", 0),
    ("inventory turns", "inventory_turns", 2),
    ("promise kept %", "promise_kept", -2),
    ("options per cart", "options_per_cart", 2),
    ("carts offered nothing %", "carts_without_options", -2),
    ("decisions per second", "decisions_per_second", 0),
)
"""Label, DayKpis field and decimals of each table row (negative: a percentage with
that many decimals)."""
_OPTIONAL_KPIS = frozenset(TIME_KPIS + PARCEL_KPIS + REJECTION_KPIS + STOCK_KPIS + CHECKOUT_KPIS)
"""Rows left out of the table when every configuration has None: a feature the day
did not use (dates, parcels, shelf truth, walk-in sales, several days, replenishment,
checkout)."""


def aligned(rows: Sequence[Sequence[str]]) -> list[str]:
    """``rows`` (a header first, each a label then cells) as plain-text lines: labels
    left-aligned, cells right-aligned, a rule under the header."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [
            cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells))
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return lines


def _format(value: float | None, digits: int) -> str:
    if value is None:
        return "-"
    if digits < 0:
        return f"{100 * value:.{-digits}f}"
    return f"{value:,.{digits}f}"


def compare(
    scenario: Scenario,
    configs: Sequence[SimulationConfig],
    *,
    waves: int = 4,
    progress: Callable[[int, SimulationConfig], None] | None = None,
    now: dt.datetime | None = None,
    days: int | None = None,
) -> Comparison:
    """Simulate ``scenario`` once per configuration, in order (``now`` and ``days``: as
    for :func:`simulate`; with ``days``, each configuration's KPIs are its run's
    ``total``).

    ``progress(index, config)`` is called before each run, for callers that
    show progress.
    """
    found = tuple(configs)
    if not found or not all(isinstance(c, SimulationConfig) for c in found):
        raise InvalidInputError("configs", "must be a non-empty sequence of SimulationConfig")
    names = [c.name for c in found]
    if len(set(names)) != len(names):
        raise InvalidInputError("configs", f"names must be unique, got {names}")
    results = []
    for index, config in enumerate(found):
        if progress is not None:
            progress(index, config)
        settings: dict[str, Any] = {
            "sourcing": config.sourcing,
            "policy": config.policy,
            "returns_strategy": config.returns,
            "waves": waves,
            "name": config.name,
            "now": now,
            "checkout": config.checkout,
        }
        if days is None:
            results.append(simulate(scenario, **settings))
        else:
            results.append(simulate(scenario, **settings, days=days).total)
    return Comparison(kpis=tuple(results))

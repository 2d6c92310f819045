"""The conformance kit: does a custom strategy or policy keep the contract?

``check_sourcing``, ``check_policy`` and ``check_return_strategy`` run every
check on a few seeded generated days and raise :class:`AssertionError` naming
the check and what broke; they need neither pytest nor hypothesis. Each check
also runs alone (``sourcing_checks()`` and friends list them), and
``parametrize_with_checks`` turns them into one pytest case each::

    from omnichannel.testing.conformance import parametrize_with_checks

    @parametrize_with_checks([MyStrategy(), MyPolicy()])
    def test_conformance(subject, check):
        check(subject)
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NoReturn

import attrs
import numpy as np

from .._domain.carriers import CarrierService
from .._domain.catalogue import Catalogue, Product
from .._domain.decisions import AllocationResult, Rule, UnfulfilledReason
from .._domain.demand import DemandRates
from .._domain.dispositions import DispositionTable
from .._domain.enums import (
    Capability,
    ChannelKind,
    Disposition,
    FulfillmentMethod,
    NodeKind,
    ServiceLevel,
)
from .._domain.geo import GeoPoint
from .._domain.inventory import Inventory
from .._domain.network import Channel, CostModel, Network, Node
from .._domain.orders import Order, OrderLine
from .._domain.stock import StockPosition
from .._engine.allocate import allocate
from .._engine.explain import explain
from .._engine.returns import route_returns
from .._engine.verify import PolicyRuleError
from .._errors import InsufficientStockError
from .._types import FloatArray
from ..allocation._protocol import AllocationPolicy
from ..allocation._sequential import Sequential
from ..allocation._wave import Wave
from ..reference._costs import handling
from ..reference._parcels import carriers_of, shippable
from ..returns._batch import ReturnArrays, ReturnBatch, destination_accepts
from ..returns._protocol import ReturnStrategy
from ..simulation._scenario import Scenario
from ..sourcing._batch import SourcingBatch
from ..sourcing._protocol import SourcingStrategy, StateUse

Check = Callable[[Any], None]
"""One check: takes the subject, raises AssertionError when it breaks the contract."""

_SEEDS = (11, 12, 13)
_ALLOWED_AT_START = (None, Rule.UNSHIPPABLE, Rule.STOCK, Rule.CAPACITY)
"""What ``explain`` (on the wave's starting state) may say of a node that served;
UNSHIPPABLE only if each line it shipped can travel (some other line cannot)."""


_START = dt.datetime(2026, 3, 28, tzinfo=dt.timezone.utc)
"""Dated days start on the Saturday before Europe's clock change."""
_NOW = _START + dt.timedelta(hours=15)
"""Dated days are decided on Saturday afternoon: some cut-offs passed, Sunday closed."""


@functools.cache
def _dated_days() -> tuple[Scenario, ...]:
    """Small seeded days with node calendars, small daily capacities, transit bands
    and promises (decided at ``_NOW``)."""
    return _generated(n_orders=120, n_returns=10, start=_START)


@functools.cache
def _days() -> tuple[Scenario, ...]:
    """Small seeded days: two ordinary, one with scarce stock and returns."""
    return _generated(n_orders=80, n_returns=30, start=None)


@functools.cache
def _pinned_days() -> tuple[Scenario, ...]:
    """:func:`_days` with every other order pinned to three nodes
    (``Order.allowed_node_ids``), a different three for each, and every third order
    excluding two nodes (``Order.excluded_node_ids``, nodes that rejected it)."""
    days = []
    for day in _days():
        ids = sorted(node.id for node in day.network.nodes)
        orders = tuple(
            attrs.evolve(
                order,
                allowed_node_ids={ids[(i + k) % len(ids)] for k in range(3)}
                if i % 2 == 0
                else None,
                excluded_node_ids={ids[(i + k) % len(ids)] for k in (1, 5)}
                if i % 3 == 0
                else frozenset(),
            )
            for i, order in enumerate(day.orders)
        )
        days.append(attrs.evolve(day, orders=orders))
    return tuple(days)


@functools.cache
def _parcel_days() -> tuple[Scenario, ...]:
    """Days priced by carrier services: a seeded day with scarce stock, and
    :func:`_parcel_wave`."""
    generated = Scenario.generate(
        n_nodes=14,
        n_skus=40,
        n_orders=60,
        n_returns=0,
        rng=_SEEDS[-1],
        stock_cover_days=0.5,
        parcels=True,
    )
    return generated, _parcel_wave()


_FRANKFURT = GeoPoint(lat=50.11, lon=8.68)
_HAMBURG = GeoPoint(lat=53.55, lon=10.0)
_SAFE = "SAFE-40KG"
"""A product no carrier service takes (heavier than every service's limit)."""


def _parcel_wave() -> Scenario:
    """A hand-made wave: a DC near Frankfurt and a store in Hamburg (from the DC,
    Hamburg is beyond the post's zones but within the freight service's), a 40 kg safe
    that no service takes, 8 kg boxes that split into parcels at the 20 kg packing
    limit, and light cases."""
    post = CarrierService(
        name="post",
        service_level=ServiceLevel.STANDARD,
        zones=(100.0, 300.0),
        weight_steps_kg=(1.0, 5.0, 10.0, 20.0),
        prices=((4.5, 6.0, 8.0, 11.0), (5.5, 7.5, 10.0, 14.0)),
        max_parcel_kg=20.0,
    )
    freight = CarrierService(
        name="freight",
        service_level=ServiceLevel.STANDARD,
        zones=(1000.0,),
        weight_steps_kg=(30.0,),
        prices=((38.0,),),
        max_parcel_kg=31.5,
    )
    nodes = [
        Node(
            id="dc",
            kind=NodeKind.DC,
            location=GeoPoint(lat=50.0, lon=8.5),
            capabilities=Capability.SHIP,
            handling_cost_per_order=1.0,
            handling_cost_per_unit=0.25,
        ),
        Node(id="store", kind=NodeKind.STORE, location=_HAMBURG, capabilities=Capability.SHIP),
    ]
    network = Network(
        nodes=nodes,
        channels=[Channel(id="web", kind=ChannelKind.WEB)],
        costs=CostModel(carriers=(post, freight)),
        catalogue=Catalogue(
            products=[
                Product(sku=_SAFE, weight_kg=40.0),
                Product(sku="BOX-8KG", weight_kg=8.0, dimensions_cm=(40.0, 30.0, 30.0)),
                Product(sku="CASE", weight_kg=0.2, dimensions_cm=(18.0, 10.0, 2.0)),
            ]
        ),
    )
    stock = [("dc", _SAFE, 2), ("dc", "BOX-8KG", 5), ("dc", "CASE", 5)]
    stock += [("store", _SAFE, 1), ("store", "CASE", 3)]

    def order(i: int, to: GeoPoint, lines: list[tuple[str, int]], split: bool = True) -> Order:
        return Order(
            id=f"p{i}",
            channel_id="web",
            method=FulfillmentMethod.SHIP_TO_HOME,
            destination=to,
            lines=[OrderLine(sku=sku, quantity=n) for sku, n in lines],
            allow_split=split,
        )

    return Scenario(
        network=network,
        inventory=Inventory.from_positions(
            [StockPosition(node_id=n, sku=sku, on_hand=q) for n, sku, q in stock]
        ),
        demand=DemandRates.from_mapping({}),
        orders=(
            order(0, _FRANKFURT, [(_SAFE, 1), ("CASE", 1)]),
            order(1, _FRANKFURT, [("BOX-8KG", 3)]),
            order(2, _HAMBURG, [("CASE", 2)], split=False),
            order(3, _FRANKFURT, [(_SAFE, 1)], split=False),
            order(4, _HAMBURG, [("BOX-8KG", 1), ("CASE", 1)]),
        ),
        returns=(),
    )


def _generated(*, n_orders: int, n_returns: int, start: dt.datetime | None) -> tuple[Scenario, ...]:
    """One day per seed of ``_SEEDS``; the last has half a day of stock."""
    return tuple(
        Scenario.generate(
            n_nodes=14,
            n_skus=40,
            n_orders=n_orders,
            n_returns=n_returns,
            rng=seed,
            stock_cover_days=0.5 if seed == _SEEDS[-1] else 3.0,
            start=start,
        )
        for seed in _SEEDS
    )


def _fail(check: str, subject: object, problem: str) -> NoReturn:
    raise AssertionError(f"{check}: {type(subject).__name__} {problem}")


def _wave(day: Scenario, strategy: SourcingStrategy, now: dt.datetime | None = None) -> Wave:
    wave, _ = Wave.prepare(day.orders, day.network, day.inventory, strategy, None, day.demand, now)
    return wave


def _rows(day: Scenario) -> np.ndarray[Any, np.dtype[np.int64]]:
    return np.arange(len(day.orders), dtype=np.int64)


def _scores(strategy: SourcingStrategy, batch: SourcingBatch, check: str) -> FloatArray:
    """The strategy's costs for ``batch``, checked for type, shape, dtype and values."""
    return _called(strategy, lambda: strategy.costs(batch), (batch.n_orders, batch.n_nodes), check)


def _called(
    subject: object, costs: Callable[[], object], shape: tuple[int, ...], check: str
) -> FloatArray:
    """What ``costs()`` returns, if it is a float64 array of ``shape`` with no NaN or -inf."""
    try:
        found = costs()
    except Exception as error:
        _fail(check, subject, f"raised {type(error).__name__}: {error}")
    if not isinstance(found, np.ndarray):
        _fail(check, subject, f"costs() returned {type(found).__name__}, not a numpy array")
    if found.shape != shape:
        _fail(check, subject, f"costs() returned shape {found.shape}, expected {shape}")
    if found.dtype != np.float64:
        _fail(check, subject, f"costs() returned dtype {found.dtype}, expected float64")
    if np.isnan(found).any():
        _fail(check, subject, "costs() returned NaN")
    if (found == -np.inf).any():
        _fail(check, subject, "costs() returned -inf")
    return found


def check_sourcing_protocol(strategy: SourcingStrategy) -> None:
    """It has ``costs`` and a ``state_use`` that is a StateUse."""
    if not isinstance(strategy, SourcingStrategy):
        _fail("protocol", strategy, "does not implement SourcingStrategy (costs, state_use)")
    if not isinstance(strategy.state_use, StateUse):
        _fail("protocol", strategy, f"state_use is {strategy.state_use!r}, not a StateUse")


def check_sourcing_costs(strategy: SourcingStrategy) -> None:
    """Costs are a float64 array (orders x nodes) of numbers or +inf, the same twice."""
    for day in _days():
        wave = _wave(day, strategy)
        batch = SourcingBatch(wave.arrays, _rows(day), wave.state)
        first = _scores(strategy, batch, "costs")
        again = _scores(strategy, batch, "costs")
        if not np.array_equal(first, again):
            _fail("deterministic", strategy, "returned different costs for the same batch")


def check_sourcing_empty_batch(strategy: SourcingStrategy) -> None:
    """A batch of no orders gets an empty (0 x nodes) array."""
    day = _days()[0]
    wave = _wave(day, strategy)
    _scores(strategy, SourcingBatch(wave.arrays, np.zeros(0, np.int64), wave.state), "empty")


def check_sourcing_leaves_inputs(strategy: SourcingStrategy) -> None:
    """Scoring changes neither the stock state nor the order arrays."""
    for day in _days():
        wave = _wave(day, strategy)
        spare, used = wave.state.spare.copy(), wave.state.used.copy()
        quantity = wave.arrays.line_qty.copy()
        _scores(strategy, SourcingBatch(wave.arrays, _rows(day), wave.state), "mutation")
        if not (
            np.array_equal(spare, wave.state.spare)
            and np.array_equal(used, wave.state.used)
            and np.array_equal(quantity, wave.arrays.line_qty)
        ):
            _fail("mutation", strategy, "changed the batch's stock state or order arrays")


def check_sourcing_order_independent(strategy: SourcingStrategy) -> None:
    """An order's costs do not depend on which other orders share its batch, or where."""
    for day in _days():
        wave = _wave(day, strategy)
        rows = _rows(day)
        whole = _scores(strategy, SourcingBatch(wave.arrays, rows, wave.state), "independence")
        shuffled = np.random.default_rng(0).permutation(rows)
        mixed = _scores(strategy, SourcingBatch(wave.arrays, shuffled, wave.state), "independence")
        if not np.array_equal(mixed, whole[shuffled]):
            _fail(
                "independence", strategy, "scores an order differently when the batch is reordered"
            )
        alone = _scores(strategy, SourcingBatch(wave.arrays, rows[:1], wave.state), "independence")
        if not np.array_equal(alone, whole[:1]):
            _fail("independence", strategy, "scores an order differently alone than in a batch")


def check_sourcing_state_use(strategy: SourcingStrategy) -> None:
    """Costs read only the state ``state_use`` declares, and taking stock or capacity at a
    node never makes that node cheaper."""
    reads = strategy.state_use
    for day in _days():
        wave = _wave(day, strategy)
        rows = _rows(day)
        before = _scores(strategy, SourcingBatch(wave.arrays, rows, wave.state), "state_use")
        for what, flag in (("stock", StateUse.STOCK), ("capacity", StateUse.CAPACITY)):
            state = wave.state.copy()
            if flag is StateUse.STOCK:
                state.take(
                    wave.arrays.line_sku,
                    np.zeros(wave.arrays.line_sku.size, np.int64),
                    np.ones(wave.arrays.line_sku.size, np.int64),
                )
            else:
                state.used += 1
            after = _scores(strategy, SourcingBatch(wave.arrays, rows, state), "state_use")
            if not (reads & flag) and not np.array_equal(before, after):
                _fail("state_use", strategy, f"costs change with {what} but state_use omits it")
            if (after < before).any():
                _fail("state_use", strategy, f"taking {what} made a node cheaper")


def check_sourcing_dates(strategy: SourcingStrategy) -> None:
    """With ``now``, costs are valid too; costs that move as nodes' operating days fill
    up declare CAPACITY; and a node whose days filled (later dates) never overtakes a
    node whose dates stayed (costs may be ranks, so only their order is checked)."""
    for day in _dated_days():
        wave = _wave(day, strategy, _NOW)
        rows = _rows(day)
        before = _scores(strategy, SourcingBatch(wave.arrays, rows, wave.state), "dates")
        state = wave.state.copy()
        assert state.times is not None
        capacity = state.times.timing.net.capacity
        every = np.arange(state.used.size, dtype=np.int64)
        for _ in range(3):  # fill each limited node's current day, three times over
            state.times.ship(every, np.maximum(capacity, 0) + 1)
        after = _scores(strategy, SourcingBatch(wave.arrays, rows, state), "dates")
        if not (strategy.state_use & StateUse.CAPACITY) and not np.array_equal(before, after):
            _fail("dates", strategy, "costs change as days fill but state_use omits CAPACITY")
        filled, stayed = every[capacity >= 0], every[capacity < 0]
        was = before[:, filled, None] - before[:, None, stayed]
        gap = after[:, filled, None] - after[:, None, stayed]
        with np.errstate(invalid="ignore"):  # inf - inf: a forbidden node on both sides
            overtook = ((was > 0) & ~(gap > 0)) | ((was == 0) & (gap < 0))
        if overtook.any():
            _fail("dates", strategy, "a node overtook another when its days filled (later dates)")


def check_sourcing_allocates(strategy: SourcingStrategy) -> None:
    """Allocating with it keeps every hard rule and never oversells, with and without
    ``now`` and with carrier services pricing parcels."""
    for day in _days():
        _check_result(strategy, day, strategy, _allocated(strategy, day, strategy, Sequential()))
    for day in _dated_days():
        result = _allocated(strategy, day, strategy, Sequential(), _NOW)
        _check_result(strategy, day, strategy, result, _NOW)
    for day in _parcel_days():
        _check_result(strategy, day, strategy, _allocated(strategy, day, strategy, Sequential()))


def _allocated(
    subject: object,
    day: Scenario,
    sourcing: SourcingStrategy,
    policy: AllocationPolicy,
    now: dt.datetime | None = None,
) -> AllocationResult:
    try:
        return allocate(
            day.orders,
            day.network,
            day.inventory,
            sourcing=sourcing,
            policy=policy,
            demand=day.demand,
            now=now,
        )
    except InsufficientStockError as error:
        _fail("no oversell", subject, f"reserved more than is on hand: {error}")
    except PolicyRuleError as error:
        broke = f"broke rule {error.rule}: {error.detail}"
        if error.rule == "STOCK":
            _fail("no oversell", subject, f"reserved more than is on hand: {broke}")
        _fail("hard rules", subject, broke)


def _check_result(
    subject: object,
    day: Scenario,
    sourcing: SourcingStrategy,
    result: AllocationResult,
    now: dt.datetime | None = None,
) -> None:
    """Every shipment passes the hard rules (``sourcing`` may forbid nodes too; with
    ``now`` it is dated and keeps its order's promise); no position or capacity is
    overdrawn."""
    network = day.network
    taken: Counter[tuple[str, str]] = Counter()
    remote: Counter[tuple[str, str]] = Counter()
    shipments: Counter[str] = Counter()
    for order, allocation in zip(day.orders, result.allocations, strict=True):
        why = explain(order, network, day.inventory, sourcing=sourcing, demand=day.demand, now=now)
        served: Counter[str] = Counter()
        for shipment in allocation.shipments:
            if carriers_of(network, order):
                _check_parcels(subject, network, order, shipment)
            if now is not None and (
                shipment.delivered_by is None
                or (order.deliver_by is not None and shipment.delivered_by > order.deliver_by)
            ):
                _fail("on time", subject, f"shipped order {order.id!r} undated or late")
            rejected = why.candidate(shipment.node_id).rejected_by
            if rejected not in _ALLOWED_AT_START:
                _fail(
                    "hard rules",
                    subject,
                    f"shipped order {order.id!r} from {shipment.node_id!r} against rule "
                    f"{rejected!r}",
                )
            shipments[shipment.node_id] += 1
            for line in shipment.lines:
                served[line.sku] += line.quantity
                taken[shipment.node_id, line.sku] += line.quantity
                if network.channel(order.channel_id).respects_safety_stock:
                    remote[shipment.node_id, line.sku] += line.quantity
        short = Counter({line.sku: 0 for line in order.lines})
        for unfilled in allocation.unfulfilled:
            short[unfilled.sku] += unfilled.quantity
        for line in order.lines:
            if served[line.sku] + short[line.sku] != line.quantity:
                _fail("accounting", subject, f"lost or invented units of order {order.id!r}")
        if not order.allow_split and len(allocation.shipments) > 1:
            _fail("hard rules", subject, f"split order {order.id!r}, which may not split")
    for (node_id, sku), units in taken.items():
        position = day.inventory.position(node_id, sku)
        free = 0 if position is None else position.on_hand - position.reserved
        above = 0 if position is None else max(free - position.safety_stock, 0)
        if units > free or remote[node_id, sku] > above:
            _fail("no oversell", subject, f"took {units} of {sku!r} at {node_id!r}")
    for node in network.nodes:
        if node.order_capacity is not None and shipments[node.id] > node.order_capacity:
            _fail("capacity", subject, f"gave {node.id!r} more shipments than its capacity")


def _check_parcels(subject: object, network: Network, order: Order, shipment: Any) -> None:
    """A carrier-priced shipment carries only units that can travel from its node, in
    parcels that hold exactly its units, and costs its parcels plus the node's handling."""
    for line in shipment.lines:
        if not shippable(network, order, line.sku, shipment.distance_km):
            _fail(
                "hard rules",
                subject,
                f"shipped {line.sku!r} of order {order.id!r} from {shipment.node_id!r}, "
                "which no carrier service takes from there (rule UNSHIPPABLE)",
            )
    packed: Counter[str] = Counter()
    for parcel in shipment.parcels:
        for unit in parcel.units:
            packed[unit.sku] += unit.quantity
    if packed != Counter({line.sku: line.quantity for line in shipment.lines}):
        _fail("parcels", subject, f"order {order.id!r}: parcels do not hold the shipment's units")
    expected = sum(p.cost for p in shipment.parcels) + handling(
        network.node(shipment.node_id), shipment.units
    )
    if abs(shipment.cost - expected) > 1e-9 * max(1.0, abs(expected)):
        _fail(
            "parcels",
            subject,
            f"order {order.id!r} from {shipment.node_id!r} costs {shipment.cost}, "
            f"its parcels and handling {expected}",
        )


def check_policy_protocol(policy: AllocationPolicy) -> None:
    """It has ``allocate(wave)``."""
    if not isinstance(policy, AllocationPolicy):
        _fail("protocol", policy, "does not implement AllocationPolicy (allocate)")


def check_policy_rules(policy: AllocationPolicy) -> None:
    """Its allocations keep every hard rule and never oversell, on ordinary and scarce
    days, with orders pinned to nodes and with dates."""
    from ..sourcing._builtin import LowestCost

    for day in (*_days(), *_pinned_days()):
        _check_result(policy, day, LowestCost(), _allocated(policy, day, LowestCost(), policy))
    for day in _dated_days():
        result = _allocated(policy, day, LowestCost(), policy, _NOW)
        _check_result(policy, day, LowestCost(), result, _NOW)


def check_policy_parcels(policy: AllocationPolicy) -> None:
    """With carrier services: every rule kept, no unit shipped that no service takes
    from its node, each shipment costs its parcels plus handling, and a line that only
    such nodes hold is left unfulfilled with reason UNSHIPPABLE."""
    from ..sourcing._builtin import LowestCost

    for day in _parcel_days():
        _check_result(policy, day, LowestCost(), _allocated(policy, day, LowestCost(), policy))
    wave = _parcel_wave()
    result = _allocated(policy, wave, LowestCost(), policy)
    for order, allocation in zip(wave.orders, result.allocations, strict=True):
        for line in allocation.unfulfilled:
            if line.sku == _SAFE and line.reason is not UnfulfilledReason.UNSHIPPABLE:
                _fail(
                    "parcels",
                    policy,
                    f"left {_SAFE!r} of order {order.id!r} unfulfilled as {line.reason.name}, "
                    "not UNSHIPPABLE (no carrier service takes it from the nodes holding it)",
                )


def check_policy_deterministic(policy: AllocationPolicy) -> None:
    """The same wave gets the same allocations twice."""
    from ..sourcing._builtin import LowestCost

    day = _days()[-1]
    first = _allocated(policy, day, LowestCost(), policy)
    if first != _allocated(policy, day, LowestCost(), policy):
        _fail("deterministic", policy, "allocated the same wave differently")


def check_policy_empty_wave(policy: AllocationPolicy) -> None:
    """A wave of no orders gets no allocations."""
    day = _days()[0]
    result = allocate([], day.network, day.inventory, policy=policy)
    if result.allocations:
        _fail("empty", policy, "returned allocations for an empty wave")


def _return_scores(strategy: ReturnStrategy, batch: ReturnBatch, check: str) -> FloatArray:
    """The strategy's scores for ``batch``, checked for type, shape, dtype and values."""
    shape = (batch.n_dispositions, batch.n_lines, batch.n_nodes)
    return _called(strategy, lambda: strategy.costs(batch), shape, check)


def _return_arrays(day: Scenario) -> ReturnArrays:
    return ReturnArrays.build(
        day.returns, day.network, day.inventory, DispositionTable(), day.demand
    )


def check_return_protocol(strategy: ReturnStrategy) -> None:
    """It has ``costs(batch)``."""
    if not isinstance(strategy, ReturnStrategy):
        _fail("protocol", strategy, "does not implement ReturnStrategy (costs)")


def check_return_costs(strategy: ReturnStrategy) -> None:
    """Scores are a float64 array (dispositions x lines x nodes), the same twice, and
    scoring leaves the batch as it was."""
    for day in _days():
        arrays = _return_arrays(day)
        batch = ReturnBatch(arrays, slice(0, arrays.n_lines))
        available = batch.available.copy()
        first = _return_scores(strategy, batch, "costs")
        if not np.array_equal(first, _return_scores(strategy, batch, "costs")):
            _fail("deterministic", strategy, "returned different scores for the same batch")
        if not np.array_equal(available, batch.available):
            _fail("mutation", strategy, "changed the batch's stock")


def check_return_empty_batch(strategy: ReturnStrategy) -> None:
    """A batch of no lines gets an empty array."""
    _return_scores(strategy, ReturnBatch(_return_arrays(_days()[0]), slice(0, 0)), "empty")


def check_return_line_independent(strategy: ReturnStrategy) -> None:
    """A line's scores do not depend on the other lines of its batch."""
    for day in _days():
        arrays = _return_arrays(day)
        whole = _return_scores(
            strategy, ReturnBatch(arrays, slice(0, arrays.n_lines)), "independence"
        )
        tail = _return_scores(
            strategy, ReturnBatch(arrays, slice(1, arrays.n_lines)), "independence"
        )
        if not np.array_equal(tail, whole[:, 1:]):
            _fail("independence", strategy, "scores a line differently in a smaller batch")


def check_return_routes(strategy: ReturnStrategy) -> None:
    """Routing with it sends units only where the rules allow, and accounts for every unit."""
    for day in _days():
        result = route_returns(
            day.returns, day.network, day.inventory, strategy=strategy, demand=day.demand
        )
        lines = [(request, line) for request in day.returns for line in request.lines]
        if len(result.routes) != len(lines):
            _fail("routes", strategy, "did not route every returned line exactly once")
        for route, (request, line) in zip(result.routes, lines, strict=True):
            if route.quantity != line.quantity or route.sku != line.sku:
                _fail("routes", strategy, f"changed the units of return {request.id!r}")
            if route.disposition is Disposition.KEEP:
                continue
            node = day.network.node(route.node_id or "")
            if not (
                node.active and destination_accepts(route.disposition, node.kind, node.capabilities)
            ):
                _fail("hard rules", strategy, f"sent return {request.id!r} to {node.id!r}")
            if route.net_value <= 0:
                _fail("hard rules", strategy, f"routed return {request.id!r} at a loss")


def sourcing_checks() -> tuple[Check, ...]:
    """Every check of a sourcing strategy, in the order ``check_sourcing`` runs them."""
    return (
        check_sourcing_protocol,
        check_sourcing_costs,
        check_sourcing_empty_batch,
        check_sourcing_leaves_inputs,
        check_sourcing_order_independent,
        check_sourcing_state_use,
        check_sourcing_dates,
        check_sourcing_allocates,
    )


def policy_checks() -> tuple[Check, ...]:
    """Every check of an allocation policy."""
    return (
        check_policy_protocol,
        check_policy_empty_wave,
        check_policy_rules,
        check_policy_parcels,
        check_policy_deterministic,
    )


def return_checks() -> tuple[Check, ...]:
    """Every check of a return strategy."""
    return (
        check_return_protocol,
        check_return_costs,
        check_return_empty_batch,
        check_return_line_independent,
        check_return_routes,
    )


def _run(subject: object, checks: Iterable[Check]) -> None:
    for check in checks:
        check(subject)


def check_sourcing(strategy: SourcingStrategy) -> None:
    """Run every sourcing check; the first broken one raises AssertionError."""
    _run(strategy, sourcing_checks())


def check_policy(policy: AllocationPolicy) -> None:
    """Run every policy check; the first broken one raises AssertionError."""
    _run(policy, policy_checks())


def check_return_strategy(strategy: ReturnStrategy) -> None:
    """Run every return-strategy check; the first broken one raises AssertionError."""
    _run(strategy, return_checks())


def checks_for(subject: object) -> tuple[Check, ...]:
    """The checks that apply to ``subject``, by the protocol it implements."""
    if isinstance(subject, SourcingStrategy):
        return sourcing_checks()
    if isinstance(subject, AllocationPolicy):
        return policy_checks()
    if isinstance(subject, ReturnStrategy):
        return return_checks()
    raise TypeError(
        f"{type(subject).__name__} implements none of SourcingStrategy, AllocationPolicy, "
        "ReturnStrategy"
    )


def parametrize_with_checks(subjects: Sequence[object]) -> Any:
    """A ``pytest.mark.parametrize("subject, check", ...)`` with one case per subject and
    check, named ``ClassName-check_name``."""
    import pytest

    cases = [(subject, check) for subject in subjects for check in checks_for(subject)]
    return pytest.mark.parametrize(
        ("subject", "check"),
        cases,
        ids=[f"{type(subject).__name__}-{check.__name__}" for subject, check in cases],
    )


__all__ = [
    "Check",
    "check_policy",
    "check_return_strategy",
    "check_sourcing",
    "checks_for",
    "parametrize_with_checks",
    "policy_checks",
    "return_checks",
    "sourcing_checks",
]

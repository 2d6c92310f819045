"""Plain sequential allocation: one order at a time, one node at a time."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .._domain.accuracy import Accuracy
from .._domain.calendar import MINUTES_PER_DAY, from_minute, now_minute, to_minute
from .._domain.call_checks import checked_strategy, reject_carrier_transit
from .._domain.carriers import CarrierService
from .._domain.decisions import (
    Allocation,
    AllocationResult,
    Shipment,
    UnfulfilledLine,
    UnfulfilledReason,
    allocation_status,
)
from .._domain.demand import DemandRates
from .._domain.enums import FulfillmentMethod, ServiceLevel
from .._domain.inventory import Inventory
from .._domain.network import Network, Node
from .._domain.orders import Order, OrderLine
from .._engine.allocate import build_result
from .._errors import InvalidInputError
from ..allocation._fair_share import FairShare
from ..allocation._sequential import Sequential
from ..allocation._wave import Wave
from ..sourcing._batch import SOURCE_NEEDS, pickup_node_accepts
from ..sourcing._builtin import (
    Fastest,
    Lexicographic,
    LowestCost,
    MostStock,
    Nearest,
    Ranked,
    StockProtecting,
    Weighted,
)
from ..sourcing._protocol import SourcingStrategy
from ._carrier_transit import CarrierDates, carrier_dates, covers, node_dates
from ._costs import handling, shipping
from ._fair_share import fair_share
from ._nodes import canonical_nodes, km_to
from ._parcels import shippable
from ._time import Dates, day_caps, shipment_dates

_PRESETS = (Nearest, LowestCost, Ranked, MostStock, StockProtecting)


@dataclass
class _Stock:
    """What is left during the wave: units by (node id, sku) and shipments by node id."""

    free: dict[tuple[str, str], int]
    safety: dict[tuple[str, str], int]
    demand: DemandRates | None
    used: dict[str, int]
    capacity: dict[str, float]
    now: int | None = None
    """Minutes since the epoch, for calls given ``now``."""
    loads: dict[str, dict[dt.date, int]] = field(default_factory=dict)
    """Shipments started per node id and local operating day."""
    accuracy: Accuracy = field(default_factory=Accuracy)
    """The call's inventory accuracy (every unit found when none was given)."""

    def available(self, node_id: str, sku: str, respects_safety: bool) -> int:
        held = self.safety.get((node_id, sku), 0) if respects_safety else 0
        return max(self.free.get((node_id, sku), 0) - held, 0)

    def capacity_left(self, node_id: str) -> float:
        return self.capacity[node_id] - self.used.get(node_id, 0)


@dataclass(eq=False)
class _Candidate:
    """One node as seen by one order."""

    node: Node
    distance_km: float
    eligible: bool
    cost: float = math.inf
    taken: dict[int, int] = field(default_factory=dict)
    dates: Dates | None = None
    """With ``now``: the shipment's dates from this node (None: it cannot be made)."""
    late: bool = False
    """With ``now``: eligible but for the time rules."""
    lead_days: float = 0.0
    """With ``now``: days from ``now`` to delivered (ready for collection), 0 when
    the shipment cannot be made."""
    unshippable: frozenset[str] = frozenset()
    """SKUs of the order no carrier service of its level can carry from here: the
    node gives none of them to this order."""
    carriers: CarrierDates | None = None
    """With ``now``, for an order carrier services price, from a node on time for
    them: each service's dates and those that keep the promise (its parcels go with
    the cheapest of these). None: every service of the level rate-shops."""

    @property
    def services(self) -> tuple[CarrierService, ...] | None:
        """The services its parcels may go with; None: every one of the level."""
        return None if self.carriers is None else self.carriers.on_time


UnitsAt = Callable[[_Candidate, OrderLine], int]
"""Units of a line's SKU an order may still take at a candidate node."""


def allocate(
    orders: Iterable[Order],
    network: Network,
    inventory: Inventory,
    *,
    sourcing: SourcingStrategy = LowestCost(),  # noqa: B008 (immutable configuration)
    policy: Sequential | FairShare = Sequential(),  # noqa: B008 (immutable configuration)
    capacity_used: Mapping[str, int] | None = None,
    demand: DemandRates | None = None,
    now: dt.datetime | None = None,
    daily_used: Mapping[str, Mapping[dt.date, int]] | None = None,
    full_node_ids: Iterable[str] | None = None,
    accuracy: Accuracy | None = None,
) -> AllocationResult:
    """The sequential policy (or FairShare on top of it) with a built-in strategy,
    decided one order at a time.

    Same signature and result as :func:`omnichannel.allocate`. With ``now``, it is
    so far the only call that dates parcels by carrier services' ``transit_days``
    (with the Sequential policy): the engine refuses such a call.
    """
    if isinstance(policy, FairShare):
        _check_built_in(sourcing)
        reject_carrier_transit(network, now, "the reference's FairShare")

        def sequential(
            part: Sequence[Order],
            stock: Inventory,
            used: Mapping[str, int] | None,
            daily: Mapping[str, Mapping[dt.date, int]] | None,
            caps: Mapping[str, float],
        ) -> AllocationResult:
            return _sequential(
                part,
                network,
                stock,
                sourcing,
                used,
                demand,
                now,
                daily,
                push=False,
                caps=caps,
                full_node_ids=full_node_ids,
                accuracy=accuracy,
            )

        found = orders if isinstance(orders, Sequence) else tuple(orders)
        return fair_share(
            found,
            network,
            inventory,
            sourcing,
            policy,
            capacity_used,
            demand,
            sequential,
            now=now,
            daily_used=daily_used,
            full_node_ids=full_node_ids,
            accuracy=accuracy,
        )
    if not isinstance(policy, Sequential):
        raise InvalidInputError(
            "policy", "the reference implements the Sequential and FairShare policies"
        )
    _check_built_in(sourcing)
    return _sequential(
        orders,
        network,
        inventory,
        sourcing,
        capacity_used,
        demand,
        now,
        daily_used,
        push=True,
        full_node_ids=full_node_ids,
        accuracy=accuracy,
    )


def _sequential(
    orders: Iterable[Order],
    network: Network,
    inventory: Inventory,
    sourcing: SourcingStrategy,
    capacity_used: Mapping[str, int] | None,
    demand: DemandRates | None,
    now: dt.datetime | None,
    daily_used: Mapping[str, Mapping[dt.date, int]] | None,
    *,
    push: bool,
    caps: Mapping[str, float] | None = None,
    full_node_ids: Iterable[str] | None = None,
    accuracy: Accuracy | None = None,
) -> AllocationResult:
    """The sequential policy; with ``now`` a full operating day pushes work to the
    next one (``push``) or counts as no capacity left: FairShare's passes, whose
    ``caps`` (shipments per node id in the call) FairShare sets once at its start.
    A node of ``full_node_ids`` has no capacity left."""
    wave, used_before = Wave.prepare(
        orders,
        network,
        inventory,
        sourcing,
        capacity_used,
        demand,
        now,
        daily_used,
        push=push,
        full_node_ids=full_node_ids,
        accuracy=accuracy,
    )
    canonical = canonical_nodes(network)
    stock = _Stock(
        free={(p.node_id, p.sku): p.on_hand - p.reserved for p in inventory.positions()},
        safety={(p.node_id, p.sku): p.safety_stock for p in inventory.positions()},
        demand=demand,
        used={node.id: int(used_before[network.node_index(node.id)]) for node in canonical},
        capacity={
            n.id: math.inf if n.order_capacity is None else float(n.order_capacity)
            for n in canonical
        },
        now=None if now is None else now_minute(now),
        loads={key: dict(days) for key, days in wave.daily_used.items()},
        accuracy=Accuracy() if wave.accuracy is None else wave.accuracy,
    )
    if caps is not None:
        stock.capacity = dict(caps)
    elif stock.now is not None and not push:
        stock.capacity = day_caps(canonical, stock.now, stock.used, stock.loads, stock.capacity)
    for node_id in wave.full_node_ids:
        stock.capacity[node_id] = 0.0
    order_list = wave.arrays.orders
    sequence = sorted(range(len(order_list)), key=lambda i: -order_list[i].priority)
    decided: dict[int, Allocation] = {}
    for index in sequence:
        decided[index] = _decide(order_list[index], network, canonical, stock, sourcing)
    allocations = [decided[i] for i in range(len(order_list))]
    daily = None if stock.now is None else stock.loads
    return build_result(wave, allocations, used_before, "reference", daily_used=daily)


def _check_built_in(strategy: object) -> None:
    checked_strategy(strategy, SourcingStrategy, "sourcing")
    if isinstance(strategy, Fastest):
        _check_built_in(strategy.as_lexicographic())
    elif isinstance(strategy, Lexicographic):
        for inner in strategy.strategies:
            _check_built_in(inner)
    elif not isinstance(strategy, (Weighted, *_PRESETS)):
        raise InvalidInputError(
            "sourcing",
            f"the reference implements the built-in strategies only, got {type(strategy).__name__}",
        )


def _decide(
    order: Order, network: Network, canonical: list[Node], stock: _Stock, sourcing: SourcingStrategy
) -> Allocation:
    channel = network.channel(order.channel_id)
    respects = channel.respects_safety_stock
    candidates = _candidates(order, network, canonical, timed=stock.now is not None)
    if stock.now is not None:
        _date(order, network, candidates, stock)
    costs = _costs(sourcing, order, candidates, stock, respects, network)
    for candidate, cost in zip(candidates, costs, strict=True):
        candidate.cost = cost
        candidate.eligible = candidate.eligible and cost != math.inf
        if candidate.eligible and stock.now is not None and not _on_time(order, candidate):
            candidate.eligible, candidate.late = False, True

    def available(candidate: _Candidate, line: OrderLine) -> int:
        return _available(stock, candidate, line, respects)

    def has_capacity(candidate: _Candidate) -> bool:
        return stock.capacity_left(candidate.node.id) >= 1

    best: _Candidate | None = None
    for candidate in candidates:
        if (
            candidate.eligible
            and has_capacity(candidate)
            and all(available(candidate, line) >= line.quantity for line in order.lines)
            and (best is None or candidate.cost < best.cost)
        ):
            best = candidate
    unfulfilled: list[UnfulfilledLine] = []
    opened: list[_Candidate] = []
    if best is not None:
        best.taken = {i: line.quantity for i, line in enumerate(order.lines)}
        opened.append(best)
    elif not order.allow_split:
        for line in order.lines:
            alone = any(
                c.eligible and has_capacity(c) and available(c, line) >= line.quantity
                for c in candidates
            )
            reason = (
                UnfulfilledReason.SPLIT_NOT_ALLOWED
                if alone
                else _reason(line, candidates, opened, available, has_capacity, stock, respects)
            )
            unfulfilled.append(UnfulfilledLine(sku=line.sku, quantity=line.quantity, reason=reason))
    else:
        unfulfilled = _split(order, candidates, opened, available, stock, respects)
    for candidate in opened:
        for line_index, units in candidate.taken.items():
            key = (candidate.node.id, order.lines[line_index].sku)
            stock.free[key] = stock.free.get(key, 0) - units
        stock.used[candidate.node.id] = stock.used.get(candidate.node.id, 0) + 1
        if candidate.dates is not None:
            days = stock.loads.setdefault(candidate.node.id, {})
            days[candidate.dates.day] = days.get(candidate.dates.day, 0) + 1
    return _allocation(order, network, opened, unfulfilled)


def _date(order: Order, network: Network, candidates: list[_Candidate], stock: _Stock) -> None:
    """Each candidate's dates at ``stock.now``, on the loads of its days so far."""
    assert stock.now is not None
    via = order.method in (FulfillmentMethod.SHIP_TO_STORE, FulfillmentMethod.PICKUP_POINT)
    pickup = network.node(order.pickup_node_id) if via and order.pickup_node_id else None
    for candidate in candidates:
        loads = stock.loads.get(candidate.node.id, {})
        km = candidate.distance_km
        carriers = carrier_dates(order, network, candidate.node, pickup, km, stock.now, loads)
        if carriers is None:
            candidate.dates = shipment_dates(
                order, candidate.node, pickup, network.costs, km, stock.now, loads
            )
        elif covers(order, network, carriers, km):
            candidate.carriers = carriers
            lines = [line for line in order.lines if line.sku not in candidate.unshippable]
            candidate.dates = node_dates(order, network, carriers, km, lines)
        else:
            candidate.dates = None  # no carrier keeps the promise for some unit: late
        if candidate.dates is not None:
            candidate.lead_days = (candidate.dates.delivered_by - stock.now) / MINUTES_PER_DAY


def _on_time(order: Order, candidate: _Candidate) -> bool:
    """The time rules: made within the horizon, a same-day level dispatched today, and
    delivered by the order's ``deliver_by``."""
    dates = candidate.dates
    if dates is None:
        return False
    if order.service_level is ServiceLevel.SAME_DAY and not dates.same_day_ok:
        return False
    promise = order.deliver_by
    return promise is None or dates.delivered_by <= to_minute(promise, "deliver_by", round_up=False)


def _split(
    order: Order,
    candidates: list[_Candidate],
    opened: list[_Candidate],
    available: UnitsAt,
    stock: _Stock,
    respects: bool,
) -> list[UnfulfilledLine]:
    """The greedy split: open the node serving most remaining lines whole (ties: cheaper,
    then canonical order) until none serves any; then fill each remaining line in line
    order from opened nodes, then new ones, each cheapest first."""
    left = {i: line.quantity for i, line in enumerate(order.lines)}
    given: dict[tuple[str, int], int] = {}

    def units_at(candidate: _Candidate, line_index: int) -> int:
        return available(candidate, order.lines[line_index]) - given.get(
            (candidate.node.id, line_index), 0
        )

    def open_capacity(candidate: _Candidate) -> bool:
        return stock.capacity_left(candidate.node.id) - (candidate in opened) >= 1

    while left:
        best, best_cover = None, 0
        for candidate in candidates:
            if not candidate.eligible or candidate in opened or not open_capacity(candidate):
                continue
            cover = sum(1 for i, need in left.items() if units_at(candidate, i) >= need)
            if cover > best_cover or (
                best is not None and cover == best_cover and candidate.cost < best.cost
            ):
                best, best_cover = candidate, cover
        if best is None:
            break
        opened.append(best)
        for i, need in list(left.items()):
            if units_at(best, i) >= need:
                best.taken[i] = need
                given[(best.node.id, i)] = need
                del left[i]
    unfulfilled = []
    for i, need in list(left.items()):
        line = order.lines[i]
        usable = [
            c
            for c in candidates
            if c.eligible and units_at(c, i) >= 1 and (c in opened or open_capacity(c))
        ]
        usable.sort(key=lambda c: (c not in opened, c.cost))
        for candidate in usable:
            units = min(units_at(candidate, i), need)
            if candidate not in opened:
                opened.append(candidate)
            candidate.taken[i] = candidate.taken.get(i, 0) + units
            given[(candidate.node.id, i)] = given.get((candidate.node.id, i), 0) + units
            need -= units
            if need == 0:
                break
        if need:

            def left_at(c: _Candidate, _line: OrderLine, i: int = i) -> int:
                return units_at(c, i)

            reason = _reason(line, candidates, opened, left_at, open_capacity, stock, respects)
            unfulfilled.append(UnfulfilledLine(sku=line.sku, quantity=need, reason=reason))
    return unfulfilled


def _reason(
    line: OrderLine,
    candidates: list[_Candidate],
    opened: list[_Candidate],
    available: UnitsAt,
    has_capacity: Callable[[_Candidate], bool],
    stock: _Stock,
    respects: bool,
) -> UnfulfilledReason:
    if not any(c.eligible or c.late for c in candidates):
        return UnfulfilledReason.NO_ELIGIBLE_NODE
    for c in candidates:
        unshippable = (c.eligible or c.late) and line.sku in c.unshippable
        if unshippable and stock.available(c.node.id, line.sku, respects) >= 1:
            return UnfulfilledReason.UNSHIPPABLE
    for c in candidates:
        usable = c.eligible or c.late  # CAPACITY comes before LATE, as in explain
        if usable and c not in opened and not has_capacity(c) and available(c, line) >= 1:
            return UnfulfilledReason.NO_CAPACITY
    if any(c.late and available(c, line) >= 1 for c in candidates):
        return UnfulfilledReason.TOO_LATE
    return UnfulfilledReason.OUT_OF_STOCK


def _candidates(
    order: Order, network: Network, canonical: list[Node], *, timed: bool
) -> list[_Candidate]:
    """Every node with its distance to the hand-over point and the static hard rules
    (``timed``: with ``now``, where a level's last transit band also bounds its reach)."""
    channel = network.channel(order.channel_id)
    card = network.costs.rates[order.service_level]
    max_km = math.inf if card.max_km is None else card.max_km
    if timed and card.transit and order.service_level is not ServiceLevel.SAME_DAY:
        max_km = min(max_km, card.transit[-1].max_km)
    pickup = None if order.pickup_node_id is None else network.node(order.pickup_node_id)
    point = pickup.location if pickup is not None else order.destination
    assert point is not None
    pickup_ok = pickup is None or (
        pickup.active and pickup_node_accepts(order.method, pickup.kind, pickup.capabilities)
    )
    kms = km_to(point, canonical)
    needs = SOURCE_NEEDS[order.method]
    in_store = order.method is FulfillmentMethod.PICKUP_IN_STORE
    candidates = []
    for node, km in zip(canonical, kms, strict=True):
        eligible = (
            node.active
            and node.kind in channel.node_kinds
            and needs in node.capabilities
            and pickup_ok
            and (not in_store or (pickup is not None and node.id == pickup.id))
            and (in_store or km <= max_km)
            and (order.allowed_node_ids is None or node.id in order.allowed_node_ids)
            and node.id not in order.excluded_node_ids
        )
        unshippable = frozenset(
            line.sku for line in order.lines if not shippable(network, order, line.sku, km)
        )
        candidates.append(
            _Candidate(node=node, distance_km=km, eligible=eligible, unshippable=unshippable)
        )
    return candidates


def _available(stock: _Stock, candidate: _Candidate, line: OrderLine, respects: bool) -> int:
    """Units of ``line`` the order may take at the candidate: none of a SKU it cannot ship."""
    if line.sku in candidate.unshippable:
        return 0
    return stock.available(candidate.node.id, line.sku, respects)


def _costs(
    strategy: SourcingStrategy,
    order: Order,
    candidates: list[_Candidate],
    stock: _Stock,
    respects: bool,
    network: Network,
) -> list[float]:
    if isinstance(strategy, Fastest):
        strategy = strategy.as_lexicographic()
    if isinstance(strategy, Lexicographic):
        keys = [_costs(s, order, candidates, stock, respects, network) for s in strategy.strategies]
        tuples = [tuple(key[i] for key in keys) for i in range(len(candidates))]
        allowed = sorted({t for t in tuples if math.inf not in t})
        rank = {t: float(r) for r, t in enumerate(allowed)}
        return [rank.get(t, math.inf) for t in tuples]
    weights = strategy.as_weighted() if isinstance(strategy, _PRESETS) else strategy
    assert isinstance(weights, Weighted)
    return [_weighted(weights, order, c, stock, respects, network) for c in candidates]


def _weighted(
    w: Weighted,
    order: Order,
    candidate: _Candidate,
    stock: _Stock,
    respects: bool,
    network: Network,
) -> float:
    """The factors of :class:`Weighted`, summed in its documented order."""
    node = candidate.node
    units = order.units
    total = 0.0
    if w.distance:
        total += w.distance * candidate.distance_km
    if w.shipping:
        shippable_lines = [line for line in order.lines if line.sku not in candidate.unshippable]
        km, services = candidate.distance_km, candidate.services
        total += w.shipping * shipping(order, network, km, shippable_lines, services)[0]
    if w.handling:
        total += w.handling * handling(node, units)
    if w.rank:
        total += w.rank * float(node.rank)
    if w.stock:
        total -= w.stock * _line_sum(
            _available(stock, candidate, line, respects) for line in order.lines
        )
    if w.depletion:
        total += w.depletion * _line_sum(
            line.quantity / max(_available(stock, candidate, line, respects), line.quantity)
            for line in order.lines
        )
    if w.utilisation:
        capacity = stock.capacity[node.id]
        used = float(stock.used.get(node.id, 0))
        share = 0.0 if capacity == math.inf else (used / capacity if capacity > 0 else 1.0)
        total += w.utilisation * share
    if w.lead_days:
        total += w.lead_days * candidate.lead_days
    if w.protection:
        protected = node.kind in w.protect_kinds
        total += w.protection * _line_sum(
            _below_protection(w, node.id, line, stock) if protected else 0 for line in order.lines
        )
    if w.rejection_risk:
        total += w.rejection_risk * _line_sum(
            1.0 - stock.accuracy.found(node.id, line.sku) for line in order.lines
        )
    return total


def _below_protection(w: Weighted, node_id: str, line: OrderLine, stock: _Stock) -> int:
    rate = stock.demand.rate(node_id, line.sku) if stock.demand is not None else 0.0
    level = max(stock.safety.get((node_id, line.sku), 0), math.ceil(rate * w.cover_days))
    spare = max(stock.free.get((node_id, line.sku), 0) - level, 0)
    return max(line.quantity - spare, 0)


def _line_sum(values: Iterable[float]) -> float:
    """Left-to-right sum from 0.0 (``sum`` may compensate rounding; the spec does not)."""
    total = 0.0
    for value in values:
        total += value
    return total


def _allocation(
    order: Order, network: Network, opened: list[_Candidate], unfulfilled: list[UnfulfilledLine]
) -> Allocation:
    shipments = []
    for candidate in opened:
        lines = tuple(
            order.lines[i]
            if units == order.lines[i].quantity
            else OrderLine(sku=order.lines[i].sku, quantity=units)
            for i, units in sorted(candidate.taken.items())
        )
        units = sum(line.quantity for line in lines)
        carried, boxes = shipping(order, network, candidate.distance_km, lines, candidate.services)
        cost = carried + handling(candidate.node, units)
        dates = candidate.dates
        delivered = None if dates is None else dates.delivered_by
        if candidate.carriers is not None:
            delivered = candidate.carriers.delivered_by(boxes)  # its own parcels
        shipments.append(
            Shipment(
                node_id=candidate.node.id,
                lines=lines,
                distance_km=candidate.distance_km,
                cost=cost,
                ready_at=None if dates is None else from_minute(dates.ready_at),
                delivered_by=None if delivered is None else from_minute(delivered),
                parcels=boxes,
            )
        )
    return Allocation(
        order_id=order.id,
        shipments=tuple(shipments),
        unfulfilled=tuple(unfulfilled),
        status=allocation_status(bool(shipments), bool(unfulfilled)),
        split_penalty=network.costs.split_penalty * max(len(shipments) - 1, 0),
    )

"""Plain FairShare: ration short SKUs per channel, then two plain sequential passes."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from fractions import Fraction

import attrs

from .._domain.accuracy import Accuracy
from .._domain.calendar import now_minute
from .._domain.decisions import (
    Allocation,
    AllocationResult,
    Shipment,
    UnfulfilledLine,
    allocation_status,
)
from .._domain.demand import DemandRates
from .._domain.inventory import Inventory
from .._domain.network import Network
from .._domain.orders import Order, OrderLine
from .._engine.allocate import build_result
from .._types import FloatArray
from ..allocation._fair_share import FairShare
from ..allocation._wave import Wave
from ..sourcing._protocol import SourcingStrategy
from ._costs import handling, shipping
from ._nodes import canonical_nodes
from ._time import day_caps, first_day

Daily = Mapping[str, Mapping[dt.date, int]]
SequentialRun = Callable[
    [Sequence[Order], Inventory, Mapping[str, int] | None, Daily | None, Mapping[str, float]],
    AllocationResult,
]
"""The plain sequential policy on some orders, a snapshot, the capacity and daily loads
used so far, and each node's shipments in the call (by id)."""


def fair_share(
    orders: Sequence[Order],
    network: Network,
    inventory: Inventory,
    sourcing: SourcingStrategy,
    policy: FairShare,
    capacity_used: Mapping[str, int] | None,
    demand: DemandRates | None,
    sequential: SequentialRun,
    *,
    now: dt.datetime | None = None,
    daily_used: Daily | None = None,
    full_node_ids: Iterable[str] | None = None,
    accuracy: Accuracy | None = None,
) -> AllocationResult:
    """FairShare, one order and one channel at a time. ``sequential`` is the plain
    sequential policy, which with ``now`` takes at most what each node's operating
    day has left (no work is pushed to a later day, so both passes see the same
    dates); see :class:`omnichannel.allocation.FairShare` for the rule."""
    wave, used_before = Wave.prepare(
        orders,
        network,
        inventory,
        sourcing,
        capacity_used,
        demand,
        now,
        daily_used,
        push=False,
        full_node_ids=full_node_ids,
        accuracy=accuracy,
    )
    order_list = wave.arrays.orders
    caps = _caps(wave, network, used_before, now)
    granted = _granted(order_list, network, inventory, policy)
    first = sequential(_parts(order_list, granted), inventory, capacity_used, daily_used, caps)
    given = _given(first.allocations)
    left = [
        [line.quantity - given.get((order.id, line.sku), 0) for line in order.lines]
        for order in order_list
    ]
    second = sequential(
        _parts(order_list, left), first.inventory, first.capacity_used, first.daily_used, caps
    )
    allocations = [
        _merged(order, network, first.allocations, second.allocations) for order in order_list
    ]
    daily = None if now is None else _daily(wave, network, allocations, now)
    return build_result(wave, allocations, used_before, "reference", daily_used=daily)


def _caps(
    wave: Wave, network: Network, used: FloatArray, now: dt.datetime | None
) -> dict[str, float]:
    """Each node's shipments in the call: its capacity and, with ``now``, what its
    first operating day has left at the start."""
    canonical = canonical_nodes(network)
    capacity = {
        n.id: math.inf if n.order_capacity is None else float(n.order_capacity) for n in canonical
    }
    if now is None:
        return capacity
    before = {n.id: int(used[network.node_index(n.id)]) for n in canonical}
    minute = now_minute(now)
    return day_caps(canonical, minute, before, wave.daily_used, capacity)


def _daily(
    wave: Wave, network: Network, allocations: Sequence[Allocation], now: dt.datetime
) -> Daily:
    """The call's ``daily_used`` plus one per merged shipment, on its node's first
    operating day (the only one a wave that does not push uses)."""
    minute = now_minute(now)
    loads = {key: dict(days) for key, days in wave.daily_used.items()}
    start = {key: dict(days) for key, days in wave.daily_used.items()}
    for allocation in allocations:
        for shipment in allocation.shipments:
            day = first_day(network.node(shipment.node_id), minute, start.get(shipment.node_id, {}))
            assert day is not None
            days = loads.setdefault(shipment.node_id, {})
            days[day] = days.get(day, 0) + 1
    return loads


def _granted(
    orders: Sequence[Order], network: Network, inventory: Inventory, policy: FairShare
) -> list[list[int]]:
    """Units of each line each order may take in the first pass."""
    supply: dict[str, int] = {}
    for p in inventory.positions():
        if network.has_node(p.node_id):
            supply[p.sku] = supply.get(p.sku, 0) + max(p.on_hand - p.reserved, 0)
    wanted: dict[str, dict[str, int]] = {}
    for order in orders:
        for line in order.lines:
            per_channel = wanted.setdefault(line.sku, {c.id: 0 for c in network.channels})
            per_channel[order.channel_id] += line.quantity
    weights = {c.id: float(policy.weights.get(c.id, 1.0)) for c in network.channels}
    quota: dict[tuple[str, str], int] = {}
    for sku, per_channel in wanted.items():
        if sum(per_channel.values()) > supply.get(sku, 0):
            for channel_id, units in _rationed(supply.get(sku, 0), per_channel, weights).items():
                quota[channel_id, sku] = units
    grants: dict[int, list[int]] = {}
    for index in sorted(range(len(orders)), key=lambda i: -orders[i].priority):
        order = orders[index]
        give = [
            min(line.quantity, quota.get((order.channel_id, line.sku), line.quantity))
            for line in order.lines
        ]
        if not order.allow_split and give != [line.quantity for line in order.lines]:
            give = [0] * len(order.lines)
        for line, units in zip(order.lines, give, strict=True):
            if (order.channel_id, line.sku) in quota:
                quota[order.channel_id, line.sku] -= units
        grants[index] = give
    return [grants[index] for index in range(len(orders))]


def _rationed(supply: int, wanted: dict[str, int], weights: dict[str, float]) -> dict[str, int]:
    """Weighted max-min fair whole-unit shares of ``supply``, in exact fractions; odd
    units to the larger weights, between equal weights to the lower channel id."""
    given = dict.fromkeys(wanted, 0)
    hungry = [channel_id for channel_id, units in wanted.items() if units > 0]
    left = supply
    while left > 0 and hungry:
        total = sum(Fraction(weights[c]) for c in hungry)
        share = {c: left * Fraction(weights[c]) / total for c in hungry}
        sated = [c for c in hungry if wanted[c] - given[c] <= share[c]]
        if sated:
            for c in sated:
                left -= wanted[c] - given[c]
                given[c] = wanted[c]
            hungry = [c for c in hungry if c not in sated]
            continue
        for c in hungry:
            whole = math.floor(share[c])
            given[c] += whole
            left -= whole
        for c in sorted(hungry, key=lambda c: (-weights[c], c)):
            if left == 0:
                break
            given[c] += 1
            left -= 1
        break
    return given


def _parts(orders: Sequence[Order], units: list[list[int]]) -> list[Order]:
    """Each order cut to ``units`` per line; lines and orders left with none dropped."""
    parts = []
    for order, per_line in zip(orders, units, strict=True):
        lines = [
            line if n == line.quantity else OrderLine(sku=line.sku, quantity=n)
            for line, n in zip(order.lines, per_line, strict=True)
            if n > 0
        ]
        if lines:
            parts.append(attrs.evolve(order, lines=lines))
    return parts


def _given(allocations: Sequence[Allocation]) -> dict[tuple[str, str], int]:
    """Units shipped per (order id, SKU)."""
    given: dict[tuple[str, str], int] = {}
    for allocation in allocations:
        for shipment in allocation.shipments:
            for line in shipment.lines:
                key = (allocation.order_id, line.sku)
                given[key] = given.get(key, 0) + line.quantity
    return given


def _merged(
    order: Order,
    network: Network,
    first: Sequence[Allocation],
    second: Sequence[Allocation],
) -> Allocation:
    """The order's shipments of both passes, one per node in tie-break order, priced
    anew; its unfulfilled lines are those the second pass left."""
    units: dict[str, dict[str, int]] = {}
    km: dict[str, float] = {}
    dated: dict[str, Shipment] = {}
    unfulfilled: tuple[UnfulfilledLine, ...] = ()
    for allocation in [*first, *second]:
        if allocation.order_id != order.id:
            continue
        for shipment in allocation.shipments:
            km[shipment.node_id] = shipment.distance_km
            dated[shipment.node_id] = shipment
            at_node = units.setdefault(shipment.node_id, {})
            for line in shipment.lines:
                at_node[line.sku] = at_node.get(line.sku, 0) + line.quantity
    for allocation in second:
        if allocation.order_id == order.id:
            unfulfilled = allocation.unfulfilled
    shipments = []
    for node in canonical_nodes(network):
        if node.id not in units:
            continue
        lines = tuple(
            line
            if units[node.id].get(line.sku) == line.quantity
            else OrderLine(sku=line.sku, quantity=units[node.id][line.sku])
            for line in order.lines
            if line.sku in units[node.id]
        )
        count = sum(line.quantity for line in lines)
        carried, boxes = shipping(order, network, km[node.id], lines)
        cost = carried + handling(node, count)
        shipments.append(
            Shipment(
                node_id=node.id,
                lines=lines,
                distance_km=km[node.id],
                cost=cost,
                ready_at=dated[node.id].ready_at,
                delivered_by=dated[node.id].delivered_by,
                parcels=boxes,
            )
        )
    return Allocation(
        order_id=order.id,
        shipments=tuple(shipments),
        unfulfilled=unfulfilled,
        status=allocation_status(bool(shipments), bool(unfulfilled)),
        split_penalty=network.costs.split_penalty * max(len(shipments) - 1, 0),
    )

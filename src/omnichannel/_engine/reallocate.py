"""``reallocate``: re-decide the units nodes rejected, keeping everything else."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs

from .._domain import validators as v
from .._domain.accuracy import Accuracy
from .._domain.call_checks import checked_full_nodes, checked_orders
from .._domain.decisions import Allocation, AllocationResult, Shipment, UnfulfilledLine
from .._domain.decisions import UnfulfilledReason as Reason
from .._domain.demand import DemandRates
from .._domain.enums import DELIVERED_METHODS, FulfillmentMethod
from .._domain.inventory import Inventory
from .._domain.lifecycle import (
    WRITTEN_OFF,
    ReallocationResult,
    Rejection,
    RejectionReason,
    StockAdjustment,
)
from .._domain.network import Network
from .._domain.orders import Order, OrderLine
from .._domain.promise import Cart, FulfillmentOption, Promise
from .._domain.stock import StockMove
from .._errors import InvalidInputError, UnknownReferenceError
from ..allocation._protocol import AllocationPolicy
from ..allocation._sequential import Sequential
from ..sourcing._builtin import LowestCost
from ..sourcing._protocol import SourcingStrategy
from .allocate import allocate
from .promise import promise

Allocate = Callable[..., AllocationResult]
"""``allocate`` or its reference twin: orders, network, inventory and keywords."""
Offer = Callable[..., tuple[Promise, ...]]
"""``promise`` or its reference twin."""


def reallocate(
    orders: Iterable[Order],
    allocations: Iterable[Allocation],
    rejections: Iterable[Rejection],
    network: Network,
    inventory: Inventory,
    *,
    sourcing: SourcingStrategy = LowestCost(),  # noqa: B008 (immutable configuration)
    policy: AllocationPolicy = Sequential(),  # noqa: B008 (immutable configuration)
    capacity_used: Mapping[str, int] | None = None,
    demand: DemandRates | None = None,
    now: dt.datetime | None = None,
    daily_used: Mapping[str, Mapping[dt.date, int]] | None = None,
    full_node_ids: Iterable[str] | None = None,
    accuracy: Accuracy | None = None,
) -> ReallocationResult:
    """Re-source the units nodes rejected, never from the node that rejected them.

    Each rejection's units leave the order's shipments at that node (its last
    shipments there first) and their reservation is released; NOT_FOUND and DAMAGED
    units are then written off the node's ``on_hand`` (``adjustments``), and a
    NO_CAPACITY node counts as full for the rest of the wave (``full_node_ids``).
    The rejecting node joins the order's ``excluded_node_ids`` (returned in
    ``orders``: pass those to the next call). The rejected units are then decided
    again as one order each, by ``policy`` with ``sourcing`` on the corrected
    stock, under every hard rule; an order that does not allow splits moves whole
    (its other units are released, not written off). Every shipment without a
    rejected unit stays exactly as it was; one that lost units keeps its node,
    dates and cost (the cost decided for it), and the new shipments are priced and
    dated as ``allocate`` does; units the customer cancelled stay in ``cancelled``.
    With ``now``, the new shipments keep the order's
    ``deliver_by`` where some node can; where none can, they are sent as soon as
    possible and the result's ``notes`` name the order.

    Units rejected by the store of a PICKUP_IN_STORE order are not moved without the
    customer: they become unfulfilled with ``AWAITING_CUSTOMER``, and (with ``now``)
    ``alternatives`` offers the promise options for them that keep to pickup: other
    stores, ship-to-store and pickup points, nearest the store first.

    Parameters
    ----------
    orders
        The orders the rejections concern (others may be given; they stay as they
        are), with the history of earlier calls (``ReallocationResult.orders``).
    allocations
        Each order's current allocation, in the order of ``orders``.
    rejections
        What nodes give back; each names a shipment of its order holding the SKU,
        and an order's rejections at one node and SKU sum to at most what it ships
        there.
    network, inventory
        As for ``allocate``; ``inventory`` holds the allocations' reservations.
    sourcing, policy, capacity_used, demand, now, daily_used, full_node_ids, accuracy
        As for :func:`omnichannel.allocate`; counts are never decremented.

    Returns
    -------
    ReallocationResult
        Nothing is changed if the call raises.
    """
    return reallocate_with(
        allocate,
        promise,
        orders,
        allocations,
        rejections,
        network,
        inventory,
        sourcing=sourcing,
        policy=policy,
        capacity_used=capacity_used,
        demand=demand,
        now=now,
        daily_used=daily_used,
        full_node_ids=full_node_ids,
        accuracy=accuracy,
    )


@attrs.define
class _Plan:
    """What the rejections do to one order before it is decided again."""

    order: Order
    kept: list[list[OrderLine]]
    """Lines each shipment keeps, by shipment position."""
    residual: dict[str, int] = attrs.field(factory=dict)
    """Units to decide again, by SKU."""
    awaiting: dict[str, int] = attrs.field(factory=dict)
    """Units waiting for the customer (pickup in store), by SKU."""
    excluded: set[str] = attrs.field(factory=set)


def reallocate_with(
    allocate_fn: Allocate,
    promise_fn: Offer,
    orders: Iterable[Order],
    allocations: Iterable[Allocation],
    rejections: Iterable[Rejection],
    network: Network,
    inventory: Inventory,
    **keywords: Any,
) -> ReallocationResult:
    """:func:`reallocate`, deciding with ``allocate_fn`` and offering pickup
    alternatives with ``promise_fn`` (the engine's or the reference's)."""
    order_list = checked_orders(orders, network)
    current = _checked_allocations(allocations, order_list)
    found = _checked_rejections(rejections, network)
    full = set(checked_full_nodes(keywords.get("full_node_ids"), network))
    plans = _plans(order_list, current, found)
    releases: list[StockMove] = []
    write_offs: list[StockMove] = []
    adjustments: list[StockAdjustment] = []
    for rejection in found:
        plan = plans[rejection.order_id]
        plan.excluded.add(rejection.node_id)
        if rejection.reason in WRITTEN_OFF:
            move = StockMove(
                node_id=rejection.node_id, sku=rejection.sku, quantity=rejection.quantity
            )
            write_offs.append(move)
            adjustments.append(
                StockAdjustment(
                    order_id=rejection.order_id,
                    node_id=rejection.node_id,
                    sku=rejection.sku,
                    quantity=rejection.quantity,
                    reason=rejection.reason,
                )
            )
        elif rejection.reason is RejectionReason.NO_CAPACITY:
            full.add(rejection.node_id)
    for row, order in enumerate(order_list):
        if order.id not in plans:
            continue
        cut_plan = plans[order.id]
        for shipment, kept in zip(current[row].shipments, cut_plan.kept, strict=True):
            left = {line.sku: line.quantity for line in kept}
            for line in shipment.lines:
                cut = line.quantity - left.get(line.sku, 0)
                if cut:
                    releases.append(StockMove(node_id=shipment.node_id, sku=line.sku, quantity=cut))
    corrected = inventory.release(releases).write_off(write_offs)
    new_orders = tuple(
        order
        if order.id not in plans
        else attrs.evolve(
            order, excluded_node_ids=order.excluded_node_ids | plans[order.id].excluded
        )
        for order in order_list
    )
    residuals = [
        attrs.evolve(order, lines=_lines(plans[order.id].residual))
        for order in new_orders
        if order.id in plans and plans[order.id].residual
    ]
    calls = {key: value for key, value in keywords.items() if key != "full_node_ids"}
    decided, result, notes = _decided(
        allocate_fn, residuals, network, corrected, calls, frozenset(full)
    )
    merged = tuple(
        allocation
        if order.id not in plans
        else _merged(allocation, plans[order.id], decided.get(order.id, []), network)
        for order, allocation in zip(order_list, current, strict=True)
    )
    awaiting = {
        order.id: _awaiting_cart(order, plans[order.id], network)
        for order in new_orders
        if order.id in plans and plans[order.id].awaiting
    }
    alternatives: dict[str, tuple[FulfillmentOption, ...]] = {}
    now = keywords.get("now")
    if awaiting and now is None:
        notes.append("no pickup alternatives were offered: the call was given no now")
    elif awaiting:
        alternatives = _alternatives(promise_fn, awaiting, network, result, keywords)
    return ReallocationResult(
        allocations=merged,
        inventory=result.inventory,
        capacity_used=result.capacity_used,
        daily_used=result.daily_used,
        full_node_ids=result.full_node_ids,
        notes=notes,
        orders=new_orders,
        adjustments=adjustments,
        alternatives=alternatives,
        awaiting=awaiting,
    )


def _checked_allocations(
    allocations: Iterable[Allocation], orders: Sequence[Order]
) -> tuple[Allocation, ...]:
    """``allocations`` as a tuple, one Allocation per order, in their order."""
    found = v.items_of(allocations, Allocation, "allocations")
    if len(found) != len(orders):
        raise InvalidInputError(
            "allocations", f"must hold one allocation per order ({len(orders)}), got {len(found)}"
        )
    for index, (allocation, order) in enumerate(zip(found, orders, strict=True)):
        if allocation.order_id != order.id:
            raise InvalidInputError(
                f"allocations[{index}].order_id",
                f"must be {order.id!r}, the id of orders[{index}], got {allocation.order_id!r}",
            )
    return found


def _checked_rejections(rejections: Iterable[Rejection], network: Network) -> tuple[Rejection, ...]:
    """``rejections`` as a tuple of Rejection naming known nodes."""
    found = v.items_of(rejections, Rejection, "rejections")
    for index, rejection in enumerate(found):
        if not network.has_node(rejection.node_id):
            raise UnknownReferenceError(
                f"rejections[{index}].node_id", f"unknown node {rejection.node_id!r}"
            )
    return found


def _plans(
    orders: Sequence[Order], allocations: Sequence[Allocation], rejections: Sequence[Rejection]
) -> dict[str, _Plan]:
    """Each rejected order's plan: the rejected units cut from its shipments at the
    rejecting node (last shipments first), and what is decided again or waits."""
    row_of = {order.id: row for row, order in enumerate(orders)}
    plans: dict[str, _Plan] = {}
    for index, rejection in enumerate(rejections):
        row = row_of.get(rejection.order_id)
        if row is None:
            raise UnknownReferenceError(
                f"rejections[{index}].order_id",
                f"{rejection.order_id!r} is not one of the orders given",
            )
        order = orders[row]
        plan = plans.get(order.id)
        if plan is None:
            kept = [list(s.lines) for s in allocations[row].shipments]
            plan = plans[order.id] = _Plan(order=order, kept=kept)
        at_node = [
            k for k, s in enumerate(allocations[row].shipments) if s.node_id == rejection.node_id
        ]
        left = rejection.quantity
        for k in reversed(at_node):
            lines = plan.kept[k]
            for j, line in enumerate(lines):
                if line.sku == rejection.sku:
                    cut = min(left, line.quantity)
                    left -= cut
                    if cut == line.quantity:
                        del lines[j]
                    else:
                        lines[j] = attrs.evolve(line, quantity=line.quantity - cut)
                    break
            if not left:
                break
        if left:
            raise InvalidInputError(
                f"rejections[{index}].quantity",
                f"order {order.id!r} ships {rejection.quantity - left} of {rejection.sku!r} "
                f"from node {rejection.node_id!r} (after its earlier rejections), "
                f"got {rejection.quantity}",
            )
        into = plan.awaiting if order.method is FulfillmentMethod.PICKUP_IN_STORE else plan.residual
        into[rejection.sku] = into.get(rejection.sku, 0) + rejection.quantity
    for plan in plans.values():
        if not plan.order.allow_split and plan.residual:
            # One node or none: the order moves whole, its found units too.
            for lines in plan.kept:
                for line in lines:
                    plan.residual[line.sku] = plan.residual.get(line.sku, 0) + line.quantity
                lines.clear()
    return plans


def _lines(units: Mapping[str, int]) -> tuple[OrderLine, ...]:
    return tuple(OrderLine(sku=sku, quantity=quantity) for sku, quantity in units.items())


Decided = dict[str, list[Allocation]]
"""Each residual order's allocations: on time, then (with ``now``) late."""


def _decided(
    allocate_fn: Allocate,
    residuals: Sequence[Order],
    network: Network,
    inventory: Inventory,
    keywords: dict[str, Any],
    full: frozenset[str],
) -> tuple[Decided, AllocationResult, list[str]]:
    """The residual orders decided with their ``deliver_by``, then, with ``now``, the
    units no node could bring on time decided again without it. Also the last result
    (stock and counts) and the notes."""
    result = allocate_fn(residuals, network, inventory, full_node_ids=full, **keywords)
    decided = {a.order_id: [a] for a in result.allocations}
    notes = list(result.notes)
    late: list[Order] = []
    promised: dict[str, dt.datetime] = {}
    for order, allocation in zip(residuals, result.allocations, strict=True):
        units = {u.sku: u.quantity for u in allocation.unfulfilled if u.reason is Reason.TOO_LATE}
        if units and order.deliver_by is not None and keywords.get("now") is not None:
            late.append(attrs.evolve(order, lines=_lines(units), deliver_by=None))
            promised[order.id] = order.deliver_by
    if not late:
        return decided, result, notes
    again = allocate_fn(
        late,
        network,
        result.inventory,
        **{
            **keywords,
            "capacity_used": result.capacity_used,
            "daily_used": result.daily_used,
            "full_node_ids": result.full_node_ids,
        },
    )
    for order, allocation in zip(late, again.allocations, strict=True):
        first = decided[order.id][0]
        decided[order.id] = [
            Allocation(
                order_id=first.order_id,
                shipments=first.shipments,
                unfulfilled=tuple(u for u in first.unfulfilled if u.reason is not Reason.TOO_LATE),
            ),
            allocation,
        ]
        if allocation.shipments:
            notes.append(
                f"order {order.id!r}: no node could keep its deliver_by "
                f"{promised[order.id].isoformat()} for the re-sourced units; they ship late"
            )
    notes.extend(note for note in again.notes if note not in notes)
    return decided, again, notes


def _merged(
    allocation: Allocation, plan: _Plan, decided: Sequence[Allocation], network: Network
) -> Allocation:
    """``allocation`` with its rejected units cut, the new shipments added and the
    units still short (or awaiting the customer) unfulfilled."""
    shipments: list[Shipment] = []
    for shipment, kept in zip(allocation.shipments, plan.kept, strict=True):
        if not kept:
            continue
        if tuple(kept) == shipment.lines:
            shipments.append(shipment)
        else:
            # The units it still carries: node, dates and decided cost stay.
            shipments.append(attrs.evolve(shipment, lines=tuple(kept), parcels=()))
    short: dict[tuple[str, Reason], int] = {}
    for line in allocation.unfulfilled:
        short[line.sku, line.reason] = short.get((line.sku, line.reason), 0) + line.quantity
    for sku, quantity in plan.awaiting.items():
        key = (sku, Reason.AWAITING_CUSTOMER)
        short[key] = short.get(key, 0) + quantity
    for part in decided:
        shipments.extend(part.shipments)
        for line in part.unfulfilled:
            short[line.sku, line.reason] = short.get((line.sku, line.reason), 0) + line.quantity
    return Allocation(
        order_id=allocation.order_id,
        shipments=tuple(shipments),
        unfulfilled=tuple(
            UnfulfilledLine(sku=sku, quantity=quantity, reason=reason)
            for (sku, reason), quantity in short.items()
        ),
        cancelled=allocation.cancelled,
        split_penalty=network.costs.split_penalty * max(len(shipments) - 1, 0),
    )


def _awaiting_cart(order: Order, plan: _Plan, network: Network) -> Cart:
    """The units of ``order`` waiting for the customer, as a cart at its store: its
    destination is the store, so the pickup nodes nearest to it are offered."""
    assert order.pickup_node_id is not None
    return Cart(
        id=order.id,
        channel_id=order.channel_id,
        lines=_lines(plan.awaiting),
        destination=network.node(order.pickup_node_id).location,
        priority=order.priority,
        allow_split=order.allow_split,
        excluded_node_ids=order.excluded_node_ids | plan.excluded,
    )


def _alternatives(
    promise_fn: Offer,
    carts: Mapping[str, Cart],
    network: Network,
    result: AllocationResult,
    keywords: Mapping[str, Any],
) -> dict[str, tuple[FulfillmentOption, ...]]:
    """The pickup options of each awaiting cart, on the stock after the call."""
    promises = promise_fn(
        tuple(carts.values()),
        network,
        result.inventory,
        now=keywords["now"],
        sourcing=keywords.get("sourcing", LowestCost()),
        capacity_used=result.capacity_used,
        daily_used=result.daily_used,
        full_node_ids=result.full_node_ids,
    )
    return {
        found.cart_id: tuple(o for o in found.options if o.method not in DELIVERED_METHODS)
        for found in promises
    }

"""Plain cancellation: every unit on its own, taken off the end of its order one by one."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .._domain.decisions import Allocation, Shipment, UnfulfilledLine
from .._domain.inventory import Inventory
from .._domain.lifecycle import Cancellation, CancellationResult
from .._domain.orders import OrderLine
from .._domain.stock import StockMove
from .._engine.cancel import checked_cancel


@dataclass
class _Units:
    """The units one line still holds, as a list with one SKU entry per unit."""

    sku: str
    units: list[str]


@dataclass
class _Order:
    """One allocation taken apart into units: its shipments' lines, then its
    unfulfilled lines, in the allocation's order, and one entry per cancelled unit."""

    allocation: Allocation
    shipped: list[list[_Units]]
    short: list[_Units]
    cancelled: list[str]


def _taken_apart(allocation: Allocation) -> _Order:
    return _Order(
        allocation,
        [
            [_Units(line.sku, [line.sku] * line.quantity) for line in s.lines]
            for s in allocation.shipments
        ],
        [_Units(line.sku, [line.sku] * line.quantity) for line in allocation.unfulfilled],
        [line.sku for line in allocation.cancelled for _ in range(line.quantity)],
    )


def _places(order: _Order, sku: str) -> list[tuple[int | None, int, _Units]]:
    """Where units of ``sku`` are cancelled from, first place first: unfulfilled lines
    (shipment None), then shipment lines, both from the end of the allocation."""
    places: list[tuple[int | None, int, _Units]] = [
        (None, k, line) for k, line in enumerate(order.short) if line.sku == sku
    ]
    places.reverse()
    for s, lines in reversed(list(enumerate(order.shipped))):
        for j, line in reversed(list(enumerate(lines))):
            if line.sku == sku:
                places.append((s, j, line))
    return places


def _put_together(order: _Order) -> Allocation:
    before = order.allocation
    shipments: list[Shipment] = []
    for shipment, lines in zip(before.shipments, order.shipped, strict=True):
        quantities = [len(line.units) for line in lines]
        if quantities == [line.quantity for line in shipment.lines]:
            shipments.append(shipment)
        elif any(quantities):
            kept = [
                OrderLine(sku=line.sku, quantity=len(line.units)) for line in lines if line.units
            ]
            shipments.append(
                Shipment(
                    node_id=shipment.node_id,
                    lines=kept,
                    distance_km=shipment.distance_km,
                    cost=shipment.cost,
                    ready_at=shipment.ready_at,
                    delivered_by=shipment.delivered_by,
                )
            )
    unfulfilled = [
        UnfulfilledLine(sku=line.sku, quantity=len(left.units), reason=line.reason)
        for line, left in zip(before.unfulfilled, order.short, strict=True)
        if left.units
    ]
    cancelled = [
        OrderLine(sku=sku, quantity=order.cancelled.count(sku))
        for sku in sorted(set(order.cancelled))
    ]
    penalty = before.split_penalty
    if len(shipments) != len(before.shipments):
        if len(shipments) > 1:
            per_extra_shipment = penalty / (len(before.shipments) - 1)
            penalty = per_extra_shipment * (len(shipments) - 1)
        else:
            penalty = 0.0
    return Allocation(
        order_id=before.order_id,
        shipments=shipments,
        unfulfilled=unfulfilled,
        cancelled=cancelled,
        split_penalty=penalty,
    )


def cancel(
    allocations: Iterable[Allocation],
    cancellations: Iterable[Cancellation],
    inventory: Inventory,
) -> CancellationResult:
    """Every cancelled unit popped off its line one at a time.

    Same signature and result as :func:`omnichannel.cancel`.
    """
    found, requests, index, stock = checked_cancel(allocations, cancellations, inventory)
    orders: dict[str, _Order] = {}
    # (cancellation, line of it, shipment, line of that) -> units cut, in the order cut
    cuts: dict[tuple[int, int, int, int], int] = {}
    for c, request in enumerate(requests):
        if request.order_id not in orders:
            orders[request.order_id] = _taken_apart(found[index[request.order_id]])
        order = orders[request.order_id]
        if not request.lines:
            for s, lines in enumerate(order.shipped):
                for j, line in enumerate(lines):
                    while line.units:
                        order.cancelled.append(line.units.pop())
                        cuts[c, -1, s, j] = cuts.get((c, -1, s, j), 0) + 1
            for line in order.short:
                while line.units:
                    order.cancelled.append(line.units.pop())
        for n, wanted in enumerate(request.lines):
            while order.cancelled.count(wanted.sku) < wanted.quantity:
                places = [place for place in _places(order, wanted.sku) if place[2].units]
                if not places:
                    break
                at_shipment, at_line, place = places[0]
                order.cancelled.append(place.units.pop())
                if at_shipment is not None:
                    key = (c, n, at_shipment, at_line)
                    cuts[key] = cuts.get(key, 0) + 1
    released = []
    for (c, _, s, j), units in cuts.items():
        shipment = found[index[requests[c].order_id]].shipments[s]
        released.append(
            StockMove(node_id=shipment.node_id, sku=shipment.lines[j].sku, quantity=units)
        )
    result = [_put_together(orders[a.order_id]) if a.order_id in orders else a for a in found]
    return CancellationResult(
        allocations=result, inventory=stock.release(released), released=released
    )

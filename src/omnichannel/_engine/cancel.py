"""``cancel``: take cancelled units out of decided allocations and release their stock."""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

import attrs

from .._domain import validators as v
from .._domain.decisions import Allocation, Shipment, UnfulfilledLine
from .._domain.inventory import Inventory
from .._domain.lifecycle import Cancellation, CancellationResult
from .._domain.orders import OrderLine
from .._domain.stock import StockMove
from .._errors import InvalidInputError, Problem, UnknownReferenceError


def checked_cancel(
    allocations: object, cancellations: object, inventory: object
) -> tuple[tuple[Allocation, ...], tuple[Cancellation, ...], dict[str, int], Inventory]:
    """Validate a :func:`cancel` call: the allocations, the cancellations, the index of
    each order id in the allocations, and the inventory.

    Raises :class:`InvalidInputError` listing every malformed argument or item (an
    item of the wrong type, two allocations of one order), then
    :class:`UnknownReferenceError` for the first cancellation of an order no
    allocation holds.
    """
    problems: list[Problem] = []
    found = v.items(allocations, "allocations", "Allocation")
    requests = v.items(cancellations, "cancellations", "Cancellation")
    problems += v.unique_item_problems(found, Allocation, "allocations", "order_id")
    for i, request in enumerate(requests):
        if not isinstance(request, Cancellation):
            problems.append((f"cancellations[{i}]", f"must be Cancellation, got {request!r}"))
    if not isinstance(inventory, Inventory):
        problems.append(
            ("inventory", f"must be Inventory, got {type(inventory).__name__} {inventory!r}")
        )
    if problems:
        raise InvalidInputError.collect(problems)
    checked = cast("tuple[Cancellation, ...]", requests)
    index = {a.order_id: i for i, a in enumerate(cast("tuple[Allocation, ...]", found))}
    for i, request in enumerate(checked):
        if request.order_id not in index:
            raise UnknownReferenceError(
                f"cancellations[{i}].order_id",
                f"no allocation is for order {request.order_id!r}",
            )
    return (
        cast("tuple[Allocation, ...]", found),
        checked,
        index,
        cast("Inventory", inventory),
    )


def rescaled_penalty(penalty: float, n_before: int, n_after: int) -> float:
    """The split penalty (currency) of an allocation that went from ``n_before`` to
    ``n_after`` shipments: the cost model charges the same amount for every shipment
    beyond the first."""
    if n_after == n_before:
        return penalty
    if n_before <= 1 or n_after <= 1:
        return 0.0
    return penalty / (n_before - 1) * (n_after - 1)


@attrs.define
class _Left:
    """What is left of one allocation while cancellations are applied: units per
    shipment line and per unfulfilled line, in the allocation's order, and the units
    cancelled so far per SKU."""

    shipped: list[list[int]]
    short: list[int]
    cancelled: dict[str, int]

    @classmethod
    def of(cls, allocation: Allocation) -> _Left:
        return cls(
            [[line.quantity for line in s.lines] for s in allocation.shipments],
            [line.quantity for line in allocation.unfulfilled],
            {line.sku: line.quantity for line in allocation.cancelled},
        )

    def count(self, sku: str, units: int) -> None:
        """Record ``units`` more cancelled units of ``sku``."""
        if units:
            self.cancelled[sku] = self.cancelled.get(sku, 0) + units


def _cut_all(allocation: Allocation, left: _Left, released: list[StockMove]) -> None:
    """Cancel every unit left in ``allocation``, releasing its shipments' units."""
    for shipment, units in zip(allocation.shipments, left.shipped, strict=True):
        for j, line in enumerate(shipment.lines):
            if units[j]:
                released.append(
                    StockMove(node_id=shipment.node_id, sku=line.sku, quantity=units[j])
                )
                left.count(line.sku, units[j])
                units[j] = 0
    for k, short in enumerate(allocation.unfulfilled):
        left.count(short.sku, left.short[k])
        left.short[k] = 0


def _cut_line(
    allocation: Allocation, left: _Left, line: OrderLine, released: list[StockMove]
) -> None:
    """Cancel units of ``line.sku`` until ``line.quantity`` of them are cancelled in
    all, or none is left: unfulfilled units first (nothing is reserved for them),
    then shipped units, last shipment first."""
    wanted = max(line.quantity - left.cancelled.get(line.sku, 0), 0)
    before = wanted
    for k in range(len(left.short) - 1, -1, -1):
        if wanted and allocation.unfulfilled[k].sku == line.sku:
            cut = min(wanted, left.short[k])
            left.short[k] -= cut
            wanted -= cut
    for s in range(len(left.shipped) - 1, -1, -1):
        shipment = allocation.shipments[s]
        units = left.shipped[s]
        for j in range(len(units) - 1, -1, -1):
            if wanted and units[j] and shipment.lines[j].sku == line.sku:
                cut = min(wanted, units[j])
                units[j] -= cut
                wanted -= cut
                released.append(StockMove(node_id=shipment.node_id, sku=line.sku, quantity=cut))
    left.count(line.sku, before - wanted)


def _shipment_left(shipment: Shipment, units: list[int]) -> Shipment | None:
    """``shipment`` holding ``units`` per line (None if none): a cut one keeps its node,
    distance, dates and cost, and loses its parcels, which no longer hold its units."""
    if all(q == line.quantity for q, line in zip(units, shipment.lines, strict=True)):
        return shipment
    lines = tuple(
        line if q == line.quantity else OrderLine(sku=line.sku, quantity=q)
        for q, line in zip(units, shipment.lines, strict=True)
        if q
    )
    return attrs.evolve(shipment, lines=lines, parcels=()) if lines else None


def _allocation_left(allocation: Allocation, left: _Left) -> Allocation:
    shipments = tuple(
        kept
        for shipment, units in zip(allocation.shipments, left.shipped, strict=True)
        if (kept := _shipment_left(shipment, units)) is not None
    )
    unfulfilled = tuple(
        line
        if q == line.quantity
        else UnfulfilledLine(sku=line.sku, quantity=q, reason=line.reason)
        for q, line in zip(left.short, allocation.unfulfilled, strict=True)
        if q
    )
    cancelled = tuple(
        OrderLine(sku=sku, quantity=units) for sku, units in sorted(left.cancelled.items())
    )
    if (
        shipments == allocation.shipments
        and unfulfilled == allocation.unfulfilled
        and cancelled == allocation.cancelled
    ):
        return allocation
    penalty = rescaled_penalty(allocation.split_penalty, len(allocation.shipments), len(shipments))
    return Allocation(
        order_id=allocation.order_id,
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
    """Cancel whole orders or some of their units, and release what their shipments
    reserved.

    Each cancellation applies to the allocation of its ``order_id``, in the order
    given (several may name one order). Without ``lines`` it cancels the whole
    order: the allocation keeps no shipment and no unfulfilled line (status
    CANCELLED), and every unit its shipments held is released. With ``lines``, each
    line's ``quantity`` is how many units of its SKU the customer has cancelled *in
    all* (an order system's cancelled quantity), counting those the allocation
    already records in ``cancelled``: only the difference is cancelled now. Units
    are taken first from those the allocation left unfulfilled (nothing is reserved
    for them), then from shipped units, last shipment first, so that a split order
    loses its extra shipments first, each released at the node that reserved it.

    Cancelling is therefore idempotent: the same cancellation sent again, to the
    returned allocations, releases nothing more; a total below what is already
    cancelled changes nothing (a cancellation is never undone), so cumulative
    cancellations give the same result in whatever order they arrive. Units beyond
    what the allocation holds, and SKUs it does not hold, are ignored. The returned
    allocations record every cancelled unit in ``cancelled`` (one line per SKU,
    sorted by SKU).

    A shipment that loses every line disappears. One that loses some keeps its node,
    ``distance_km``, dates and ``cost`` as decided (``cancel`` has no network to
    re-price it), and its ``parcels`` become empty, since they no longer hold its
    units. ``split_penalty`` is rescaled to the shipments left, as the cost model
    charges it per shipment beyond the first.

    Parameters
    ----------
    allocations
        Decided allocations, at most one per order id, such as
        ``AllocationResult.allocations``.
    cancellations
        What to cancel; each names an order of ``allocations``.
    inventory
        Stock holding the allocations' reservations; it is not changed.

    Returns
    -------
    CancellationResult
        ``allocations`` in input order (those no cancellation touched are the same
        objects, and so is one whose cancellations cancel nothing more),
        ``inventory`` with the cancelled units' reservations released, and
        ``released``: one move (node, SKU, units) per shipment line cut, in the
        order cut.

    Raises
    ------
    InvalidInputError
        An argument or item of the wrong type, or two allocations of one order.
    UnknownReferenceError
        A cancellation names an order no allocation holds
        (``cancellations[i].order_id``).
    InsufficientStockError
        ``inventory`` does not hold the reservations to release. Nothing is applied:
        every check runs before the single release.
    """
    found, requests, index, stock = checked_cancel(allocations, cancellations, inventory)
    left: dict[int, _Left] = {}
    released: list[StockMove] = []
    for request in requests:
        i = index[request.order_id]
        allocation = found[i]
        state = left.get(i)
        if state is None:
            state = left[i] = _Left.of(allocation)
        if not request.lines:
            _cut_all(allocation, state, released)
        for line in request.lines:
            _cut_line(allocation, state, line, released)
    result = list(found)
    for i, state in left.items():
        result[i] = _allocation_left(found[i], state)
    return CancellationResult(
        allocations=result, inventory=stock.release(released), released=released
    )

"""``promise``: dated, priced fulfilment options for carts at checkout, reserving nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

import attrs
import numpy as np

from .._core.geo import chord_distance_km, unit_vectors
from .._domain.calendar import from_minute, from_minutes, now_minute, to_minute
from .._domain.call_checks import (
    checked_carts,
    checked_context,
    checked_per_method,
    reject_carrier_transit,
)
from .._domain.decisions import Allocation, copy_with, date_in_place
from .._domain.enums import DELIVERED_METHODS, FulfillmentMethod, ServiceLevel
from .._domain.inventory import Inventory
from .._domain.network import Network
from .._domain.orders import Order
from .._domain.promise import OFFERED, Cart, FulfillmentOption, Promise
from ..allocation._resolve import Scored, build_allocation, decide_order
from ..allocation._wave import Wave
from ..sourcing._batch import (
    METHODS,
    SourcingBatch,
    node_units,
    pickup_acceptance,
    source_permission,
)
from ..sourcing._builtin import LowestCost, checked_costs
from ..sourcing._protocol import SourcingStrategy
from .collector import collector_paused
from .parcels import priced

_CELLS_PER_CHUNK = 1 << 19
"""(order, node) cells scored at once: bounds the memory of a large call."""
_IN_STORE = METHODS.index(FulfillmentMethod.PICKUP_IN_STORE)


@attrs.frozen(kw_only=True)
class Request:
    """One order to decide for a cart: its position in the call and the order."""

    cart: int
    order: Order


def promise(
    carts: Iterable[Cart],
    network: Network,
    inventory: Inventory,
    *,
    now: dt.datetime,
    sourcing: SourcingStrategy = LowestCost(),  # noqa: B008 (immutable configuration)
    capacity_used: Mapping[str, int] | None = None,
    daily_used: Mapping[str, Mapping[dt.date, int]] | None = None,
    per_method: int = 3,
    full_node_ids: Iterable[str] | None = None,
) -> tuple[Promise, ...]:
    """The fulfilment options of each cart at checkout, reserving nothing.

    Each cart is decided alone on the state given, as ``allocate`` (the sequential
    rule) would decide the order placed from an option right away: the same hard
    rules, channel safety stock, capacity, calendars, costs and dates. For each
    (method, service level) of ``OFFERED``:

    * home and same-day delivery (carts with a ``destination``): the order as
      ``allocate`` decides it, then repeatedly the cheapest that is delivered
      strictly earlier than the last option found (the order promised one minute
      before it), up to ``per_method`` options;
    * the pickup methods: one option per pickup node, the cart's
      ``pickup_node_ids`` or, when it names none, the ``per_method`` nearest to its
      destination (ties: rank, then id) that can hand the method over (for pickup
      in store, that the cart's channel may also source from); the ``per_method``
      earliest (then cheapest, then by pickup node id) are kept.

    An option needs at least one shipment; one that leaves units unserved has
    ``complete=False``. ``Order.from_option`` turns an option into the order that
    ships exactly that.

    Parameters
    ----------
    carts
        The baskets; ids unique, channels, pickup nodes (and, with a catalogue,
        SKUs) known to ``network``.
    network
        Nodes, channels and cost model.
    inventory
        Stock now; it is not changed and nothing is reserved.
    now
        When the customer asks (an aware datetime); dates count from it.
    sourcing
        Scores (order, node) pairs; the engine's hard rules apply on top.
    capacity_used
        Shipments each node (by id) already took in the current wave.
    daily_used
        Shipments each node (by id) already started per local operating day.
    per_method
        Most options per (method, service level), an int >= 1.
    full_node_ids
        Nodes (by id) with no capacity left in the current wave (see ``allocate``).

    Returns
    -------
    tuple[Promise, ...]
        One promise per cart, in input order, its options sorted by
        ``delivered_by``, then cost.
    """
    now_minute(now)
    reject_carrier_transit(network, now, "promise")
    per_method = checked_per_method(per_method)
    network, inventory, _ = checked_context(network, inventory, None)
    found = checked_carts(carts, network)
    with collector_paused():
        options: list[list[FulfillmentOption]] = [[] for _ in found]
        pending = first_requests(found, network, per_method)
        for _ in range(per_method):
            if not pending:
                break
            decided = decide_options(
                [request.order for request in pending],
                network,
                inventory,
                sourcing=sourcing,
                capacity_used=capacity_used,
                daily_used=daily_used,
                now=now,
                full_node_ids=full_node_ids,
            )
            sooner: list[Request] = []
            for request, option in zip(pending, decided, strict=True):
                if option is None:
                    continue
                options[request.cart].append(option)
                if option.method in DELIVERED_METHODS:
                    sooner.append(attrs.evolve(request, order=earlier(request.order, option)))
            pending = sooner
        return tuple(
            Promise(cart_id=cart.id, options=ranked(found_options, per_method))
            for cart, found_options in zip(found, options, strict=True)
        )


def earlier(order: Order, option: FulfillmentOption) -> Order:
    """``order`` promised one minute before ``option`` is delivered: the cheapest
    option that is strictly faster."""
    minute = to_minute(option.delivered_by, "delivered_by", round_up=False)
    return copy_with(order, deliver_by=from_minute(minute - 1))


def ranked(options: Sequence[FulfillmentOption], per_method: int) -> tuple[FulfillmentOption, ...]:
    """``options`` sorted by ``delivered_by``, then cost, then (method, level, pickup
    node id); at most ``per_method`` of each (method, service level)."""

    def key(option: FulfillmentOption) -> tuple[dt.datetime, float, int, str]:
        place = OFFERED.index((option.method, option.service_level))
        return (option.delivered_by, option.cost, place, option.pickup_node_id or "")

    kept: list[FulfillmentOption] = []
    count: dict[tuple[FulfillmentMethod, ServiceLevel], int] = {}
    for option in sorted(options, key=key):
        group = (option.method, option.service_level)
        if count.get(group, 0) < per_method:
            count[group] = count.get(group, 0) + 1
            kept.append(option)
    return tuple(kept)


def first_requests(carts: Sequence[Cart], network: Network, per_method: int) -> list[Request]:
    """The orders of every cart for each (method, level) of ``OFFERED``: one for each
    delivered method of a cart with a destination, one per pickup node otherwise."""
    requests: list[Request] = []
    nearest = _nearest_pickups(carts, network, per_method)
    for index, cart in enumerate(carts):
        # One checked order per cart; its variants differ only in fields checked here.
        template = cart.as_order(
            order_id="0",
            method=FulfillmentMethod.PICKUP_POINT,
            service_level=ServiceLevel.STANDARD,
            pickup_node_id="0",
        )
        for method, level in OFFERED:
            if method in DELIVERED_METHODS:
                pickups: Sequence[str | None] = [None] if cart.destination is not None else []
            else:
                pickups = cart.pickup_node_ids or nearest[method][index]
            for pickup in pickups:
                order = copy_with(
                    template,
                    id=str(len(requests)),
                    method=method,
                    service_level=level,
                    pickup_node_id=pickup,
                )
                requests.append(Request(cart=index, order=order))
    return requests


def _nearest_pickups(
    carts: Sequence[Cart], network: Network, per_method: int
) -> dict[FulfillmentMethod, list[list[str]]]:
    """For each pickup method, the ``per_method`` nearest nodes to each cart's
    destination that can hand the method over (ties: canonical order, rank then id;
    for pickup in store, the cart's channel may also source from them); empty for a
    cart without destination or that names its own pickup nodes."""
    ids = network.arrays.ids
    wanted = [c.destination is not None and not c.pickup_node_ids for c in carts]
    rows = [i for i, want in enumerate(wanted) if want]
    lat = np.array([carts[i].destination.lat for i in rows])  # type: ignore[union-attr]
    lon = np.array([carts[i].destination.lon for i in rows])  # type: ignore[union-attr]
    points = unit_vectors(lat, lon)
    channel = np.array([network.channel_index(carts[i].channel_id) for i in rows], np.int64)
    units = network.derived(node_units)
    found: dict[FulfillmentMethod, list[list[str]]] = {}
    for method, _ in OFFERED:
        if method in DELIVERED_METHODS:
            continue
        code = METHODS.index(method)
        can = np.broadcast_to(pickup_acceptance(network)[code], (len(rows), len(ids)))
        if code == _IN_STORE:
            can = can & source_permission(network)[channel, code]
        per_cart: list[list[str]] = [[] for _ in carts]
        chunk = max(_CELLS_PER_CHUNK // max(len(ids), 1), 1)
        for start in range(0, len(rows), chunk):
            part = slice(start, start + chunk)
            km = chord_distance_km(points[:, part, None], units[:, None, :])
            km = np.where(can[part], km, np.inf)
            # A stable sort keeps canonical order among equal distances.
            order = np.argsort(km, axis=1, kind="stable")[:, :per_method]
            for k, nodes in enumerate(order.tolist()):
                row = rows[start + k]
                kept = np.isfinite(km[k, nodes])
                per_cart[row] = [ids[n] for n, ok in zip(nodes, kept.tolist(), strict=True) if ok]
        found[method] = per_cart
    return found


def decide_options(
    orders: Sequence[Order],
    network: Network,
    inventory: Inventory,
    *,
    sourcing: SourcingStrategy,
    capacity_used: Mapping[str, int] | None,
    daily_used: Mapping[str, Mapping[dt.date, int]] | None,
    now: dt.datetime,
    full_node_ids: Iterable[str] | None = None,
) -> list[FulfillmentOption | None]:
    """Each of ``orders`` decided alone on the same state, by the sequential rule, as
    an option (None for an order that would ship nothing)."""
    wave, _ = Wave.prepare(
        orders,
        network,
        inventory,
        sourcing,
        capacity_used,
        None,
        now,
        daily_used,
        push=True,
        full_node_ids=full_node_ids,
    )
    arrays, state = wave.arrays, wave.state
    # Orders that ship nothing share one allocation with no shipment (only shipments
    # are read from here on).
    allocations = [Allocation(order_id="none", shipments=(), unfulfilled=())] * arrays.n_orders
    has_capacity = state.capacity_left >= 1
    chunk = max(_CELLS_PER_CHUNK // max(network.arrays.n_nodes, 1), 1)
    # Without nodes no option ships anything.
    for start in range(0, arrays.n_orders if network.arrays.n_nodes else 0, chunk):
        rows = np.arange(start, min(start + chunk, arrays.n_orders))
        batch = SourcingBatch(arrays, rows, state)
        cost = checked_costs(sourcing, batch)
        static = batch.static_eligible & np.isfinite(cost)
        timely = batch.on_time
        usable = static & timely & has_capacity[None, :]
        available = batch.line_available
        whole = usable & batch.all_lines(available >= batch.line_quantity[:, None])
        best = np.argmin(np.where(whole, cost, np.inf), axis=1)
        has_whole = whole.any(axis=1)
        some = (usable & batch.any_line(available > 0)).any(axis=1)
        split = ~has_whole & arrays.allow_split[rows] & some
        distance = batch.distance_km
        for i in np.flatnonzero(has_whole).tolist():
            row, node = int(rows[i]), int(best[i])
            quantity = arrays.line_qty[arrays.line_start[row] : arrays.line_start[row + 1]]
            allocations[row] = build_allocation(
                row,
                wave,
                {node: float(distance[i, node])},
                {node: dict(enumerate(quantity.tolist()))},
                [],
            )
        for i in np.flatnonzero(split).tolist():
            row = int(rows[i])
            scored = Scored(cost[i], static[i], distance[i])
            allocations[row] = decide_order(row, wave, state, scored, timely[i])[0]
    allocations = list(priced(wave, allocations, trusted=True))
    _date(wave, allocations)
    return [_option(order, a) for order, a in zip(arrays.orders, allocations, strict=True)]


def _date(wave: Wave, allocations: Sequence[Allocation]) -> None:
    """Date every shipment of ``allocations`` (made in this call, seen by nobody yet)
    where it is, as the first shipment of its node on the call's state."""
    times = wave.state.times
    assert times is not None
    node_index = wave.arrays.network.node_index
    shipments = [s for a in allocations for s in a.shipments]
    rows = np.repeat(np.arange(len(allocations)), [len(a.shipments) for a in allocations])
    nodes = np.array([node_index(s.node_id) for s in shipments], dtype=np.int64)
    km = np.array([s.distance_km for s in shipments], dtype=np.float64)
    dates, _ = times.pairs(rows, nodes, km)
    date_in_place(shipments, *from_minutes(dates.ready_at.tolist(), dates.delivered_by.tolist()))


def _option(order: Order, allocation: Allocation) -> FulfillmentOption | None:
    """``allocation`` of ``order`` as an option; None when it ships nothing."""
    if not allocation.shipments:
        return None
    delivered = [s.delivered_by for s in allocation.shipments if s.delivered_by is not None]
    return FulfillmentOption(
        method=order.method,
        service_level=order.service_level,
        pickup_node_id=order.pickup_node_id,
        shipments=allocation.shipments,
        delivered_by=max(delivered),
        cost=allocation.cost,
        complete=not allocation.unfulfilled,
    )

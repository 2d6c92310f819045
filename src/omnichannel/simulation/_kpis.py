"""The figures a simulated day is judged by."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np

from .._core.costs import handling_cost
from .._domain.decisions import Allocation, AllocationStatus
from .._domain.enums import FulfillmentMethod, NodeKind, ServiceLevel
from .._domain.inventory import Inventory
from .._domain.network import Network
from .._domain.orders import Order
from .._domain.routes import ReturnRoute
from .._errors import UnknownReferenceError
from .._types import BoolArray, FloatArray, IntArray

_STORE_KINDS = frozenset({NodeKind.STORE, NodeKind.DARK_STORE})


@attrs.frozen(kw_only=True)
class DayKpis:
    """What one configuration did with one simulated day. Money is currency."""

    name: str
    """The configuration's name."""
    orders: int
    """Orders in the day."""
    cost_per_order: float
    """Fulfilment cost (shipping, handling, split penalties) per order served."""
    shipping_cost: float
    """Carrier cost of every shipment."""
    handling_cost: float
    """Node handling cost of every shipment."""
    splits_per_order: float
    """Extra shipments per order served (0 when every order ships whole)."""
    fill_rate: float
    """Units allocated over units ordered."""
    mean_distance_km: float
    """Mean km from shipping node to hand-over point, per shipment."""
    service_level_met: float
    """Share of orders served in full; the hard rules keep every shipment within
    the reach (``max_km``) of its order's service level."""
    stores_below_safety: int
    """Store and dark-store positions that started the day at or above safety
    stock and ended it below."""
    return_lines: int
    """Returned lines routed."""
    return_value_recovered: float
    """Value the returns' dispositions recover, before their costs."""
    return_net_value: float
    """Recovered value minus return transport and handling."""
    decisions_per_second: float
    """Orders and returned lines decided per second of engine time."""
    engine_seconds: float
    """Wall time spent in ``allocate`` and ``route_returns``, s."""
    on_time_rate: float | None = None
    """Share of orders with a ``deliver_by`` that were served in full, every shipment
    ``delivered_by`` that promise (None: no promise, or undated shipments)."""
    lead_hours_ship_to_home: float | None = None
    """Mean hours from ``placed_at`` to the order's latest ``delivered_by``, over the
    served SHIP_TO_HOME orders with both (None: none)."""
    lead_hours_pickup_in_store: float | None = None
    """As ``lead_hours_ship_to_home``, for PICKUP_IN_STORE (ready for collection)."""
    lead_hours_ship_to_store: float | None = None
    """As ``lead_hours_ship_to_home``, for SHIP_TO_STORE (ready for collection)."""
    lead_hours_pickup_point: float | None = None
    """As ``lead_hours_ship_to_home``, for PICKUP_POINT (ready for collection)."""
    lead_hours_same_day: float | None = None
    """As ``lead_hours_ship_to_home``, for SAME_DAY."""
    express_met: float | None = None
    """Share of EXPRESS and SAME_DAY orders with a ``placed_at`` served in full and
    delivered on the local day of ordering (SAME_DAY) or by the end of the next one
    (EXPRESS); see :func:`time_kpis` (None: no such order, or undated shipments)."""
    ready_within_2h: float | None = None
    """Share of the served PICKUP_IN_STORE orders with a ``placed_at`` whose latest
    shipment was ``ready_at`` within 2 hours of it (None: none)."""
    parcels_per_order: float | None = None
    """Parcels per served order (an order with at least one shipment; a pickup in
    store, or a level priced by its rate card, has none); see :func:`parcel_kpis`
    (None: no shipment has parcels, the network does not price by parcel)."""
    shipping_cost_per_kg: float | None = None
    """Parcel cost (currency, surcharges included) per kg of parcel weight, over
    every parcel (None: no parcels, or they weigh 0 kg in total)."""
    rejection_rate: float | None = None
    """Shipment lines some of whose units the shelf did not hold, over the shipment
    lines picked (re-sourced ones included; None: no shelf truth)."""
    resourced_lines: float | None = None
    """Rejected lines (order and SKU) that got a new shipment (None: no shelf truth)."""
    rejection_extra_cost: float | None = None
    """Cost of the final allocations minus their cost before the rejections, over the
    day, currency (None: no shelf truth)."""
    rejection_delay_hours: float | None = None
    """Mean hours the re-sourced orders' latest ``delivered_by`` moved (None: no
    shelf truth, an undated day, or no re-sourced order)."""
    failed_after_rejection: float | None = None
    """Orders left with more units unfulfilled after their rejections than before
    (None: no shelf truth)."""
    lost_store_sales: float | None = None
    """Units walk-in customers wanted at the stores and could not buy (None: no
    walk-in sales, ``DayMix.walk_in`` is 0)."""
    store_stockout_rate: float | None = None
    """Share of the stores' opening positions with nothing on hand and unreserved at
    the day's end; over a run, the mean of its days (None: not a multi-day run)."""
    dark_store_stockout_rate: float | None = None
    """As ``store_stockout_rate``, for dark stores."""
    dc_stockout_rate: float | None = None
    """As ``store_stockout_rate``, for DCs."""
    replenished_units: float | None = None
    """Units sent from DCs to stores and dark stores at the days' ends (None: no
    replenishment)."""
    replenishment_cost: float | None = None
    """Transfer cost of those units, currency (None: no replenishment)."""
    inventory_turns: float | None = None
    """Units shipped to customers and sold to walk-ins, over the mean units on hand at
    the days' ends at stores, dark stores and DCs (not annualised: times 365 / days
    for a year; None: not a multi-day run)."""
    promise_kept: float | None = None
    """Share of the orders placed at checkout that ship every unit their option
    promised, delivered (ready, for pickups) by the option's date (None: orders
    placed as generated, no checkout)."""
    options_per_cart: float | None = None
    """Options ``promise`` offered per cart at checkout (None: no checkout)."""
    carts_without_options: float | None = None
    """Share of carts offered no option, so never ordered (None: no checkout)."""

    def as_dict(self) -> dict[str, Any]:
        """The figures as a JSON-safe dict."""
        return attrs.asdict(self)


def allocation_kpis(allocations: Sequence[Allocation], network: Network) -> dict[str, float]:
    """Cost, split, fill, distance and service figures of a day's allocations."""
    shipping = handling = penalties = distance = 0.0
    shipments = served = extra = allocated = ordered = complete = 0
    for allocation in allocations:
        penalties += allocation.split_penalty
        allocated += allocation.units_allocated
        ordered += allocation.units_allocated + allocation.units_unfulfilled
        complete += allocation.status is AllocationStatus.FULFILLED
        if allocation.shipments:
            served += 1
            extra += len(allocation.shipments) - 1
        for shipment in allocation.shipments:
            node = network.node(shipment.node_id)
            handled = handling_cost(
                node.handling_cost_per_order, node.handling_cost_per_unit, float(shipment.units)
            )
            handling += handled
            shipping += shipment.cost - handled
            distance += shipment.distance_km
            shipments += 1
    return {
        "cost_per_order": (shipping + handling + penalties) / served if served else 0.0,
        "shipping_cost": shipping,
        "handling_cost": handling,
        "splits_per_order": extra / served if served else 0.0,
        "fill_rate": allocated / ordered if ordered else 1.0,
        "mean_distance_km": distance / shipments if shipments else 0.0,
        "service_level_met": complete / len(allocations) if allocations else 1.0,
    }


def return_kpis(routes: Sequence[ReturnRoute]) -> dict[str, float]:
    """Recovered and net value of a day's return routes."""
    recovered = net = 0.0
    for route in routes:
        recovered += route.recovered_value
        net += route.net_value
    return {"return_value_recovered": recovered, "return_net_value": net}


_STOCKOUT_KINDS = (
    ("store_stockout_rate", NodeKind.STORE),
    ("dark_store_stockout_rate", NodeKind.DARK_STORE),
    ("dc_stockout_rate", NodeKind.DC),
)
_HELD_KINDS = frozenset({NodeKind.STORE, NodeKind.DARK_STORE, NodeKind.DC})


@attrs.frozen(kw_only=True)
class DayEndStock:
    """Stock figures of one day's end."""

    stockout_rates: Mapping[str, float | None]
    """``store_stockout_rate``, ``dark_store_stockout_rate`` and ``dc_stockout_rate``
    (None for a kind with no opening position)."""
    on_hand: int
    """Units on hand at stores, dark stores and DCs."""


def day_end_stock(opening: Inventory, end: Inventory, network: Network) -> DayEndStock:
    """The stock-outs at ``end`` among ``opening``'s positions, per node kind, and the
    units on hand (see :class:`DayKpis`)."""
    kind_of = {node.id: node.kind for node in network.nodes}
    before, after = opening.columns(), end.columns()
    # Keys numbered by the end snapshot's ids, which hold every opening id.
    opening_keys = _framed_keys(opening, end)
    empty = _framed_keys(end, end)[(after.on_hand - after.reserved) <= 0]
    rates: dict[str, float | None] = {}
    for field, kind in _STOCKOUT_KINDS:
        of_kind = np.array([kind_of.get(n) is kind for n in opening.node_ids], dtype=np.bool_)
        keys = opening_keys[of_kind[before.node]] if of_kind.size else opening_keys[:0]
        rates[field] = float(np.isin(keys, empty).mean()) if keys.size else None
    held = np.array([kind_of.get(n) in _HELD_KINDS for n in end.node_ids], dtype=np.bool_)
    on_hand = int(after.on_hand[held[after.node]].sum()) if held.size else 0
    return DayEndStock(stockout_rates=rates, on_hand=on_hand)


def stores_below_safety(start: Inventory, end: Inventory, network: Network) -> int:
    """Store and dark-store positions at or above safety stock in ``start`` and below
    it in ``end`` (unreserved units on hand against ``safety_stock``)."""
    stores = {node.id for node in network.nodes if node.kind in _STORE_KINDS}
    safe_before = _store_keys(start, stores, end, below=False)
    short_after = _store_keys(end, stores, end, below=True)
    return int(np.isin(short_after, safe_before).sum())


def _store_keys(inventory: Inventory, stores: set[str], frame: Inventory, below: bool) -> IntArray:
    """Keys of the store positions of ``inventory`` that hold safety stock and are below
    it (``below``) or not (see :func:`_framed_keys`)."""
    columns = inventory.columns()
    is_store = np.array([node_id in stores for node_id in inventory.node_ids], dtype=np.bool_)
    short = columns.on_hand - columns.reserved < columns.safety_stock
    chosen = is_store[columns.node] & (columns.safety_stock > 0) & (short == below)
    return np.asarray(_framed_keys(inventory, frame)[chosen])


def _framed_keys(inventory: Inventory, frame: Inventory) -> IntArray:
    """A key per position of ``inventory`` (in its column order), numbered by
    ``frame``'s node and SKU lists so that keys compare across snapshots (``frame``
    must hold every id of ``inventory``)."""
    columns = inventory.columns()
    node_at = {node_id: i for i, node_id in enumerate(frame.node_ids)}
    sku_at = {sku: i for i, sku in enumerate(frame.skus)}
    node = np.array([node_at[n] for n in inventory.node_ids], dtype=np.int64)
    sku = np.array([sku_at[s] for s in inventory.skus], dtype=np.int64)
    return np.asarray(sku[columns.sku] * max(len(frame.node_ids), 1) + node[columns.node])


_LEAD_HOURS: Mapping[FulfillmentMethod, str] = {
    FulfillmentMethod.SHIP_TO_HOME: "lead_hours_ship_to_home",
    FulfillmentMethod.PICKUP_IN_STORE: "lead_hours_pickup_in_store",
    FulfillmentMethod.SHIP_TO_STORE: "lead_hours_ship_to_store",
    FulfillmentMethod.PICKUP_POINT: "lead_hours_pickup_point",
    FulfillmentMethod.SAME_DAY: "lead_hours_same_day",
}
TIME_KPIS = ("on_time_rate", *_LEAD_HOURS.values(), "express_met", "ready_within_2h")
"""The :class:`DayKpis` fields :func:`time_kpis` computes, in field order."""
_METHODS = tuple(FulfillmentMethod)
_METHOD_CODE = {method: code for code, method in enumerate(_METHODS)}
_DAYS_AFTER = {ServiceLevel.SAME_DAY: 0, ServiceLevel.EXPRESS: 1}
"""Local days after the day of ordering by which a fast order counts as met."""
_READY_S = 2 * 3_600.0


def time_kpis(
    orders: Sequence[Order],
    allocations: Sequence[Allocation],
    network: Network | None = None,
) -> dict[str, float | None]:
    """On-time, lead-time, fast-delivery and pickup-readiness figures of a day's
    allocations (the ``TIME_KPIS`` fields of :class:`DayKpis`), each None when the
    feature is off: no order carries the field it needs, or no shipment is dated.

    ``allocations`` name their orders by ``order_id`` (each must be in ``orders``).
    An order is served with at least one shipment, dated when every shipment has a
    ``delivered_by``; its delivery is the latest of those, its readiness the latest
    ``ready_at``.

    - ``on_time_rate``: over the orders with ``deliver_by``, the share FULFILLED,
      dated and delivered by then.
    - ``lead_hours_<method>``: mean hours from ``placed_at`` to delivery, over the
      served, dated orders of that method with a ``placed_at``.
    - ``express_met``: over the EXPRESS and SAME_DAY service-level orders with a
      ``placed_at``, the share FULFILLED, dated and delivered on the local date of
      ordering (SAME_DAY) or by the next local date (EXPRESS). Dates are local to
      the node of the latest shipment when ``network`` is given and that node has
      a calendar, else UTC dates.
    - ``ready_within_2h``: over the served PICKUP_IN_STORE orders with a
      ``placed_at`` and every shipment ``ready_at``, the share ready within 2 h
      (inclusive) of ``placed_at``.
    """
    by_id = {order.id: order for order in orders}
    nan = math.nan
    # Python lists, made arrays once: cheaper than a numpy item write per field and order.
    method: list[int] = []
    placed: list[float] = []
    due: list[float] = []
    delivered: list[float] = []
    ready: list[float] = []
    gap: list[float] = []
    allowed: list[int] = []
    fulfilled: list[bool] = []
    any_dated = False
    for row, allocation in enumerate(allocations):
        order = by_id.get(allocation.order_id)
        if order is None:
            raise UnknownReferenceError(
                f"allocations[{row}].order_id", f"unknown order {allocation.order_id!r}"
            )
        method.append(_METHOD_CODE[order.method])
        fulfilled.append(allocation.status is AllocationStatus.FULFILLED)
        days_after = _DAYS_AFTER.get(order.service_level, -1)
        allowed.append(days_after)
        placed_at = order.placed_at
        placed.append(nan if placed_at is None else placed_at.timestamp())
        due.append(nan if order.deliver_by is None else order.deliver_by.timestamp())
        shipments = allocation.shipments
        dates = [s.delivered_by for s in shipments if s.delivered_by is not None]
        any_dated = any_dated or bool(dates)
        days = nan
        if shipments and len(dates) == len(shipments):
            latest = max(dates)
            delivered.append(latest.timestamp())
            if days_after >= 0 and placed_at is not None:
                node_id = next(s.node_id for s in shipments if s.delivered_by == latest)
                zone = _zone(network, node_id)
                days = (latest.astimezone(zone).date() - placed_at.astimezone(zone).date()).days
        else:
            delivered.append(nan)
        gap.append(days)
        readies = [s.ready_at for s in shipments if s.ready_at is not None]
        full = bool(shipments) and len(readies) == len(shipments)
        ready.append(max(readies).timestamp() if full else nan)
    if not any_dated:
        return dict.fromkeys(TIME_KPIS)
    return time_figures(
        np.array(method, dtype=np.int64),
        _floats(placed),
        _floats(due),
        _floats(delivered),
        _floats(ready),
        _floats(gap),
        np.array(allowed, dtype=np.int64),
        np.array(fulfilled, dtype=np.bool_),
    )


def _floats(values: list[float]) -> FloatArray:
    return np.array(values, dtype=np.float64)


def _zone(network: Network | None, node_id: str) -> dt.tzinfo:
    calendar = None if network is None else network.node(node_id).calendar
    return dt.timezone.utc if calendar is None else calendar.zone


def time_figures(
    method: IntArray,
    placed: FloatArray,
    due: FloatArray,
    delivered: FloatArray,
    ready: FloatArray,
    gap: FloatArray,
    allowed: IntArray,
    fulfilled: BoolArray,
) -> dict[str, float | None]:
    """The figures of :func:`time_kpis` from per-order arrays, each shape (n_orders,).

    Parameters
    ----------
    method : NDArray[np.int64]
        Position of the order's method in ``FulfillmentMethod``.
    placed, due, delivered, ready : NDArray[np.float64]
        ``placed_at``, ``deliver_by``, latest ``delivered_by`` and latest ``ready_at``
        in seconds since the epoch; NaN when missing (undated or unserved).
    gap : NDArray[np.float64]
        Local dates from ordering to delivery (fast orders), NaN when unknown.
    allowed : NDArray[np.int64]
        The most local days after ordering a fast order may take; -1 for others.
    fulfilled : NDArray[np.bool_]
        Whether the order was served in full.
    """
    figures: dict[str, float | None] = {}
    promised = ~np.isnan(due)
    figures["on_time_rate"] = _share(fulfilled & (delivered <= due), promised)
    with_placed = ~np.isnan(placed)
    lead = (delivered - placed) / 3_600.0
    for kind, field in _LEAD_HOURS.items():
        rows = (method == _METHODS.index(kind)) & with_placed & ~np.isnan(delivered)
        figures[field] = float(lead[rows].mean()) if rows.any() else None
    figures["express_met"] = _share(fulfilled & (gap <= allowed), (allowed >= 0) & with_placed)
    pickup = (method == _METHODS.index(FulfillmentMethod.PICKUP_IN_STORE)) & with_placed
    figures["ready_within_2h"] = _share(ready - placed <= _READY_S, pickup & ~np.isnan(ready))
    return figures


def _share(hit: BoolArray, rows: BoolArray) -> float | None:
    """The share of ``rows`` that ``hit``; None without rows."""
    count = int(rows.sum())
    return int((hit & rows).sum()) / count if count else None


PARCEL_KPIS = ("parcels_per_order", "shipping_cost_per_kg")
"""The :class:`DayKpis` fields :func:`parcel_kpis` computes, in field order."""
STOCK_KPIS = (
    "lost_store_sales",
    "store_stockout_rate",
    "dark_store_stockout_rate",
    "dc_stockout_rate",
    "replenished_units",
    "replenishment_cost",
    "inventory_turns",
)
"""The figures of stock over days (walk-in sales, stock-outs, replenishment)."""
CHECKOUT_KPIS = ("promise_kept", "options_per_cart", "carts_without_options")
"""The figures of checkout (simulate's ``checkout``)."""
REJECTION_KPIS = (
    "rejection_rate",
    "resourced_lines",
    "rejection_extra_cost",
    "rejection_delay_hours",
    "failed_after_rejection",
)
"""The :class:`DayKpis` fields measured when the day is picked from a shelf truth."""


def parcel_kpis(allocations: Sequence[Allocation]) -> dict[str, float | None]:
    """Parcel figures of a day's allocations (the ``PARCEL_KPIS`` fields of
    :class:`DayKpis`), both None when no shipment has parcels (the feature is off).

    - ``parcels_per_order``: parcels over the served orders (those with at least
      one shipment), whether their shipments have parcels or not.
    - ``shipping_cost_per_kg``: the parcels' summed ``cost`` (currency) over their
      summed ``weight_kg`` (kg); None when that weight is 0.
    """
    served = parcels = 0
    cost = weight = 0.0
    for allocation in allocations:
        served += bool(allocation.shipments)
        for shipment in allocation.shipments:
            parcels += len(shipment.parcels)
            for parcel in shipment.parcels:
                cost += parcel.cost
                weight += parcel.weight_kg
    if not parcels:
        return dict.fromkeys(PARCEL_KPIS)
    return {
        "parcels_per_order": parcels / served,
        "shipping_cost_per_kg": cost / weight if weight > 0 else None,
    }

"""What a sourcing strategy sees: a batch of orders and the stock state, as arrays."""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

import attrs
import numpy as np
from numpy.typing import NDArray

from .._core.costs import handling_cost, shipping_cost
from .._core.geo import chord_distance_km, unit_vectors
from .._domain.accuracy import Accuracy
from .._domain.decisions import Rule
from .._domain.demand import DemandRates
from .._domain.enums import Capability, FulfillmentMethod, NodeKind, ServiceLevel
from .._domain.inventory import Inventory
from .._domain.network import NODE_KINDS, Network, NodeArrays
from .._domain.orders import Order
from .._domain.ranges import concatenated_ranges
from .._types import BoolArray, FloatArray, IntArray, read_only
from ._parcel_window import (
    ItemArrays,
    LoneReach,
    Packings,
    WindowLines,
    WindowParcels,
    window_parcels,
)
from ._parcels import Item, LevelTables, catalogue_items, level_tables
from ._timing import NodeTimes

METHODS: tuple[FulfillmentMethod, ...] = tuple(FulfillmentMethod)
LEVELS: tuple[ServiceLevel, ...] = tuple(ServiceLevel)

SOURCE_NEEDS: dict[FulfillmentMethod, Capability] = {
    FulfillmentMethod.SHIP_TO_HOME: Capability.SHIP,
    FulfillmentMethod.PICKUP_IN_STORE: Capability.PICKUP,
    FulfillmentMethod.SHIP_TO_STORE: Capability.SHIP,
    FulfillmentMethod.PICKUP_POINT: Capability.SHIP,
    FulfillmentMethod.SAME_DAY: Capability.SAME_DAY,
}
"""The capability a node needs to serve an order of each method."""
_IN_STORE = METHODS.index(FulfillmentMethod.PICKUP_IN_STORE)

PICKUP_NEEDS: dict[FulfillmentMethod, Capability] = {
    FulfillmentMethod.PICKUP_IN_STORE: Capability.PICKUP,
    FulfillmentMethod.SHIP_TO_STORE: Capability.RECEIVE_TRANSFER | Capability.PICKUP,
    FulfillmentMethod.PICKUP_POINT: Capability(0),
}
"""The capability the pickup node itself needs, for the methods that have one."""


def pickup_node_accepts(method: FulfillmentMethod, kind: NodeKind, flags: Capability) -> bool:
    """Whether a pickup node of this kind and capabilities can hand over orders of ``method``
    (it must also be active)."""
    needs = PICKUP_NEEDS[method]
    if method is FulfillmentMethod.PICKUP_POINT and kind is not NodeKind.PICKUP_POINT:
        return False
    return needs in flags


def _pickup_accepts(network: Network) -> BoolArray:
    """Whether canonical node ``n`` is active and can hand over orders of method ``m``
    as their pickup node, shape (n_methods, n_nodes); once per network."""
    nodes = network.arrays
    accepts = np.array(
        [
            [
                method in PICKUP_NEEDS
                and pickup_node_accepts(method, NODE_KINDS[kind], Capability(flags))
                for kind, flags in zip(
                    nodes.kind.tolist(), nodes.capabilities.tolist(), strict=True
                )
            ]
            for method in METHODS
        ],
        dtype=np.bool_,
    ).reshape(len(METHODS), nodes.n_nodes)
    return read_only(accepts & nodes.active[None, :])


def pickup_acceptance(network: Network) -> BoolArray:
    """Whether canonical node ``n`` is active and can hand over orders of method
    ``METHODS[m]`` as their pickup node, shape (n_methods, n_nodes); cached per network."""
    return network.derived(_pickup_accepts)


def source_permission(network: Network) -> BoolArray:
    """Whether a node may serve orders of a channel (position in ``network.channels``)
    and method before distance and pickup rules, shape (n_channels, n_methods,
    n_nodes); cached per network."""
    return network.derived(_may_source)


def _pair_keys(
    node_sets: Iterable[tuple[int, Iterable[str]]], node_code: Mapping[str, int], n_nodes: int
) -> IntArray:
    """``row * n_nodes + node`` for every order row and canonical node of its node id
    set, sorted, shape (n_pairs,)."""
    return np.array(
        sorted(row * n_nodes + node_code[node_id] for row, ids in node_sets for node_id in ids),
        dtype=np.int64,
    )


def _member(key: IntArray, keys: IntArray) -> BoolArray:
    """Whether each of ``key`` is in the sorted ``keys``, shape of ``key``."""
    if not keys.size:
        return np.zeros(key.size, dtype=np.bool_)
    at = np.minimum(np.searchsorted(keys, key), keys.size - 1)
    return np.asarray(keys[at] == key, dtype=np.bool_)


def _pickup_ok(network: Network, method: IntArray, pickup: IntArray) -> BoolArray:
    """Whether each order's pickup node (if any) is active and can hand it over."""
    accepts = network.derived(_pickup_accepts)
    known = pickup >= 0
    ok = np.ones(pickup.size, dtype=np.bool_)
    ok[known] = accepts[method[known], pickup[known]]
    return ok


def _may_source(network: Network) -> BoolArray:
    """Whether a node may serve orders of a channel and method, before distance and
    pickup rules: active, the channel allows its kind, it has the method's capability;
    shape (n_channels, n_methods, n_nodes); once per network."""
    nodes = network.arrays
    needs = np.array([SOURCE_NEEDS[m].value for m in METHODS], np.int64)[:, None]
    capable = (nodes.capabilities[None, :] & needs) == needs
    allows = network.channel_allows & nodes.active[None, :]
    return read_only(np.asarray(allows[:, None, :] & capable[None, :, :]))


def _rates(network: Network) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Rate card (base, per_km, per_unit, max_km with ``inf`` for none) per level, each
    shape (n_levels,); once per network."""
    cards = [network.costs.rates[level] for level in LEVELS]
    return (
        read_only(np.array([c.base for c in cards])),
        read_only(np.array([c.per_km for c in cards])),
        read_only(np.array([c.per_unit for c in cards])),
        read_only(np.array([math.inf if c.max_km is None else c.max_km for c in cards])),
    )


def node_units(network: Network) -> FloatArray:
    """Canonical node locations as unit vectors, shape (3, n_nodes); once per network."""
    nodes = network.arrays
    return read_only(unit_vectors(nodes.lat_deg, nodes.lon_deg))


def _channel_codes(network: Network) -> dict[str, int]:
    """Position of each channel id in ``network.channels``; once per network."""
    return {c.id: network.channel_index(c.id) for c in network.channels}


def _respects(network: Network) -> BoolArray:
    """Whether each channel (position in ``network.channels``) respects safety stock."""
    return read_only(np.array([c.respects_safety_stock for c in network.channels], np.bool_))


class Missing(NamedTuple):
    """The probability (0 to 1) that reserved units are not found when picked:
    ``1 - Accuracy.found``, per node and for the positions that override it."""

    node: FloatArray
    """By node (``by_node``, else ``default``), shape (n_nodes,)."""
    sku: IntArray
    """SKU row (position in ``OrderArrays.skus``) of each override, sorted, shape
    (n_overrides,)."""
    at: IntArray
    """Canonical node of each override, shape (n_overrides,)."""
    value: FloatArray
    """The override (``by_position``), shape (n_overrides,)."""


@attrs.frozen(kw_only=True, eq=False)
class OrderArrays:
    """The orders of a wave as arrays, in input order, with their lines flattened.

    Lines of order ``o`` are ``line_start[o]:line_start[o + 1]``; SKUs are
    positions in ``skus``; nodes are canonical positions in ``network.arrays``.
    """

    orders: tuple[Order, ...]
    network: Network
    skus: tuple[str, ...]
    """Distinct SKUs ordered, shape (n_skus,)."""
    channel: IntArray
    """Position of the order's channel in ``network.channels``, shape (n_orders,)."""
    respects_safety: BoolArray
    """Whether the order's channel respects safety stock, shape (n_orders,)."""
    method: IntArray
    """Position of the order's method in ``METHODS``, shape (n_orders,)."""
    level: IntArray
    """Position of the order's service level in ``LEVELS``, shape (n_orders,)."""
    priority: IntArray
    """Order priority, higher first, shape (n_orders,)."""
    allow_split: BoolArray
    """Whether the order may ship from several nodes, shape (n_orders,)."""
    point_unit: FloatArray
    """Hand-over point (destination or pickup node) as a unit vector, (3, n_orders)."""
    node_unit: FloatArray
    """Canonical node locations as unit vectors, shape (3, n_nodes)."""
    pickup_node: IntArray
    """Canonical index of the pickup node, -1 for delivered orders, shape (n_orders,)."""
    pickup_ok: BoolArray
    """Whether the pickup node (if any) is active and can hand over the order, (n_orders,)."""
    source_needs: IntArray
    """Capability bits a serving node needs, shape (n_orders,)."""
    line_start: IntArray
    """Offsets of each order's lines, shape (n_orders + 1,)."""
    line_sku: IntArray
    """SKU of each line (position in ``skus``), shape (n_lines,)."""
    line_qty: IntArray
    """Units of each line, shape (n_lines,)."""
    units: IntArray
    """Units of each order, shape (n_orders,)."""
    restricted: BoolArray
    """Whether the order names ``allowed_node_ids`` or ``excluded_node_ids``, shape
    (n_orders,)."""
    pinned: BoolArray
    """Whether the order names ``allowed_node_ids``, shape (n_orders,)."""
    allowed_key: IntArray
    """``row * n_nodes + node`` for every (order, canonical node) pair the order's
    ``allowed_node_ids`` allows, sorted, shape (n_allowed_pairs,)."""
    excluded_key: IntArray
    """``row * n_nodes + node`` for every (order, canonical node) pair in the order's
    ``excluded_node_ids``, sorted, shape (n_excluded_pairs,)."""
    accuracy: Accuracy | None = None
    """The call's inventory accuracy, its node ids known to ``network``; None: every
    reserved unit is found."""

    @classmethod
    def build(
        cls, orders: Sequence[Order], network: Network, accuracy: Accuracy | None = None
    ) -> OrderArrays:
        """Arrays of ``orders``; their channel and pickup node ids, and the node ids of
        ``accuracy``, must exist in ``network``."""
        nodes = network.arrays
        # Keyed by value: an enum member's own hash is a Python-level call.
        method_code = {method.value: code for code, method in enumerate(METHODS)}
        level_code = {level.value: code for code, level in enumerate(LEVELS)}
        channel_code = network.derived(_channel_codes)
        node_code = network.node_codes
        lines = [line for order in orders for line in order.lines]
        sku_index: dict[str, int] = {}
        line_sku = [sku_index.setdefault(line.sku, len(sku_index)) for line in lines]
        starts = np.zeros(len(orders) + 1, dtype=np.int64)
        starts[1:] = np.cumsum([len(order.lines) for order in orders])
        qty = np.array([line.quantity for line in lines], dtype=np.int64)
        channel = np.array([channel_code[o.channel_id] for o in orders], np.int64)
        method = np.array([method_code[o.method._value_] for o in orders], np.int64)
        pickup = np.array(
            [-1 if o.pickup_node_id is None else node_code[o.pickup_node_id] for o in orders],
            np.int64,
        )
        points = [o.destination for o in orders]
        at_pickup = pickup >= 0
        lat = np.array([0.0 if p is None else p.lat for p in points], np.float64)
        lon = np.array([0.0 if p is None else p.lon for p in points], np.float64)
        lat[at_pickup] = nodes.lat_deg[pickup[at_pickup]]
        lon[at_pickup] = nodes.lon_deg[pickup[at_pickup]]
        respects = network.derived(_respects)
        needs = np.array([SOURCE_NEEDS[m].value for m in METHODS], np.int64)
        pinned = np.array([o.allowed_node_ids is not None for o in orders], np.bool_)
        shunned = np.array([bool(o.excluded_node_ids) for o in orders], np.bool_)
        n_nodes = nodes.n_nodes
        allowed_key = _pair_keys(
            ((row, orders[row].allowed_node_ids or ()) for row in np.flatnonzero(pinned).tolist()),
            node_code,
            n_nodes,
        )
        excluded_key = _pair_keys(
            ((row, orders[row].excluded_node_ids) for row in np.flatnonzero(shunned).tolist()),
            node_code,
            n_nodes,
        )
        return cls(
            orders=tuple(orders),
            network=network,
            skus=tuple(sku_index),
            channel=channel,
            respects_safety=respects[channel] if channel.size else np.zeros(0, np.bool_),
            method=method,
            level=np.array([level_code[o.service_level._value_] for o in orders], np.int64),
            priority=np.array([o.priority for o in orders], np.int64),
            allow_split=np.array([o.allow_split for o in orders], np.bool_),
            point_unit=unit_vectors(lat, lon),
            node_unit=network.derived(node_units),
            pickup_node=pickup,
            pickup_ok=_pickup_ok(network, method, pickup),
            source_needs=needs[method],
            line_start=starts,
            line_sku=np.array(line_sku, np.int64),
            line_qty=qty,
            units=np.add.reduceat(qty, starts[:-1]) if len(orders) else np.zeros(0, np.int64),
            restricted=pinned | shunned,
            pinned=pinned,
            allowed_key=allowed_key,
            excluded_key=excluded_key,
            accuracy=accuracy,
        )

    def __attrs_post_init__(self) -> None:
        # Strategies and policies read these; the engine checks a policy's answer
        # against them, so nobody may write to them.
        for field in attrs.fields(type(self)):
            value = getattr(self, field.name)
            if isinstance(value, np.ndarray):
                read_only(value)

    @property
    def n_orders(self) -> int:
        """Number of orders."""
        return len(self.orders)

    @property
    def rates(self) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """Rate card (base, per_km, per_unit, max_km with ``inf`` for none) per level."""
        return self.network.derived(_rates)

    @property
    def may_source(self) -> BoolArray:
        """Whether a node may serve orders of a channel and method, before distance and
        pickup rules: active, the channel allows its kind, it has the method's
        capability; shape (n_channels, n_methods, n_nodes)."""
        return self.network.derived(_may_source)

    def pair_distance_km(self, rows: IntArray, nodes: IntArray) -> FloatArray:
        """Km from canonical node ``nodes[i]`` to the hand-over point of order ``rows[i]``,
        shape (n_pairs,): the same numbers as ``SourcingBatch.distance_km``."""
        return chord_distance_km(self.point_unit[:, rows], self.node_unit[:, nodes])

    def static_rules(
        self, rows: IntArray, nodes: IntArray, reach_km: FloatArray | None = None
    ) -> list[tuple[Rule, BoolArray]]:
        """The hard rules that depend on neither stock nor capacity, in checking order,
        each with whether order ``rows[i]`` breaks it at canonical node ``nodes[i]``
        (both shape (n_pairs,)): the same rules as ``SourcingBatch.static_eligible``.
        ``reach_km`` is each level's farthest km (default: its ``max_km``)."""
        network = self.network
        node_arrays = network.arrays
        method = self.method[rows]
        in_store = method == _IN_STORE
        needs = self.source_needs[rows]
        pickup = self.pickup_node[rows]
        km = self.pair_distance_km(rows, nodes)
        return [
            (Rule.INACTIVE, ~node_arrays.active[nodes]),
            (Rule.CHANNEL, ~network.channel_allows[self.channel[rows], nodes]),
            (Rule.PICKUP_NODE, ~self.pickup_ok[rows] | (in_store & (nodes != pickup))),
            (Rule.CAPABILITY, (node_arrays.capabilities[nodes] & needs) != needs),
            (Rule.DISTANCE, ~in_store & (km > self.reach(reach_km)[self.level[rows]])),
            (Rule.EXCLUDED, self.excluded(rows, nodes)),
        ]

    def excluded(self, rows: IntArray, nodes: IntArray) -> BoolArray:
        """Whether order ``rows[i]`` may not use canonical node ``nodes[i]`` because it
        is outside the order's ``allowed_node_ids`` or in its ``excluded_node_ids``,
        shape (n_pairs,)."""
        found = self.restricted[rows]
        if not found.any():
            return found
        key = rows * self.network.arrays.n_nodes + nodes
        outside = self.pinned[rows] & ~_member(key, self.allowed_key)
        return np.asarray(outside | _member(key, self.excluded_key), dtype=np.bool_)

    @functools.cached_property
    def missing(self) -> Missing | None:
        """The probability that reserved units are not found, by node and for the
        positions ``accuracy`` names of the wave's SKUs; None without accuracy."""
        accuracy = self.accuracy
        if accuracy is None:
            return None
        ids = self.network.arrays.ids
        by_node = accuracy.by_node
        node = np.array([1.0 - float(by_node.get(i, accuracy.default)) for i in ids], np.float64)
        sku_row = self.sku_rows
        codes = self.network.node_codes
        entries = [
            (sku_row[sku], codes[node_id], 1.0 - float(found))
            for node_id, by_sku in accuracy.by_position.items()
            for sku, found in by_sku.items()
            if sku in sku_row
        ]
        entries.sort()
        return Missing(
            node=read_only(node),
            sku=read_only(np.array([e[0] for e in entries], np.int64)),
            at=read_only(np.array([e[1] for e in entries], np.int64)),
            value=read_only(np.array([e[2] for e in entries], np.float64)),
        )

    def reach(self, reach_km: FloatArray | None) -> FloatArray:
        """Farthest km each level serves: ``reach_km``, or each rate card's ``max_km``."""
        return self.rates[3] if reach_km is None else reach_km

    @functools.cached_property
    def carrier_tables(self) -> tuple[LevelTables | None, ...]:
        """The carrier services of each service level (position in ``LEVELS``), None
        for a level its rate card prices."""
        found = self.network.derived(level_tables)
        return tuple(found.get(level) for level in LEVELS)

    @functools.cached_property
    def parcel_priced(self) -> BoolArray:
        """Whether carrier services price each order's shipments (its level has some,
        and it is not picked up in store), shape (n_orders,)."""
        has = np.array([t is not None for t in self.carrier_tables], dtype=np.bool_)
        in_store = self.method == METHODS.index(FulfillmentMethod.PICKUP_IN_STORE)
        return read_only(np.asarray(has[self.level] & ~in_store))

    @functools.cached_property
    def parcel_items(self) -> tuple[Item, ...]:
        """Each SKU of ``skus`` as packing sees it (empty without a catalogue)."""
        items = self.network.derived(catalogue_items)
        return tuple(items[sku] for sku in self.skus) if items else ()

    @functools.cached_property
    def parcel_item_arrays(self) -> ItemArrays:
        """:attr:`parcel_items` as arrays."""
        return ItemArrays.of(self.parcel_items)

    @functools.cached_property
    def packings(self) -> Packings:
        """Whole orders packed into several parcels while their windows were scored,
        kept for pricing the shipments decided whole (filled as the call goes)."""
        return {}

    @functools.cached_property
    def lone_reach(self) -> tuple[LoneReach | None, ...]:
        """How far a lone unit of each SKU travels, per level that carriers price."""
        items = self.parcel_item_arrays
        return tuple(
            None if tables is None else LoneReach.of(tables, items)
            for tables in self.carrier_tables
        )

    @functools.cached_property
    def sku_rows(self) -> dict[str, int]:
        """Position of each SKU id in ``skus``."""
        return {sku: row for row, sku in enumerate(self.skus)}

    def lines_of(self, rows: IntArray) -> tuple[IntArray, IntArray]:
        """Lines of the orders ``rows``: their indices and the position in ``rows`` they
        belong to, both shape (n_lines_of_rows,), grouped by row in ``rows`` order."""
        counts = self.line_start[rows + 1] - self.line_start[rows]
        owner = np.repeat(np.arange(rows.size), counts)
        return concatenated_ranges(self.line_start[rows], counts), owner


@attrs.define(kw_only=True, eq=False)
class StockState:
    """The working state of a wave: what is left, in units, as decisions are taken.

    Rows are ``OrderArrays.skus``, columns canonical nodes.
    """

    spare: IntArray
    """Units each kind of channel may still take, shape (2, n_skus, n_nodes): plane 0
    ``on_hand - reserved`` (channels that ignore safety stock), plane 1 that minus
    safety stock (channels that respect it; may be negative)."""
    safety: IntArray
    """Safety stock, shape (n_skus, n_nodes)."""
    demand: FloatArray
    """Units per day, shape (n_skus, n_nodes)."""
    capacity: FloatArray
    """Shipments per wave, ``inf`` when unlimited, shape (n_nodes,)."""
    used: FloatArray
    """Shipments taken in this wave, shape (n_nodes,)."""
    times: NodeTimes | None = None
    """Each node's next handover and daily load, for calls given ``now``."""

    @classmethod
    def start(
        cls,
        arrays: OrderArrays,
        inventory: Inventory,
        capacity_used: FloatArray,
        demand: DemandRates | None,
        times: NodeTimes | None = None,
    ) -> StockState:
        """The state before any order of the wave is decided (``times``: the nodes'
        handovers before it, for calls given ``now``)."""
        ids = arrays.network.arrays.ids
        block = inventory.dense(arrays.skus, ids)
        rates = (
            demand.dense(arrays.skus, ids)
            if demand is not None
            else np.broadcast_to(np.float64(0.0), (len(arrays.skus), len(ids)))
        )
        return cls(
            spare=_spare(block.on_hand - block.reserved, block.safety_stock),
            safety=block.safety_stock,
            demand=rates,
            capacity=arrays.network.arrays.capacity.copy(),
            used=capacity_used.astype(np.float64),
            times=times,
        )

    def copy(self) -> StockState:
        """An independent copy."""
        return StockState(
            spare=self.spare.copy(),
            safety=self.safety,
            demand=self.demand,
            capacity=self.capacity,
            used=self.used.copy(),
            times=None if self.times is None else self.times.copy(),
        )

    def ship(self, nodes: IntArray, counts: IntArray) -> None:
        """Count ``counts[i]`` shipments from canonical ``nodes[i]``: against its capacity
        in this wave and, with ``now``, against its current operating day."""
        np.add.at(self.used, nodes, counts)
        if self.times is not None:
            self.times.ship(nodes, counts)

    def ship_one(self, node: int) -> None:
        """Count one shipment from canonical ``node`` (see :meth:`ship`)."""
        self.ship(np.array([node], dtype=np.int64), np.ones(1, dtype=np.int64))

    def shipments_left(self, nodes: IntArray) -> FloatArray:
        """Shipments each of ``nodes`` can take before its capacity runs out or, with
        ``now``, its current operating day fills (``inf`` for neither)."""
        left = self.capacity_left[nodes]
        if self.times is None:
            return left
        return np.minimum(left, self.times.day_left(nodes))

    @property
    def free(self) -> IntArray:
        """``on_hand - reserved`` now, shape (n_skus, n_nodes) (a view of ``spare``)."""
        free: IntArray = self.spare[0]
        return free

    def take(self, sku: IntArray, node: IntArray, units: IntArray) -> None:
        """Take ``units[i]`` of SKU row ``sku[i]`` at canonical node ``node[i]``."""
        np.subtract.at(self.spare[0], (sku, node), units)
        np.subtract.at(self.spare[1], (sku, node), units)

    @property
    def capacity_left(self) -> FloatArray:
        """Shipments each node can still take, shape (n_nodes,); 0 where more than its
        capacity was already used (a capacity lowered mid-wave: none is left)."""
        return np.maximum(self.capacity - self.used, 0.0)

    def available(self, sku: IntArray, respects_safety: BoolArray) -> IntArray:
        """Units each line's channel may promise at every node, shape (n_lines, n_nodes).

        ``sku`` and ``respects_safety`` have shape (n_lines,).
        """
        spare: IntArray = self.spare[respects_safety.astype(np.intp), sku]
        return np.maximum(spare, 0)

    def available_to(self, sku: IntArray, respects_safety: bool) -> IntArray:
        """Units one channel may promise of each SKU row ``sku`` at every node, shape
        (n_lines, n_nodes): :meth:`available` for lines that share a channel."""
        spare: IntArray = self.spare[int(respects_safety)][sku]
        return np.maximum(spare, 0)


def _spare(free: IntArray, safety: IntArray) -> IntArray:
    return np.stack([free, free - safety])


class SourcingBatch:
    """A batch of orders to score, and the stock state they are scored on.

    Rows are the batch's orders; columns are the network's nodes in canonical
    order (``nodes.ids``). Everything is computed on first use and cached. Line
    arrays list the lines of every order, grouped by order: line ``l`` belongs
    to row ``line_row[l]``.
    """

    def __init__(self, arrays: OrderArrays, rows: IntArray, state: StockState) -> None:
        self._arrays = arrays
        self._state = state
        self.rows = rows
        """Positions of the batch's orders in the wave, shape (n_orders,)."""
        self._lines, self.line_row = arrays.lines_of(rows)

    @property
    def orders(self) -> list[Order]:
        """The batch's orders."""
        return [self._arrays.orders[row] for row in self.rows.tolist()]

    @property
    def network(self) -> Network:
        """The network the orders are sourced from."""
        return self._arrays.network

    @property
    def nodes(self) -> NodeArrays:
        """Node attributes in canonical order."""
        return self._arrays.network.arrays

    @property
    def n_orders(self) -> int:
        """Number of orders in the batch."""
        return int(self.rows.size)

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return self.nodes.n_nodes

    @functools.cached_property
    def units(self) -> FloatArray:
        """Units of each order, shape (n_orders,)."""
        return self._arrays.units[self.rows].astype(np.float64)

    @functools.cached_property
    def distance_km(self) -> FloatArray:
        """Great-circle km from each node to each order's hand-over point, (n_orders, n_nodes)."""
        a = self._arrays
        return chord_distance_km(a.point_unit[:, self.rows, None], a.node_unit[:, None, :])

    @functools.cached_property
    def shipping_cost(self) -> FloatArray:
        """Carrier cost of shipping the whole order from each node (currency), 0 for
        pickup in store, shape (n_orders, n_nodes)."""
        base, per_km, per_unit, _ = self._arrays.rates
        level = self._arrays.level[self.rows]
        cost = shipping_cost(
            base[level][:, None],
            per_km[level][:, None],
            self.distance_km,
            per_unit[level][:, None],
            self.units[:, None],
        )
        in_store = self._arrays.method[self.rows] == METHODS.index(
            FulfillmentMethod.PICKUP_IN_STORE
        )
        cost[in_store] = 0.0
        parcels = self.parcels
        if parcels is not None:
            cost[parcels.priced] = parcels.shipping[parcels.priced]
        return cost

    @functools.cached_property
    def parcels(self) -> WindowParcels | None:
        """Parcel prices of the orders carrier services price, and which of their lines
        no service can carry from which node; None when carriers price no order here."""
        a, rows = self._arrays, self.rows
        priced = a.parcel_priced[rows]
        if not priced.any():
            return None
        return window_parcels(
            a.carrier_tables,
            a.lone_reach,
            a.parcel_item_arrays,
            a.level[rows],
            priced,
            WindowLines(item=self.line_sku, units=self.line_quantity, row=self.line_row),
            self.distance_km,
            self.static_eligible,
            rows,
            a.packings,
        )

    @functools.cached_property
    def handling_cost(self) -> FloatArray:
        """Node handling cost of the whole order (currency), shape (n_orders, n_nodes)."""
        nodes = self.nodes
        return handling_cost(
            nodes.handling_per_order[None, :], nodes.handling_per_unit[None, :], self.units[:, None]
        )

    @functools.cached_property
    def static_eligible(self) -> BoolArray:
        """The engine's hard rules other than stock, capacity and time: node active,
        channel allows its kind, capability for the method, pickup node, distance
        within the service level's reach (``max_km``, and with ``now`` its last
        transit band), within the order's ``allowed_node_ids``; shape
        (n_orders, n_nodes)."""
        a, rows = self._arrays, self.rows
        method = a.method[rows]
        ok = a.may_source[a.channel[rows], method] & a.pickup_ok[rows][:, None]
        in_store = np.flatnonzero(method == METHODS.index(FulfillmentMethod.PICKUP_IN_STORE))
        times = self._state.times
        reach = a.reach(None if times is None else times.timing.net.reach_km)
        within = self.distance_km <= reach[a.level[rows]][:, None]
        within[in_store] = np.arange(self.n_nodes)[None, :] == a.pickup_node[rows[in_store], None]
        ok &= within
        pinned = np.flatnonzero(a.restricted[rows])
        if pinned.size:
            pairs = np.repeat(rows[pinned], self.n_nodes)
            every = np.tile(np.arange(self.n_nodes), pinned.size)
            ok[pinned] &= ~a.excluded(pairs, every).reshape(pinned.size, self.n_nodes)
        return read_only(np.asarray(ok))

    @functools.cached_property
    def on_time(self) -> BoolArray:
        """Whether each node keeps each order's time rules now (all True without
        ``now``): it can be made within the horizon, dispatched today for a SAME_DAY
        level and delivered by the order's ``deliver_by``; shape (n_orders, n_nodes)."""
        times = self._state.times
        if times is None:
            return read_only(np.ones((self.n_orders, self.n_nodes), dtype=np.bool_))
        found = times.window(self.rows, self.distance_km, self.static_eligible, lead=False)[1]
        return read_only(found)

    @functools.cached_property
    def lead_days(self) -> FloatArray:
        """Days from ``now`` to when each node's shipment is delivered (ready for
        collection for pickups); 0 without ``now`` or where it cannot be made; shape
        (n_orders, n_nodes)."""
        times = self._state.times
        if times is None:
            return read_only(np.zeros((self.n_orders, self.n_nodes)))
        days, _ = times.window(self.rows, self.distance_km, self.static_eligible, lead=True)
        assert days is not None
        return read_only(days)

    @functools.cached_property
    def expected_rejections(self) -> FloatArray:
        """Lines each node is expected not to find when it picks the whole order: the
        sum over the order's lines of ``1 - accuracy.found(node, sku)``, in lines;
        0 without accuracy; shape (n_orders, n_nodes)."""
        missing = self._arrays.missing
        if missing is None:
            return read_only(np.zeros((self.n_orders, self.n_nodes)))
        sku = self.line_sku
        per_line = np.repeat(missing.node[None, :], sku.size, axis=0)
        if missing.sku.size and sku.size:
            by_sku = np.argsort(sku, kind="stable")
            ordered = sku[by_sku]
            first = np.searchsorted(ordered, missing.sku, side="left")
            count = np.searchsorted(ordered, missing.sku, side="right") - first
            lines = by_sku[concatenated_ranges(first, count)]
            per_line[lines, np.repeat(missing.at, count)] = np.repeat(missing.value, count)
        return read_only(self.sum_lines(per_line))

    @functools.cached_property
    def eligible(self) -> BoolArray:
        """Every hard rule other than stock and capacity: :attr:`static_eligible`
        and, with ``now``, :attr:`on_time`; shape (n_orders, n_nodes)."""
        if self._state.times is None:
            return self.static_eligible
        return read_only(np.asarray(self.static_eligible & self.on_time))

    @property
    def lines(self) -> IntArray:
        """Positions of the batch's lines among all lines of the wave, shape (n_lines,)."""
        return self._lines

    @property
    def line_quantity(self) -> IntArray:
        """Units ordered on each line, shape (n_lines,)."""
        return self._arrays.line_qty[self._lines]

    @property
    def line_sku(self) -> IntArray:
        """Row of each line's SKU in the state arrays, shape (n_lines,)."""
        return self._arrays.line_sku[self._lines]

    @property
    def line_respects_safety(self) -> BoolArray:
        """Whether each line's channel respects safety stock, shape (n_lines,)."""
        return self._arrays.respects_safety[self.rows][self.line_row]

    @functools.cached_property
    def line_available(self) -> IntArray:
        """Units each line's channel may promise at each node now, none where no carrier
        service can carry a unit of it from the node; shape (n_lines, n_nodes)."""
        available = self._state.available(self.line_sku, self.line_respects_safety)
        parcels = self.parcels
        if parcels is not None and parcels.unshippable is not None:
            available = np.where(parcels.unshippable, 0, available)
        return available

    @property
    def line_free(self) -> IntArray:
        """``on_hand - reserved`` of each line's SKU at each node now, (n_lines, n_nodes)."""
        return self._state.free[self.line_sku]

    @property
    def line_safety_stock(self) -> IntArray:
        """Safety stock of each line's SKU at each node, shape (n_lines, n_nodes)."""
        return self._state.safety[self.line_sku]

    @property
    def line_demand(self) -> FloatArray:
        """Units per day of each line's SKU at each node, shape (n_lines, n_nodes)."""
        return self._state.demand[self.line_sku]

    @property
    def capacity(self) -> FloatArray:
        """Shipments per wave of each node, ``inf`` when unlimited, shape (n_nodes,)."""
        return self._state.capacity

    @property
    def capacity_used(self) -> FloatArray:
        """Shipments each node has taken in this wave so far, shape (n_nodes,)."""
        return self._state.used

    @functools.cached_property
    def line_start(self) -> IntArray:
        """Position of each order's first line among the batch's lines, shape (n_orders,)."""
        return np.searchsorted(self.line_row, np.arange(self.n_orders))

    def per_order(self, combine: np.ufunc, values: NDArray[Any]) -> NDArray[Any]:
        """Per-line rows combined per order with ``combine`` (``np.add``,
        ``np.logical_and``, ...), shape (n_orders, n_nodes).

        Rows are combined in line order: ``combine(combine(v[first], v[second]),
        v[third])``. Orders have few lines, so this gathers row by row, which is
        far faster than ``ufunc.reduceat`` along the line axis.
        """
        starts = self.line_start
        counts = np.bincount(self.line_row, minlength=self.n_orders)
        result = values[starts]
        for position in range(1, int(counts.max(initial=1))):
            has = np.flatnonzero(counts > position)
            result[has] = combine(result[has], values[starts[has] + position])
        return result

    def any_line(self, values: BoolArray) -> BoolArray:
        """Whether any line of the order has ``values`` True, shape (n_orders, n_nodes)."""
        return self.per_order(np.logical_or, values)

    def all_lines(self, values: BoolArray) -> BoolArray:
        """Whether every line of the order has ``values`` True, shape (n_orders, n_nodes)."""
        return self.per_order(np.logical_and, values)

    def sum_lines(self, values: FloatArray | IntArray) -> FloatArray:
        """Per-order sums of per-line rows, shape (n_orders, n_nodes).

        Lines are added one at a time in line order, so the result is exactly
        ``v[first] + v[second] + ...`` for every order and node.
        """
        return self.per_order(np.add, values.astype(np.float64))

"""The engine's check of a policy's output: every hard rule, before anything is reserved.

A policy is a plug-in (see :class:`~omnichannel.allocation.AllocationPolicy`), so the
engine trusts none of them, its own included: ``allocate`` verifies what a policy
returns and raises :class:`PolicyRuleError` naming the policy, the order and the
rule it broke. The checks are vectorized over the shipped lines, so they cost
O(shipped lines) and not O(orders x nodes).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain, repeat
from operator import attrgetter

import attrs
import numpy as np

from .._core.costs import handling_cost, shipment_cost, shipping_cost
from .._domain.decisions import Allocation, Shipment
from .._domain.enums import FulfillmentMethod
from .._errors import InvalidInputError
from .._types import BoolArray, FloatArray, IntArray
from ..allocation._wave import Wave
from ..sourcing._batch import METHODS, SourcingBatch, StockState
from ..sourcing._builtin import checked_costs
from ..sourcing._parcel_window import unshippable

_IN_STORE = METHODS.index(FulfillmentMethod.PICKUP_IN_STORE)
_RELATIVE = 1e-9
"""Costs and distances must match the engine's own to this relative tolerance."""
_CELLS_PER_CHUNK = 1 << 18
"""Orders x nodes scored at once when checking the strategy's forbidden nodes."""


class PolicyRuleError(InvalidInputError):
    """A policy's allocations break a hard rule: ``rule`` names it (a :class:`Rule`
    name such as ``STOCK``, or ``lines``, ``shipments``, ``cost`` for the shape of the
    answer) and ``detail`` says what broke it (``order 'o1' ships from node 'dc': ...``).
    Build one with :meth:`broke`."""

    rule: str = ""
    detail: str = ""

    @classmethod
    def broke(cls, policy: str, rule: str, detail: str) -> PolicyRuleError:
        """The error for ``policy`` breaking ``rule``, at path ``policy``."""
        error = cls("policy", f"{policy} broke rule {rule}: {detail}")
        error.rule, error.detail = rule, detail
        return error


@attrs.frozen(kw_only=True)
class Shipped:
    """A policy's allocations flattened: one entry per shipment, per shipped line and
    per unfulfilled line. Shipments are in allocation order; ``node`` is -1 for an id
    the network lacks."""

    shipments: tuple[Shipment, ...]
    row: IntArray
    """Order (position in the wave) of each shipment, shape (n_shipments,)."""
    node: IntArray
    """Canonical node of each shipment, shape (n_shipments,)."""
    n_lines: IntArray
    """Lines of each shipment, shape (n_shipments,)."""
    distance_km: FloatArray
    """Each shipment's reported km, shape (n_shipments,)."""
    cost: FloatArray
    """Each shipment's reported cost (currency), shape (n_shipments,)."""
    split_penalty: FloatArray
    """Each allocation's reported split penalty (currency), shape (n_orders,)."""
    line_shipment: IntArray
    """Shipment of each shipped line, shape (n_lines,)."""
    line_node_ids: list[str]
    """Node id of each shipped line."""
    line_skus: list[str]
    """SKU of each shipped line."""
    line_sku_row: IntArray
    """Row of each shipped line's SKU in the wave's SKUs, -1 for one no order has,
    shape (n_lines,)."""
    line_quantity: IntArray
    """Units of each shipped line, shape (n_lines,)."""
    short_row: IntArray
    """Order of each unfulfilled line, shape (n_short,)."""
    short_skus: list[str]
    """SKU of each unfulfilled line."""
    short_sku_row: IntArray
    """Row of each unfulfilled line's SKU, as ``line_sku_row``, shape (n_short,)."""
    short_quantity: IntArray
    """Units of each unfulfilled line, shape (n_short,)."""

    @classmethod
    def gather(cls, wave: Wave, allocations: Sequence[Allocation]) -> Shipped:
        """The shipments of ``allocations`` (one per order of ``wave``, in order)."""
        # map with attrgetter iterates in C: these passes are the verifier's main cost.
        shipments = tuple(chain.from_iterable(map(_SHIPMENTS, allocations)))
        line_tuples = list(map(_LINES, shipments))
        line_counts = list(map(len, line_tuples))
        lines = list(chain.from_iterable(line_tuples))
        node_ids = list(map(_NODE_ID, shipments))
        short = list(chain.from_iterable(map(_UNFULFILLED, allocations)))
        every = np.arange(len(allocations), dtype=np.int64)
        line_shipment = np.repeat(np.arange(len(shipments), dtype=np.int64), line_counts)
        code, sku_row = wave.arrays.network.node_codes.get, wave.arrays.sku_rows.get
        line_skus = list(map(_SKU, lines))
        short_skus = list(map(_SKU, short))
        return cls(
            shipments=shipments,
            row=np.repeat(every, list(map(len, map(_SHIPMENTS, allocations)))),
            node=np.fromiter(map(code, node_ids, repeat(-1)), np.int64, len(node_ids)),
            n_lines=np.array(line_counts, dtype=np.int64),
            distance_km=np.fromiter(map(_KM, shipments), np.float64, len(shipments)),
            cost=np.fromiter(map(_COST, shipments), np.float64, len(shipments)),
            split_penalty=np.fromiter(map(_PENALTY, allocations), np.float64, len(allocations)),
            line_shipment=line_shipment,
            line_node_ids=np.array(node_ids, dtype=object)[line_shipment].tolist(),
            line_skus=line_skus,
            line_sku_row=np.fromiter(map(sku_row, line_skus, repeat(-1)), np.int64, len(lines)),
            line_quantity=np.fromiter(map(_QUANTITY, lines), np.int64, len(lines)),
            short_row=np.repeat(every, list(map(len, map(_UNFULFILLED, allocations)))),
            short_skus=short_skus,
            short_sku_row=np.fromiter(map(sku_row, short_skus, repeat(-1)), np.int64, len(short)),
            short_quantity=np.fromiter(map(_QUANTITY, short), np.int64, len(short)),
        )


_SHIPMENTS = attrgetter("shipments")
_UNFULFILLED = attrgetter("unfulfilled")
_LINES = attrgetter("lines")
_NODE_ID = attrgetter("node_id")
_KM = attrgetter("distance_km")
_COST = attrgetter("cost")
_PENALTY = attrgetter("split_penalty")
_SKU = attrgetter("sku")
_QUANTITY = attrgetter("quantity")


def verify(wave: Wave, state: StockState, shipped: Shipped, policy: str) -> None:
    """Raise :class:`PolicyRuleError` unless the allocations ``shipped`` gathers keep
    every hard rule on ``state``, the wave's starting state: each order's lines all
    shipped once (one entry per SKU in a shipment) or
    reported unfulfilled, each shipment from a known node that passes the static
    rules, at most one per (order, node), no node's capacity or position's units (as
    each channel may take them) overdrawn, and its distance and cost the engine's own."""
    _check_accounting(wave, shipped, policy)
    if not shipped.shipments:
        return
    _check_static_rules(wave, shipped, policy)
    _check_shippable(wave, shipped, policy)
    _check_capacity(wave, state, shipped, policy)
    _check_stock(wave, state, shipped, policy)
    _check_prices(wave, shipped, policy)


def verify_strategy(wave: Wave, state: StockState, shipped: Shipped, policy: str) -> None:
    """Raise :class:`PolicyRuleError` if a shipment uses a node the sourcing strategy
    forbids (infinite cost) on ``state``. Sound only for strategies that read no state,
    whose costs cannot change as the wave is decided. It scores the orders that ship
    again, in chunks: O(shipping orders x nodes), paid by custom policies only."""
    rows = np.unique(shipped.row)
    chunk = max(_CELLS_PER_CHUNK // max(wave.arrays.network.arrays.n_nodes, 1), 1)
    forbidden = np.zeros(shipped.row.size, dtype=np.bool_)
    for start in range(0, rows.size, chunk):
        part = rows[start : start + chunk]
        cost = checked_costs(wave.sourcing, SourcingBatch(wave.arrays, part, state))
        # Shipments are in order of their rows, so this chunk's are one slice.
        first, end = np.searchsorted(shipped.row, [part[0], part[-1] + 1])
        at = np.searchsorted(part, shipped.row[first:end])
        forbidden[first:end] = np.isinf(cost[at, shipped.node[first:end]])
    if forbidden.any():
        first_bad = int(np.flatnonzero(forbidden)[0])
        _fail(policy, "STRATEGY", wave, shipped, first_bad, "a node the sourcing strategy forbids")


def _fail(policy: str, rule: str, wave: Wave, shipped: Shipped, shipment: int, what: str) -> None:
    order = wave.arrays.orders[int(shipped.row[shipment])]
    node_id = shipped.shipments[shipment].node_id
    raise PolicyRuleError.broke(
        policy, rule, f"order {order.id!r} ships from node {node_id!r}: {what}"
    )


def _check_accounting(wave: Wave, shipped: Shipped, policy: str) -> None:
    """Every unit of every line is shipped or unfulfilled, exactly once, each SKU at
    most once per shipment and once among an order's unfulfilled lines; shipments
    have lines and known nodes, one per (order, node)."""
    arrays = wave.arrays
    n_orders, n_skus = arrays.n_orders, len(arrays.skus)
    unknown_node = np.flatnonzero(shipped.node < 0)
    if unknown_node.size:
        _fail(policy, "shipments", wave, shipped, int(unknown_node[0]), "not a network node")
    empty = np.flatnonzero(shipped.n_lines == 0)
    if empty.size:
        _fail(policy, "shipments", wave, shipped, int(empty[0]), "a shipment with no lines")
    pairs = shipped.row * max(arrays.network.arrays.n_nodes, 1) + shipped.node
    twice = _first_repeat(pairs)
    if twice is not None:
        _fail(policy, "shipments", wave, shipped, twice, "two shipments from one node")
    line_row = np.repeat(np.arange(n_orders, dtype=np.int64), np.diff(arrays.line_start))
    order_keys = line_row * n_skus + arrays.line_sku
    by_key = np.argsort(order_keys)
    sorted_keys = order_keys[by_key]
    given = np.zeros(arrays.line_qty.size, dtype=np.int64)
    for rows, owner, skus, sku, quantity, where in (
        (
            shipped.row[shipped.line_shipment],
            shipped.line_shipment,
            shipped.line_skus,
            shipped.line_sku_row,
            shipped.line_quantity,
            "in one shipment",
        ),
        (
            shipped.short_row,
            shipped.short_row,
            shipped.short_skus,
            shipped.short_sku_row,
            shipped.short_quantity,
            "among its unfulfilled lines",
        ),
    ):
        bad = _first_repeat(owner * (n_skus + 1) + sku + 1)  # unknown SKUs (-1) stay apart
        if bad is not None:
            raise PolicyRuleError.broke(
                policy,
                "lines",
                f"order {arrays.orders[int(rows[bad])].id!r} lists sku {skus[bad]!r} twice "
                + where,
            )
        keys = rows * n_skus + sku
        at = np.minimum(np.searchsorted(sorted_keys, keys), max(sorted_keys.size - 1, 0))
        known = (sku >= 0) & (quantity >= 1)
        if sorted_keys.size:
            known &= sorted_keys[at] == keys
        if not known.all():
            bad = int(np.flatnonzero(~known)[0])
            order = arrays.orders[int(rows[bad])]
            raise PolicyRuleError.broke(
                policy,
                "lines",
                f"order {order.id!r} ships or leaves {int(quantity[bad])} of sku "
                f"{skus[bad]!r}, which is not one of its lines",
            )
        np.add.at(given, by_key[at], quantity)
    wrong = np.flatnonzero(given != arrays.line_qty)
    if wrong.size:
        line = int(wrong[0])
        order = arrays.orders[int(line_row[line])]
        raise PolicyRuleError.broke(
            policy,
            "lines",
            f"order {order.id!r} line {arrays.skus[arrays.line_sku[line]]!r} has "
            f"{int(arrays.line_qty[line])} units, {int(given[line])} shipped or unfulfilled",
        )


def _first_repeat(keys: IntArray) -> int | None:
    """Position of the first key that appears again in ``keys``, or None if all differ.

    A sort and one comparison: a fraction of ``np.unique``'s cost on the few keys of a
    one-order call; the position is looked for only when there is a repeat."""
    ordered = np.sort(keys)
    if not (ordered[1:] == ordered[:-1]).any():
        return None
    _, first, counts = np.unique(keys, return_index=True, return_counts=True)
    return int(first[np.flatnonzero(counts > 1)[0]])


def _check_static_rules(wave: Wave, shipped: Shipped, policy: str) -> None:
    for rule, breaks in wave.arrays.static_rules(shipped.row, shipped.node):
        if breaks.any():
            first = int(np.flatnonzero(breaks)[0])
            _fail(policy, rule.name, wave, shipped, first, "the node may not serve the order")


def _check_shippable(wave: Wave, shipped: Shipped, policy: str) -> None:
    """Every unit that carrier services price can travel from its node (rule
    UNSHIPPABLE): O(shipped lines of such orders)."""
    arrays = wave.arrays
    line_row = shipped.row[shipped.line_shipment]
    lines = np.flatnonzero(arrays.parcel_priced[line_row])
    if not lines.size:
        return
    shipment = shipped.line_shipment[lines]
    km = arrays.pair_distance_km(shipped.row[shipment], shipped.node[shipment])
    level = arrays.level[line_row[lines]]
    for code in np.unique(level).tolist():
        tables, reach = arrays.carrier_tables[code], arrays.lone_reach[code]
        assert tables is not None
        assert reach is not None
        mine = np.flatnonzero(level == code)
        item = shipped.line_sku_row[lines[mine]]
        out = unshippable(tables, arrays.parcel_item_arrays, reach, item, km[mine][:, None])[:, 0]
        if out.any():
            first = int(shipment[mine[np.flatnonzero(out)[0]]])
            _fail(policy, "UNSHIPPABLE", wave, shipped, first, "no carrier can carry a unit of it")


def _check_prices(wave: Wave, shipped: Shipped, policy: str) -> None:
    """Each shipment's distance and cost, and each allocation's split penalty, are the
    engine's own (within a relative 1e-9). Carrier-priced shipments are priced by the
    engine itself (or, for the reference, compared with it by the tests)."""
    arrays = wave.arrays
    nodes = arrays.network.arrays
    row, node = shipped.row, shipped.node
    km = arrays.pair_distance_km(row, node)
    units = np.bincount(
        shipped.line_shipment, weights=shipped.line_quantity, minlength=row.size
    ).astype(np.float64)
    base, per_km, per_unit, _ = arrays.rates
    level = arrays.level[row]
    shipping = shipping_cost(base[level], per_km[level], km, per_unit[level], units)
    shipping[arrays.method[row] == _IN_STORE] = 0.0
    handling = handling_cost(nodes.handling_per_order[node], nodes.handling_per_unit[node], units)
    expected = shipment_cost(shipping, handling)
    by_parcels = arrays.parcel_priced[row]
    expected[by_parcels] = shipped.cost[by_parcels]
    for name, mine, theirs in (
        ("distance_km", km, shipped.distance_km),
        ("cost", expected, shipped.cost),
    ):
        off = ~_close(mine, theirs)
        if off.any():
            first = int(np.flatnonzero(off)[0])
            _fail(
                policy,
                "cost",
                wave,
                shipped,
                first,
                f"{name} is {float(theirs[first])!r}, the cost model gives {float(mine[first])!r}",
            )
    splits = np.maximum(np.bincount(row, minlength=arrays.n_orders) - 1, 0)
    penalty = arrays.network.costs.split_penalty * splits
    off = ~_close(penalty, shipped.split_penalty)
    if off.any():
        first = int(np.flatnonzero(off)[0])
        raise PolicyRuleError.broke(
            policy,
            "cost",
            f"order {arrays.orders[first].id!r} has split_penalty "
            f"{float(shipped.split_penalty[first])!r}, the cost model gives "
            f"{float(penalty[first])!r}",
        )


def _close(mine: FloatArray, theirs: FloatArray) -> BoolArray:
    return np.abs(mine - theirs) <= _RELATIVE * np.maximum(np.abs(mine), 1.0)


def _check_capacity(wave: Wave, state: StockState, shipped: Shipped, policy: str) -> None:
    counts = np.bincount(shipped.node, minlength=wave.arrays.network.arrays.n_nodes)
    over = np.flatnonzero(counts > state.capacity_left)
    if over.size:
        first = int(np.flatnonzero(shipped.node == over[0])[-1])
        left = int(state.capacity_left[over[0]])
        _fail(
            policy,
            "CAPACITY",
            wave,
            shipped,
            first,
            f"{int(counts[over[0]])} shipments from a node with {left} left in the wave",
        )


def _check_stock(wave: Wave, state: StockState, shipped: Shipped, policy: str) -> None:
    """No position gives more than it may: in total, what is unreserved; to channels
    that respect safety stock, what is unreserved above it."""
    arrays = wave.arrays
    n_nodes = arrays.network.arrays.n_nodes
    sku = shipped.line_sku_row
    node = shipped.node[shipped.line_shipment]
    respects = arrays.respects_safety[shipped.row[shipped.line_shipment]]
    positions, where = np.unique(sku * n_nodes + node, return_inverse=True)
    total = np.zeros(positions.size, dtype=np.int64)
    np.add.at(total, where, shipped.line_quantity)
    remote = np.zeros(positions.size, dtype=np.int64)
    np.add.at(remote, where[respects], shipped.line_quantity[respects])
    free = state.spare[0].reshape(-1)[positions]
    above_safety = np.maximum(state.spare[1].reshape(-1)[positions], 0)
    over = np.flatnonzero((total > free) | (remote > above_safety))
    if over.size:
        line = int(np.flatnonzero(where == over[0])[0])
        position = int(over[0])
        _fail(
            policy,
            "STOCK",
            wave,
            shipped,
            int(shipped.line_shipment[line]),
            f"{int(total[position])} units of sku {shipped.line_skus[line]!r} "
            f"({int(remote[position])} to channels that respect safety stock), but only "
            f"{max(int(free[position]), 0)} unreserved ({int(above_safety[position])} "
            "above safety stock)",
        )


def verify_on_time(wave: Wave, shipped: Shipped, on_time: BoolArray, policy: str) -> None:
    """Raise :class:`PolicyRuleError` (rule ``LATE``) for the first shipment whose
    dates break its order's time rules (``on_time[i]`` False for shipment ``i``)."""
    late = np.flatnonzero(~on_time)
    if late.size:
        _fail(
            policy,
            "LATE",
            wave,
            shipped,
            int(late[0]),
            "it cannot be made within the horizon, dispatched today for a same-day "
            "level, or delivered by the order's deliver_by",
        )

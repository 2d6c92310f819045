"""Parcel prices of a window of orders against every node at once, vectorized.

The rule is ``_parcels``'s; this prices it as arrays: an order that fits in one
parcel (the common case) is priced for every node by one gather per carrier
service, and which lines cannot leave which node is read off each item's reach.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import attrs
import numpy as np

from .._core.bands import band_index
from .._types import BoolArray, FloatArray, IntArray, read_only
from ._parcels import GRAMS_PER_KG, Item, LevelTables, Packed, _cents, pack


@attrs.frozen(kw_only=True, eq=False)
class ItemArrays:
    """Items (one per SKU of a call) as arrays, shape (n_items,) each."""

    items: tuple[Item, ...]
    grams: IntArray
    volume: IntArray
    side: FloatArray
    alone: BoolArray

    @classmethod
    def of(cls, items: Sequence[Item]) -> ItemArrays:
        """The arrays of ``items``."""
        return cls(
            items=tuple(items),
            grams=read_only(np.array([i.grams for i in items], dtype=np.int64)),
            volume=read_only(np.array([i.volume_cm3 for i in items], dtype=np.int64)),
            side=read_only(np.array([i.side_cm for i in items], dtype=np.float64)),
            alone=read_only(np.array([i.alone for i in items], dtype=np.bool_)),
        )


def lone_cents(
    tables: LevelTables, grams: IntArray, volume: IntArray, side: FloatArray, km: FloatArray
) -> FloatArray:
    """The lowest price (hundredths, ``inf``: no service takes it) of parcels of
    ``grams``, ``volume`` (cm³) and longest ``side`` (cm), shape (n,) each, at ``km``,
    shape (n, n_nodes); ``_parcels._cheapest`` for many parcels and nodes at once."""
    best = _band_quotes(tables, grams, volume, side)[0]
    return np.take_along_axis(best, band_index(tables.bounds, km), axis=1)


def quotes(
    tables: LevelTables, grams: IntArray, volume: IntArray, side: FloatArray, km: FloatArray
) -> tuple[FloatArray, IntArray, FloatArray]:
    """:func:`lone_cents`, the service that gives each price (-1: none) and the billable
    kg it bills, each shape of ``km``."""
    best, who, billed = _band_quotes(tables, grams, volume, side)
    band = band_index(tables.bounds, km)
    return (
        np.take_along_axis(best, band, axis=1),
        np.take_along_axis(who, band, axis=1),
        np.take_along_axis(billed, band, axis=1),
    )


def _band_quotes(
    tables: LevelTables, grams: IntArray, volume: IntArray, side: FloatArray
) -> tuple[FloatArray, IntArray, FloatArray]:
    """The lowest price (hundredths), its service and billable kg of each parcel in each
    distance band of ``tables``, shape (n, n_bands) each: the work per service is done
    per band, not per node."""
    shape = (grams.size, tables.bounds.size + 1)
    best = np.full(shape, math.inf)
    who = np.full(shape, -1, dtype=np.int64)
    billed = np.zeros(shape)
    for index, (service, zone_of) in enumerate(zip(tables.services, tables.zone_of, strict=True)):
        billable = np.maximum(grams / GRAMS_PER_KG, volume / service.divisor)
        steps = service.steps
        step = band_index(steps, billable)
        last = steps.size - 1
        over = step > last
        kg = steps[np.minimum(step, last)]
        zone = np.maximum(zone_of, 0)[None, :]
        cents = service.cents[zone, np.minimum(step, last)[:, None]]
        if over.any():
            rows = np.flatnonzero(over)
            extra = np.ceil(billable[rows] - steps[last])
            kg[rows] = steps[last] + extra
            price = (service.table[zone, last] + service.beyond * extra[:, None]) * (
                1.0 + service.fuel
            ) + service.surcharge
            cents[rows] = _cents(price)
        takes = (grams <= service.max_grams) & (side <= service.max_side_cm)
        cents[~takes] = math.inf
        cents[:, zone_of < 0] = math.inf
        better = cents < best
        best[better] = cents[better]
        who[better] = index
        billed[better] = np.broadcast_to(kg[:, None], shape)[better]
    return best, who, billed


@attrs.frozen(kw_only=True, eq=False)
class LoneReach:
    """How far one unit of each item travels alone with a level's services.

    Along a line from the node, the services' zone bounds and reaches cut the
    distances into intervals on which a lone unit either travels or not. An item
    is *simple* when it travels on ``[0, reach_km]`` and nowhere beyond; a gap in a
    table can make an item travel near and far but not in between.
    """

    reach_km: FloatArray
    """Farthest km of the first stretch it travels (-1: not even at the node), (n_items,)."""
    simple: BoolArray
    """Whether it travels exactly up to ``reach_km``, shape (n_items,)."""

    @classmethod
    def of(cls, tables: LevelTables, items: ItemArrays) -> LoneReach:
        """Each item's reach with ``tables``' services."""
        bounds = {0.0}
        for service in tables.services:
            bounds.update(service.zones.tolist())
            if math.isfinite(service.reach_km):
                bounds.add(service.reach_km)
        points = np.array(sorted(bounds))
        n = items.grams.size
        travels = np.isfinite(
            lone_cents(
                tables,
                items.grams,
                items.volume,
                items.side,
                np.broadcast_to(points, (n, points.size)),
            )
        )
        # travels[:, j] holds on (points[j - 1], points[j]]; past the last point no
        # service has a zone.
        stops = np.where(travels.all(axis=1), points.size, np.argmin(travels, axis=1))
        reach = np.where(stops > 0, points[np.maximum(stops - 1, 0)], -1.0)
        after = np.arange(points.size)[None, :] >= stops[:, None]
        simple = np.asarray(~(travels & after).any(axis=1), dtype=np.bool_)
        return cls(reach_km=read_only(reach), simple=read_only(simple))


def unshippable(
    tables: LevelTables, items: ItemArrays, reach: LoneReach, item: IntArray, km: FloatArray
) -> BoolArray:
    """Whether one unit of each ``item`` (positions in ``items``), shape (n,), cannot
    travel alone ``km`` away, shape (n, n_nodes)."""
    out = km > reach.reach_km[item][:, None]
    odd = np.flatnonzero(~reach.simple[item])
    if odd.size:
        at = item[odd]
        out[odd] = np.isinf(
            lone_cents(tables, items.grams[at], items.volume[at], items.side[at], km[odd])
        )
    return out


Packings = dict[int, list[Packed[int]]]
"""Packings of whole orders worked out while scoring windows, by the call's order row,
so that shipments decided whole are priced without packing them again."""


@attrs.frozen(kw_only=True, eq=False)
class WindowParcels:
    """Parcel prices of a window of orders against every node."""

    priced: BoolArray
    """Whether carrier services price each order, shape (n_orders,)."""
    shipping: FloatArray
    """Carrier price (currency) of each priced order's units that the node can ship
    (0 at a node that may not serve the order and cannot ship all of them), 0 for
    other orders, shape (n_orders, n_nodes)."""
    unshippable: BoolArray | None
    """Whether a unit of each line cannot be shipped alone from each node, shape
    (n_lines, n_nodes), on the statically eligible nodes only; None when no line is."""


@attrs.frozen(kw_only=True)
class WindowLines:
    """The lines of a window's orders: item (position in the call's items), units and
    order (position in the window), shape (n_lines,) each, grouped by order."""

    item: IntArray
    units: IntArray
    row: IntArray


def window_parcels(
    tables: Sequence[LevelTables | None],
    reach: Sequence[LoneReach | None],
    items: ItemArrays,
    level: IntArray,
    priced: BoolArray,
    lines: WindowLines,
    km: FloatArray,
    static: BoolArray,
    order_rows: IntArray,
    packings: Packings,
) -> WindowParcels:
    """Parcel prices of orders with service ``level`` codes (indices into ``tables``
    and ``reach``), ``priced`` by carriers, at ``km`` (n_orders, n_nodes); ``static``
    the hard rules other than stock, capacity and time, shape (n_orders, n_nodes).
    Orders packed into several parcels leave their packing in ``packings``, under
    their ``order_rows`` (the call's row of each order), shape (n_orders,)."""
    shipping = np.zeros(km.shape)
    unshippable_lines = np.zeros((lines.item.size, km.shape[1]), dtype=np.bool_)
    for code in np.unique(level[priced]).tolist():
        level_tables, level_reach = tables[code], reach[code]
        assert level_tables is not None
        assert level_reach is not None
        rows = np.flatnonzero(priced & (level == code))
        mine = np.flatnonzero(np.isin(lines.row, rows))
        cents, packed = _order_cents(level_tables, items, lines, mine, rows, km, static)
        packings.update((int(order_rows[rows[at]]), packing) for at, packing in packed.items())
        cents[np.isinf(cents) & ~static[rows]] = 0.0  # nodes that may not serve anyway
        owner = lines.row[mine]
        out = unshippable(level_tables, items, level_reach, lines.item[mine], km[owner])
        out &= static[owner]
        if out.any():
            unshippable_lines[mine] = out
            _price_shippable(level_tables, items, lines, mine, out, rows, km, cents)
        shipping[rows] = cents / 100
    return WindowParcels(
        priced=priced,
        shipping=read_only(shipping),
        unshippable=read_only(unshippable_lines) if unshippable_lines.any() else None,
    )


def _order_cents(
    tables: LevelTables,
    items: ItemArrays,
    lines: WindowLines,
    mine: IntArray,
    rows: IntArray,
    km: FloatArray,
    static: BoolArray,
) -> tuple[FloatArray, dict[int, list[Packed[int]]]]:
    """The price (hundredths) of shipping each order ``rows`` whole from each node,
    shape (n_rows, n_nodes); ``mine`` are their lines. ``inf`` where a parcel cannot
    travel even unpacked, or (not worked out) where a node may not serve the order
    (``static`` False). Prices are whole hundredths: they add up exactly (below
    2**53) in any order. Also the packing of each order (by position in ``rows``) that
    takes several parcels."""
    item, units, owner = lines.item[mine], lines.units[mine], lines.row[mine]
    # Lines are grouped by order: each order's lines are one slice of ``mine``.
    first, stop = _spans(owner, rows)
    weight = units.astype(np.float64)
    grams = np.add.reduceat(items.grams[item] * weight, first)
    volume = np.add.reduceat(items.volume[item] * weight, first)
    count = np.add.reduceat(weight, first)
    side = np.maximum.reduceat(items.side[item], first)
    alone = np.logical_or.reduceat(items.alone[item], first)
    single = np.flatnonzero((grams <= tables.pack_grams) & ~alone)
    total = np.zeros((rows.size, km.shape[1]))
    total[single] = lone_cents(
        tables,
        grams[single].astype(np.int64),
        volume[single].astype(np.int64),
        side[single],
        km[rows[single]],
    )
    # A parcel of several units no service takes travels unpacked, where it matters.
    several_units = single[count[single] > 1]
    gap = np.isinf(total[several_units]) & static[rows[several_units]]
    for position in np.flatnonzero(gap.any(axis=1)).tolist():
        at = int(several_units[position])
        where = np.flatnonzero(gap[position])
        content = _content(lines, mine[first[at] : stop[at]])
        total[at, where] = _unpacked_cents(tables, items, content, km[rows[at], where])
    # The other orders are packed one by one, and their parcels priced all at once.
    by_item = dict(enumerate(items.items))
    packings: dict[int, list[Packed[int]]] = {}
    owners: list[int] = []
    packed: list[tuple[int, int, float]] = []
    contents: list[list[tuple[int, int]]] = []
    for at in np.setdiff1d(np.arange(rows.size), single, assume_unique=True).tolist():
        content = _content(lines, mine[first[at] : stop[at]])
        packing = pack(content, by_item, tables.pack_grams)
        packings[at] = packing
        for parcel in packing:
            owners.append(at)
            packed.append((parcel.grams, parcel.volume_cm3, parcel.side_cm))
            contents.append(list(parcel.units.items()))
    if owners:
        owner_of = np.array(owners, dtype=np.int64)
        shape = np.array(packed, dtype=np.float64)
        cents = lone_cents(
            tables,
            shape[:, 0].astype(np.int64),
            shape[:, 1].astype(np.int64),
            shape[:, 2],
            km[rows[owner_of]],
        )
        for index, content in enumerate(contents):
            at = owners[index]
            gaps = np.flatnonzero(np.isinf(cents[index]) & static[rows[at]])
            if gaps.size and sum(n for _, n in content) > 1:
                cents[index, gaps] = _unpacked_cents(tables, items, content, km[rows[at], gaps])
        np.add.at(total, owner_of, cents)
    return total, packings


def _spans(owner: IntArray, rows: IntArray) -> tuple[IntArray, IntArray]:
    """Where each order of ``rows`` starts and stops among lines grouped by order
    (``owner``, ascending), each shape (n_rows,)."""
    return np.searchsorted(owner, rows, "left"), np.searchsorted(owner, rows, "right")


def _content(lines: WindowLines, at: IntArray) -> list[tuple[int, int]]:
    """Lines ``at`` as (item, units)."""
    return list(zip(lines.item[at].tolist(), lines.units[at].tolist(), strict=True))


def _packed_cents(
    tables: LevelTables, items: ItemArrays, content: Sequence[tuple[int, int]], km: FloatArray
) -> FloatArray:
    """The price (hundredths) of ``content`` (item, units) packed and sent ``km``,
    shape (n_nodes,) for ``km`` of shape (n_nodes,)."""
    parcels = pack(content, dict(enumerate(items.items)), tables.pack_grams)
    cents = lone_cents(
        tables,
        np.array([p.grams for p in parcels], dtype=np.int64),
        np.array([p.volume_cm3 for p in parcels], dtype=np.int64),
        np.array([p.side_cm for p in parcels], dtype=np.float64),
        np.broadcast_to(km, (len(parcels), km.size)),
    )
    for index, parcel in enumerate(parcels):
        if sum(parcel.units.values()) > 1 and np.isinf(cents[index]).any():
            unpacked = _unpacked_cents(tables, items, list(parcel.units.items()), km)
            cents[index] = np.where(np.isinf(cents[index]), unpacked, cents[index])
    total: FloatArray = cents.sum(axis=0)
    return total


def _unpacked_cents(
    tables: LevelTables, items: ItemArrays, content: Sequence[tuple[int, int]], km: FloatArray
) -> FloatArray:
    """The price (hundredths) of ``content`` (item, units) sent one unit per parcel,
    ``km`` away, shape (n_nodes,)."""
    item = np.array([i for i, _ in content], dtype=np.int64)
    count = np.array([n for _, n in content], dtype=np.float64)
    lone = lone_cents(
        tables,
        items.grams[item],
        items.volume[item],
        items.side[item],
        np.broadcast_to(km, (item.size, km.size)),
    )
    total: FloatArray = (lone * count[:, None]).sum(axis=0)
    return total


def _price_shippable(
    tables: LevelTables,
    items: ItemArrays,
    lines: WindowLines,
    mine: IntArray,
    out: BoolArray,
    rows: IntArray,
    km: FloatArray,
    cents: FloatArray,
) -> None:
    """Where some unit of an order cannot leave a node alone, price at that node only
    the lines that can (0 if none can): into ``cents`` (n_rows, n_nodes), hundredths.
    ``out`` says which of the lines ``mine`` cannot leave which node."""
    owner = lines.row[mine]
    first, stop = _spans(owner, rows)
    gone_count = np.add.reduceat(out.astype(np.int64), first, axis=0)
    lines_of = (stop - first)[:, None]
    cents[gone_count == lines_of] = 0.0  # nothing can leave: nothing ships from there
    partly = (gone_count > 0) & (gone_count < lines_of)
    for at in np.flatnonzero(partly.any(axis=1)).tolist():
        row = int(rows[at])
        gone = out[first[at] : stop[at]]
        nodes = np.flatnonzero(partly[at])
        # Nodes where the same lines are kept share one packing.
        patterns, group = np.unique(gone[:, nodes].T, axis=0, return_inverse=True)
        for index, pattern in enumerate(patterns):
            where = nodes[np.asarray(group).reshape(-1) == index]
            kept = mine[first[at] : stop[at]][~pattern]
            cents[at, where] = _packed_cents(tables, items, _content(lines, kept), km[row, where])

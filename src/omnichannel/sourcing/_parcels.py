"""Parcel prices: units packed into parcels, each priced by the cheapest carrier service.

The rule (the reference, ``reference/_parcels.py``, states it unit by unit):

- Weights count in whole grams and volumes in whole cm³ (each rounded to the
  nearest), so packing and dimensional weight never depend on summation order.
- A shipment's units are packed first-fit decreasing by weight (ties keep line
  order) into parcels of at most the level's packing limit: the smallest
  ``max_parcel_kg`` of its carrier services. ``ship_alone`` units, and units
  heavier than that limit, travel in a parcel each.
- Each parcel goes with the service that prices it lowest (ties: the first in
  ``CostModel.carriers``), among those that take it: none of its units heavier than
  the service's ``max_parcel_kg`` or longer than its ``max_parcel_cm``, the node
  within the service's reach, and a price in the table at that zone and billable
  weight. A parcel price is rounded to hundredths of the currency (half to even);
  a price above 1e12 is no price.
- A parcel of several units that no service takes is unpacked: its units travel
  in a parcel each. A unit no service takes alone is *unshippable* from that node.

The engine prices whole shipments here one at a time (:func:`price_shipment`), and
the whole order against every node of a window at once (:func:`order_cents`).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping, Sequence
from typing import Generic, TypeVar

import attrs
import numpy as np

from .._core.bands import band_index
from .._domain import validators as v
from .._domain.carriers import CarrierService, Parcel
from .._domain.enums import ServiceLevel
from .._domain.network import Network
from .._domain.orders import OrderLine
from .._types import BoolArray, FloatArray, IntArray, read_only

GRAMS_PER_KG = 1000


@attrs.frozen(kw_only=True, eq=False)
class Item:
    """One unit of a SKU as packing sees it."""

    grams: int
    """Weight (g)."""
    volume_cm3: int
    """Volume (cm³), 0 when the dimensions are unknown."""
    side_cm: float
    """Longest side (cm), 0 when the dimensions are unknown."""
    alone: bool
    """Whether it travels in a parcel of its own."""


def catalogue_items(network: Network) -> Mapping[str, Item]:
    """Every catalogue SKU's :class:`Item`; empty without a catalogue. Once per network."""
    catalogue = network.catalogue
    if catalogue is None:
        return {}
    return {
        p.sku: Item(
            grams=round(p.weight_kg * GRAMS_PER_KG),
            volume_cm3=round(p.volume_cm3),
            side_cm=p.longest_side_cm,
            alone=p.ship_alone,
        )
        for p in catalogue.products
    }


@attrs.frozen(kw_only=True, eq=False)
class ServiceTable:
    """One carrier service's table as arrays; prices in hundredths of the currency."""

    name: str
    zones: FloatArray
    """Zone bounds (km), ascending, shape (n_zones,)."""
    steps: FloatArray
    """Billable weight steps (kg), ascending, shape (n_steps,)."""
    table: FloatArray
    """Table price (currency), ``inf`` where there is none, shape (n_zones, n_steps)."""
    cents: FloatArray
    """Parcel price of each cell, surcharges included, in hundredths (whole numbers),
    ``inf`` where there is none, shape (n_zones, n_steps)."""
    beyond: float
    """Currency per started kg above the last step; ``inf``: no such parcels."""
    divisor: float
    """cm³ per kg of dimensional weight."""
    max_grams: int
    """Heaviest unit the service takes (g)."""
    max_side_cm: float
    """Longest unit side the service takes (cm), ``inf`` for no limit."""
    fuel: float
    surcharge: float
    reach_km: float
    """Farthest km the service delivers."""
    zone_list: list[float]
    step_list: list[float]
    table_rows: list[list[float]]
    cents_rows: list[list[float]]
    """The same, as lists: one parcel at a time is priced in plain Python."""


def _service_table(service: CarrierService) -> ServiceTable:
    table = np.array(
        [[math.inf if p is None else p for p in row] for row in service.prices], dtype=np.float64
    )
    cents = _cents(table * (1.0 + service.fuel_surcharge) + service.per_parcel_surcharge)
    return ServiceTable(
        name=service.name,
        zones=read_only(np.array(service.zones, dtype=np.float64)),
        steps=read_only(np.array(service.weight_steps_kg, dtype=np.float64)),
        table=read_only(table),
        cents=read_only(
            _cents(table * (1.0 + service.fuel_surcharge) + service.per_parcel_surcharge)
        ),
        beyond=math.inf if service.per_kg_beyond is None else service.per_kg_beyond,
        divisor=service.dim_divisor_cm3_per_kg,
        max_grams=round(service.max_parcel_kg * GRAMS_PER_KG),
        max_side_cm=math.inf if service.max_parcel_cm is None else service.max_parcel_cm,
        fuel=service.fuel_surcharge,
        surcharge=service.per_parcel_surcharge,
        reach_km=service.reach_km,
        zone_list=list(service.zones),
        step_list=list(service.weight_steps_kg),
        table_rows=table.tolist(),
        cents_rows=cents.tolist(),
    )


def _cents(price: FloatArray) -> FloatArray:
    """Prices (currency) in whole hundredths, half to even; ``inf`` above 1e12."""
    return np.where(price <= v.MAX_AMOUNT, np.rint(price * 100.0), math.inf)


@attrs.frozen(kw_only=True, eq=False)
class LevelTables:
    """The carrier services of one service level, in ``CostModel.carriers`` order."""

    services: tuple[ServiceTable, ...]
    pack_grams: int
    """The packing limit (g): the smallest ``max_parcel_kg`` of the services."""


def level_tables(network: Network) -> Mapping[ServiceLevel, LevelTables]:
    """Each service level priced by carriers, and its services; once per network."""
    by_level: dict[ServiceLevel, list[ServiceTable]] = {}
    for service in network.costs.carriers:
        by_level.setdefault(service.service_level, []).append(_service_table(service))
    return {
        level: LevelTables(services=tuple(tables), pack_grams=min(t.max_grams for t in tables))
        for level, tables in by_level.items()
    }


Key = TypeVar("Key", str, int)
"""What names an item while packing: its SKU, or its position in a list of items."""


@attrs.define(kw_only=True, eq=False)
class Packed(Generic[Key]):
    """A parcel being packed: its weight, volume, longest side and units by item."""

    grams: int = 0
    volume_cm3: int = 0
    side_cm: float = 0.0
    units: dict[Key, int] = attrs.field(factory=dict)

    def add(self, sku: Key, item: Item, count: int) -> None:
        """Put ``count`` units of ``sku`` in the parcel."""
        self.grams += item.grams * count
        self.volume_cm3 += item.volume_cm3 * count
        self.side_cm = max(self.side_cm, item.side_cm)
        self.units[sku] = self.units.get(sku, 0) + count


def pack(
    lines: Sequence[tuple[Key, int]], items: Mapping[Key, Item], limit: int
) -> list[Packed[Key]]:
    """First-fit decreasing by weight of ``lines`` (sku, units) within ``limit`` grams.

    Identical units go together: first fit puts as many as fit in each open parcel
    in turn, then fills new ones, exactly as placing them one at a time would.
    """
    order = sorted(range(len(lines)), key=lambda i: -items[lines[i][0]].grams)
    parcels: list[Packed[Key]] = []
    open_: list[Packed[Key]] = []
    for index in order:
        sku, count = lines[index]
        item: Item = items[sku]
        if item.alone or item.grams > limit:
            for _ in range(count):
                parcel: Packed[Key] = Packed()
                parcel.add(sku, item, 1)
                parcels.append(parcel)
            continue
        for parcel in open_:
            if count == 0:
                break
            fits = count if item.grams == 0 else min(count, (limit - parcel.grams) // item.grams)
            if fits > 0:
                parcel.add(sku, item, fits)
                count -= fits
        while count:
            fits = count if item.grams == 0 else min(count, limit // item.grams)
            parcel = Packed()
            parcel.add(sku, item, fits)
            parcels.append(parcel)
            open_.append(parcel)
            count -= fits
    return parcels


def _billable(service: ServiceTable, grams: int, volume_cm3: int) -> float:
    return max(grams / GRAMS_PER_KG, volume_cm3 / service.divisor)


def quote(
    service: ServiceTable, grams: int, volume_cm3: int, side_cm: float, km: float
) -> tuple[float, float]:
    """The service's price of one parcel (hundredths, ``inf``: it does not take it) and
    its billable weight (kg, the step it bills at)."""
    if grams > service.max_grams or side_cm > service.max_side_cm or km > service.reach_km:
        return math.inf, 0.0
    zone = bisect.bisect_left(service.zone_list, km)  # as band_index: first bound >= km
    if zone >= len(service.zone_list):
        return math.inf, 0.0
    billable = _billable(service, grams, volume_cm3)
    steps = service.step_list
    step = bisect.bisect_left(steps, billable)
    if step < len(steps):
        return service.cents_rows[zone][step], steps[step]
    extra_kg = math.ceil(billable - steps[-1])
    price = (service.table_rows[zone][-1] + service.beyond * extra_kg) * (
        1.0 + service.fuel
    ) + service.surcharge
    cents = float(round(price * 100.0)) if price <= v.MAX_AMOUNT else math.inf
    return cents, steps[-1] + extra_kg


def _cheapest(
    tables: LevelTables, grams: int, volume_cm3: int, side_cm: float, km: float
) -> tuple[float, int, float]:
    """The lowest price (hundredths), the service index and the billable kg of a parcel;
    ``inf`` and -1 when no service takes it."""
    best, who, billable = math.inf, -1, 0.0
    for index, service in enumerate(tables.services):
        cents, kg = quote(service, grams, volume_cm3, side_cm, km)
        if cents < best:
            best, who, billable = cents, index, kg
    return best, who, billable


def _shipped(
    tables: LevelTables, items: Mapping[Key, Item], lines: Sequence[tuple[Key, int]], km: float
) -> list[tuple[Packed[Key], float, int, float]] | None:
    """Each parcel of ``lines`` (item, units) sent ``km``: its content, price
    (hundredths), service index and billable kg; None if a unit cannot go alone."""
    shipped: list[tuple[Packed[Key], float, int, float]] = []
    for packed in pack(lines, items, tables.pack_grams):
        cents, who, billable = _cheapest(
            tables, packed.grams, packed.volume_cm3, packed.side_cm, km
        )
        if who >= 0:
            shipped.append((packed, cents, who, billable))
            continue
        for key, count in packed.units.items():
            item = items[key]
            cents, who, billable = _cheapest(tables, item.grams, item.volume_cm3, item.side_cm, km)
            if who < 0:
                return None
            lone: Packed[Key] = Packed()
            lone.add(key, item, 1)
            shipped.extend([(lone, cents, who, billable)] * count)
    return shipped


def price_shipment(
    tables: LevelTables, items: Mapping[str, Item], lines: Sequence[OrderLine], km: float
) -> tuple[float, tuple[Parcel, ...]] | None:
    """Carrier price (currency) and parcels of shipping ``lines`` ``km`` away, None if
    some unit cannot go. Prices add up exactly (whole hundredths)."""
    shipped = _shipped(tables, items, [(line.sku, line.quantity) for line in lines], km)
    if shipped is None:
        return None
    total = sum(int(cents) for _, cents, _, _ in shipped)
    return total / 100, tuple(_parcel(tables, *found) for found in shipped)


def shipment_cents(
    tables: LevelTables, items: Sequence[Item], lines: Sequence[tuple[int, int]], km: float
) -> float:
    """The price (hundredths) of ``lines`` (item position, units) sent ``km``."""
    shipped = _shipped(tables, dict(enumerate(items)), lines, km)
    assert shipped is not None, "only shippable lines are priced"
    return float(sum(int(cents) for _, cents, _, _ in shipped))


def _parcel(
    tables: LevelTables, packed: Packed[str], cents: float, who: int, billable: float
) -> Parcel:
    return Parcel(
        carrier=tables.services[who].name,
        weight_kg=packed.grams / GRAMS_PER_KG,
        billable_kg=billable,
        units=tuple(OrderLine(sku=sku, quantity=n) for sku, n in packed.units.items()),
        cost=cents / 100,
    )


def lone_cents(
    tables: LevelTables, grams: IntArray, volume: IntArray, side: FloatArray, km: FloatArray
) -> FloatArray:
    """The lowest price (hundredths, ``inf``: no service takes it) of parcels of
    ``grams``, ``volume`` and longest ``side``, shape (n,) each, at ``km``, shape
    (n, n_nodes); vectorized :func:`_cheapest`."""
    best = np.full(km.shape, math.inf)
    for service in tables.services:
        billable = np.maximum(grams / GRAMS_PER_KG, volume / service.divisor)
        steps = service.steps
        step = band_index(steps, billable)
        last = steps.size - 1
        over = step > last
        zone = band_index(service.zones, km)
        within = (zone < service.zones.size) & (km <= service.reach_km)
        zone = np.minimum(zone, service.zones.size - 1)
        cents = service.cents[zone, np.minimum(step, last)[:, None]]
        if over.any():
            rows = np.flatnonzero(over)
            extra = np.ceil(billable[rows] - steps[last])
            price = (service.table[zone[rows], last] + service.beyond * extra[:, None]) * (
                1.0 + service.fuel
            ) + service.surcharge
            cents[rows] = _cents(price)
        takes = (grams <= service.max_grams) & (side <= service.max_side_cm)
        cents = np.where(within & takes[:, None], cents, math.inf)
        np.minimum(best, cents, out=best)
    return best


def unshippable_items(tables: LevelTables, items: Sequence[Item], km: FloatArray) -> BoolArray:
    """Whether a unit of each of ``items`` cannot be shipped alone ``km`` away, shape
    (n_items, n_nodes) for ``km`` of shape (n_nodes,)."""
    grams = np.array([i.grams for i in items], dtype=np.int64)
    volume = np.array([i.volume_cm3 for i in items], dtype=np.int64)
    side = np.array([i.side_cm for i in items], dtype=np.float64)
    km2 = np.broadcast_to(km, (len(items), km.size))
    return np.isinf(lone_cents(tables, grams, volume, side, km2))


def order_cents(
    tables: LevelTables,
    items: Sequence[Item],
    lines: Sequence[Sequence[tuple[int, int]]],
    km: FloatArray,
) -> FloatArray:
    """The price (hundredths; ``inf`` where a parcel cannot travel even unpacked) of
    shipping each order whole from each node: ``lines[o]`` are order ``o``'s (item position, units),
    ``km`` its distances, shape (n_orders, n_nodes). Parcels add up in their order.

    An order that fits in one parcel (the common case) is priced for every node at
    once; the others are packed one by one.
    """
    n_orders, n_nodes = km.shape
    total = np.zeros((n_orders, n_nodes))
    limit = tables.pack_grams
    single: list[int] = []
    packed_of: dict[int, list[Packed[int]]] = {}
    for row, order_lines in enumerate(lines):
        weight = sum(items[i].grams * n for i, n in order_lines)
        if weight <= limit and not any(items[i].alone for i, _ in order_lines):
            single.append(row)
        else:
            packed_of[row] = pack(order_lines, dict(enumerate(items)), limit)
    if single:
        rows = np.array(single, dtype=np.int64)
        g = np.array([sum(items[i].grams * n for i, n in lines[r]) for r in single], np.int64)
        vol = np.array(
            [sum(items[i].volume_cm3 * n for i, n in lines[r]) for r in single], np.int64
        )
        side = np.array([max(items[i].side_cm for i, _ in lines[r]) for r in single], np.float64)
        cents = lone_cents(tables, g, vol, side, km[rows])
        several = np.array([sum(n for _, n in lines[r]) > 1 for r in single], np.bool_)
        gap = np.isinf(cents) & several[:, None]
        if gap.any():
            for position in np.flatnonzero(gap.any(axis=1)).tolist():
                row = single[position]
                unpacked = _unpacked_cents(tables, items, lines[row], km[row])
                cents[position] = np.where(gap[position], unpacked, cents[position])
        total[rows] = cents
    for row, parcels in packed_of.items():
        for parcel in parcels:
            cents = lone_cents(
                tables,
                np.array([parcel.grams]),
                np.array([parcel.volume_cm3]),
                np.array([parcel.side_cm]),
                km[row][None, :],
            )[0]
            if sum(parcel.units.values()) > 1 and np.isinf(cents).any():
                content = list(parcel.units.items())
                cents = np.where(
                    np.isinf(cents), _unpacked_cents(tables, items, content, km[row]), cents
                )
            total[row] += cents
    return total


def _unpacked_cents(
    tables: LevelTables, items: Sequence[Item], content: Sequence[tuple[int, int]], km: FloatArray
) -> FloatArray:
    """The price (hundredths) of ``content`` (item position, units) sent one unit per
    parcel, at ``km``, shape (n_nodes,); parcels add up in their order."""
    unit = [items[i] for i, _ in content]
    lone = lone_cents(
        tables,
        np.array([u.grams for u in unit], np.int64),
        np.array([u.volume_cm3 for u in unit], np.int64),
        np.array([u.side_cm for u in unit], np.float64),
        np.broadcast_to(km, (len(unit), km.size)),
    )
    # Whole hundredths: exact in float64 below 2**53, so counts multiply exactly.
    total = np.zeros(km.size)
    for (_, count), cents in zip(content, lone, strict=True):
        total += cents * count
    return total


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


def window_parcels(
    tables: Sequence[LevelTables | None],
    items: Sequence[Item],
    level: IntArray,
    priced: BoolArray,
    lines: Sequence[Sequence[tuple[int, int]]],
    line_start: IntArray,
    km: FloatArray,
    static: BoolArray,
) -> WindowParcels:
    """Parcel prices of orders with service ``level`` codes (indices into ``tables``),
    ``priced`` by carriers, lines ``lines[o]`` (item position, units) starting at
    ``line_start[o]`` among the window's lines, at ``km`` (n_orders, n_nodes);
    ``static`` the hard rules other than stock, capacity and time."""
    shipping = np.zeros(km.shape)
    n_lines = int(line_start[-1])
    unshippable = np.zeros((n_lines, km.shape[1]), dtype=np.bool_)
    for code in np.unique(level[priced]).tolist():
        level_tables = tables[code]
        assert level_tables is not None
        rows = np.flatnonzero(priced & (level == code))
        cents = order_cents(level_tables, items, [lines[r] for r in rows.tolist()], km[rows])
        cents[np.isinf(cents) & ~static[rows]] = 0.0  # nodes that may not serve anyway
        spans = [np.arange(line_start[r], line_start[r + 1]) for r in rows.tolist()]
        at = np.concatenate(spans)
        owner = np.repeat(np.arange(rows.size), [span.size for span in spans])
        unit = [items[i] for r in rows.tolist() for i, _ in lines[r]]
        out = (
            np.isinf(
                lone_cents(
                    level_tables,
                    np.array([u.grams for u in unit], dtype=np.int64),
                    np.array([u.volume_cm3 for u in unit], dtype=np.int64),
                    np.array([u.side_cm for u in unit], dtype=np.float64),
                    km[rows[owner]],
                )
            )
            & static[rows[owner]]
        )
        unshippable[at] = out
        if out.any():
            short = np.zeros((rows.size, km.shape[1]), dtype=np.bool_)
            np.logical_or.at(short, owner, out)
            # Some unit cannot leave the node alone: the order ships only its other lines.
            for position, node in zip(*np.nonzero(short), strict=True):
                row = int(rows[position])
                mask = out[owner == position][:, node]
                kept = [line for line, gone in zip(lines[row], mask, strict=True) if not gone]
                cents[position, node] = (
                    shipment_cents(level_tables, items, kept, float(km[row, node])) if kept else 0.0
                )
        shipping[rows] = cents / 100
    return WindowParcels(
        priced=priced,
        shipping=read_only(shipping),
        unshippable=read_only(unshippable) if unshippable.any() else None,
    )

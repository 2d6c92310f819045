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

The engine prices decided shipments here one at a time (:func:`price_shipment`);
``_parcel_window`` prices whole orders against every node of a window at once.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import Generic, TypeVar

import attrs
import numpy as np

from .._core.bands import band_index
from .._domain import validators as v
from .._domain.carriers import CarrierQuote, CarrierService, Parcel, ParcelQuotes
from .._domain.enums import ServiceLevel
from .._domain.network import Network
from .._domain.orders import OrderLine
from .._types import FloatArray, IntArray, read_only

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
    """The carrier services of one service level, in ``CostModel.carriers`` order.

    ``bounds`` cut distances into bands on which every service's zone is the same:
    band ``b`` is ``(bounds[b - 1], bounds[b]]`` (band 0 from 0 km, the last band
    past every bound), and ``zone_of[s][b]`` is service ``s``'s zone there, -1 where
    it does not go. One look-up of a distance's band then serves every service.
    """

    services: tuple[ServiceTable, ...]
    pack_grams: int
    """The packing limit (g): the smallest ``max_parcel_kg`` of the services."""
    bounds: FloatArray
    """Every service's zone bounds and reach (km), ascending, shape (n_bounds,)."""
    zone_of: tuple[IntArray, ...]
    """Each service's zone in each band, -1 beyond its reach, shape (n_bounds + 1,)."""


def _level(services: tuple[ServiceTable, ...]) -> LevelTables:
    cuts = {b for s in services for b in s.zone_list}
    cuts.update(s.reach_km for s in services if math.isfinite(s.reach_km))
    bounds = np.array(sorted(cuts), dtype=np.float64)
    zone_of = []
    for s in services:
        at = np.append(bounds, math.inf)  # a band's farthest distance stands for it
        zone = band_index(s.zones, at)
        zone_of.append(read_only(np.where((zone < s.zones.size) & (at <= s.reach_km), zone, -1)))
    return LevelTables(
        services=services,
        pack_grams=min(s.max_grams for s in services),
        bounds=read_only(bounds),
        zone_of=tuple(zone_of),
    )


def level_tables(network: Network) -> Mapping[ServiceLevel, LevelTables]:
    """Each service level priced by carriers, and its services; once per network."""
    by_level: dict[ServiceLevel, list[ServiceTable]] = {}
    for service in network.costs.carriers:
        by_level.setdefault(service.service_level, []).append(_service_table(service))
    return {level: _level(tuple(tables)) for level, tables in by_level.items()}


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
    tables: LevelTables, items: Mapping[Key, Item], parcels: Sequence[Packed[Key]], km: float
) -> list[tuple[Packed[Key], float, int, float]] | None:
    """Each of the packed ``parcels`` sent ``km`` (unpacked where no service takes it):
    its content, price (hundredths), service index and billable kg; None if a unit
    cannot go alone."""
    shipped: list[tuple[Packed[Key], float, int, float]] = []
    for packed in parcels:
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


def content_cents(
    tables: LevelTables, items: Sequence[Item], content: Sequence[tuple[int, int]], km: float
) -> float:
    """The price (hundredths) of ``content`` (item position, units) shipped ``km``, as
    :func:`price_shipment` prices it; every unit must be able to travel alone."""
    by_position = dict(enumerate(items))
    shipped = _shipped(tables, by_position, pack(content, by_position, tables.pack_grams), km)
    assert shipped is not None, "only units that can travel are priced"
    return float(sum(int(cents) for _, cents, _, _ in shipped))


def price_shipment(
    tables: LevelTables,
    items: Mapping[str, Item],
    lines: Sequence[OrderLine],
    km: float,
    packed: Sequence[Packed[str]] | None = None,
) -> tuple[float, tuple[Parcel, ...]] | None:
    """Carrier price (currency) and parcels of shipping ``lines`` ``km`` away, None if
    some unit cannot go. Prices add up exactly (whole hundredths); a parcel lists its
    units in the order of ``lines``. ``packed``: the lines already packed, if known."""
    grams = volume = 0
    side = 0.0
    alone = False
    for line in lines:
        item = items[line.sku]
        grams += item.grams * line.quantity
        volume += item.volume_cm3 * line.quantity
        side = max(side, item.side_cm)
        alone = alone or item.alone
    if grams <= tables.pack_grams and not alone:
        # Everything fits in one parcel (first fit puts every unit in the first).
        cents, who, billable = _cheapest(tables, grams, volume, side, km)
        if who >= 0:
            parcel = Parcel(
                carrier=tables.services[who].name,
                weight_kg=grams / GRAMS_PER_KG,
                billable_kg=billable,
                units=tuple(lines),
                cost=cents / 100,
            )
            return cents / 100, (parcel,)
    if packed is None:
        packed = pack([(line.sku, line.quantity) for line in lines], items, tables.pack_grams)
    shipped = _shipped(tables, items, packed, km)
    if shipped is None:
        return None
    total = sum(int(cents) for _, cents, _, _ in shipped)
    contents = _Contents(lines)
    return total / 100, tuple(
        Parcel(
            carrier=tables.services[who].name,
            weight_kg=packed.grams / GRAMS_PER_KG,
            billable_kg=billable,
            units=contents.of(packed),
            cost=cents / 100,
        )
        for packed, cents, who, billable in shipped
    )


class _Contents:
    """What parcels of one shipment hold, as lines in the order of the shipment's
    ``lines``: a parcel holding a whole line shares its ``OrderLine``, and parcels
    holding the same part of a line share one."""

    def __init__(self, lines: Sequence[OrderLine]) -> None:
        self._lines = {line.sku: line for line in lines}
        self._position = {line.sku: index for index, line in enumerate(lines)}
        self._made: dict[tuple[tuple[str, int], ...], tuple[OrderLine, ...]] = {}

    def of(self, packed: Packed[str]) -> tuple[OrderLine, ...]:
        """The lines of ``packed``."""
        key = tuple(packed.units.items())
        found = self._made.get(key)
        if found is None:
            units = sorted(key, key=lambda unit: self._position[unit[0]])
            found = tuple(
                self._lines[sku]
                if self._lines[sku].quantity == n
                else OrderLine(sku=sku, quantity=n)
                for sku, n in units
            )
            self._made[key] = found
        return found


def parcel_quotes(
    tables: LevelTables,
    items: Mapping[str, Item],
    lines: Sequence[OrderLine],
    km: float,
    delivered_by: dt.datetime | None = None,
) -> tuple[ParcelQuotes, ...]:
    """The parcels of shipping ``lines`` ``km`` away (as :func:`price_shipment` packs
    them), each with every service's quote, delivered by ``delivered_by`` with every
    service that takes it (the services of a level share the node's date); every unit
    must be shippable alone."""
    contents = _Contents(lines)
    found: list[ParcelQuotes] = []
    for packed in pack([(line.sku, line.quantity) for line in lines], items, tables.pack_grams):
        quoted = _quotes(tables, packed, km, delivered_by)
        if any(q.cost is not None for q in quoted) or sum(packed.units.values()) == 1:
            found.append(_parcel_quotes(contents, packed, quoted))
            continue
        for sku, count in packed.units.items():
            lone: Packed[str] = Packed()
            lone.add(sku, items[sku], 1)
            alone = _quotes(tables, lone, km, delivered_by)
            found.extend([_parcel_quotes(contents, lone, alone)] * count)
    return tuple(found)


def _quotes(
    tables: LevelTables, packed: Packed[str], km: float, delivered_by: dt.datetime | None
) -> tuple[CarrierQuote, ...]:
    quoted = []
    for service in tables.services:
        cents, billable = quote(service, packed.grams, packed.volume_cm3, packed.side_cm, km)
        taken = math.isfinite(cents)
        quoted.append(
            CarrierQuote(
                carrier=service.name,
                cost=cents / 100 if taken else None,
                billable_kg=billable if taken else None,
                delivered_by=delivered_by if taken else None,
            )
        )
    return tuple(quoted)


def _parcel_quotes(
    contents: _Contents, packed: Packed[str], quoted: tuple[CarrierQuote, ...]
) -> ParcelQuotes:
    return ParcelQuotes(
        units=contents.of(packed), weight_kg=packed.grams / GRAMS_PER_KG, quotes=quoted
    )

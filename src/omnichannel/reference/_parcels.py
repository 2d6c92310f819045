"""Parcel prices written plainly: unit by unit, service by service, zone by zone.

The rule is stated in ``omnichannel.sourcing._parcels``; this is its specification.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from .._domain import validators as v
from .._domain.carriers import CarrierService, Parcel
from .._domain.catalogue import Product
from .._domain.enums import FulfillmentMethod
from .._domain.network import Network
from .._domain.orders import Order, OrderLine


@dataclass
class _Box:
    """A parcel being packed, unit by unit."""

    skus: list[str] = field(default_factory=list)
    grams: int = 0
    volume: int = 0
    side: float = 0.0


def carriers_of(network: Network, order: Order) -> list[CarrierService]:
    """The services pricing ``order``'s parcels (none: its rate card, or pickup in store)."""
    if order.method is FulfillmentMethod.PICKUP_IN_STORE:
        return []
    return [c for c in network.costs.carriers if c.service_level is order.service_level]


def _grams(product: Product) -> int:
    return round(product.weight_kg * 1000)


def _volume(product: Product) -> int:
    return round(product.volume_cm3)


def _price(service: CarrierService, box: _Box, km: float) -> tuple[float, float] | None:
    """The service's price of ``box`` (hundredths) and its billable kg; None if it
    does not take it."""
    if box.grams > round(service.max_parcel_kg * 1000) or km > service.reach_km:
        return None
    if service.max_parcel_cm is not None and box.side > service.max_parcel_cm:
        return None
    zone = next((z for z, bound in enumerate(service.zones) if km <= bound), None)
    if zone is None:
        return None
    billable = max(box.grams / 1000, box.volume / service.dim_divisor_cm3_per_kg)
    step = next((s for s, bound in enumerate(service.weight_steps_kg) if billable <= bound), None)
    if step is not None:
        table, extra, billed = service.prices[zone][step], 0.0, service.weight_steps_kg[step]
    else:
        if service.per_kg_beyond is None:
            return None
        last = service.weight_steps_kg[-1]
        started = math.ceil(billable - last)
        table, extra, billed = (
            service.prices[zone][-1],
            service.per_kg_beyond * started,
            last + started,
        )
    if table is None:
        return None
    price = (table + extra) * (1.0 + service.fuel_surcharge) + service.per_parcel_surcharge
    if not price <= v.MAX_AMOUNT:
        return None
    return float(round(price * 100.0)), billed


def _cheapest(
    services: Sequence[CarrierService], box: _Box, km: float
) -> tuple[CarrierService, float, float] | None:
    best: tuple[CarrierService, float, float] | None = None
    for service in services:
        found = _price(service, box, km)
        if found is not None and (best is None or found[0] < best[1]):
            best = (service, *found)
    return best


def _lone(product: Product) -> _Box:
    return _Box([product.sku], _grams(product), _volume(product), product.longest_side_cm)


def shippable(
    network: Network,
    order: Order,
    sku: str,
    km: float,
    services: Sequence[CarrierService] | None = None,
) -> bool:
    """Whether one unit of ``sku`` of ``order`` can be shipped alone ``km`` away, by one
    of ``services`` (None: every service pricing the order)."""
    if services is None:
        services = carriers_of(network, order)
        if not services:
            return True
    assert network.catalogue is not None
    return _cheapest(services, _lone(network.catalogue.product(sku)), km) is not None


def parcels(
    network: Network,
    order: Order,
    lines: Sequence[OrderLine],
    km: float,
    services: Sequence[CarrierService] | None = None,
) -> tuple[float, tuple[Parcel, ...]]:
    """Carrier price (currency) and parcels of ``lines`` of ``order`` sent ``km``, each
    parcel with the cheapest of ``services`` (None: every service pricing the order;
    the packing limit is always theirs); every unit must be :func:`shippable` by
    ``services``."""
    level = carriers_of(network, order)
    assert level
    services = level if services is None else services
    assert network.catalogue is not None
    catalogue = network.catalogue
    units = [catalogue.product(line.sku) for line in lines for _ in range(line.quantity)]
    units.sort(key=lambda p: -_grams(p))  # stable: ties keep line order
    limit = min(round(s.max_parcel_kg * 1000) for s in level)
    boxes: list[_Box] = []
    open_boxes: list[_Box] = []
    for product in units:
        if product.ship_alone or _grams(product) > limit:
            boxes.append(_lone(product))
            continue
        box = next((b for b in open_boxes if b.grams + _grams(product) <= limit), None)
        if box is None:
            box = _Box()
            boxes.append(box)
            open_boxes.append(box)
        box.skus.append(product.sku)
        box.grams += _grams(product)
        box.volume += _volume(product)
        box.side = max(box.side, product.longest_side_cm)
    shipped: list[Parcel] = []
    total = 0
    for box in boxes:
        best = _cheapest(services, box, km)
        if best is None and len(box.skus) > 1:
            # No service takes the packed parcel: its units go one per parcel, grouped
            # by SKU in the order they went in.
            for sku in dict.fromkeys(box.skus):
                for _ in range(box.skus.count(sku)):
                    lone = _lone(catalogue.product(sku))
                    found = _cheapest(services, lone, km)
                    assert found is not None
                    shipped.append(_parcel(lines, lone, *found))
                    total += int(found[1])
            continue
        assert best is not None
        shipped.append(_parcel(lines, box, *best))
        total += int(best[1])
    return total / 100, tuple(shipped)


def _parcel(
    lines: Sequence[OrderLine], box: _Box, service: CarrierService, cents: float, billed: float
) -> Parcel:
    """The parcel, its units in the order of the shipment's ``lines``; a line the
    parcel holds whole is listed as it is."""
    units = []
    for line in lines:
        count = box.skus.count(line.sku)
        if count == line.quantity:
            units.append(line)
        elif count:
            units.append(OrderLine(sku=line.sku, quantity=count))
    return Parcel(
        carrier=service.name,
        weight_kg=box.grams / 1000,
        billable_kg=billed,
        units=tuple(units),
        cost=cents / 100,
    )

"""Carrier prices of the shipments a policy decided: parcels, and the cost they make."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .._core.costs import handling_cost, shipment_cost
from .._domain.carriers import Parcel
from .._domain.decisions import Allocation, Shipment
from ..allocation._wave import Wave
from ..sourcing._parcels import Packed, catalogue_items, price_shipment
from ..sourcing._shipment_parcels import one_parcel


def priced(
    wave: Wave, allocations: Sequence[Allocation], *, trusted: bool
) -> tuple[Allocation, ...]:
    """``allocations`` with every shipment that carrier services price packed into
    parcels, each with its cheapest service, and costed by them plus node handling.

    Policies decide who serves what; the price of a parcel is the engine's alone, so
    whatever cost a policy wrote for such a shipment is replaced, except that a
    ``trusted`` one (this library's policies, which price the shipments they can in
    bulk and whose prices the tests prove) keeps shipments that already have parcels.
    The allocations must have passed the verifier (every unit can travel). A
    shipment whose units all fit in one parcel is priced with the others at once;
    the rest one by one.
    """
    arrays = wave.arrays
    todo = [
        (row, index)
        for row in np.flatnonzero(arrays.parcel_priced).tolist()
        for index, shipment in enumerate(allocations[row].shipments)
        if not (trusted and shipment.parcels)
    ]
    if not todo:
        return tuple(allocations)
    shipments = [allocations[row].shipments[index] for row, index in todo]
    sku_rows = arrays.sku_rows
    owner = np.repeat(np.arange(len(todo)), [len(s.lines) for s in shipments])
    sku = np.array([sku_rows[line.sku] for s in shipments for line in s.lines], np.int64)
    units = np.array([line.quantity for s in shipments for line in s.lines], np.int64)
    rows = np.array([row for row, _ in todo], np.int64)
    km = np.array([s.distance_km for s in shipments], np.float64)
    one = one_parcel(arrays, rows, km, sku, units, owner)
    items = arrays.network.derived(catalogue_items)
    nodes = arrays.network.arrays
    node_index = arrays.network.node_index
    new: dict[tuple[int, int], Shipment] = {}
    for position, (key, shipment) in enumerate(zip(todo, shipments, strict=True)):
        if one.who[position] >= 0:
            price = float(one.cents[position]) / 100
            parcels: tuple[Parcel, ...] = (one.parcel(arrays, position, shipment.lines),)
        else:
            tables = arrays.carrier_tables[int(one.level[position])]
            assert tables is not None
            row = todo[position][0]
            kept = arrays.packings.get(row)
            packed = (
                None
                if kept is None or shipment.lines != arrays.orders[row].lines
                else [_by_sku(parcel, arrays.skus) for parcel in kept]
            )
            quoted = price_shipment(tables, items, shipment.lines, shipment.distance_km, packed)
            assert quoted is not None, "the verifier lets no unshippable unit through"
            price, parcels = quoted
        node = node_index(shipment.node_id)
        handling = handling_cost(
            float(nodes.handling_per_order[node]),
            float(nodes.handling_per_unit[node]),
            float(shipment.units),
        )
        # Built directly: attrs.evolve costs several times more, per shipment.
        new[key] = Shipment(
            node_id=shipment.node_id,
            lines=shipment.lines,
            distance_km=shipment.distance_km,
            cost=shipment_cost(price, handling),
            ready_at=shipment.ready_at,
            delivered_by=shipment.delivered_by,
            parcels=parcels,
        )
    result = list(allocations)
    for row in sorted({row for row, _ in todo}):
        allocation = allocations[row]
        result[row] = Allocation(
            order_id=allocation.order_id,
            shipments=tuple(
                new.get((row, index), shipment)
                for index, shipment in enumerate(allocation.shipments)
            ),
            unfulfilled=allocation.unfulfilled,
            status=allocation.status,
            split_penalty=allocation.split_penalty,
        )
    return tuple(result)


def _by_sku(parcel: Packed[int], skus: Sequence[str]) -> Packed[str]:
    """``parcel`` (packed with SKU positions) with its units by SKU."""
    return Packed(
        grams=parcel.grams,
        volume_cm3=parcel.volume_cm3,
        side_cm=parcel.side_cm,
        units={skus[position]: count for position, count in parcel.units.items()},
    )

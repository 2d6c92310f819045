"""Carrier prices of the shipments a policy decided: parcels, and the cost they make."""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import numpy as np

from .._core.costs import handling_cost, shipment_cost
from .._domain.decisions import Allocation, Shipment
from ..allocation._wave import Wave
from ..sourcing._parcels import catalogue_items, price_shipment


def priced(wave: Wave, allocations: Sequence[Allocation]) -> tuple[Allocation, ...]:
    """``allocations`` with every shipment that carrier services price packed into
    parcels, each with its cheapest service, and costed by them plus node handling.

    Policies decide who serves what; the price of a parcel is the engine's alone, so
    whatever cost a policy wrote for such a shipment is replaced.
    """
    arrays = wave.arrays
    rows = np.flatnonzero(arrays.parcel_priced).tolist()
    if not rows:
        return tuple(allocations)
    items = arrays.network.derived(catalogue_items)
    nodes = arrays.network.arrays
    result = list(allocations)
    for row in rows:
        allocation = result[row]
        if not allocation.shipments:
            continue
        tables = arrays.carrier_tables[int(arrays.level[row])]
        assert tables is not None
        shipments: list[Shipment] = []
        for shipment in allocation.shipments:
            found = price_shipment(tables, items, shipment.lines, shipment.distance_km)
            if found is None:  # a unit that cannot travel: the verifier names the rule
                shipments.append(shipment)
                continue
            shipping, parcels = found
            node = arrays.network.node_index(shipment.node_id)
            handling = handling_cost(
                float(nodes.handling_per_order[node]),
                float(nodes.handling_per_unit[node]),
                float(shipment.units),
            )
            shipments.append(
                attrs.evolve(shipment, cost=shipment_cost(shipping, handling), parcels=parcels)
            )
        result[row] = attrs.evolve(allocation, shipments=tuple(shipments))
    return tuple(result)

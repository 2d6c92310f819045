"""The figures a simulated day is judged by."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np

from .._core.costs import handling_cost
from .._domain.decisions import Allocation, AllocationStatus
from .._domain.enums import NodeKind
from .._domain.inventory import Inventory
from .._domain.network import Network
from .._domain.routes import ReturnRoute
from .._types import IntArray

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


def stores_below_safety(start: Inventory, end: Inventory, network: Network) -> int:
    """Store and dark-store positions at or above safety stock in ``start`` and below
    it in ``end`` (unreserved units on hand against ``safety_stock``)."""
    stores = {node.id for node in network.nodes if node.kind in _STORE_KINDS}
    safe_before = _store_keys(start, stores, end, below=False)
    short_after = _store_keys(end, stores, end, below=True)
    return int(np.isin(short_after, safe_before).sum())


def _store_keys(inventory: Inventory, stores: set[str], frame: Inventory, below: bool) -> IntArray:
    """Keys of the store positions of ``inventory`` that hold safety stock and are below
    it (``below``) or not, numbered by ``frame``'s node and SKU lists so that keys
    compare across snapshots (``frame`` must hold every id of ``inventory``)."""
    columns = inventory.columns()
    node_at = {node_id: i for i, node_id in enumerate(frame.node_ids)}
    sku_at = {sku: i for i, sku in enumerate(frame.skus)}
    node = np.array([node_at[n] for n in inventory.node_ids], dtype=np.int64)
    sku = np.array([sku_at[s] for s in inventory.skus], dtype=np.int64)
    is_store = np.array([node_id in stores for node_id in inventory.node_ids], dtype=np.bool_)
    short = columns.on_hand - columns.reserved < columns.safety_stock
    chosen = is_store[columns.node] & (columns.safety_stock > 0) & (short == below)
    keys = sku[columns.sku] * max(len(frame.node_ids), 1) + node[columns.node]
    return np.asarray(keys[chosen])

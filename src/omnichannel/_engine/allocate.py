"""``allocate``: decide which node serves each order line."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from .._domain.call_checks import checked_strategy
from .._domain.decisions import Allocation, AllocationResult
from .._domain.demand import DemandRates
from .._domain.inventory import Inventory
from .._domain.network import Network
from .._domain.orders import Order
from .._errors import InvalidInputError
from .._types import FloatArray
from ..allocation._protocol import AllocationPolicy
from ..allocation._sequential import Sequential
from ..allocation._wave import Wave
from ..sourcing._builtin import LowestCost
from ..sourcing._protocol import SourcingStrategy


def allocate(
    orders: Iterable[Order],
    network: Network,
    inventory: Inventory,
    *,
    sourcing: SourcingStrategy = LowestCost(),  # noqa: B008 (immutable configuration)
    policy: AllocationPolicy = Sequential(),  # noqa: B008 (immutable configuration)
    capacity_used: Mapping[str, int] | None = None,
    demand: DemandRates | None = None,
) -> AllocationResult:
    """Decide which node serves each line of ``orders``, and reserve the stock.

    Parameters
    ----------
    orders
        The wave's orders; ids unique, channels and pickup nodes known to ``network``.
    network
        Nodes, channels and cost model.
    inventory
        Stock before the wave; it is not changed.
    sourcing
        Scores (order, node) pairs; the engine's hard rules apply on top.
    policy
        Decides who wins scarce stock and capacity.
    capacity_used
        Shipments each node (by id) already took in this wave, e.g. the
        ``capacity_used`` of the previous call of the same wave.
    demand
        Units per day per node and SKU, for strategies that protect stock.

    Returns
    -------
    AllocationResult
        One allocation per order in input order, the inventory with the
        allocations reserved, and shipments per node for the wave so far.
        Nothing is reserved if the call raises.
    """
    checked_strategy(policy, AllocationPolicy, "policy")
    wave, used = Wave.prepare(orders, network, inventory, sourcing, capacity_used, demand)
    allocations = tuple(policy.allocate(wave))
    return build_result(wave, allocations, used, type(policy).__name__)


def build_result(
    wave: Wave, allocations: Sequence[Allocation], used: FloatArray, decided_by: str
) -> AllocationResult:
    """Reserve what ``allocations`` ship and count their shipments per node."""
    orders = wave.arrays.orders
    if len(allocations) != len(orders) or any(
        a.order_id != o.id for a, o in zip(allocations, orders, strict=True)
    ):
        raise InvalidInputError(
            "policy", f"{decided_by} must return one allocation per order, in input order"
        )
    network = wave.arrays.network
    shipments = [shipment for allocation in allocations for shipment in allocation.shipments]
    counts = used.copy()
    shipped_from = np.array([network.node_index(s.node_id) for s in shipments], dtype=np.int64)
    np.add.at(counts, shipped_from, 1)
    node_ids = [shipment.node_id for shipment in shipments for _ in shipment.lines]
    skus = [line.sku for shipment in shipments for line in shipment.lines]
    quantities = [line.quantity for shipment in shipments for line in shipment.lines]
    inventory = wave.inventory.with_reserved(node_ids, skus, np.array(quantities, np.int64))
    ids = network.arrays.ids
    capacity_used = {ids[n]: int(counts[n]) for n in np.flatnonzero(counts).tolist()}
    return AllocationResult(
        allocations=allocations,
        inventory=inventory,
        capacity_used=capacity_used,
        notes=wave.notes,
    )

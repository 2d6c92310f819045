"""``explain``: why each node can or cannot serve one order, and what it would cost."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .._domain.decisions import Explanation, NodeCandidate, Rule
from .._domain.demand import DemandRates
from .._domain.enums import FulfillmentMethod
from .._domain.inventory import Inventory
from .._domain.network import Network
from .._domain.orders import Order
from .._types import BoolArray
from ..allocation._wave import Wave
from ..sourcing._batch import METHODS, SourcingBatch
from ..sourcing._builtin import LowestCost, checked_costs
from ..sourcing._protocol import SourcingStrategy


def explain(
    order: Order,
    network: Network,
    inventory: Inventory,
    *,
    sourcing: SourcingStrategy = LowestCost(),  # noqa: B008 (immutable configuration)
    capacity_used: Mapping[str, int] | None = None,
    demand: DemandRates | None = None,
) -> Explanation:
    """For every node, the first hard rule that keeps it from serving ``order`` alone,
    or its cost parts and score; and the node the sequential rule would pick.

    Nodes are listed in canonical order (rank, then id), the engine's tie-break.
    """
    wave, _ = Wave.prepare([order], network, inventory, sourcing, capacity_used, demand)
    arrays, state = wave.arrays, wave.state
    batch = SourcingBatch(arrays, np.array([0]), state)
    score = checked_costs(sourcing, batch)[0]
    nodes = network.arrays
    needs = int(arrays.source_needs[0])
    in_store = int(arrays.method[0]) == METHODS.index(FulfillmentMethod.PICKUP_IN_STORE)
    at_pickup = np.arange(nodes.n_nodes) == int(arrays.pickup_node[0])
    max_km = float(arrays.rates[3][int(arrays.level[0])])
    available = batch.line_available
    checks: list[tuple[Rule, BoolArray]] = [
        (Rule.INACTIVE, ~nodes.active),
        (Rule.CHANNEL, ~network.channel_allows[int(arrays.channel[0])]),
        (Rule.PICKUP_NODE, ~arrays.pickup_ok[0] | (in_store & ~at_pickup)),
        (Rule.CAPABILITY, (nodes.capabilities & needs) != needs),
        (Rule.DISTANCE, ~in_store & (batch.distance_km[0] > max_km)),
        (Rule.STRATEGY, np.isinf(score)),
        (Rule.CAPACITY, state.capacity_left < 1),
        (Rule.STOCK, np.any(available < batch.line_quantity[:, None], axis=0)),
    ]
    rejected: list[Rule | None] = [None] * nodes.n_nodes
    for rule, breaks in reversed(checks):
        for node in np.flatnonzero(breaks).tolist():
            rejected[node] = rule
    candidates = tuple(
        NodeCandidate(
            node_id=node_id,
            rejected_by=rejected[n],
            distance_km=float(batch.distance_km[0, n]),
            shipping_cost=float(batch.shipping_cost[0, n]),
            handling_cost=float(batch.handling_cost[0, n]),
            score=float(score[n]),
            available=tuple(int(units) for units in available[:, n].tolist()),
        )
        for n, node_id in enumerate(nodes.ids)
    )
    serving = [n for n, rule in enumerate(rejected) if rule is None]
    chosen = min(serving, key=lambda n: float(score[n])) if serving else None
    return Explanation(
        order_id=order.id,
        candidates=candidates,
        chosen_node_id=None if chosen is None else nodes.ids[chosen],
    )

"""``explain``: why each node can or cannot serve one order, and what it would cost."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .._domain.decisions import Explanation, NodeCandidate, Rule
from .._domain.demand import DemandRates
from .._domain.inventory import Inventory
from .._domain.network import Network
from .._domain.orders import Order
from .._types import BoolArray
from ..allocation._wave import Wave
from ..sourcing._batch import SourcingBatch
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
    available = batch.line_available
    every = np.arange(nodes.n_nodes)
    checks: list[tuple[Rule, BoolArray]] = [
        *arrays.static_rules(np.zeros_like(every), every),
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

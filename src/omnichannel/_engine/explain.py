"""``explain``: why each node can or cannot serve one order, and what it would cost."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import numpy as np

from .._domain.accuracy import Accuracy
from .._domain.calendar import from_minute
from .._domain.call_checks import reject_carrier_transit
from .._domain.carriers import ParcelQuotes
from .._domain.decisions import Explanation, NodeCandidate, Rule
from .._domain.demand import DemandRates
from .._domain.inventory import Inventory
from .._domain.network import Network
from .._domain.orders import Order
from .._types import BoolArray
from ..allocation._wave import Wave
from ..sourcing._batch import SourcingBatch
from ..sourcing._builtin import LowestCost, checked_costs
from ..sourcing._parcels import catalogue_items, parcel_quotes
from ..sourcing._protocol import SourcingStrategy


def explain(
    order: Order,
    network: Network,
    inventory: Inventory,
    *,
    sourcing: SourcingStrategy = LowestCost(),  # noqa: B008 (immutable configuration)
    capacity_used: Mapping[str, int] | None = None,
    demand: DemandRates | None = None,
    now: dt.datetime | None = None,
    daily_used: Mapping[str, Mapping[dt.date, int]] | None = None,
    full_node_ids: Iterable[str] | None = None,
    accuracy: Accuracy | None = None,
) -> Explanation:
    """For every node, the first hard rule that keeps it from serving ``order`` alone,
    or its cost parts and score; and the node the sequential rule would pick.

    Nodes are listed in canonical order (rank, then id), the engine's tie-break.
    With ``now`` (and the ``daily_used`` so far), each node also gives the dates its
    shipment would have, and a node that cannot keep the order's time rules is
    rejected by ``LATE``. A node of ``full_node_ids`` is rejected by ``CAPACITY``.
    With ``accuracy``, each node gives the lines it is expected not to find
    (``expected_rejections``), the quantity ``Weighted(rejection_risk=...)`` prices.
    """
    reject_carrier_transit(network, now, "explain")
    wave, _ = Wave.prepare(
        [order],
        network,
        inventory,
        sourcing,
        capacity_used,
        demand,
        now,
        daily_used,
        full_node_ids=full_node_ids,
        accuracy=accuracy,
    )
    arrays, state = wave.arrays, wave.state
    batch = SourcingBatch(arrays, np.array([0]), state)
    score = checked_costs(sourcing, batch)[0]
    nodes = network.arrays
    available = batch.line_available
    every = np.arange(nodes.n_nodes)
    reach = None if state.times is None else state.times.timing.net.reach_km
    parcels = batch.parcels
    unshippable = (
        np.zeros(nodes.n_nodes, dtype=np.bool_)
        if parcels is None or parcels.unshippable is None
        else np.asarray(parcels.unshippable.any(axis=0), dtype=np.bool_)
    )
    checks: list[tuple[Rule, BoolArray]] = [
        *arrays.static_rules(np.zeros_like(every), every, reach),
        (Rule.UNSHIPPABLE, unshippable),
        (Rule.STRATEGY, np.isinf(score)),
        (Rule.CAPACITY, state.capacity_left < 1),
        (Rule.STOCK, np.any(available < batch.line_quantity[:, None], axis=0)),
    ]
    ready: list[dt.datetime | None] = [None] * nodes.n_nodes
    delivered: list[dt.datetime | None] = [None] * nodes.n_nodes
    if state.times is not None:
        dates, on_time = state.times.pairs(np.zeros_like(every), every, batch.distance_km[0])
        checks.append((Rule.LATE, ~on_time))
        for n in np.flatnonzero(dates.made).tolist():
            ready[n] = from_minute(int(dates.ready_at[n]))
            delivered[n] = from_minute(int(dates.delivered_by[n]))
    rejections = batch.expected_rejections[0]
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
            ready_at=ready[n],
            delivered_by=delivered[n],
            expected_rejections=float(rejections[n]),
        )
        for n, node_id in enumerate(nodes.ids)
    )
    serving = [n for n, rule in enumerate(rejected) if rule is None]
    chosen = min(serving, key=lambda n: float(score[n])) if serving else None
    quoted: tuple[ParcelQuotes, ...] = ()
    if chosen is not None and arrays.parcel_priced[0]:
        tables = arrays.carrier_tables[int(arrays.level[0])]
        assert tables is not None
        items = network.derived(catalogue_items)
        km = float(batch.distance_km[0, chosen])
        quoted = parcel_quotes(tables, items, order.lines, km, delivered[chosen])
    return Explanation(
        order_id=order.id,
        candidates=candidates,
        chosen_node_id=None if chosen is None else nodes.ids[chosen],
        parcels=quoted,
    )

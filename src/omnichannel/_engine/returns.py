"""``route_returns``: decide where each returned unit goes, and as what."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import numpy as np

from .._core.contract import checked_cost_array
from .._domain.calendar import now_minute
from .._domain.call_checks import checked_context, checked_requests, checked_strategy
from .._domain.demand import DemandRates
from .._domain.dispositions import ROUTED, DispositionTable
from .._domain.enums import Disposition
from .._domain.inventory import Inventory
from .._domain.network import Network
from .._domain.returns import ReturnLine, ReturnRequest
from .._domain.routes import ReturnResult, ReturnRoute
from .._domain.stock import StockMove
from .._errors import InvalidInputError
from .._types import IntArray
from ..returns._batch import ReturnArrays, ReturnBatch
from ..returns._builtin import ValueRecovery
from ..returns._protocol import ReturnStrategy
from .collector import collector_paused

_CELLS_PER_BATCH = 1 << 20
"""Bound on (disposition, line, node) cells scored at once, to bound memory."""


def prepare_returns(
    requests: Iterable[ReturnRequest],
    network: Network,
    inventory: Inventory,
    strategy: ReturnStrategy,
    demand: DemandRates | None,
    dispositions: DispositionTable,
) -> ReturnArrays:
    """Validate a call and turn its returned lines into arrays."""
    network, inventory, demand = checked_context(network, inventory, demand)
    checked_strategy(strategy, ReturnStrategy, "strategy")
    if not isinstance(dispositions, DispositionTable):
        raise InvalidInputError(
            "dispositions", f"must be DispositionTable, got {type(dispositions).__name__}"
        )
    found = checked_requests(requests, network)
    return ReturnArrays.build(found, network, inventory, dispositions, demand)


def route_returns(
    requests: Iterable[ReturnRequest],
    network: Network,
    inventory: Inventory,
    *,
    strategy: ReturnStrategy = ValueRecovery(),  # noqa: B008 (immutable configuration)
    demand: DemandRates | None = None,
    dispositions: DispositionTable = DispositionTable(),  # noqa: B008 (immutable configuration)
    now: dt.datetime | None = None,
) -> ReturnResult:
    """Decide the destination node and disposition of every returned line.

    Parameters
    ----------
    requests
        The returns; ids unique, channels and drop-off nodes known to ``network``.
    network
        Nodes, channels and cost model; returned units travel by its STANDARD card.
    inventory
        Stock before the returns; it is not changed. Every line is scored
        against this same snapshot.
    strategy
        Scores (disposition, line, node); the hard rules apply on top.
    demand
        Units per day per node and SKU, for strategies that value scarce stock.
    dispositions
        What each condition may become, its recovery rate and handling cost.
    now
        When the call decides (an aware datetime; a naive one is an error). Returns
        have no dates yet: it changes no route.

    Returns
    -------
    ReturnResult
        One route per returned line in request and line order, and the
        inventory with restocked units added (``on_hand`` where they were
        dropped off, else ``in_transit`` at the destination).
    """
    if now is not None:
        now_minute(now)
    with collector_paused():
        arrays = prepare_returns(requests, network, inventory, strategy, demand, dispositions)
        routes: list[ReturnRoute] = []
        per_batch = max(_CELLS_PER_BATCH // (len(ROUTED) * max(network.arrays.n_nodes, 1)), 1)
        for start in range(0, arrays.n_lines, per_batch):
            batch = ReturnBatch(arrays, slice(start, min(start + per_batch, arrays.n_lines)))
            routes.extend(_routes(batch, strategy))
        return build_return_result(arrays.requests, routes, inventory)


def _routes(batch: ReturnBatch, strategy: ReturnStrategy) -> list[ReturnRoute]:
    """The best option of each line of ``batch``: the lowest score among the options
    the hard rules allow and that recover more than they cost; KEEP if there is none."""
    shape = (batch.n_dispositions, batch.n_lines, batch.n_nodes)
    first = batch.rows.start
    ids = batch.nodes.ids

    def describe(index: tuple[int, ...]) -> str:
        d, line, node = index
        return f"line {first + line} as {batch.dispositions[d].name} at node {ids[node]!r}"

    scores = checked_cost_array(
        strategy.costs(batch), shape, path="strategy", producer="costs()", describe=describe
    )
    if batch.n_nodes == 0:  # a network with no nodes has nowhere to send anything
        return [kept(rid, line) for line, rid in zip(batch.lines, batch.return_ids, strict=True)]
    allowed = batch.eligible & (batch.net_value > 0.0) & (scores < np.inf)
    flat = np.where(allowed, scores, np.inf).transpose(1, 0, 2).reshape(batch.n_lines, -1)
    best: IntArray = np.argmin(flat, axis=1)
    lines = np.arange(batch.n_lines)
    chosen = allowed.transpose(1, 0, 2).reshape(batch.n_lines, -1)[lines, best]
    disposition, node = np.divmod(best, batch.n_nodes)
    transport = batch.transport_cost[lines, node].tolist()
    handling = batch.handling_cost[disposition, lines].tolist()
    recovered = batch.recovered_value[disposition, lines].tolist()
    routes = []
    for i, (line, return_id) in enumerate(zip(batch.lines, batch.return_ids, strict=True)):
        if chosen[i]:
            routes.append(
                ReturnRoute(
                    return_id=return_id,
                    sku=line.sku,
                    quantity=line.quantity,
                    condition=line.condition,
                    node_id=ids[node[i]],
                    disposition=batch.dispositions[disposition[i]],
                    transport_cost=transport[i],
                    handling_cost=handling[i],
                    recovered_value=recovered[i],
                )
            )
        else:
            routes.append(kept(return_id, line))
    return routes


def kept(return_id: str, line: ReturnLine) -> ReturnRoute:
    """The route of a line no option is worth: refunded, not sent back (KEEP)."""
    return ReturnRoute(
        return_id=return_id,
        sku=line.sku,
        quantity=line.quantity,
        condition=line.condition,
        node_id=None,
        disposition=Disposition.KEEP,
        transport_cost=0.0,
        handling_cost=0.0,
        recovered_value=0.0,
    )


def build_return_result(
    requests: Sequence[ReturnRequest], routes: Sequence[ReturnRoute], inventory: Inventory
) -> ReturnResult:
    """Add the restocked units of ``routes`` to ``inventory``: on hand where they were
    dropped off, in transit where they must travel."""
    here, travelling = restocked_moves(requests, routes)
    return ReturnResult(routes=routes, inventory=inventory.receive(here).expect(travelling))


def restocked_moves(
    requests: Sequence[ReturnRequest], routes: Sequence[ReturnRoute]
) -> tuple[list[StockMove], list[StockMove]]:
    """The units ``routes`` restock: those restocked where they were dropped off, and
    those travelling to another node."""
    drop_off = {request.id: request.drop_off_node_id for request in requests}
    here: list[StockMove] = []
    travelling: list[StockMove] = []
    for route in routes:
        if route.disposition is Disposition.RESTOCK and route.node_id is not None:
            move = StockMove(node_id=route.node_id, sku=route.sku, quantity=route.quantity)
            (here if drop_off[route.return_id] == route.node_id else travelling).append(move)
    return here, travelling

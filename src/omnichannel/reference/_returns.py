"""Plain return routing: one returned line at a time, one option at a time."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable

from .._domain.calendar import now_minute
from .._domain.demand import DemandRates
from .._domain.dispositions import ROUTED, DispositionTable
from .._domain.enums import Disposition
from .._domain.geo import GeoPoint
from .._domain.inventory import Inventory
from .._domain.network import Network, Node
from .._domain.returns import ReturnLine, ReturnRequest
from .._domain.routes import ReturnResult, ReturnRoute
from .._engine.returns import build_return_result, kept, prepare_returns
from .._errors import InvalidInputError
from ..returns._batch import RETURN_SERVICE_LEVEL, destination_accepts
from ..returns._builtin import LowestReturnCost, NearestReturnNode, ValueRecovery
from ..returns._protocol import ReturnStrategy
from ._nodes import canonical_nodes, km_to


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
    """Every returned line on its own, with a built-in strategy.

    Same signature and result as :func:`omnichannel.route_returns`.
    """
    if not isinstance(strategy, (NearestReturnNode, LowestReturnCost, ValueRecovery)):
        raise InvalidInputError(
            "strategy",
            f"the reference implements the built-in strategies only, got {type(strategy).__name__}",
        )
    if now is not None:
        now_minute(now)
    arrays = prepare_returns(requests, network, inventory, strategy, demand, dispositions)
    canonical = canonical_nodes(network)
    routes = []
    for request in arrays.requests:
        start = _start(request, network)
        kms = km_to(start, canonical)
        for line in request.lines:
            routes.append(
                _route(
                    request,
                    line,
                    canonical,
                    kms,
                    network,
                    inventory,
                    demand,
                    strategy,
                    dispositions,
                )
            )
    return build_return_result(arrays.requests, routes, inventory)


def _start(request: ReturnRequest, network: Network) -> GeoPoint:
    """Where the returned units are: the drop-off node, or the customer's origin (MAIL)."""
    if request.drop_off_node_id is not None:
        return network.node(request.drop_off_node_id).location
    assert request.origin is not None
    return request.origin


def _route(
    request: ReturnRequest,
    line: ReturnLine,
    canonical: list[Node],
    kms: list[float],
    network: Network,
    inventory: Inventory,
    demand: DemandRates | None,
    strategy: ReturnStrategy,
    table: DispositionTable,
) -> ReturnRoute:
    """The lowest-scoring option worth taking (ties: disposition order, then canonical
    node order), or KEEP."""
    card = network.costs.rates[RETURN_SERVICE_LEVEL]
    max_km = math.inf if card.max_km is None else card.max_km
    best: ReturnRoute | None = None
    best_score = math.inf
    for disposition in ROUTED:
        rate = table.rate(line.condition, disposition)
        if rate is None:
            continue
        recovered = rate * line.unit_value * line.quantity
        handling = table.handling_cost(disposition) * line.quantity
        for node, km in zip(canonical, kms, strict=True):
            at_drop_off = node.id == request.drop_off_node_id
            if not (
                node.active
                and destination_accepts(disposition, node.kind, node.capabilities)
                and (at_drop_off or km <= max_km)
            ):
                continue
            transport = (
                0.0 if at_drop_off else card.base + card.per_km * km + card.per_unit * line.quantity
            )
            net = recovered - transport - handling
            if net <= 0.0:
                continue
            if isinstance(strategy, NearestReturnNode):
                score = km
            elif isinstance(strategy, LowestReturnCost):
                score = transport + handling
            else:
                assert isinstance(strategy, ValueRecovery)
                bonus = 0.0
                if disposition is Disposition.RESTOCK and demand is not None:
                    bonus = _scarcity_bonus(strategy, line, node, recovered, inventory, demand)
                score = -(net + bonus)
            if score < best_score:
                best_score = score
                best = ReturnRoute(
                    return_id=request.id,
                    sku=line.sku,
                    quantity=line.quantity,
                    condition=line.condition,
                    node_id=node.id,
                    disposition=disposition,
                    transport_cost=transport,
                    handling_cost=handling,
                    recovered_value=recovered,
                )
    return kept(request.id, line) if best is None else best


def _scarcity_bonus(
    strategy: ValueRecovery,
    line: ReturnLine,
    node: Node,
    recovered: float,
    inventory: Inventory,
    demand: DemandRates,
) -> float:
    """ValueRecovery's extra value for restocking ``line`` at ``node``: the units the node
    is short of ``cover_days`` of demand, as a share of the line, times the weight."""
    wanted = math.ceil(strategy.cover_days * demand.rate(node.id, line.sku))
    short = min(max(wanted - inventory.available(node.id, line.sku), 0), line.quantity)
    return strategy.scarcity_weight * recovered * short / line.quantity

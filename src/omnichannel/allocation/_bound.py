"""The LP lower bound of a wave: no policy can do better."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .._domain.call_checks import amount_problem
from .._domain.demand import DemandRates
from .._domain.inventory import Inventory
from .._domain.network import Network
from .._domain.orders import Order
from .._errors import InvalidInputError
from ..sourcing._builtin import LowestCost
from ..sourcing._protocol import SourcingStrategy
from ._model import build_model, solve
from ._wave import Wave


def lower_bound(
    orders: Iterable[Order],
    network: Network,
    inventory: Inventory,
    *,
    sourcing: SourcingStrategy = LowestCost(),  # noqa: B008 (immutable configuration)
    capacity_used: Mapping[str, int] | None = None,
    demand: DemandRates | None = None,
    unserved_penalty: float = 100.0,
) -> float:
    """The least ``penalized_cost(unserved_penalty)`` any allocation of the wave can have.

    The optimum of the LP relaxation of the wave's model: shipment cost (rate-card
    base and per km, node handling per order, per unit for both), split
    penalties and ``unserved_penalty`` (currency, finite, 0 to 1e12) per unit not
    served, over the (order, node) pairs the hard rules and ``sourcing`` allow (an
    infinite cost excludes a pair), under stock per channel, node capacity, each
    line at most its quantity and orders that may not split shipping whole. Compare a
    result's ``penalized_cost(unserved_penalty)`` with it to see how far a
    policy is from the best possible. Needs the ``optimize`` extra.

    Shipments that carrier services price count at their parcel prices: the LP
    mixes each pair's exactly priced shipment patterns, or, for a pair with more
    than 64 patterns, charges it the cheapest parcel price in the node's zone
    once it ships. Either way it is a bound of every allocation's cost as the
    engine prices it.
    """
    problem = amount_problem(unserved_penalty)
    if problem is not None:
        raise InvalidInputError("unserved_penalty", problem)
    wave, _ = Wave.prepare(orders, network, inventory, sourcing, capacity_used, demand)
    solution = solve(build_model(wave, float(unserved_penalty), relaxed=True), relax=True)
    if not solution.found:
        raise InvalidInputError("orders", f"the LP relaxation was not solved: {solution.message}")
    return solution.objective

"""Plain ``reallocate``: the engine's bookkeeping of rejections, deciding with the
reference's ``allocate`` and offering with its ``promise``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from .._domain.accuracy import Accuracy
from .._domain.decisions import Allocation
from .._domain.demand import DemandRates
from .._domain.inventory import Inventory
from .._domain.lifecycle import ReallocationResult, Rejection
from .._domain.network import Network
from .._domain.orders import Order
from .._engine.reallocate import reallocate_with
from ..allocation._fair_share import FairShare
from ..allocation._sequential import Sequential
from ..sourcing._builtin import LowestCost
from ..sourcing._protocol import SourcingStrategy
from ._allocate import allocate
from ._promise import promise


def reallocate(
    orders: Iterable[Order],
    allocations: Iterable[Allocation],
    rejections: Iterable[Rejection],
    network: Network,
    inventory: Inventory,
    *,
    sourcing: SourcingStrategy = LowestCost(),  # noqa: B008 (immutable configuration)
    policy: Sequential | FairShare = Sequential(),  # noqa: B008 (immutable configuration)
    capacity_used: Mapping[str, int] | None = None,
    demand: DemandRates | None = None,
    now: dt.datetime | None = None,
    daily_used: Mapping[str, Mapping[dt.date, int]] | None = None,
    full_node_ids: Iterable[str] | None = None,
    accuracy: Accuracy | None = None,
) -> ReallocationResult:
    """The twin of :func:`omnichannel.reallocate`: which units are released, written
    off and decided again is bookkeeping shared with the engine; every decision (the
    re-sourced shipments, the pickup alternatives) is the reference's own."""
    return reallocate_with(
        allocate,
        promise,
        orders,
        allocations,
        rejections,
        network,
        inventory,
        sourcing=sourcing,
        policy=policy,
        capacity_used=capacity_used,
        demand=demand,
        now=now,
        daily_used=daily_used,
        full_node_ids=full_node_ids,
        accuracy=accuracy,
    )

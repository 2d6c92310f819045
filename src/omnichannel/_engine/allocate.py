"""``allocate``: decide which node serves each order line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import numpy as np

from .._domain.accuracy import Accuracy
from .._domain.call_checks import checked_strategy, reject_carrier_transit
from .._domain.decisions import Allocation, AllocationResult
from .._domain.demand import DemandRates
from .._domain.inventory import Inventory
from .._domain.network import Network
from .._domain.orders import Order
from .._errors import InvalidInputError
from .._types import FloatArray
from ..allocation._protocol import AllocationPolicy
from ..allocation._registry import BUILT_IN_POLICIES
from ..allocation._sequential import Sequential
from ..allocation._wave import Wave
from ..sourcing._batch import StockState
from ..sourcing._builtin import LowestCost
from ..sourcing._protocol import SourcingStrategy
from .collector import collector_paused
from .dates import carried, dated
from .parcels import priced
from .verify import Shipped, verify, verify_strategy


def allocate(
    orders: Iterable[Order],
    network: Network,
    inventory: Inventory,
    *,
    sourcing: SourcingStrategy = LowestCost(),  # noqa: B008 (immutable configuration)
    policy: AllocationPolicy = Sequential(),  # noqa: B008 (immutable configuration)
    capacity_used: Mapping[str, int] | None = None,
    demand: DemandRates | None = None,
    now: dt.datetime | None = None,
    daily_used: Mapping[str, Mapping[dt.date, int]] | None = None,
    full_node_ids: Iterable[str] | None = None,
    accuracy: Accuracy | None = None,
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
    now
        When the call decides (an aware datetime). With it every shipment gets
        ``ready_at`` and ``delivered_by``, nodes work to their calendars, and a node
        may serve an order only on time (rule ``LATE``: within ``deliver_by``, a
        same-day level dispatched today, within 60 days). None: no dates.
    daily_used
        Shipments each node (by id) already started per local operating day, e.g.
        the ``daily_used`` of the previous call; read only with ``now``.
    full_node_ids
        Nodes (by id) that count as full for the rest of the wave, whatever their
        capacity: those that rejected work for want of it (the ``full_node_ids`` of a
        previous result).
    accuracy
        The probability that each node finds the units it reserves (node ids known
        to ``network``), which ``Weighted(rejection_risk=...)`` prices; None: every
        unit is found. No hard rule reads it.

    Returns
    -------
    AllocationResult
        One allocation per order in input order, the inventory with the
        allocations reserved, shipments per node for the wave so far, and
        shipments per node and day. Nothing is reserved if the call raises.
    """
    checked_strategy(policy, AllocationPolicy, "policy")
    reject_carrier_transit(network, now, "allocate")
    with collector_paused():
        wave, used = Wave.prepare(
            orders,
            network,
            inventory,
            sourcing,
            capacity_used,
            demand,
            now,
            daily_used,
            push=type(policy) is Sequential,
            full_node_ids=full_node_ids,
            accuracy=accuracy,
        )
        # The library's policies work on copies of the state; another policy might
        # write to the wave's, so its answer is checked against a copy taken first.
        start = wave.state if type(policy) in BUILT_IN_POLICIES else wave.state.copy()
        answer = policy.allocate(wave)
        return build_result(wave, answer, used, policy, start)


def _allocations_of(answer: object, wave: Wave, decided_by: str) -> tuple[Allocation, ...]:
    """``answer`` as one Allocation per order of ``wave``, in input order."""
    orders = wave.arrays.orders
    found: tuple[object, ...] = ()
    if isinstance(answer, Iterable) and not isinstance(answer, (str, bytes, Mapping)):
        found = tuple(answer)
    if len(found) != len(orders) or any(
        not isinstance(a, Allocation) or a.order_id != o.id
        for a, o in zip(found, orders, strict=True)
    ):
        raise InvalidInputError(
            "policy", f"{decided_by} must return one allocation per order, in input order"
        )
    return found  # type: ignore[return-value]


def build_result(
    wave: Wave,
    answer: object,
    used: FloatArray,
    policy: AllocationPolicy | str,
    start: StockState | None = None,
    daily_used: Mapping[str, Mapping[dt.date, int]] | None = None,
) -> AllocationResult:
    """Verify the allocations of ``answer`` against every hard rule on the starting
    state ``start`` (default: the wave's; see :mod:`._engine.verify`), then reserve
    what they ship and count their shipments per node.

    ``policy`` is what decided: a policy of this library (or the reference, named by
    a string), whose use of the sourcing strategy's forbidden nodes the fast ==
    reference tests prove, or anything else, whose shipments are also checked against
    the strategy when the strategy reads no state (its costs cannot change during the
    wave, so the starting state decides).
    """
    decided_by = policy if isinstance(policy, str) else type(policy).__name__
    allocations = _allocations_of(answer, wave, decided_by)
    state = wave.state if start is None else start
    shipped = Shipped.gather(wave, allocations)
    verify(wave, state, shipped, decided_by)
    custom = not isinstance(policy, str) and type(policy) not in BUILT_IN_POLICIES
    if custom and not wave.sourcing.state_use:
        verify_strategy(wave, state, shipped, decided_by)
    network = wave.arrays.network
    daily: Mapping[str, Mapping[dt.date, int]] = (
        wave.daily_used if daily_used is None else daily_used
    )
    if wave.timing is not None:
        allocations, daily = dated(
            wave, allocations, shipped, decided_by, daily_used, fresh=not custom
        )
        daily = carried(daily, wave.timing.net.tables.first)
    if not isinstance(policy, str):
        # Carrier prices are the engine's: set once the shipments are known to be sound,
        # and after their dates, which a re-priced shipment keeps.
        allocations = priced(wave, allocations, trusted=type(policy) in BUILT_IN_POLICIES)
    notes = list(wave.notes)
    if wave.timing is None and any(o.deliver_by is not None for o in wave.arrays.orders):
        notes.append("deliver_by was not checked: the call was given no now")
    counts = used.copy()
    np.add.at(counts, shipped.node, 1)
    inventory = wave.inventory.with_reserved(
        shipped.line_node_ids, shipped.line_skus, shipped.line_quantity
    )
    ids = network.arrays.ids
    capacity_used = {ids[n]: int(counts[n]) for n in np.flatnonzero(counts).tolist()}
    return AllocationResult(
        allocations=allocations,
        inventory=inventory,
        capacity_used=capacity_used,
        notes=notes,
        daily_used=daily,
        full_node_ids=wave.full_node_ids,
    )

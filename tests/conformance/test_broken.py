"""The kit catches each way a custom strategy or policy can break the contract, and says
which check and what."""

from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import pytest

from omnichannel import (
    Allocation,
    AllocationStatus,
    Network,
    NodeKind,
    OrderLine,
    UnfulfilledReason,
)
from omnichannel.allocation import Sequential, Wave
from omnichannel.returns import ReturnBatch
from omnichannel.sourcing import LowestCost, SourcingBatch, StateUse
from omnichannel.sourcing._batch import OrderArrays
from omnichannel.testing.conformance import (
    check_policy,
    check_return_strategy,
    check_sourcing,
)

NO_STATE = StateUse(0)


@attrs.frozen
class Sourcing:
    """A sourcing strategy whose costs come from ``make``."""

    make: Any
    state_use: StateUse = NO_STATE

    def costs(self, batch: SourcingBatch, /) -> Any:
        return self.make(batch)


def zeros(batch: SourcingBatch) -> np.ndarray:
    return np.zeros((batch.n_orders, batch.n_nodes))


def with_value(value: float) -> Any:
    def make(batch: SourcingBatch) -> np.ndarray:
        costs = zeros(batch)
        costs[:, :1] = value
        return costs

    return make


def mutating(batch: SourcingBatch) -> np.ndarray:
    batch.line_available[:] = 0  # the cached array the engine reads later
    batch._state.used += 1
    return zeros(batch)


def position_dependent(batch: SourcingBatch) -> np.ndarray:
    return np.arange(batch.n_orders, dtype=np.float64)[:, None] + zeros(batch)


def reads_stock(batch: SourcingBatch) -> np.ndarray:
    return -batch.sum_lines(batch.line_available).astype(np.float64)


def reads_dates(batch: SourcingBatch) -> np.ndarray:
    return batch.lead_days.copy()


def rewards_late(batch: SourcingBatch) -> np.ndarray:
    return -batch.lead_days


def random_costs(batch: SourcingBatch) -> np.ndarray:
    return np.random.default_rng().random((batch.n_orders, batch.n_nodes))


def fails_when_empty(batch: SourcingBatch) -> np.ndarray:
    if batch.n_orders == 0:
        raise ValueError("no orders")
    return zeros(batch)


@pytest.mark.parametrize(
    ("strategy", "message"),
    [
        (Sourcing(lambda b: zeros(b).tolist()), "costs: Sourcing costs() returned list"),
        (Sourcing(lambda b: np.zeros((b.n_orders, 1))), "returned shape"),
        (Sourcing(lambda b: zeros(b).astype(np.float32)), "dtype float32"),
        (Sourcing(with_value(np.nan)), "costs() returned NaN"),
        (Sourcing(with_value(-np.inf)), "costs() returned -inf"),
        (Sourcing(random_costs), "deterministic: Sourcing returned different costs"),
        (Sourcing(fails_when_empty), "empty: Sourcing raised ValueError: no orders"),
        (Sourcing(mutating), "mutation: Sourcing changed the batch"),
        (Sourcing(position_dependent), "independence: Sourcing scores an order differently"),
        (Sourcing(reads_stock), "state_use: Sourcing costs change with stock"),
        (Sourcing(reads_dates), "dates: Sourcing costs change as days fill"),
        (
            Sourcing(rewards_late, StateUse.CAPACITY),
            "dates: Sourcing a node overtook another when its days filled",
        ),
        (object(), "protocol: object does not implement SourcingStrategy"),
    ],
)
def test_a_broken_sourcing_strategy_is_caught(strategy: Any, message: str) -> None:
    with pytest.raises(AssertionError) as caught:
        check_sourcing(strategy)
    assert message in str(caught.value)


@attrs.frozen
class Policy:
    """A policy that changes Sequential's allocations with ``edit``."""

    edit: Any

    def allocate(self, wave: Wave, /) -> Sequence[Allocation]:
        return [self.edit(wave, a) for a in Sequential().allocate(wave)]


def doubled(wave: Wave, allocation: Allocation) -> Allocation:
    shipments = tuple(
        attrs.evolve(
            s, lines=tuple(attrs.evolve(line, quantity=2 * line.quantity) for line in s.lines)
        )
        for s in allocation.shipments
    )
    return attrs.evolve(
        allocation,
        shipments=shipments,
        unfulfilled=(),
        status=AllocationStatus.FULFILLED if shipments else AllocationStatus.UNFULFILLED,
    )


def overfilled(wave: Wave, allocation: Allocation) -> Allocation:
    """Ships the units Sequential could not find from the order's first node anyway."""
    if not allocation.shipments or not allocation.unfulfilled:
        return allocation
    first, *rest = allocation.shipments
    extra = tuple(OrderLine(sku=u.sku, quantity=u.quantity) for u in allocation.unfulfilled)
    lines = {line.sku: line.quantity for line in first.lines}
    for line in extra:
        lines[line.sku] = lines.get(line.sku, 0) + line.quantity
    grown = attrs.evolve(first, lines=tuple(OrderLine(sku=s, quantity=q) for s, q in lines.items()))
    return attrs.evolve(
        allocation,
        shipments=(grown, *rest),
        unfulfilled=(),
        status=AllocationStatus.FULFILLED,
    )


def shipped_unshippable(wave: Wave, allocation: Allocation) -> Allocation:
    """Ships the units no carrier service can take from the first node anyway."""
    stuck = [u for u in allocation.unfulfilled if u.reason is UnfulfilledReason.UNSHIPPABLE]
    if not allocation.shipments or not stuck:
        return allocation
    first, *rest = allocation.shipments
    extra = tuple(OrderLine(sku=u.sku, quantity=u.quantity) for u in stuck)
    left = tuple(u for u in allocation.unfulfilled if u not in stuck)
    return attrs.evolve(
        allocation,
        shipments=(attrs.evolve(first, lines=(*first.lines, *extra)), *rest),
        unfulfilled=left,
        status=AllocationStatus.PARTIAL if left else AllocationStatus.FULFILLED,
    )


def out_of_stock(wave: Wave, allocation: Allocation) -> Allocation:
    """Calls every unshippable line out of stock."""
    return attrs.evolve(
        allocation,
        unfulfilled=tuple(
            attrs.evolve(u, reason=UnfulfilledReason.OUT_OF_STOCK)
            if u.reason is UnfulfilledReason.UNSHIPPABLE
            else u
            for u in allocation.unfulfilled
        ),
    )


@attrs.frozen
class EveryChannelEverywhere:
    """Allocates as if every channel could use every kind of node."""

    def allocate(self, wave: Wave, /) -> Sequence[Allocation]:
        network = wave.arrays.network
        permissive = Network(
            nodes=network.nodes,
            channels=[attrs.evolve(c, node_kinds=frozenset(NodeKind)) for c in network.channels],
            costs=network.costs,
        )
        arrays = attrs.evolve(wave.arrays, network=permissive)
        return Sequential().allocate(attrs.evolve(wave, arrays=arrays))


@attrs.frozen
class IgnoresPins:
    """Allocates as if no order named ``allowed_node_ids``."""

    def allocate(self, wave: Wave, /) -> Sequence[Allocation]:
        orders = [attrs.evolve(o, allowed_node_ids=None) for o in wave.arrays.orders]
        arrays = OrderArrays.build(orders, wave.arrays.network)
        return Sequential().allocate(attrs.evolve(wave, arrays=arrays))


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        (IgnoresPins(), "hard rules: IgnoresPins broke rule EXCLUDED: order"),
        (Policy(doubled), "hard rules: Policy broke rule lines: order"),
        (Policy(overfilled), "no oversell: Policy reserved more than is on hand"),
        (Policy(shipped_unshippable), "hard rules: Policy broke rule UNSHIPPABLE: order"),
        (Policy(out_of_stock), "parcels: Policy left 'SAFE-40KG' of order 'p0' unfulfilled"),
        (
            EveryChannelEverywhere(),
            "hard rules: EveryChannelEverywhere broke rule CHANNEL: order",
        ),
        (LowestCost(), "protocol: LowestCost does not implement AllocationPolicy"),
    ],
)
def test_a_broken_policy_is_caught(policy: Any, message: str) -> None:
    with pytest.raises(AssertionError) as caught:
        check_policy(policy)
    assert message in str(caught.value)


@attrs.frozen
class Returns:
    make: Any

    def costs(self, batch: ReturnBatch, /) -> Any:
        return self.make(batch)


def return_zeros(batch: ReturnBatch) -> np.ndarray:
    return np.zeros((batch.n_dispositions, batch.n_lines, batch.n_nodes))


@pytest.mark.parametrize(
    ("strategy", "message"),
    [
        (Returns(lambda b: np.zeros((b.n_lines, b.n_nodes))), "returned shape"),
        (Returns(lambda b: return_zeros(b) - np.inf), "costs() returned -inf"),
        (
            Returns(lambda b: return_zeros(b) + np.arange(b.n_lines)[None, :, None]),
            "independence: Returns scores a line differently",
        ),
        (
            Returns(lambda b: return_zeros(b) + np.random.default_rng().random()),
            "deterministic",
        ),
    ],
)
def test_a_broken_return_strategy_is_caught(strategy: Any, message: str) -> None:
    with pytest.raises(AssertionError) as caught:
        check_return_strategy(strategy)
    assert message in str(caught.value)

"""Real time: one order per call decides exactly as one call over all the orders.

``Sequential`` (the default policy) serves a wave's orders in descending priority,
ties in input order, each on the stock and capacity the orders before it left
(DESIGN.md, "Allocation"). A backend that calls ``allocate([order], ...)`` once per
order in that order, carrying ``result.inventory`` and ``result.capacity_used`` into
the next call (docs/embedding.md, issue 13), must therefore get the same allocations,
the same final inventory and the same shipments per node as one ``allocate`` of
them all.

That holds for every built-in sourcing strategy, not only for those that read no
state (``LowestCost``, ``Nearest``, ``Ranked``): a strategy that reads stock
(``MostStock``, ``StockProtecting``, ``Weighted`` with stock, depletion or protection
terms) or capacity (``Weighted`` with a utilisation term) sees, in the one call, the
state the orders before have left, which is exactly what the chain carries from call
to call. None is excluded.

Every snapshot of the chain is kept and read again at the end: later calls must not
change what an earlier result's inventory holds.

The scenarios are built from ``omnichannel.testing``'s strategies with most nodes
opened up (active, every capability) and most channels allowed every node kind:
``scenarios()`` as drawn refuses nearly every order, and refused orders do not
compete.
"""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import omnichannel as oc
from omnichannel.sourcing import (
    Lexicographic,
    LowestCost,
    MostStock,
    Nearest,
    Ranked,
    SourcingStrategy,
    StockProtecting,
    Weighted,
)
from omnichannel.testing import strategies as oms

STRATEGIES: list[SourcingStrategy] = [
    LowestCost(),
    Nearest(),
    Ranked(),
    MostStock(),
    StockProtecting(),
    StockProtecting(penalty=50.0, cover_days=2.0),
    Weighted(shipping=1.0, utilisation=20.0),
    Weighted(distance=0.1, stock=1.0, depletion=5.0, utilisation=3.0, protection=2.0),
    Lexicographic(Ranked(), MostStock(), LowestCost()),
]


EVERY_CAPABILITY = (
    oc.Capability.SHIP
    | oc.Capability.PICKUP
    | oc.Capability.RECEIVE_TRANSFER
    | oc.Capability.SAME_DAY
)


@st.composite
def competing_scenarios(draw: st.DrawFn) -> oms.Scenario:
    """Scenarios built from ``omnichannel.testing``'s strategies in which orders compete:
    most nodes opened up, most channels allowed every node kind, at least two orders
    and one stock position."""
    drawn = draw(oms.networks(min_nodes=2, max_nodes=6))
    nodes = [
        attrs.evolve(node, active=True, capabilities=node.capabilities | EVERY_CAPABILITY)
        if draw(st.integers(0, 3))
        else node
        for node in drawn.nodes
    ]
    channels = [
        attrs.evolve(channel, node_kinds=frozenset(oc.NodeKind))
        if draw(st.integers(0, 3))
        else channel
        for channel in drawn.channels
    ]
    network = oc.Network(nodes=nodes, channels=channels, costs=drawn.costs)
    node_ids = [node.id for node in nodes]
    sku_codes = draw(st.lists(oms.skus(), min_size=1, max_size=4, unique=True))
    positions = draw(
        st.lists(
            oms.stock_positions(node_ids=node_ids, sku_codes=sku_codes),
            min_size=1,
            max_size=len(node_ids) * len(sku_codes),
            unique_by=lambda p: (p.node_id, p.sku),
        )
    )
    orders = draw(
        st.lists(
            oms.orders(network=network, sku_codes=sku_codes),
            min_size=2,
            max_size=30,
            unique_by=lambda order: order.id,
        )
    )
    return oms.Scenario(
        network=network,
        inventory=oc.Inventory.from_positions(positions),
        orders=tuple(orders),
        returns=(),
        demand=draw(oms.demand_rates(node_ids=node_ids, sku_codes=sku_codes)),
    )


def by_priority(orders: tuple[oc.Order, ...]) -> list[oc.Order]:
    """Highest priority first, ties in input order (a stable sort)."""
    return sorted(orders, key=lambda order: -order.priority)


def held(inventory: oc.Inventory) -> list[oc.StockPosition]:
    return inventory.positions()


@pytest.mark.parametrize("sourcing", STRATEGIES, ids=repr)
@given(scenario=competing_scenarios())
def test_one_order_per_call_decides_as_one_call(
    sourcing: SourcingStrategy, scenario: oms.Scenario
) -> None:
    network, demand = scenario.network, scenario.demand
    batch = oc.allocate(
        scenario.orders, network, scenario.inventory, sourcing=sourcing, demand=demand
    )

    inventory, used = scenario.inventory, None
    decided: dict[str, oc.Allocation] = {}
    snapshots = [(inventory, held(inventory))]
    for order in by_priority(scenario.orders):
        result = oc.allocate(
            [order], network, inventory, sourcing=sourcing, capacity_used=used, demand=demand
        )
        (decided[order.id],) = result.allocations
        inventory, used = result.inventory, result.capacity_used
        snapshots.append((inventory, held(inventory)))

    assert tuple(decided[order.id] for order in scenario.orders) == batch.allocations
    assert inventory == batch.inventory
    assert held(inventory) == held(batch.inventory)
    assert (used or {}) == batch.capacity_used
    for snapshot, positions in snapshots:
        assert held(snapshot) == positions

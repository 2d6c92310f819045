"""The engine verifies every policy's allocations against the hard rules (issue 12, item
14): a custom policy that breaks one is refused, with the policy and the rule named."""

from collections.abc import Callable, Sequence

import attrs
import numpy as np
import pytest

import omnichannel as oc
from omnichannel import (
    Allocation,
    AllocationStatus,
    Capability,
    Channel,
    ChannelKind,
    CostModel,
    FulfillmentMethod,
    GeoPoint,
    InvalidInputError,
    Inventory,
    Network,
    Node,
    NodeKind,
    Order,
    OrderLine,
    RateCard,
    ServiceLevel,
    Shipment,
    StockPosition,
)
from omnichannel.allocation import Sequential, Wave
from omnichannel.sourcing import SourcingBatch, StateUse

NO_STATE = StateUse(0)
HOME = GeoPoint(lat=52.5, lon=13.4)
RATES = {level: RateCard(base=5.0, per_km=0.01, per_unit=0.5) for level in ServiceLevel}
NETWORK = Network(
    nodes=[
        Node(
            id="dc",
            kind=NodeKind.DC,
            location=GeoPoint(lat=51.3, lon=12.4),
            capabilities=Capability.SHIP,
            order_capacity=1,
            handling_cost_per_order=1.0,
        ),
        Node(
            id="store",
            kind=NodeKind.STORE,
            location=GeoPoint(lat=52.6, lon=13.3),
            capabilities=Capability.SHIP | Capability.PICKUP,
        ),
        Node(
            id="closed",
            kind=NodeKind.STORE,
            location=HOME,
            capabilities=Capability.SHIP,
            active=False,
        ),
    ],
    channels=[Channel(id="web", kind=ChannelKind.WEB)],
    costs=CostModel(rates=RATES),
)
STOCK = Inventory.from_positions(
    [
        StockPosition(node_id="dc", sku="A", on_hand=10),
        StockPosition(node_id="store", sku="A", on_hand=3, safety_stock=2),
        StockPosition(node_id="closed", sku="A", on_hand=10),
    ]
)


def order(order_id: str, quantity: int = 1) -> Order:
    return Order(
        id=order_id,
        channel_id="web",
        lines=[OrderLine(sku="A", quantity=quantity)],
        method=FulfillmentMethod.SHIP_TO_HOME,
        destination=HOME,
    )


def shipment(wave: Wave, row: int, node_id: str, quantity: int) -> Shipment:
    """A shipment priced by the cost model, as the engine prices it."""
    result = oc.explain(wave.arrays.orders[row], NETWORK, STOCK)
    candidate = result.candidate(node_id)
    units = float(quantity)
    per_unit = RATES[ServiceLevel.STANDARD].per_unit
    node = NETWORK.node(node_id)
    shipping = 5.0 + 0.01 * candidate.distance_km + per_unit * units
    handling = node.handling_cost_per_order + node.handling_cost_per_unit * units
    return Shipment(
        node_id=node_id,
        lines=(OrderLine(sku="A", quantity=quantity),),
        distance_km=candidate.distance_km,
        cost=shipping + handling,
    )


def shipped(order_id: str, *shipments: Shipment) -> Allocation:
    return Allocation(
        order_id=order_id,
        shipments=shipments,
        unfulfilled=(),
        status=AllocationStatus.FULFILLED if shipments else AllocationStatus.UNFULFILLED,
    )


@attrs.frozen
class Scripted:
    """A custom policy that returns what ``decide`` builds for the wave."""

    decide: Callable[[Wave], Sequence[Allocation]]

    def allocate(self, wave: Wave, /) -> Sequence[Allocation]:
        return self.decide(wave)


def refused(policy: Scripted, orders: Sequence[Order], rule: str, **kwargs: object) -> str:
    with pytest.raises(InvalidInputError, match=f"Scripted broke rule {rule}: ") as caught:
        oc.allocate(orders, NETWORK, STOCK, policy=policy, **kwargs)  # type: ignore[arg-type]
    assert caught.value.problems[0][0] == "policy"
    return str(caught.value)


def test_a_correct_custom_policy_is_accepted() -> None:
    def decide(wave: Wave) -> list[Allocation]:
        return [shipped("o1", shipment(wave, 0, "dc", 2))]

    result = oc.allocate([order("o1", 2)], NETWORK, STOCK, policy=Scripted(decide))
    assert result.inventory.position("dc", "A").reserved == 2  # type: ignore[union-attr]


def test_two_shipments_from_a_node_with_capacity_one_break_capacity() -> None:
    def decide(wave: Wave) -> list[Allocation]:
        return [
            shipped("o1", shipment(wave, 0, "dc", 1)),
            shipped("o2", shipment(wave, 1, "dc", 1)),
        ]

    message = refused(Scripted(decide), [order("o1"), order("o2")], "CAPACITY")
    assert "2 shipments from a node with 1 left" in message


def test_capacity_used_before_the_call_counts() -> None:
    def decide(wave: Wave) -> list[Allocation]:
        return [shipped("o1", shipment(wave, 0, "dc", 1))]

    refused(Scripted(decide), [order("o1")], "CAPACITY", capacity_used={"dc": 1})


def test_taking_safety_stock_for_a_remote_channel_breaks_stock() -> None:
    def decide(wave: Wave) -> list[Allocation]:
        return [shipped("o1", shipment(wave, 0, "store", 2))]  # 3 on hand, 2 safety

    message = refused(Scripted(decide), [order("o1", 2)], "STOCK")
    assert "only 3 unreserved (1 above safety stock)" in message


def test_shipping_from_an_inactive_node_breaks_inactive() -> None:
    def decide(wave: Wave) -> list[Allocation]:
        return [shipped("o1", shipment(wave, 0, "closed", 1))]

    assert "node 'closed'" in refused(Scripted(decide), [order("o1")], "INACTIVE")


def test_shipping_outside_the_allowed_nodes_breaks_excluded() -> None:
    def decide(wave: Wave) -> list[Allocation]:
        return [shipped("o1", shipment(wave, 0, "store", 1))]

    pinned = attrs.evolve(order("o1"), allowed_node_ids={"dc"})
    assert "node 'store'" in refused(Scripted(decide), [pinned], "EXCLUDED")


def test_shipping_from_a_node_that_rejected_the_order_breaks_excluded() -> None:
    def decide(wave: Wave) -> list[Allocation]:
        return [shipped("o1", shipment(wave, 0, "store", 1))]

    shunned = attrs.evolve(order("o1"), excluded_node_ids={"store"})
    assert "node 'store'" in refused(Scripted(decide), [shunned], "EXCLUDED")


def test_a_line_neither_shipped_nor_unfulfilled_is_refused() -> None:
    """Before the verifier, this gave fill_rate 1.0 with nothing shipped."""

    def decide(wave: Wave) -> list[Allocation]:
        return [shipped("o1")]

    assert "has 1 units, 0 shipped or unfulfilled" in refused(
        Scripted(decide), [order("o1")], "lines"
    )


def test_units_beyond_the_line_are_refused() -> None:
    def decide(wave: Wave) -> list[Allocation]:
        return [shipped("o1", shipment(wave, 0, "dc", 2))]

    refused(Scripted(decide), [order("o1", 1)], "lines")


def test_a_sku_the_order_does_not_have_is_refused() -> None:
    def decide(wave: Wave) -> list[Allocation]:
        ships = shipment(wave, 0, "dc", 1)
        other = attrs.evolve(ships, lines=(*ships.lines, OrderLine(sku="B", quantity=1)))
        return [shipped("o1", other)]

    assert "sku 'B', which is not one of its lines" in refused(
        Scripted(decide), [order("o1")], "lines"
    )


def test_two_shipments_of_one_order_from_one_node_are_refused() -> None:
    def decide(wave: Wave) -> list[Allocation]:
        half = shipment(wave, 0, "store", 1)
        return [attrs.evolve(shipped("o1", half, half), split_penalty=0.0)]

    assert "two shipments from one node" in refused(Scripted(decide), [order("o1", 2)], "shipments")


def test_an_unknown_node_is_refused() -> None:
    def decide(wave: Wave) -> list[Allocation]:
        return [shipped("o1", attrs.evolve(shipment(wave, 0, "dc", 1), node_id="nowhere"))]

    assert "not a network node" in refused(Scripted(decide), [order("o1")], "shipments")


def test_a_wrong_cost_is_refused() -> None:
    def decide(wave: Wave) -> list[Allocation]:
        return [shipped("o1", attrs.evolve(shipment(wave, 0, "dc", 1), cost=0.5))]

    assert "cost is 0.5, the cost model gives" in refused(Scripted(decide), [order("o1")], "cost")


@attrs.frozen
class ForbidsTheDc:
    """A state-free strategy that forbids the DC."""

    state_use: StateUse = NO_STATE

    def costs(self, batch: SourcingBatch, /) -> object:
        costs = np.zeros((batch.n_orders, batch.n_nodes))
        costs[:, batch.nodes.ids.index("dc")] = np.inf
        return costs


def test_a_node_the_strategy_forbids_is_refused() -> None:
    def decide(wave: Wave) -> list[Allocation]:
        return [shipped("o1", shipment(wave, 0, "dc", 1))]

    with pytest.raises(InvalidInputError, match="Scripted broke rule STRATEGY"):
        oc.allocate([order("o1")], NETWORK, STOCK, sourcing=ForbidsTheDc(), policy=Scripted(decide))


def test_the_built_in_policy_passes_on_the_same_wave() -> None:
    result = oc.allocate([order("o1"), order("o2")], NETWORK, STOCK, policy=Sequential())
    assert [a.status for a in result.allocations] == [AllocationStatus.FULFILLED] * 2


def test_writing_to_the_wave_state_does_not_get_past_the_check() -> None:
    """The answer is checked against the state as it was before the policy ran."""

    def decide(wave: Wave) -> list[Allocation]:
        wave.state.spare[1][:] = 10**6  # "there is plenty above safety stock"
        wave.state.used[:] = -5  # "the DC has shipments left"
        return [shipped("o1", shipment(wave, 0, "store", 2))]

    refused(Scripted(decide), [order("o1", 2)], "STOCK")


def test_one_sku_twice_in_a_shipment_is_refused() -> None:
    def decide(wave: Wave) -> list[Allocation]:
        one = shipment(wave, 0, "dc", 2)
        return [shipped("o1", attrs.evolve(one, lines=(OrderLine(sku="A", quantity=1),) * 2))]

    assert "lists sku 'A' twice in one shipment" in refused(
        Scripted(decide), [order("o1", 2)], "lines"
    )


@pytest.mark.parametrize("answer", [None, 3, "o1", [None]])
def test_an_answer_that_is_not_a_list_of_allocations_is_refused(answer: object) -> None:
    with pytest.raises(InvalidInputError, match="must return one allocation per order"):
        oc.allocate([order("o1")], NETWORK, STOCK, policy=Scripted(lambda _: answer))  # type: ignore[arg-type,return-value]


class SequentialOnTheDc(Sequential):  # type: ignore[misc]
    """A runtime subclass of a built-in is a custom policy: it ships from the DC."""

    def allocate(self, wave: Wave, /) -> list[Allocation]:
        return [shipped("o1", shipment(wave, 0, "dc", 1))]


def test_a_subclass_of_a_built_in_is_checked_like_a_custom_policy() -> None:
    with pytest.raises(InvalidInputError, match="SequentialOnTheDc broke rule STRATEGY"):
        oc.allocate(
            [order("o1")], NETWORK, STOCK, sourcing=ForbidsTheDc(), policy=SequentialOnTheDc()
        )

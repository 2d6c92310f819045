"""Inventory accuracy: validation with paths, which entry wins, call-time node checks,
and the ``Weighted(rejection_risk=...)`` term in allocate, the reference and explain."""

from __future__ import annotations

import math

import pytest

import omnichannel as oc
from omnichannel import reference
from omnichannel.serialization import from_dict, to_dict
from omnichannel.sourcing import LowestCost, Weighted

HOME = oc.GeoPoint(lat=48.86, lon=2.35)
RISKY = Weighted(shipping=1, handling=1, rejection_risk=20)


def _scene() -> tuple[oc.Network, oc.Inventory, oc.Order]:
    """A store next to the customer and a DC farther away, both holding the mug."""
    network = oc.Network(
        nodes=[
            oc.Node(
                id="dc",
                kind=oc.NodeKind.DC,
                location=oc.GeoPoint(lat=48.95, lon=2.55),
                capabilities=oc.Capability.SHIP,
            ),
            oc.Node(
                id="store",
                kind=oc.NodeKind.STORE,
                location=oc.GeoPoint(lat=48.87, lon=2.36),
                capabilities=oc.Capability.SHIP,
            ),
        ],
        channels=[
            oc.Channel(
                id="web", kind=oc.ChannelKind.WEB, node_kinds={oc.NodeKind.DC, oc.NodeKind.STORE}
            )
        ],
    )
    inventory = oc.Inventory.from_positions(
        [
            oc.StockPosition(node_id="dc", sku="MUG", on_hand=10),
            oc.StockPosition(node_id="store", sku="MUG", on_hand=10),
        ]
    )
    order = oc.Order(
        id="o1", channel_id="web", lines=[oc.OrderLine(sku="MUG", quantity=1)], destination=HOME
    )
    return network, inventory, order


def _problem(error: pytest.ExceptionInfo[oc.InvalidInputError]) -> list[str]:
    return [f"{path}: {message}" for path, message in error.value.problems]


def test_probabilities_out_of_range_name_their_path() -> None:
    with pytest.raises(oc.InvalidInputError) as error:
        oc.Accuracy(by_node={"s1": 1.5})
    assert _problem(error) == ["by_node['s1']: must be in [0, 1], got 1.5"]
    with pytest.raises(oc.InvalidInputError) as error:
        oc.Accuracy(by_position={"s1": {"MUG": -0.1, "CUP": math.nan}})
    assert _problem(error) == [
        "by_position['s1']['MUG']: must be in [0, 1], got -0.1",
        "by_position['s1']['CUP']: must be a finite number, got nan",
    ]
    with pytest.raises(oc.InvalidInputError, match=r"^default: must be in \[0, 1\]"):
        oc.Accuracy(default=2)
    with pytest.raises(oc.InvalidInputError, match="key must be a non-empty string"):
        oc.Accuracy(by_node={"": 0.5})
    with pytest.raises(oc.InvalidInputError, match=r"^by_node: must map node ids"):
        oc.Accuracy(by_node=[0.5])  # type: ignore[arg-type]
    with pytest.raises(oc.InvalidInputError, match=r"^by_position\['s1'\]: must map SKUs"):
        oc.Accuracy(by_position={"s1": 0.5})  # type: ignore[dict-item]


def test_the_most_specific_entry_wins() -> None:
    accuracy = oc.Accuracy(default=0.9, by_node={"s1": 0.6}, by_position={"s1": {"MUG": 0.3}})
    assert accuracy.found("s1", "MUG") == 0.3
    assert accuracy.found("s1", "CUP") == 0.6
    assert accuracy.found("dc", "MUG") == 0.9
    assert oc.Accuracy().found("anywhere", "MUG") == 1.0
    assert accuracy.node_ids == frozenset({"s1"})


def test_round_trips_through_json() -> None:
    accuracy = oc.Accuracy(default=0.95, by_node={"s1": 0.6}, by_position={"s2": {"MUG": 0.5}})
    assert from_dict(oc.Accuracy, to_dict(accuracy)) == accuracy
    assert from_dict(oc.Accuracy, {}) == oc.Accuracy()
    with pytest.raises(oc.InvalidInputError) as error:
        from_dict(oc.Accuracy, {"by_node": {"s1": 1.5}})
    assert _problem(error) == ["by_node['s1']: must be in [0, 1], got 1.5"]


def test_unknown_nodes_are_refused_at_call_time() -> None:
    network, inventory, order = _scene()
    for accuracy, path in [
        (oc.Accuracy(by_node={"ghost": 0.5}), "accuracy.by_node['ghost']"),
        (oc.Accuracy(by_position={"ghost": {"MUG": 0.5}}), "accuracy.by_position['ghost']"),
    ]:
        for call in (oc.allocate, reference.allocate):
            with pytest.raises(oc.UnknownReferenceError) as error:
                call([order], network, inventory, accuracy=accuracy)
            assert error.value.args[0].startswith(path)
        with pytest.raises(oc.UnknownReferenceError):
            oc.explain(order, network, inventory, accuracy=accuracy)
    with pytest.raises(oc.InvalidInputError, match=r"^accuracy: must be Accuracy"):
        oc.allocate([order], network, inventory, accuracy={"store": 0.6})  # type: ignore[arg-type]


def test_an_inaccurate_store_loses_to_the_dc_only_when_rejections_are_priced() -> None:
    network, inventory, order = _scene()
    accuracy = oc.Accuracy(by_node={"store": 0.6})
    for call in (oc.allocate, reference.allocate):
        cheap = call([order], network, inventory, sourcing=LowestCost(), accuracy=accuracy)
        assert cheap.allocations[0].shipments[0].node_id == "store"
        risky = call([order], network, inventory, sourcing=RISKY, accuracy=accuracy)
        shipment = risky.allocations[0].shipments[0]
        assert shipment.node_id == "dc"
        assert shipment.cost == cheap_cost_at(network, inventory, order, "dc")
    explanation = oc.explain(order, network, inventory, sourcing=RISKY, accuracy=accuracy)
    store, dc = explanation.candidate("store"), explanation.candidate("dc")
    assert store.expected_rejections == pytest.approx(0.4)
    assert dc.expected_rejections == 0.0
    money = store.shipping_cost + store.handling_cost
    assert store.score == pytest.approx(money + 20 * 0.4)
    assert explanation.chosen_node_id == "dc"


def cheap_cost_at(
    network: oc.Network, inventory: oc.Inventory, order: oc.Order, node_id: str
) -> float:
    """The money of shipping ``order`` from ``node_id``: the term never enters it."""
    candidate = oc.explain(order, network, inventory).candidate(node_id)
    return candidate.shipping_cost + candidate.handling_cost


def test_rejections_sum_over_lines_with_position_overrides() -> None:
    network, inventory, _ = _scene()
    inventory = inventory.receive(
        [oc.StockMove(node_id=n, sku="CUP", quantity=5) for n in ("dc", "store")]
    )
    order = oc.Order(
        id="o2",
        channel_id="web",
        lines=[oc.OrderLine(sku="MUG", quantity=1), oc.OrderLine(sku="CUP", quantity=3)],
        destination=HOME,
    )
    accuracy = oc.Accuracy(default=0.9, by_position={"store": {"CUP": 0.5}})
    explanation = oc.explain(order, network, inventory, accuracy=accuracy)
    assert explanation.candidate("store").expected_rejections == pytest.approx(0.1 + 0.5)
    assert explanation.candidate("dc").expected_rejections == pytest.approx(0.1 + 0.1)
    assert oc.explain(order, network, inventory).candidate("store").expected_rejections == 0.0


def test_rejection_risk_is_validated_and_reads_no_state() -> None:
    with pytest.raises(oc.InvalidInputError, match="rejection_risk"):
        Weighted(rejection_risk=-1)
    assert not Weighted(rejection_risk=5).state_use

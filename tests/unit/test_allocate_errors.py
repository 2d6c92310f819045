"""Bad calls get clear errors naming the order and the field."""

from typing import Any

import pytest

import omnichannel as oc
from omnichannel import reference

HERE = oc.GeoPoint(lat=50.0, lon=10.0)
NETWORK = oc.Network(
    nodes=[oc.Node(id="dc", kind=oc.NodeKind.DC, location=HERE, capabilities=oc.Capability.SHIP)],
    channels=[oc.Channel(id="web", kind=oc.ChannelKind.WEB)],
)
INVENTORY = oc.Inventory.from_positions([oc.StockPosition(node_id="dc", sku="A", on_hand=3)])


def order(order_id: str = "o1", **fields: Any) -> oc.Order:
    values: dict[str, Any] = {
        "channel_id": "web",
        "destination": HERE,
        "lines": [oc.OrderLine(sku="A", quantity=1)],
    }
    values.update(fields)
    return oc.Order(id=order_id, **values)


@pytest.mark.parametrize("allocate", [oc.allocate, reference.allocate])
def test_unknown_channel_names_the_order(allocate: Any) -> None:
    with pytest.raises(oc.UnknownReferenceError) as caught:
        allocate([order(), order("o2", channel_id="fax")], NETWORK, INVENTORY)
    assert str(caught.value) == "orders[1].channel_id: order 'o2' names unknown channel 'fax'"


def test_unknown_pickup_node_names_the_order() -> None:
    bad = order(
        method=oc.FulfillmentMethod.PICKUP_IN_STORE, destination=None, pickup_node_id="nowhere"
    )
    with pytest.raises(oc.UnknownReferenceError, match=r"orders\[0\].pickup_node_id: order 'o1'"):
        oc.allocate([bad], NETWORK, INVENTORY)


@pytest.mark.parametrize("allocate", [oc.allocate, reference.allocate])
def test_unknown_allowed_node_names_the_order(allocate: Any) -> None:
    bad = order("o2", allowed_node_ids={"dc", "ghost"})
    with pytest.raises(oc.UnknownReferenceError) as caught:
        allocate([order(), bad], NETWORK, INVENTORY)
    assert str(caught.value) == (
        "orders[1].allowed_node_ids: order 'o2' names unknown node 'ghost'"
    )


def test_bad_allowed_node_ids_name_the_field() -> None:
    with pytest.raises(oc.InvalidInputError, match=r"^allowed_node_ids: must hold non-empty"):
        order(allowed_node_ids={""})
    with pytest.raises(oc.InvalidInputError, match=r"^allowed_node_ids: must be a set of ids"):
        order(allowed_node_ids="dc")


def test_every_bad_order_is_listed() -> None:
    with pytest.raises(oc.InvalidInputError) as caught:
        oc.allocate([order(), "o2", order()], NETWORK, INVENTORY)  # type: ignore[list-item]
    assert [path for path, _ in caught.value.problems] == ["orders[1]", "orders[2].id"]


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"sourcing": "lowest_cost"}, "sourcing"),
        ({"policy": object()}, "policy"),
        ({"demand": {}}, "demand"),
        ({"capacity_used": {"dc": -1}}, "capacity_used['dc']"),
        ({"capacity_used": [1]}, "capacity_used"),
    ],
)
def test_bad_arguments(kwargs: dict[str, Any], path: str) -> None:
    with pytest.raises(oc.InvalidInputError) as caught:
        oc.allocate([order()], NETWORK, INVENTORY, **kwargs)
    assert caught.value.problems[0][0] == path


def test_unknown_node_in_capacity_used() -> None:
    with pytest.raises(oc.UnknownReferenceError, match="capacity_used"):
        oc.allocate([order()], NETWORK, INVENTORY, capacity_used={"ghost": 1})


def test_wrong_types_for_network_and_inventory() -> None:
    with pytest.raises(oc.InvalidInputError) as caught:
        oc.allocate([order()], "net", {})  # type: ignore[arg-type]
    assert [p for p, _ in caught.value.problems] == ["network", "inventory"]
    with pytest.raises(oc.InvalidInputError, match="must be a collection of Order"):
        oc.allocate(order(), NETWORK, INVENTORY)  # type: ignore[arg-type]


def test_reference_refuses_what_it_does_not_specify() -> None:
    class Custom:
        state_use = oc.sourcing.StateUse(0)

        def costs(self, batch: oc.sourcing.SourcingBatch) -> Any:
            return batch.distance_km

    with pytest.raises(oc.InvalidInputError, match="built-in strategies only"):
        reference.allocate([order()], NETWORK, INVENTORY, sourcing=Custom())

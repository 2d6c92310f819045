"""Bad payloads give InvalidInputError naming every faulty field, never a raw cattrs error."""

from typing import Any

import pytest

from omnichannel import (
    InvalidInputError,
    Inventory,
    Network,
    Node,
    Order,
    StockPosition,
)
from omnichannel.serialization import from_dict, to_dict


def problems(cls: type, data: Any) -> list[tuple[str, str]]:
    with pytest.raises(InvalidInputError) as caught:
        from_dict(cls, data)
    return list(caught.value.problems)


def test_every_faulty_field_is_listed_with_its_path() -> None:
    found = problems(
        Order,
        {
            "id": "o",
            "channel_id": 3,
            "lines": [{"sku": "a", "quantity": 0}, {"sku": "b"}, {"sku": "c", "quantity": "2"}],
            "method": "teleport",
            "colour": "red",
        },
    )
    assert found == [
        ("channel_id", "must be a string, got 3"),
        ("lines[0].quantity", "must be >= 1, got 0"),
        ("lines[1].quantity", "required field missing"),
        ("lines[2].quantity", "must be an int, got '2'"),
        (
            "method",
            "must be one of 'ship_to_home', 'pickup_in_store', 'ship_to_store', "
            "'pickup_point', 'same_day', got 'teleport'",
        ),
        ("colour", "unexpected field"),
    ]


def test_capabilities_are_names_and_bad_names_are_reported() -> None:
    data = {
        "id": "n",
        "kind": "store",
        "location": {"lat": 1, "lon": 2},
        "capabilities": ["SHIP", "FLY"],
    }
    assert problems(Node, data) == [
        (
            "capabilities[1]",
            "must be one of SHIP, PICKUP, RECEIVE_TRANSFER, SAME_DAY, ACCEPT_RETURNS, RESTOCK, "
            "REFURBISH, got 'FLY'",
        )
    ]


def test_domain_rules_inside_nested_data_keep_the_full_path() -> None:
    data = {
        "nodes": [
            {"id": "n", "kind": "dc", "location": {"lat": 100, "lon": 0}},
            {"id": "m", "kind": "dc", "location": {"lat": 0, "lon": 0}, "order_capacity": -1},
        ],
        "channels": [],
    }
    assert problems(Network, data) == [
        ("nodes[0].location.lat", "must be between -90.0 and 90.0, got 100.0"),
        ("nodes[1].order_capacity", "must be >= 0, got -1"),
    ]


def test_network_level_rules_are_reported() -> None:
    node = {"id": "n", "kind": "dc", "location": {"lat": 0, "lon": 0}}
    assert problems(Network, {"nodes": [node, node], "channels": []}) == [
        ("nodes[1].id", "duplicate of nodes[0]: 'n'")
    ]


@pytest.mark.parametrize("data", [None, 3, "order", ["id"]])
def test_not_a_mapping_is_invalid_input(data: Any) -> None:
    assert problems(Order, data)


def test_inventory_payload_paths() -> None:
    found = problems(Inventory, {"positions": [{"node_id": "n", "sku": "a", "on_hand": -1}]})
    assert found == [("positions[0].on_hand", "must be >= 0, got -1")]
    inventory = Inventory.from_positions([StockPosition(node_id="n", sku="a", on_hand=2)])
    assert to_dict(inventory) == {
        "positions": [
            {
                "node_id": "n",
                "sku": "a",
                "on_hand": 2,
                "reserved": 0,
                "safety_stock": 0,
                "in_transit": 0,
            }
        ]
    }

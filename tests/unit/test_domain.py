"""Every validation rule of the domain types rejects bad input with the field's path."""

import math
from typing import Any

import pytest

from omnichannel import (
    Allocation,
    Capability,
    CarrierService,
    Catalogue,
    Channel,
    ChannelKind,
    CostModel,
    FulfillmentMethod,
    GeoPoint,
    InvalidInputError,
    Network,
    Node,
    NodeKind,
    Order,
    OrderLine,
    Product,
    RateCard,
    ReturnCondition,
    ReturnLine,
    ReturnMethod,
    ReturnRequest,
    ServiceLevel,
    StockMove,
    StockPosition,
    UnknownReferenceError,
)

HERE = GeoPoint(lat=52.5, lon=13.4)
LINE = OrderLine(sku="A", quantity=1)


def node(**changes: Any) -> Node:
    fields: dict[str, Any] = {"id": "n1", "kind": NodeKind.STORE, "location": HERE}
    return Node(**{**fields, **changes})


BAD_INPUT = [
    (GeoPoint, {"lat": 91.0, "lon": 0.0}, "lat", "must be between -90.0 and 90.0, got 91.0"),
    (GeoPoint, {"lat": 0.0, "lon": math.nan}, "lon", "must be a finite number"),
    (GeoPoint, {"lat": "north", "lon": 0.0}, "lat", "must be a finite number"),
    (OrderLine, {"sku": "", "quantity": 1}, "sku", "must be a non-empty string"),
    (OrderLine, {"sku": "A", "quantity": 0}, "quantity", "must be >= 1, got 0"),
    (OrderLine, {"sku": "A", "quantity": True}, "quantity", "must be an int"),
    (OrderLine, {"sku": "A", "quantity": 1.5}, "quantity", "must be an int"),
    (Channel, {"id": "c", "kind": "web"}, "kind", "must be ChannelKind"),
    (Channel, {"id": "c", "kind": ChannelKind.WEB, "node_kinds": ["dc"]}, "node_kinds", "set of"),
    (Node, {"id": "n", "kind": NodeKind.DC, "location": (1, 2)}, "location", "must be GeoPoint"),
    (
        Node,
        {"id": "n", "kind": NodeKind.DC, "location": HERE, "order_capacity": -1},
        "order_capacity",
        "must be >= 0, got -1",
    ),
    (
        Node,
        {"id": "n", "kind": NodeKind.DC, "location": HERE, "handling_cost_per_unit": -0.5},
        "handling_cost_per_unit",
        "must be >= 0.0, got -0.5",
    ),
    (
        Node,
        {"id": "n", "kind": NodeKind.DC, "location": HERE, "capabilities": 3},
        "capabilities",
        "must be Capability",
    ),
    (RateCard, {"base": -1.0, "per_km": 0.0}, "base", "must be >= 0.0"),
    (RateCard, {"base": 1.0, "per_km": math.inf}, "per_km", "must be a finite number"),
    (
        CostModel,
        {"rates": {ServiceLevel.STANDARD: RateCard(base=1.0, per_km=0.0)}},
        "rates",
        "needs a rate card for express, same_day",
    ),
    (CostModel, {"split_penalty": -2.0}, "split_penalty", "must be >= 0.0"),
    (StockPosition, {"node_id": "n", "sku": "A", "on_hand": -1}, "on_hand", "must be >= 0"),
    (
        StockPosition,
        {"node_id": "n", "sku": "A", "on_hand": 2, "reserved": 3},
        "reserved",
        "must be <= on_hand (2), got 3",
    ),
    (StockMove, {"node_id": "n", "sku": "A", "quantity": 0}, "quantity", "must be >= 1"),
    (Order, {"id": "o", "channel_id": "c", "lines": []}, "lines", "at least 1 item"),
    (
        Order,
        {"id": "o", "channel_id": "c", "lines": [LINE, LINE], "destination": HERE},
        "lines[1].sku",
        "'A' already ordered in lines[0]",
    ),
    (
        Order,
        {"id": "o", "channel_id": "c", "lines": [LINE]},
        "destination",
        "required for SHIP_TO_HOME",
    ),
    (
        Order,
        {
            "id": "o",
            "channel_id": "c",
            "lines": [LINE],
            "method": FulfillmentMethod.PICKUP_IN_STORE,
        },
        "pickup_node_id",
        "required for PICKUP_IN_STORE",
    ),
    (
        Order,
        {"id": "o", "channel_id": "c", "lines": ["A"], "destination": HERE},
        "lines[0]",
        "must be OrderLine",
    ),
    (
        ReturnLine,
        {"sku": "A", "quantity": 1, "condition": ReturnCondition.SELLABLE, "unit_value": -1.0},
        "unit_value",
        "must be >= 0.0",
    ),
    (
        ReturnRequest,
        {
            "id": "r",
            "channel_id": "c",
            "method": ReturnMethod.MAIL,
            "lines": [
                ReturnLine(sku="A", quantity=1, condition=ReturnCondition.DAMAGED, unit_value=3.0)
            ],
        },
        "origin",
        "required for MAIL",
    ),
    (
        ReturnRequest,
        {
            "id": "r",
            "channel_id": "c",
            "method": ReturnMethod.IN_STORE,
            "lines": [
                ReturnLine(sku="A", quantity=1, condition=ReturnCondition.DAMAGED, unit_value=3.0)
            ],
        },
        "drop_off_node_id",
        "required for IN_STORE",
    ),
]


@pytest.mark.parametrize(("cls", "fields", "path", "message"), BAD_INPUT)
def test_bad_field_is_rejected_with_its_path(
    cls: type, fields: dict[str, Any], path: str, message: str
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        cls(**fields)
    assert caught.value.problems[0][0] == path
    assert message in caught.value.problems[0][1]


def test_values_are_frozen_and_ints_become_floats() -> None:
    point = GeoPoint(lat=1, lon=2)
    assert point == GeoPoint(lat=1.0, lon=2.0)
    assert isinstance(point.lat, float)
    with pytest.raises(AttributeError):
        point.lat = 3.0  # type: ignore[misc]


def test_network_rejects_duplicate_ids_listing_every_one() -> None:
    channel = Channel(id="web", kind=ChannelKind.WEB)
    with pytest.raises(InvalidInputError) as caught:
        Network(nodes=[node(), node(), node(id="n2"), node(id="n2")], channels=[channel, channel])
    assert [path for path, _ in caught.value.problems] == ["nodes[1].id", "nodes[3].id"]
    with pytest.raises(InvalidInputError, match=r"channels\[1\].id: duplicate of channels\[0\]"):
        Network(nodes=[node()], channels=[channel, channel])


def test_network_lookups_and_canonical_arrays() -> None:
    far = node(id="b", rank=0, order_capacity=2, capabilities=Capability.SHIP | Capability.PICKUP)
    near = node(id="a", rank=1)
    first = node(id="c", rank=0, active=False)
    web = Channel(id="web", kind=ChannelKind.WEB, node_kinds={NodeKind.DC})
    network = Network(nodes=[near, far, first], channels=[web])
    assert network.node("a") is near
    assert network.channel("web") is web
    assert network.arrays.ids == ("b", "c", "a")
    assert network.node_index("a") == 2
    assert network.arrays.capacity.tolist() == [2.0, math.inf, math.inf]
    assert network.arrays.active.tolist() == [True, False, True]
    assert network.arrays.has(Capability.SHIP).tolist() == [True, False, False]
    assert network.channel_allows.tolist() == [[False, False, False]]
    assert not network.arrays.capacity.flags.writeable
    with pytest.raises(UnknownReferenceError, match="unknown node 'zz'"):
        network.node("zz")
    with pytest.raises(UnknownReferenceError, match="unknown channel 'zz'"):
        network.channel_index("zz")


def test_default_cost_model_covers_every_service_level() -> None:
    model = CostModel()
    assert set(model.rates) == set(ServiceLevel)
    assert model.rates[ServiceLevel.SAME_DAY].max_km == 40.0
    assert model == CostModel()
    assert hash(model) == hash(CostModel())


def _carrier(name: str) -> CarrierService:
    return CarrierService(
        name=name,
        service_level=ServiceLevel.STANDARD,
        zones=(100.0,),
        weight_steps_kg=(5.0,),
        prices=((4.0,),),
    )


@pytest.mark.parametrize(
    ("build", "problems"),
    [
        (
            lambda: CostModel(carriers=[_carrier("a"), _carrier("b"), _carrier("a")]),
            [("carriers[2].name", "duplicate of carriers[0]: 'a'")],
        ),
        (
            lambda: Catalogue(products=[Product(sku=sku, weight_kg=1.0) for sku in "ABAB"]),
            [
                ("products[2].sku", "duplicate of products[0]: 'A'"),
                ("products[3].sku", "duplicate of products[1]: 'B'"),
            ],
        ),
        (
            lambda: Allocation(
                order_id="o",
                shipments=(),
                unfulfilled=(),
                cancelled=[OrderLine(sku="A", quantity=1), OrderLine(sku="A", quantity=2)],
            ),
            [("cancelled[1].sku", "duplicate of cancelled[0]: 'A'")],
        ),
    ],
    ids=["carriers", "products", "cancelled"],
)
def test_named_items_are_unique_and_every_repeat_is_reported(
    build: Any, problems: list[tuple[str, str]]
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        build()
    assert list(caught.value.problems) == problems

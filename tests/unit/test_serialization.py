"""Bad payloads give InvalidInputError naming every faulty field, never a raw cattrs error."""

import datetime as dt
import json
import math
import types
import typing
from typing import Any, Union

import attrs
import numpy as np
import pytest

from omnichannel import (
    Accuracy,
    Allocation,
    AllocationResult,
    Capability,
    CarrierService,
    Cart,
    Catalogue,
    Channel,
    ChannelKind,
    CostModel,
    DemandRates,
    DispositionTable,
    Explanation,
    FulfillmentMethod,
    FulfillmentOption,
    GeoPoint,
    InvalidInputError,
    Inventory,
    Network,
    Node,
    NodeCalendar,
    NodeCandidate,
    NodeKind,
    Order,
    OrderLine,
    Product,
    Promise,
    RateCard,
    Rule,
    ServiceLevel,
    Shipment,
    StockPosition,
    explain,
)
from omnichannel.serialization import from_dict, to_dict
from omnichannel.sourcing import LowestCost, SourcingBatch, StateUse


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


# -- strict JSON: non-finite floats are strings (issue 12 item 11) ----------------------


@attrs.frozen
class Forbids:
    """A custom strategy: LowestCost, but never from ``node_id`` (an ``inf`` score)."""

    node_id: str

    @property
    def state_use(self) -> StateUse:
        return StateUse(0)

    def costs(self, batch: SourcingBatch, /) -> Any:
        costs = LowestCost().costs(batch)
        costs[:, batch.nodes.ids.index(self.node_id)] = np.inf
        return costs


def test_an_inf_score_is_written_as_strict_json_and_read_back() -> None:
    here = GeoPoint(lat=50.0, lon=10.0)
    network = Network(
        nodes=[
            Node(id=n, kind=NodeKind.DC, location=here, capabilities=Capability.SHIP)
            for n in ("dc-a", "dc-b")
        ],
        channels=[Channel(id="web", kind=ChannelKind.WEB, node_kinds={NodeKind.DC})],
    )
    inventory = Inventory.from_positions(
        [StockPosition(node_id=n, sku="MUG", on_hand=3) for n in ("dc-a", "dc-b")]
    )
    order = Order(
        id="o", channel_id="web", lines=[OrderLine(sku="MUG", quantity=1)], destination=here
    )
    explanation = explain(order, network, inventory, sourcing=Forbids("dc-a"))
    assert explanation.candidate("dc-a").score == math.inf

    text = json.dumps(to_dict(explanation), allow_nan=False)

    data = json.loads(text)
    assert data["candidates"][0]["score"] == "inf"
    assert data["candidates"][0]["rejected_by"] == "strategy"
    assert from_dict(Explanation, data) == explanation


def test_non_finite_floats_are_the_strings_inf_minus_inf_and_nan() -> None:
    assert to_dict([math.inf, -math.inf, 1.5]) == ["inf", "-inf", 1.5]
    assert to_dict(math.nan) == "nan"
    assert from_dict(float, "inf") == math.inf
    assert from_dict(float, "-inf") == -math.inf
    assert math.isnan(from_dict(float, "nan"))


def test_other_strings_are_still_not_numbers_and_fields_still_need_finite_ones() -> None:
    assert problems(float, "Infinity") == [("", "must be a number, got 'Infinity'")]
    assert problems(float, "1.5") == [("", "must be a number, got '1.5'")]
    assert problems(float, 10**400) == [("", f"must be a finite number, got {10**400!r}")]
    assert problems(RateCard, {"base": "inf", "per_km": "nan"}) == [
        ("base", "must be a finite number, got inf"),
        ("per_km", "must be a finite number, got nan"),
    ]


# -- paths name the JSON keys; duplicates and contradictions refused (issue 12 item 13) --


def test_a_duplicate_demand_rate_is_refused_with_its_path() -> None:
    rate = {"node_id": "store-1", "sku": "MUG", "units_per_day": 2.0}
    data = {"rates": [rate, {**rate, "sku": "CUP"}, {**rate, "units_per_day": 5.0}]}
    assert problems(DemandRates, data) == [
        ("rates[2]", "duplicate of rates[0] (node 'store-1', sku 'MUG')")
    ]


def test_demand_rate_paths_name_the_json_keys() -> None:
    data = {
        "rates": [
            {"node_id": "store-1", "sku": "MUG", "units_per_day": -1},
            {"node_id": "", "sku": "CUP", "units_per_day": "inf"},
            {"node_id": "store-1", "units_per_day": 1.0},
        ]
    }
    assert problems(DemandRates, data) == [
        ("rates[0].units_per_day", "must be >= 0.0, got -1.0"),
        ("rates[1].node_id", "must be a non-empty string, got ''"),
        ("rates[1].units_per_day", "must be a finite number, got inf"),
        ("rates[2].sku", "required field missing"),
    ]


def test_accuracy_round_trips_and_paths_name_the_json_keys() -> None:
    accuracy = Accuracy(default=0.97, by_node={"s1": 0.6}, by_position={"s1": {"MUG": 0.4}})
    data = to_dict(accuracy)
    assert data == {"default": 0.97, "by_node": {"s1": 0.6}, "by_position": {"s1": {"MUG": 0.4}}}
    assert from_dict(Accuracy, data) == accuracy
    assert from_dict(Accuracy, {}) == Accuracy()
    bad = {"default": 1.5, "by_node": {"s1": -0.1}, "by_position": {"s1": {"MUG": 2}}}
    assert problems(Accuracy, bad) == [
        ("default", "must be in [0, 1], got 1.5"),
        ("by_node['s1']", "must be in [0, 1], got -0.1"),
        ("by_position['s1']['MUG']", "must be in [0, 1], got 2.0"),
    ]


def test_old_explanations_read_without_expected_rejections() -> None:
    candidate = NodeCandidate(
        node_id="dc",
        rejected_by=None,
        distance_km=1.0,
        shipping_cost=2.0,
        handling_cost=0.5,
        score=2.5,
        available=(3,),
    )
    data = to_dict(candidate)
    assert data.pop("expected_rejections") == 0.0
    assert from_dict(NodeCandidate, data) == candidate


def test_disposition_table_paths_name_the_json_keys() -> None:
    data = to_dict(DispositionTable())
    data["recovery"]["sellable"]["restock"] = 1.5
    data["recovery"]["open_box"]["keep"] = 0.5
    del data["recovery"]["damaged"]
    data["handling"]["refurbish"] = -8.0
    assert problems(DispositionTable, data) == [
        ("recovery", "needs every condition; missing 'damaged'"),
        ("recovery['sellable']['restock']", "must be a number in [0, 1], got 1.5"),
        ("recovery['open_box']['keep']", "key must be a Disposition other than KEEP"),
        (
            "handling['refurbish']",
            "must be a finite number between 0 and 1000000000000.0, got -8.0",
        ),
    ]


def test_disposition_table_key_faults_and_value_faults_are_listed_together() -> None:
    data = to_dict(DispositionTable())
    data["recovery"]["sellabel"] = data["recovery"].pop("sellable")
    data["handling"]["restock"] = "cheap"
    del data["handling"]["dispose"]
    found = problems(DispositionTable, {**data, "colour": "red"})
    assert found == [
        (
            "recovery['sellabel']",
            "must be one of 'sellable', 'open_box', 'damaged', 'defective', got 'sellabel'",
        ),
        ("handling['restock']", "must be a number, got 'cheap'"),
        ("colour", "unexpected field"),
    ]
    assert problems(DispositionTable, {"handling": {"restock": 1.0}}) == [
        ("handling['refurbish']", "missing; the recovery table uses it"),
        ("handling['return_to_vendor']", "missing; the recovery table uses it"),
        ("handling['liquidate']", "missing; the recovery table uses it"),
        ("handling['dispose']", "missing; the recovery table uses it"),
    ]


def shipment_data(**change: Any) -> dict[str, Any]:
    data = {"node_id": "dc", "lines": [{"sku": "MUG", "quantity": 1}], "distance_km": 4.0}
    return {**data, "cost": 3.5, **change}


def test_every_fault_of_one_object_is_listed() -> None:
    assert problems(Shipment, shipment_data(node_id="", cost=-1)) == [
        ("node_id", "must be a non-empty string, got ''"),
        ("cost", "must be >= 0.0, got -1.0"),
    ]
    assert problems(Shipment, shipment_data(node_id="", lines=[], distance_km="far")) == [
        ("node_id", "must be a non-empty string, got ''"),
        ("lines", "must hold at least 1 item(s), got 0"),
        ("distance_km", "must be a number, got 'far'"),
    ]


def test_decision_values_that_contradict_themselves_are_refused_with_full_paths() -> None:
    allocation = {
        "order_id": "o",
        "shipments": [shipment_data(), shipment_data(node_id="store", cost=-1)],
        "unfulfilled": [{"sku": "CUP", "quantity": 1, "reason": "out_of_stock"}],
        "status": "partial",
    }
    contradiction = {**allocation, "shipments": [shipment_data()], "status": "fulfilled"}
    data = {
        "allocations": [allocation, contradiction],
        "inventory": {"positions": []},
        "capacity_used": {"dc": 2, "store": -1},
    }
    found = problems(AllocationResult, data)
    assert found == [
        ("allocations[0].shipments[1].cost", "must be >= 0.0, got -1.0"),
        (
            "allocations[1].status",
            "must be 'partial' for an allocation with shipments and unfulfilled lines, "
            "got 'fulfilled'",
        ),
        ("capacity_used['store']", "must be >= 0, got -1"),
    ]


def test_a_status_left_out_is_derived_and_a_forbidding_score_needs_its_rule() -> None:
    data = {"order_id": "o", "shipments": [shipment_data()], "unfulfilled": []}
    assert from_dict(Allocation, data).status.value == "fulfilled"
    candidate = {
        "node_id": "dc",
        "rejected_by": None,
        "distance_km": 1.0,
        "shipping_cost": 1.0,
        "handling_cost": 0.0,
        "score": "inf",
        "available": [1],
    }
    assert problems(NodeCandidate, candidate) == [
        ("rejected_by", "must name a rule when score is inf (the strategy forbids the node)")
    ]
    forbidden = from_dict(NodeCandidate, {**candidate, "rejected_by": "strategy"})
    assert forbidden.rejected_by is Rule.STRATEGY
    assert forbidden.score == math.inf


# -- no raw exceptions from odd payloads (issue 12 item 8) -------------------------------


def test_a_key_that_is_not_a_string_is_a_fault_with_a_path() -> None:
    data: dict[Any, Any] = {1: "x", "id": "o", "channel_id": "web"}
    data["lines"] = [{"sku": "a", "quantity": 1}]
    data["destination"] = {"lat": 0, "lon": 0}
    assert problems(Order, data) == [("[1]", "field names must be strings")]


def test_an_unsupported_type_is_named() -> None:
    assert problems(object, {}) == [
        ("", "cannot read object: from_dict reads omnichannel's value types only")
    ]


def test_nested_objects_that_are_not_mappings_are_faults_with_paths() -> None:
    found = problems(Order, {"id": "o", "channel_id": "web", "lines": [3, None]})
    assert found == [
        ("lines[0]", "must be an object (a mapping of field names), got int 3"),
        ("lines[1]", "must be an object (a mapping of field names), got NoneType None"),
    ]


# -- a list field given a string, a mapping or a set ------------------------------------

_HERE = GeoPoint(lat=52.5, lon=13.4)
_NOW = dt.datetime(2026, 6, 2, 9, 0, tzinfo=dt.timezone.utc)
_LINE = OrderLine(sku="MUG", quantity=1)
_CARRIER = CarrierService(
    name="parcel",
    service_level=ServiceLevel.STANDARD,
    zones=(100.0, 400.0),
    weight_steps_kg=(5.0,),
    prices=((4.0,), (6.0,)),
    transit_days=(1, 2),
)
_SHIPMENT = Shipment(
    node_id="dc",
    lines=[_LINE],
    distance_km=4.0,
    cost=3.5,
    ready_at=_NOW,
    delivered_by=_NOW + dt.timedelta(hours=8),
)
_CALENDAR = NodeCalendar.every_day("Europe/Berlin", dt.time(8), dt.time(20))
_CALENDAR = attrs.evolve(_CALENDAR, closed_dates={dt.date(2026, 12, 25)})
_NODE = Node(id="dc", kind=NodeKind.DC, location=_HERE, calendar=_CALENDAR)
_OPTION = FulfillmentOption(
    method=FulfillmentMethod.SHIP_TO_HOME,
    service_level=ServiceLevel.STANDARD,
    pickup_node_id=None,
    shipments=[_SHIPMENT],
    delivered_by=_SHIPMENT.delivered_by,
    cost=3.5,
    complete=True,
)
LISTED = [
    Cart(
        id="c",
        channel_id="web",
        lines=[_LINE],
        pickup_node_ids=["store", "point"],
        excluded_node_ids={"dc"},
    ),
    Order(id="o", channel_id="web", lines=[_LINE], destination=_HERE, allowed_node_ids={"dc"}),
    Channel(id="web", kind=ChannelKind.WEB, node_kinds={NodeKind.DC}),
    _CALENDAR,
    _CARRIER,
    CostModel(carriers=[_CARRIER]),
    Product(sku="MUG", weight_kg=0.4, dimensions_cm=(10.0, 10.0, 12.0)),
    Catalogue(products=[Product(sku="MUG", weight_kg=0.4)]),
    Network(nodes=[_NODE], channels=[Channel(id="web", kind=ChannelKind.WEB)]),
    _SHIPMENT,
    _OPTION,
    Promise(cart_id="c", options=[_OPTION]),
    Allocation(order_id="o", shipments=[_SHIPMENT], unfulfilled=[]),
]


def _list_fields(value: object) -> list[str]:
    """The names of ``value``'s fields that JSON writes as lists."""
    cls = type(value)
    attrs.resolve_types(cls)
    found = []
    for field in attrs.fields(cls):
        union = typing.get_origin(field.type) in (Union, types.UnionType)
        kinds = typing.get_args(field.type) if union else (field.type,)
        if field.init and any(typing.get_origin(kind) in (tuple, frozenset) for kind in kinds):
            found.append(field.alias or field.name)
    return found


LIST_CASES = [
    pytest.param(value, name, bad, id=f"{type(value).__name__}.{name}-{type(bad).__name__}")
    for value in LISTED
    for name in _list_fields(value)
    for bad in ("abc", {"a": 1})
]


@pytest.mark.parametrize(("value", "name", "bad"), LIST_CASES)
def test_a_string_or_mapping_for_a_list_field_is_one_fault_at_the_field(
    value: Any, name: str, bad: Any
) -> None:
    data = {**to_dict(value), name: bad}
    found = problems(type(value), data)
    assert len(found) == 1, found
    path, message = found[0]
    assert path == name
    assert message.startswith("must be a list of ")
    assert message.endswith(f", got {type(bad).__name__} {bad!r}")


def test_every_kind_of_list_field_is_covered() -> None:
    covered = {(type(value).__name__, name) for value in LISTED for name in _list_fields(value)}
    assert {
        ("Cart", "pickup_node_ids"),
        ("Cart", "lines"),
        ("Cart", "excluded_node_ids"),
        ("Order", "allowed_node_ids"),
        ("Channel", "node_kinds"),
        ("NodeCalendar", "opening"),
        ("NodeCalendar", "closed_dates"),
        ("CarrierService", "prices"),
        ("CarrierService", "transit_days"),
        ("CostModel", "delivery_weekdays"),
        ("Product", "dimensions_cm"),
        ("Promise", "options"),
    } <= covered


def test_a_string_for_pickup_node_ids_is_not_read_as_its_characters() -> None:
    data = {"id": "c", "channel_id": "web", "lines": [{"sku": "MUG", "quantity": 1}]}
    assert problems(Cart, {**data, "pickup_node_ids": "abc"}) == [
        ("pickup_node_ids", "must be a list of strings, got str 'abc'")
    ]
    assert problems(Cart, {**data, "pickup_node_ids": {"store": 1}}) == [
        ("pickup_node_ids", "must be a list of strings, got dict {'store': 1}")
    ]
    assert from_dict(Cart, {**data, "pickup_node_ids": ["store"]}).pickup_node_ids == ("store",)


def test_nested_lists_are_checked_at_every_level() -> None:
    data = to_dict(_CALENDAR)
    data["opening"] = [*data["opening"][:5], "08:00", ["08:00"]]
    assert problems(NodeCalendar, data) == [
        ("opening[5]", "must be a list of 2 times, got str '08:00'"),
        ("opening[6]", "must hold exactly 2 items, got 1"),
    ]
    data = to_dict(_CARRIER)
    assert problems(CarrierService, {**data, "prices": [[4.0], "6"]}) == [
        ("prices[1]", "must be a list of numbers or null, got str '6'")
    ]


def test_an_unordered_set_is_not_a_list() -> None:
    data = {"id": "c", "channel_id": "web", "lines": [{"sku": "MUG", "quantity": 1}]}
    found = problems(Cart, {**data, "pickup_node_ids": {"store"}})
    assert found == [("pickup_node_ids", "must be a list of strings, got set {'store'}")]


def test_bad_items_of_a_set_field_are_named_by_index() -> None:
    data = {"id": "web", "kind": "web", "node_kinds": ["dc", "warehouse", 3]}
    found = problems(Channel, data)
    assert [path for path, _ in found] == ["node_kinds[1]", "node_kinds[2]"]

"""Readable examples of return routing: where units go, as what, and why."""

import pytest

import omnichannel as oc
from omnichannel import (
    Capability,
    Channel,
    ChannelKind,
    DemandRates,
    Disposition,
    GeoPoint,
    Inventory,
    Network,
    Node,
    NodeKind,
    ReturnCondition,
    ReturnLine,
    ReturnMethod,
    ReturnRequest,
    StockPosition,
)
from omnichannel import returns as strategies

BERLIN = GeoPoint(lat=52.52, lon=13.40)
BERLIN_EAST = GeoPoint(lat=52.51, lon=13.45)
LEIPZIG = GeoPoint(lat=51.34, lon=12.37)
HAMBURG = GeoPoint(lat=53.55, lon=9.99)

NETWORK = Network(
    nodes=[
        Node(id="dc", kind=NodeKind.DC, location=LEIPZIG, capabilities=Capability.RESTOCK),
        Node(
            id="berlin",
            kind=NodeKind.STORE,
            location=BERLIN,
            capabilities=Capability.ACCEPT_RETURNS | Capability.RESTOCK,
        ),
        Node(id="hamburg", kind=NodeKind.STORE, location=HAMBURG, capabilities=Capability.RESTOCK),
        Node(
            id="locker",
            kind=NodeKind.PICKUP_POINT,
            location=BERLIN_EAST,
            capabilities=Capability.ACCEPT_RETURNS,
        ),
        Node(id="lab", kind=NodeKind.DC, location=HAMBURG, capabilities=Capability.REFURBISH),
    ],
    channels=[Channel(id="web", kind=ChannelKind.WEB)],
)
STOCK = Inventory.from_positions([StockPosition(node_id="berlin", sku="JACKET", on_hand=4)])


def request(
    condition: ReturnCondition,
    value: float,
    *,
    method: ReturnMethod = ReturnMethod.IN_STORE,
    where: str = "berlin",
    sku: str = "JACKET",
) -> ReturnRequest:
    mail = method is ReturnMethod.MAIL
    return ReturnRequest(
        id="r1",
        channel_id="web",
        lines=[ReturnLine(sku=sku, quantity=1, condition=condition, unit_value=value)],
        method=method,
        origin=HAMBURG if mail else None,
        drop_off_node_id=None if mail else where,
    )


def test_a_sellable_unit_returned_in_store_goes_back_on_that_shelf() -> None:
    result = oc.route_returns([request(ReturnCondition.SELLABLE, 80.0)], NETWORK, STOCK)
    (route,) = result.routes
    assert (route.node_id, route.disposition) == ("berlin", Disposition.RESTOCK)
    assert (route.transport_cost, route.handling_cost) == (0.0, 1.5)
    assert route.recovered_value == pytest.approx(76.0)
    assert result.inventory.position("berlin", "JACKET") == StockPosition(
        node_id="berlin", sku="JACKET", on_hand=5
    )


def test_a_mailed_unit_travels_to_the_cheapest_store_and_is_expected_there() -> None:
    mailed = request(ReturnCondition.SELLABLE, 80.0, method=ReturnMethod.MAIL)
    result = oc.route_returns([mailed], NETWORK, STOCK)
    (route,) = result.routes
    assert route.node_id == "hamburg"
    assert route.transport_cost == pytest.approx(5.0 + 0.4)
    assert result.inventory.position("hamburg", "JACKET") == StockPosition(
        node_id="hamburg", sku="JACKET", on_hand=0, in_transit=1
    )
    assert result.units_restocked == 1


def test_a_cheap_defective_unit_is_kept_by_the_customer() -> None:
    result = oc.route_returns(
        [request(ReturnCondition.DEFECTIVE, 5.0, method=ReturnMethod.MAIL)], NETWORK, STOCK
    )
    (route,) = result.routes
    assert (route.node_id, route.disposition, route.net_value) == (None, Disposition.KEEP, 0.0)
    assert result.inventory == STOCK


def test_a_costly_defective_unit_goes_back_to_the_vendor_through_a_dc() -> None:
    dropped = request(
        ReturnCondition.DEFECTIVE, 200.0, method=ReturnMethod.PICKUP_POINT, where="locker"
    )
    (route,) = oc.route_returns([dropped], NETWORK, STOCK).routes
    assert route.disposition is Disposition.RETURN_TO_VENDOR
    assert route.node_id in {"dc", "lab"}
    assert route.recovered_value == pytest.approx(80.0)


def test_strategies_differ_on_a_valuable_open_box_unit() -> None:
    open_box = [request(ReturnCondition.OPEN_BOX, 300.0)]
    nearest = oc.route_returns(open_box, NETWORK, STOCK, strategy=strategies.NearestReturnNode())
    cheapest = oc.route_returns(open_box, NETWORK, STOCK, strategy=strategies.LowestReturnCost())
    valued = oc.route_returns(open_box, NETWORK, STOCK, strategy=strategies.ValueRecovery())
    assert (nearest.routes[0].node_id, nearest.routes[0].disposition) == (
        "berlin",
        Disposition.RESTOCK,
    )
    assert cheapest.routes[0].disposition is Disposition.RESTOCK
    assert (valued.routes[0].node_id, valued.routes[0].disposition) == (
        "lab",
        Disposition.REFURBISH,
    )
    assert valued.net_value > nearest.net_value


def test_value_recovery_sends_stock_where_it_sells_and_is_short() -> None:
    sellable = [request(ReturnCondition.SELLABLE, 80.0)]
    demand = DemandRates.from_mapping({("hamburg", "JACKET"): 2.0})
    plain = oc.route_returns(sellable, NETWORK, STOCK)
    eager = oc.route_returns(
        sellable,
        NETWORK,
        STOCK,
        strategy=strategies.ValueRecovery(scarcity_weight=0.5, cover_days=7.0),
        demand=demand,
    )
    assert plain.routes[0].node_id == "berlin"
    assert eager.routes[0].node_id == "hamburg"


def test_a_custom_table_changes_the_decision() -> None:
    table = oc.DispositionTable(
        recovery={
            ReturnCondition.SELLABLE: {Disposition.LIQUIDATE: 0.5},
            ReturnCondition.OPEN_BOX: {},
            ReturnCondition.DAMAGED: {},
            ReturnCondition.DEFECTIVE: {},
        },
        handling={Disposition.LIQUIDATE: 0.0},
    )
    (route,) = oc.route_returns(
        [request(ReturnCondition.SELLABLE, 80.0)], NETWORK, STOCK, dispositions=table
    ).routes
    assert route.disposition is Disposition.LIQUIDATE
    assert route.node_id in {"dc", "lab"}


def test_strategies_are_found_by_name() -> None:
    assert strategies.names() == ("lowest_cost", "nearest", "value_recovery")
    assert strategies.get("value_recovery") is strategies.ValueRecovery
    with pytest.raises(oc.InvalidInputError, match="valid names: lowest_cost, nearest"):
        strategies.get("closest")

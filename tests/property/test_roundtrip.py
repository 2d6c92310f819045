"""``from_dict(to_dict(x)) == x`` for every public domain type, through real JSON."""

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from omnichannel import (
    Channel,
    CostModel,
    DemandRates,
    DispositionTable,
    GeoPoint,
    Inventory,
    Network,
    Node,
    Order,
    OrderLine,
    RateCard,
    ReturnLine,
    ReturnRequest,
    ReturnResult,
    ReturnRoute,
    StockMove,
    StockPosition,
)
from omnichannel.serialization import from_dict, to_dict
from omnichannel.testing import strategies as oms

CASES: list[tuple[type, st.SearchStrategy[Any]]] = [
    (GeoPoint, oms.geo_points()),
    (Channel, oms.channels()),
    (Node, oms.nodes()),
    (RateCard, oms.rate_cards()),
    (CostModel, oms.cost_models()),
    (Network, oms.networks()),
    (OrderLine, oms.order_lines()),
    (Order, oms.orders()),
    (StockPosition, oms.stock_positions()),
    (StockMove, oms.stock_moves()),
    (Inventory, oms.inventories()),
    (DemandRates, oms.demand_rates()),
    (ReturnLine, oms.return_lines()),
    (ReturnRequest, oms.return_requests()),
    (DispositionTable, oms.disposition_tables()),
    (ReturnRoute, oms.return_routes()),
    (ReturnResult, oms.return_results()),
]


@given(st.sampled_from(CASES).flatmap(lambda case: st.tuples(st.just(case[0]), case[1])))
def test_round_trip_through_json(case: tuple[type, Any]) -> None:
    cls, value = case
    data = json.loads(json.dumps(to_dict(value), allow_nan=False))
    assert from_dict(cls, data) == value

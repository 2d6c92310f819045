"""``from_dict(to_dict(x)) == x`` for every public domain and decision type, through
strict JSON (no NaN or infinities in the text)."""

import json
import math
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from omnichannel import (
    Accuracy,
    Allocation,
    AllocationResult,
    Cart,
    Channel,
    CostModel,
    DemandRates,
    DispositionTable,
    Explanation,
    FulfillmentOption,
    GeoPoint,
    Inventory,
    Network,
    Node,
    NodeCalendar,
    NodeCandidate,
    Order,
    OrderLine,
    Promise,
    RateCard,
    ReturnLine,
    ReturnRequest,
    ReturnResult,
    ReturnRoute,
    Rule,
    Shipment,
    SkuAvailability,
    StockMove,
    StockPosition,
    TransitBand,
    UnfulfilledLine,
    UnfulfilledReason,
    availability,
    promise,
)
from omnichannel._domain.decisions import allocation_status
from omnichannel._domain.validators import MAX_AMOUNT, MAX_COUNT, MAX_DECISION_AMOUNT
from omnichannel.serialization import from_dict, to_dict
from omnichannel.testing import strategies as oms

IDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=8)
MONEY = st.floats(min_value=0.0, max_value=MAX_DECISION_AMOUNT)
KM = st.floats(min_value=0.0, max_value=MAX_AMOUNT)
COUNTS = st.integers(0, MAX_COUNT)


def shipments() -> st.SearchStrategy[Shipment]:
    return st.builds(
        Shipment,
        node_id=IDS,
        lines=st.lists(oms.order_lines(), min_size=1, max_size=3),
        distance_km=KM,
        cost=MONEY,
        ready_at=st.none() | oms.nows(),
        delivered_by=st.none() | oms.nows(),
    )


def unfulfilled_lines() -> st.SearchStrategy[UnfulfilledLine]:
    return st.builds(
        UnfulfilledLine,
        sku=oms.skus(),
        quantity=st.integers(1, MAX_COUNT),
        reason=st.sampled_from(UnfulfilledReason),
    )


@st.composite
def allocations(draw: st.DrawFn) -> Allocation:
    shipped = draw(st.lists(shipments(), max_size=3))
    short = draw(st.lists(unfulfilled_lines(), max_size=2))
    return Allocation(
        order_id=draw(IDS),
        shipments=shipped,
        unfulfilled=short,
        status=allocation_status(bool(shipped), bool(short)),
        split_penalty=draw(MONEY),
    )


def allocation_results() -> st.SearchStrategy[AllocationResult]:
    return st.builds(
        AllocationResult,
        allocations=st.lists(allocations(), max_size=3),
        inventory=oms.inventories(),
        capacity_used=st.dictionaries(IDS, COUNTS, max_size=3),
        notes=st.lists(st.text(max_size=12), max_size=2),
        daily_used=st.dictionaries(
            IDS, st.dictionaries(st.dates(), COUNTS, max_size=3), max_size=3
        ),
    )


@st.composite
def node_candidates(draw: st.DrawFn) -> NodeCandidate:
    """Candidates as explain() writes them; a forbidden node scores ``inf``."""
    forbidden = draw(st.booleans())
    score = math.inf if forbidden else draw(st.floats(allow_nan=False, allow_infinity=False))
    rules = st.sampled_from(Rule)
    return NodeCandidate(
        node_id=draw(IDS),
        rejected_by=draw(rules if forbidden else st.none() | rules),
        distance_km=draw(KM),
        shipping_cost=draw(MONEY),
        handling_cost=draw(MONEY),
        score=score,
        available=draw(st.lists(COUNTS, max_size=3)),
        expected_rejections=draw(st.floats(min_value=0.0, max_value=10.0)),
    )


@st.composite
def explanations(draw: st.DrawFn) -> Explanation:
    candidates = draw(st.lists(node_candidates(), max_size=4, unique_by=lambda c: c.node_id))
    serving = [c.node_id for c in candidates if c.rejected_by is None]
    return Explanation(
        order_id=draw(IDS),
        candidates=candidates,
        chosen_node_id=draw(st.none() | st.sampled_from(serving)) if serving else None,
    )


@st.composite
def promises(draw: st.DrawFn) -> Promise:
    """Promises ``promise`` makes for a cart on a timed scenario."""
    scenario = draw(oms.scenarios(max_orders=0, timed=True))
    skus = sorted({p.sku for p in scenario.inventory.positions()}) or ["A"]
    cart = draw(oms.carts(network=scenario.network, sku_codes=skus))
    (found,) = promise([cart], scenario.network, scenario.inventory, now=scenario.now)
    return found


@st.composite
def availabilities(draw: st.DrawFn) -> SkuAvailability:
    """What ``availability`` answers for one SKU near a timed scenario's first node."""
    scenario = draw(oms.scenarios(max_orders=0, timed=True))
    skus = sorted({p.sku for p in scenario.inventory.positions()}) or ["A"]
    (found,) = availability(
        [draw(st.sampled_from(skus))],
        scenario.network,
        scenario.inventory,
        channel_id=scenario.network.channels[0].id,
        near=scenario.network.nodes[0].location,
        radius_km=200.0,
        now=scenario.now,
    )
    return found


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
    (Accuracy, oms.accuracies()),
    (ReturnLine, oms.return_lines()),
    (ReturnRequest, oms.return_requests()),
    (DispositionTable, oms.disposition_tables()),
    (ReturnRoute, oms.return_routes()),
    (ReturnResult, oms.return_results()),
    (Shipment, shipments()),
    (UnfulfilledLine, unfulfilled_lines()),
    (Allocation, allocations()),
    (AllocationResult, allocation_results()),
    (NodeCandidate, node_candidates()),
    (Explanation, explanations()),
    (
        Order,
        st.builds(
            lambda order, pins: attrs.evolve(order, allowed_node_ids=pins),
            oms.orders(),
            st.frozensets(IDS, max_size=3),
        ),
    ),
    (Cart, oms.carts()),
    (SkuAvailability, availabilities()),
    (Promise, promises()),
    (
        FulfillmentOption,
        promises().filter(lambda p: bool(p.options)).map(lambda p: p.options[0]),
    ),
    (NodeCalendar, oms.node_calendars()),
    (TransitBand, st.builds(TransitBand, max_km=KM, days=st.integers(0, 365))),
    (Network, oms.scenarios(max_orders=3, timed=True).map(lambda s: s.network)),
    (
        Order,
        oms.scenarios(max_orders=3, timed=True)
        .map(lambda s: s.orders[0] if s.orders else None)
        .filter(bool),
    ),
]


@given(st.sampled_from(CASES).flatmap(lambda case: st.tuples(st.just(case[0]), case[1])))
def test_round_trip_through_json(case: tuple[type, Any]) -> None:
    cls, value = case
    data = json.loads(json.dumps(to_dict(value), allow_nan=False))
    assert from_dict(cls, data) == value


@given(explanations())
def test_explanations_with_forbidden_nodes_are_strict_json(explanation: Explanation) -> None:
    text = json.dumps(to_dict(explanation), allow_nan=False)
    assert text.count('"inf"') == sum(c.score == math.inf for c in explanation.candidates)
    assert from_dict(Explanation, json.loads(text)) == explanation


TIME_CASES = [*CASES[-4:], (Shipment, shipments()), (AllocationResult, allocation_results())]


@pytest.mark.parametrize("case", TIME_CASES, ids=lambda case: case[0].__name__)
@given(data=st.data())
def test_dated_values_round_trip(
    case: tuple[type, st.SearchStrategy[Any]], data: st.DataObject
) -> None:
    """Calendars, bands, dated networks, promises and dates: aware datetimes come back
    equal (ISO 8601 with the offset), dates and times as written."""
    cls, strategy = case
    value = data.draw(strategy)
    assert from_dict(cls, json.loads(json.dumps(to_dict(value), allow_nan=False))) == value

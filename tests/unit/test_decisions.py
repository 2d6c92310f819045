"""Decision values are validated like inputs: none can contradict itself."""

import math
from typing import Any

import pytest

import omnichannel as oc
from omnichannel._domain.validators import MAX_AMOUNT, MAX_COUNT, MAX_DECISION_AMOUNT

LINE = oc.OrderLine(sku="MUG", quantity=2)
SHORT = oc.UnfulfilledLine(sku="CUP", quantity=1, reason=oc.UnfulfilledReason.OUT_OF_STOCK)
EMPTY = oc.Inventory.from_positions([])


def shipment(**change: Any) -> oc.Shipment:
    fields: dict[str, Any] = {"node_id": "dc", "lines": [LINE], "distance_km": 12.5, "cost": 7.0}
    return oc.Shipment(**{**fields, **change})


def candidate(**change: Any) -> oc.NodeCandidate:
    fields: dict[str, Any] = {
        "node_id": "dc",
        "rejected_by": None,
        "distance_km": 3.0,
        "shipping_cost": 4.0,
        "handling_cost": 1.0,
        "score": 5.0,
        "available": (2,),
    }
    return oc.NodeCandidate(**{**fields, **change})


def route(**change: Any) -> oc.ReturnRoute:
    fields: dict[str, Any] = {
        "return_id": "r",
        "sku": "MUG",
        "quantity": 1,
        "condition": oc.ReturnCondition.SELLABLE,
        "node_id": "dc",
        "disposition": oc.Disposition.RESTOCK,
        "transport_cost": 2.0,
        "handling_cost": 1.5,
        "recovered_value": 9.5,
    }
    return oc.ReturnRoute(**{**fields, **change})


def problem(build: Any, **change: Any) -> str:
    with pytest.raises(oc.InvalidInputError) as caught:
        build(**change)
    return str(caught.value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"node_id": ""}, "node_id: must be a non-empty string, got ''"),
        ({"lines": []}, "lines: must hold at least 1 item(s), got 0"),
        ({"lines": [LINE, "MUG"]}, "lines[1]: must be OrderLine, got str 'MUG'"),
        ({"cost": -1.0}, "cost: must be >= 0.0, got -1.0"),
        ({"cost": math.nan}, "cost: must be a finite number, got nan"),
        ({"cost": 2e30}, f"cost: must be <= {MAX_DECISION_AMOUNT}, got 2e+30"),
        ({"distance_km": math.inf}, "distance_km: must be a finite number, got inf"),
        ({"distance_km": 2e12}, f"distance_km: must be <= {MAX_AMOUNT}, got 2000000000000.0"),
        ({"cost": "7"}, "cost: must be a finite number, got '7'"),
    ],
)
def test_a_shipment_has_a_node_lines_and_bounded_money(change: Any, message: str) -> None:
    assert problem(shipment, **change) == message


def test_a_shipment_may_cost_more_than_an_input_amount() -> None:
    # The engine multiplies per-unit rates (<= MAX_AMOUNT) by units (<= MAX_COUNT).
    assert shipment(cost=MAX_AMOUNT * MAX_COUNT).cost == 1e24
    assert shipment(cost=3).cost == 3


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"sku": " "}, "sku: must be a non-empty string, got ' '"),
        ({"quantity": 0}, "quantity: must be >= 1, got 0"),
        ({"quantity": MAX_COUNT + 1}, f"quantity: must be <= {MAX_COUNT}, got {MAX_COUNT + 1}"),
        ({"quantity": True}, "quantity: must be an int, got True"),
        ({"reason": "out_of_stock"}, "reason: must be UnfulfilledReason, got str 'out_of_stock'"),
    ],
)
def test_an_unfulfilled_line_is_checked(change: Any, message: str) -> None:
    fields: dict[str, Any] = {"sku": "CUP", "quantity": 1, "reason": SHORT.reason}
    assert problem(oc.UnfulfilledLine, **{**fields, **change}) == message


@pytest.mark.parametrize(
    ("shipments", "unfulfilled", "status"),
    [
        ([shipment()], [], oc.AllocationStatus.FULFILLED),
        ([shipment()], [SHORT], oc.AllocationStatus.PARTIAL),
        ([], [SHORT], oc.AllocationStatus.UNFULFILLED),
    ],
)
def test_the_status_follows_from_shipments_and_unfulfilled_lines(
    shipments: list[oc.Shipment], unfulfilled: list[oc.UnfulfilledLine], status: Any
) -> None:
    derived = oc.Allocation(order_id="o", shipments=shipments, unfulfilled=unfulfilled)
    assert derived.status is status
    assert (
        oc.Allocation(order_id="o", shipments=shipments, unfulfilled=unfulfilled, status=status)
        == derived
    )
    for other in set(oc.AllocationStatus) - {status}:
        with pytest.raises(oc.InvalidInputError, match=rf"^status: must be '{status.value}'"):
            oc.Allocation(order_id="o", shipments=shipments, unfulfilled=unfulfilled, status=other)


def test_a_fulfilled_status_with_unfulfilled_lines_is_refused() -> None:
    message = problem(
        oc.Allocation,
        order_id="o",
        shipments=[shipment()],
        unfulfilled=[SHORT],
        status=oc.AllocationStatus.FULFILLED,
    )
    assert message == (
        "status: must be 'partial' for an allocation with shipments and unfulfilled lines, "
        "got 'fulfilled'"
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"order_id": ""}, "order_id: must be a non-empty string, got ''"),
        ({"shipments": [LINE]}, "shipments[0]: must be Shipment, got OrderLine"),
        ({"split_penalty": -0.5}, "split_penalty: must be >= 0.0, got -0.5"),
    ],
)
def test_an_allocation_is_checked(change: Any, message: str) -> None:
    fields: dict[str, Any] = {"order_id": "o", "shipments": [shipment()], "unfulfilled": []}
    assert problem(oc.Allocation, **{**fields, **change}).startswith(message)


@pytest.mark.parametrize(
    ("capacity_used", "message"),
    [
        ({"dc": -1}, "capacity_used['dc']: must be >= 0, got -1"),
        (
            {"dc": MAX_COUNT + 1},
            f"capacity_used['dc']: must be <= {MAX_COUNT}, got {MAX_COUNT + 1}",
        ),
        ({"dc": 1.5}, "capacity_used['dc']: must be an int, got 1.5"),
        ({"": 1}, "capacity_used['']: key must be a non-empty string"),
        (None, "capacity_used: must be a mapping of ids to counts, got None"),
    ],
)
def test_capacity_used_holds_counts_by_node(capacity_used: Any, message: str) -> None:
    assert (
        problem(oc.AllocationResult, allocations=[], inventory=EMPTY, capacity_used=capacity_used)
        == message
    )


def test_an_allocation_result_needs_an_inventory() -> None:
    message = problem(oc.AllocationResult, allocations=[], inventory=None, capacity_used={})
    assert message == "inventory: must be Inventory, got NoneType None"


def test_a_node_candidate_score_may_be_inf_when_a_rule_forbids_it() -> None:
    forbidden = candidate(rejected_by=oc.Rule.STRATEGY, score=math.inf)
    assert forbidden.score == math.inf
    assert candidate(score=-3.0).score == -3.0  # a strategy's costs may be negative
    assert problem(candidate, score=math.inf) == (
        "rejected_by: must name a rule when score is inf (the strategy forbids the node)"
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"score": math.nan}, "score: must be a number or +inf, got nan"),
        ({"score": -math.inf}, "score: must be a number or +inf, got -inf"),
        ({"shipping_cost": -1.0}, "shipping_cost: must be >= 0.0, got -1.0"),
        ({"available": (2, -1)}, "available[1]: must be >= 0, got -1"),
        ({"available": (True,)}, "available[0]: must be an int, got True"),
        ({"rejected_by": "stock"}, "rejected_by: must be Rule, got str 'stock'"),
    ],
)
def test_a_node_candidate_is_checked(change: Any, message: str) -> None:
    assert problem(candidate, **change) == message


def test_the_chosen_node_is_a_candidate_no_rule_rejects() -> None:
    serving, rejected = candidate(node_id="a"), candidate(node_id="b", rejected_by=oc.Rule.STOCK)
    explanation = oc.Explanation(order_id="o", candidates=[serving, rejected], chosen_node_id="a")
    assert explanation.candidates == (serving, rejected)
    for chosen in ("b", "zz"):
        assert (
            problem(
                oc.Explanation, order_id="o", candidates=[serving, rejected], chosen_node_id=chosen
            )
            == f"chosen_node_id: must be a candidate no rule rejects, got {chosen!r}"
        )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"node_id": None}, "node_id: must name the node for RESTOCK, got None"),
        (
            {"disposition": oc.Disposition.KEEP},
            "node_id: must be None for KEEP (the units are not sent back)",
        ),
        ({"quantity": 0}, "quantity: must be >= 1, got 0"),
        ({"transport_cost": -2.0}, "transport_cost: must be >= 0.0, got -2.0"),
        ({"recovered_value": math.inf}, "recovered_value: must be a finite number, got inf"),
        ({"return_id": ""}, "return_id: must be a non-empty string, got ''"),
    ],
)
def test_a_return_route_is_checked(change: Any, message: str) -> None:
    assert problem(route, **change) == message


def test_a_kept_line_has_no_node() -> None:
    kept = route(node_id=None, disposition=oc.Disposition.KEEP, transport_cost=0.0)
    assert kept.node_id is None


def test_a_return_result_holds_routes_and_an_inventory() -> None:
    assert problem(oc.ReturnResult, routes=[LINE], inventory=EMPTY).startswith(
        "routes[0]: must be ReturnRoute"
    )
    assert problem(oc.ReturnResult, routes=[], inventory={}) == (
        "inventory: must be Inventory, got dict {}"
    )

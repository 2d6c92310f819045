"""Counts stop at 10**12 and money and distances at 1e12: a value beyond is an
InvalidInputError naming the field, never an OverflowError, a NaN or a silent loss.

Issue 12, items 4 (huge ints), 8 (a class where an instance belongs), 9 (huge
floats) and 10 (``capacity_used`` kept exact).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, cast

import pytest

import omnichannel as oc
from omnichannel import reference
from omnichannel.allocation import BatchOptimal, DualPriceLookahead, Sequential, lower_bound
from omnichannel.returns import LowestReturnCost, ValueRecovery
from omnichannel.simulation import DayMix, Scenario, SimulationConfig, simulate
from omnichannel.sourcing import Lexicographic, LowestCost, Ranked, StockProtecting, Weighted

MAX_COUNT = 10**12
MAX_AMOUNT = 1e12
HUGE = 2**63
"""One past int64: numpy raises OverflowError on it."""
HUGER = 2**1100
"""Too large for a float: ``float()`` raises OverflowError on it."""

HERE = oc.GeoPoint(lat=50.0, lon=10.0)
NODE = oc.Node(
    id="dc",
    kind=oc.NodeKind.DC,
    location=HERE,
    capabilities=oc.Capability.SHIP | oc.Capability.ACCEPT_RETURNS | oc.Capability.RESTOCK,
)
NETWORK = oc.Network(nodes=[NODE], channels=[oc.Channel(id="web", kind=oc.ChannelKind.WEB)])
INVENTORY = oc.Inventory.from_positions([oc.StockPosition(node_id="dc", sku="A", on_hand=3)])
ORDER = oc.Order(
    id="o1", channel_id="web", destination=HERE, lines=[oc.OrderLine(sku="A", quantity=1)]
)
DAY = Scenario(
    network=NETWORK,
    inventory=INVENTORY,
    demand=oc.DemandRates.from_mapping({}),
    orders=(ORDER,),
    returns=(),
)


def raises_at(path: str, build: Callable[[], object]) -> str:
    """Call ``build``; it must raise InvalidInputError whose first fault is at ``path``."""
    with pytest.raises(oc.InvalidInputError) as caught:
        build()
    assert caught.value.problems[0][0] == path, caught.value.problems
    return caught.value.problems[0][1]


def node(**fields: Any) -> oc.Node:
    return oc.Node(**{"id": "dc", "kind": oc.NodeKind.DC, "location": HERE, **fields})


def position(**fields: Any) -> oc.StockPosition:
    return oc.StockPosition(**{"node_id": "dc", "sku": "A", "on_hand": 1, **fields})


def return_line(**fields: Any) -> oc.ReturnLine:
    values = {"sku": "A", "quantity": 1, "condition": oc.ReturnCondition.SELLABLE}
    return oc.ReturnLine(**{**values, "unit_value": 1.0, **fields})


# Item 4: ints too large for int64 or for a float.

COUNTS: list[tuple[str, Callable[[int], object]]] = [
    ("quantity", lambda n: oc.OrderLine(sku="A", quantity=n)),
    ("priority", lambda n: oc.Order(**{**_order_fields(), "priority": n})),
    ("priority", lambda n: oc.Channel(id="web", kind=oc.ChannelKind.WEB, priority=n)),
    ("rank", lambda n: node(rank=n)),
    ("order_capacity", lambda n: node(order_capacity=n)),
    ("on_hand", lambda n: position(on_hand=n)),
    ("reserved", lambda n: position(on_hand=1, reserved=n)),
    ("safety_stock", lambda n: position(safety_stock=n)),
    ("in_transit", lambda n: position(in_transit=n)),
    ("quantity", lambda n: oc.StockMove(node_id="dc", sku="A", quantity=n)),
    ("quantity", lambda n: return_line(quantity=n)),
    ("window", lambda n: Sequential(window=n)),
    ("nodes_per_order", lambda n: BatchOptimal(nodes_per_order=n)),
    ("nodes_per_order", lambda n: DualPriceLookahead(nodes_per_order=n)),
    ("n_nodes", lambda n: Scenario.generate(n_nodes=n)),
    ("n_skus", lambda n: Scenario.generate(n_skus=n)),
    ("n_orders", lambda n: Scenario.generate(n_orders=n)),
    ("n_returns", lambda n: Scenario.generate(n_returns=n)),
    ("waves", lambda n: simulate(DAY, waves=n)),
]


def _order_fields() -> dict[str, Any]:
    return {"id": "o1", "channel_id": "web", "destination": HERE, "lines": ORDER.lines}


@pytest.mark.parametrize(("path", "build"), COUNTS)
@pytest.mark.parametrize("value", [MAX_COUNT + 1, HUGE, HUGER])
def test_a_count_beyond_10_to_the_12_names_its_field(
    path: str, build: Callable[[int], object], value: int
) -> None:
    message = raises_at(path, lambda: build(value))
    assert message == f"must be <= {MAX_COUNT}, got {value}"


@pytest.mark.parametrize(
    ("path", "build"),
    [
        ("priority", lambda n: oc.Order(**{**_order_fields(), "priority": n})),
        ("priority", lambda n: oc.Channel(id="web", kind=oc.ChannelKind.WEB, priority=n)),
        ("rank", lambda n: node(rank=n)),
    ],
)
def test_priorities_and_ranks_span_minus_to_plus_10_to_the_12(
    path: str, build: Callable[[int], object]
) -> None:
    build(-MAX_COUNT)
    build(MAX_COUNT)
    message = raises_at(path, lambda: build(-MAX_COUNT - 1))
    assert message == f"must be >= {-MAX_COUNT}, got {-MAX_COUNT - 1}"
    raises_at(path, lambda: build(-HUGER))


def test_a_latitude_too_large_for_a_float_names_its_field() -> None:
    raises_at("lat", lambda: oc.GeoPoint(lat=2**1100, lon=0.0))
    raises_at("lon", lambda: oc.GeoPoint(lat=0.0, lon=-(2**1100)))


# Item 9: money and distances, as huge floats and as ints too large for a float.

AMOUNTS: list[tuple[str, Callable[[float], object]]] = [
    ("handling_cost_per_order", lambda x: node(handling_cost_per_order=x)),
    ("handling_cost_per_unit", lambda x: node(handling_cost_per_unit=x)),
    ("base", lambda x: oc.RateCard(base=x, per_km=0.0)),
    ("per_km", lambda x: oc.RateCard(base=0.0, per_km=x)),
    ("per_unit", lambda x: oc.RateCard(base=0.0, per_km=0.0, per_unit=x)),
    ("max_km", lambda x: oc.RateCard(base=0.0, per_km=0.0, max_km=x)),
    ("split_penalty", lambda x: oc.CostModel(split_penalty=x)),
    ("unit_value", lambda x: return_line(unit_value=x)),
    *[
        (weight, lambda x, weight=weight: Weighted(**{weight: x}))
        for weight in (
            "distance",
            "shipping",
            "handling",
            "rank",
            "stock",
            "depletion",
            "utilisation",
            "protection",
            "cover_days",
        )
    ],
    ("penalty", lambda x: StockProtecting(penalty=x)),
    ("cover_days", lambda x: StockProtecting(cover_days=x)),
    ("time_limit_s", lambda x: BatchOptimal(time_limit_s=x)),
    ("mip_gap", lambda x: BatchOptimal(mip_gap=x)),
    ("unserved_penalty", lambda x: BatchOptimal(unserved_penalty=x)),
    ("unserved_penalty", lambda x: DualPriceLookahead(unserved_penalty=x)),
    ("unserved_penalty", lambda x: lower_bound([ORDER], NETWORK, INVENTORY, unserved_penalty=x)),
    ("scarcity_weight", lambda x: ValueRecovery(scarcity_weight=x)),
    ("cover_days", lambda x: ValueRecovery(cover_days=x)),
    ("zipf_exponent", lambda x: Scenario.generate(zipf_exponent=x)),
    ("stock_cover_days", lambda x: Scenario.generate(stock_cover_days=x)),
    ("channels['web']", lambda x: DayMix(channels={"web": x})),
    ("methods[<FulfillmentMethod.SHIP_TO_HOME: 'ship_to_home'>]", lambda x: _methods(x)),
]


def _methods(weight: float) -> DayMix:
    return DayMix(methods={oc.FulfillmentMethod.SHIP_TO_HOME: weight})


@pytest.mark.parametrize(("path", "build"), AMOUNTS)
@pytest.mark.parametrize("value", [1.0000001e12, 1e308, HUGER])
def test_an_amount_beyond_1e12_names_its_field(
    path: str, build: Callable[[float], object], value: float
) -> None:
    message = raises_at(path, lambda: build(value))
    assert message.startswith((f"must be <= {MAX_AMOUNT}, got ", "must be a finite number"))


def test_a_weight_too_large_for_a_float_is_over_the_bound_not_infinite() -> None:
    message = raises_at("distance", lambda: Weighted(distance=HUGER))
    assert message == f"must be <= {MAX_AMOUNT}, got {HUGER}"


def test_a_huge_handling_cost_is_refused_rather_than_making_the_node_ineligible() -> None:
    raises_at("handling_cost_per_order", lambda: node(handling_cost_per_order=1e308))


def test_a_huge_unit_value_is_refused_rather_than_blamed_on_the_strategy() -> None:
    raises_at("unit_value", lambda: return_line(unit_value=1e308, quantity=10))


def test_the_lower_bound_refuses_a_huge_penalty_rather_than_returning_minus_infinity() -> None:
    message = raises_at(
        "unserved_penalty", lambda: lower_bound([ORDER], NETWORK, INVENTORY, unserved_penalty=1e308)
    )
    assert message == f"must be <= {MAX_AMOUNT}, got 1e+308"


def test_day_mix_weights_whose_sum_would_overflow_are_refused() -> None:
    with pytest.raises(oc.InvalidInputError) as caught:
        DayMix(channels={"web": 1e308, "app": 1e308})
    assert [path for path, _ in caught.value.problems] == ["channels['web']", "channels['app']"]


def test_values_at_their_bounds_decide_with_finite_costs() -> None:
    """At every bound at once the engine and the reference agree and nothing overflows."""
    card = oc.RateCard(base=MAX_AMOUNT, per_km=MAX_AMOUNT, per_unit=MAX_AMOUNT, max_km=MAX_AMOUNT)
    network = oc.Network(
        nodes=[
            node(
                id=f"n{i}",
                location=oc.GeoPoint(lat=lat, lon=lon),
                capabilities=oc.Capability.SHIP,
                order_capacity=MAX_COUNT,
                handling_cost_per_order=MAX_AMOUNT,
                handling_cost_per_unit=MAX_AMOUNT,
                rank=rank,
            )
            for i, (lat, lon, rank) in enumerate(
                [(90.0, 180.0, MAX_COUNT), (-90.0, -180.0, -MAX_COUNT)]
            )
        ],
        channels=[oc.Channel(id="web", kind=oc.ChannelKind.WEB, priority=-MAX_COUNT)],
        costs=oc.CostModel(rates=dict.fromkeys(oc.ServiceLevel, card), split_penalty=MAX_AMOUNT),
    )
    inventory = oc.Inventory.from_positions(
        [
            position(node_id=f"n{i}", sku=sku, on_hand=MAX_COUNT, safety_stock=MAX_COUNT // 2)
            for i in range(2)
            for sku in "AB"
        ]
    )
    orders = [
        oc.Order(
            id=f"o{k}",
            channel_id="web",
            destination=oc.GeoPoint(lat=0.0, lon=0.0),
            priority=priority,
            lines=[
                oc.OrderLine(sku="A", quantity=MAX_COUNT),
                oc.OrderLine(sku="B", quantity=MAX_COUNT // 3),
            ],
        )
        for k, priority in enumerate([MAX_COUNT, -MAX_COUNT, 0])
    ]
    every_weight = Weighted(
        distance=MAX_AMOUNT,
        shipping=MAX_AMOUNT,
        handling=MAX_AMOUNT,
        rank=MAX_AMOUNT,
        stock=MAX_AMOUNT,
        depletion=MAX_AMOUNT,
        utilisation=MAX_AMOUNT,
        protection=MAX_AMOUNT,
        cover_days=MAX_AMOUNT,
    )
    used = {"n0": MAX_COUNT - 2, "n1": MAX_COUNT - 1}
    for sourcing in (every_weight, Lexicographic(every_weight, Ranked())):
        fast = oc.allocate(orders, network, inventory, sourcing=sourcing, capacity_used=used)
        plain = reference.allocate(
            orders, network, inventory, sourcing=sourcing, capacity_used=used
        )
        assert fast.allocations == plain.allocations
        assert fast.capacity_used == {"n0": MAX_COUNT, "n1": MAX_COUNT}
        costs = [s.cost for a in fast.allocations for s in a.shipments]
        assert costs
        assert all(math.isfinite(cost) for cost in costs)
    assert math.isfinite(
        lower_bound(orders, network, inventory, unserved_penalty=MAX_AMOUNT, capacity_used=used)
    )


# Item 10: shipments already taken stay exact.


@pytest.mark.parametrize("allocate", [oc.allocate, reference.allocate])
@pytest.mark.parametrize(
    ("count", "message"),
    [
        (2**53 + 1, f"must be <= {MAX_COUNT}, got {2**53 + 1}"),
        (MAX_COUNT + 1, f"must be <= {MAX_COUNT}, got {MAX_COUNT + 1}"),
        (True, "must be an int >= 0, got True"),
        (1.0, "must be an int >= 0, got 1.0"),
    ],
)
def test_capacity_used_is_an_int_up_to_10_to_the_12(
    allocate: Any, count: object, message: str
) -> None:
    assert (
        raises_at(
            "capacity_used['dc']",
            lambda: allocate([ORDER], NETWORK, INVENTORY, capacity_used={"dc": count}),
        )
        == message
    )


def test_capacity_used_beyond_float64_is_refused_by_explain_and_the_bound() -> None:
    too_many = {"dc": 2**53 + 1}
    raises_at(
        "capacity_used['dc']", lambda: oc.explain(ORDER, NETWORK, INVENTORY, capacity_used=too_many)
    )
    raises_at(
        "capacity_used['dc']",
        lambda: lower_bound([ORDER], NETWORK, INVENTORY, capacity_used=too_many),
    )


def test_capacity_used_at_the_bound_counts_exactly() -> None:
    result = oc.allocate([ORDER], NETWORK, INVENTORY, capacity_used={"dc": MAX_COUNT - 1})
    assert result.capacity_used == {"dc": MAX_COUNT}


# Item 8: a class given where an instance belongs. mypy refuses these calls already;
# typed Any, they reach the runtime checks that untyped callers meet.

LOWEST_COST: Any = LowestCost
RANKED: Any = Ranked
SEQUENTIAL: Any = Sequential
LOWEST_RETURN_COST: Any = LowestReturnCost
VALUE_RECOVERY: Any = ValueRecovery


def test_lexicographic_refuses_a_class_at_construction() -> None:
    message = raises_at("strategies[0]", lambda: Lexicographic(LOWEST_COST))
    assert message == (
        "must be an instance implementing SourcingStrategy, got the class LowestCost "
        "(call it: LowestCost())"
    )


def test_lexicographic_lists_every_bad_strategy() -> None:
    with pytest.raises(oc.InvalidInputError) as caught:
        Lexicographic(LOWEST_COST, Ranked(), "nearest")  # type: ignore[arg-type]
    assert [path for path, _ in caught.value.problems] == ["strategies[0]", "strategies[2]"]


@pytest.mark.parametrize(
    ("path", "call"),
    [
        ("sourcing", lambda: oc.allocate([ORDER], NETWORK, INVENTORY, sourcing=LOWEST_COST)),
        ("policy", lambda: oc.allocate([ORDER], NETWORK, INVENTORY, policy=SEQUENTIAL)),
        ("sourcing", lambda: oc.explain(ORDER, NETWORK, INVENTORY, sourcing=LOWEST_COST)),
        ("sourcing", lambda: reference.allocate([ORDER], NETWORK, INVENTORY, sourcing=RANKED)),
        ("sourcing", lambda: lower_bound([ORDER], NETWORK, INVENTORY, sourcing=LOWEST_COST)),
        (
            "strategy",
            lambda: oc.route_returns(
                [
                    oc.ReturnRequest(
                        id="r1",
                        channel_id="web",
                        method=oc.ReturnMethod.MAIL,
                        origin=HERE,
                        lines=[return_line()],
                    )
                ],
                NETWORK,
                INVENTORY,
                strategy=LOWEST_RETURN_COST,
            ),
        ),
        ("sourcing", lambda: SimulationConfig(name="x", sourcing=LOWEST_COST)),
        ("policy", lambda: SimulationConfig(name="x", policy=SEQUENTIAL)),
        ("returns", lambda: SimulationConfig(name="x", returns=VALUE_RECOVERY)),
        ("returns", lambda: SimulationConfig(name="x", returns=cast(Any, "value_recovery"))),
    ],
)
def test_a_class_for_a_strategy_or_policy_is_refused_up_front(
    path: str, call: Callable[[], object]
) -> None:
    assert "implement" in raises_at(path, call)

"""Strategies: registry, parameters, presets, lexicographic ranks, and the contract check."""

from typing import Any

import numpy as np
import pytest

import omnichannel as oc
from omnichannel import sourcing
from omnichannel.sourcing import (
    Lexicographic,
    LowestCost,
    MostStock,
    Nearest,
    Ranked,
    StateUse,
    StockProtecting,
    Weighted,
)
from omnichannel.sourcing._builtin import lexicographic_ranks

HERE = oc.GeoPoint(lat=50.0, lon=10.0)
FAR = oc.GeoPoint(lat=51.0, lon=10.0)
NETWORK = oc.Network(
    nodes=[
        oc.Node(
            id="near",
            kind=oc.NodeKind.STORE,
            location=HERE,
            capabilities=oc.Capability.SHIP,
            rank=2,
            handling_cost_per_order=20.0,
        ),
        oc.Node(
            id="far", kind=oc.NodeKind.DC, location=FAR, capabilities=oc.Capability.SHIP, rank=1
        ),
    ],
    channels=[oc.Channel(id="web", kind=oc.ChannelKind.WEB)],
)
INVENTORY = oc.Inventory.from_positions(
    [
        oc.StockPosition(node_id="near", sku="A", on_hand=2),
        oc.StockPosition(node_id="far", sku="A", on_hand=9),
    ]
)
ORDER = oc.Order(
    id="o", channel_id="web", lines=[oc.OrderLine(sku="A", quantity=1)], destination=HERE
)


def winner(strategy: Any) -> str:
    result = oc.allocate([ORDER], NETWORK, INVENTORY, sourcing=strategy)
    return result.allocations[0].shipments[0].node_id


@pytest.mark.parametrize(
    ("strategy", "expected"),
    [
        (Nearest(), "near"),
        (LowestCost(), "far"),
        (Ranked(), "far"),
        (MostStock(), "far"),
        (StockProtecting(penalty=100.0), "far"),
        (Weighted(distance=1.0), "near"),
        (Lexicographic(Nearest(), Ranked()), "near"),
    ],
)
def test_each_built_in_prefers_what_it_says(strategy: Any, expected: str) -> None:
    assert winner(strategy) == expected


def test_registry_builds_and_lists() -> None:
    assert sourcing.get("lowest_cost") is LowestCost
    assert "stock_protecting" in sourcing.names()
    with pytest.raises(
        oc.InvalidInputError, match="valid names: fastest, lexicographic, lowest_cost"
    ):
        sourcing.get("cheapest")


def test_presets_are_weighted_sums() -> None:
    assert LowestCost().as_weighted() == Weighted(shipping=1.0, handling=1.0)
    assert StockProtecting(penalty=3.0).as_weighted().protection == 3.0
    assert LowestCost().state_use == StateUse(0)
    assert MostStock().state_use == StateUse.STOCK
    assert Weighted(utilisation=1.0).state_use == StateUse.CAPACITY
    assert Lexicographic(MostStock(), Weighted(utilisation=1.0)).state_use == (
        StateUse.STOCK | StateUse.CAPACITY
    )


@pytest.mark.parametrize("value", [-1.0, float("nan"), float("inf"), "1", True])
def test_weights_must_be_finite_and_non_negative(value: Any) -> None:
    with pytest.raises(oc.InvalidInputError, match="distance: must be a finite number >= 0"):
        Weighted(distance=value)


def test_lexicographic_needs_strategies() -> None:
    with pytest.raises(oc.InvalidInputError, match="at least one"):
        Lexicographic()
    with pytest.raises(oc.InvalidInputError, match=r"strategies\[1\]"):
        Lexicographic(Nearest(), "ranked")  # type: ignore[arg-type]


def test_lexicographic_ranks_are_dense_per_row() -> None:
    first = np.array([[1.0, 1.0, 0.0, np.inf], [2.0, 2.0, 2.0, 2.0]])
    second = np.array([[5.0, 4.0, 9.0, 0.0], [1.0, 1.0, 0.0, np.inf]])
    ranks = lexicographic_ranks([first, second])
    assert ranks.tolist() == [[2.0, 1.0, 0.0, np.inf], [1.0, 1.0, 0.0, np.inf]]


class Broken:
    """A strategy that returns whatever it is given."""

    state_use = StateUse(0)

    def __init__(self, make: Any) -> None:
        self.make = make

    def costs(self, batch: sourcing.SourcingBatch) -> Any:
        return self.make(batch)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda b: np.zeros((b.n_orders, b.n_nodes + 1)), "must return an array of shape"),
        (lambda b: [[0.0, 0.0]], "must return an array of shape"),
        (lambda b: np.zeros((b.n_orders, b.n_nodes), dtype=np.float32), "float64"),
        (lambda b: np.full((b.n_orders, b.n_nodes), np.nan), "returned nan for order 'o'"),
        (lambda b: np.full((b.n_orders, b.n_nodes), -np.inf), "returned -inf"),
    ],
)
def test_a_broken_strategy_is_refused_clearly(make: Any, message: str) -> None:
    with pytest.raises(oc.InvalidInputError, match=message):
        oc.allocate([ORDER], NETWORK, INVENTORY, sourcing=Broken(make))


def test_a_strategy_may_forbid_nodes() -> None:
    def forbid_near(batch: sourcing.SourcingBatch) -> Any:
        costs = np.zeros((batch.n_orders, batch.n_nodes))
        costs[:, list(batch.nodes.ids).index("far")] = np.inf
        return costs

    assert winner(Broken(forbid_near)) == "near"

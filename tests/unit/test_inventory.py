"""Readable examples of the inventory snapshot; the stateful machine covers the rest."""

import pytest

from omnichannel import (
    Channel,
    ChannelKind,
    InsufficientStockError,
    InvalidInputError,
    Inventory,
    StockMove,
    StockPosition,
)

STORE_SALES = Channel(id="pos", kind=ChannelKind.STORE, respects_safety_stock=False)


@pytest.fixture
def inventory() -> Inventory:
    return Inventory.from_positions(
        [
            StockPosition(node_id="berlin", sku="TSHIRT", on_hand=10, reserved=2, safety_stock=3),
            StockPosition(node_id="dc", sku="TSHIRT", on_hand=100),
            StockPosition(node_id="dc", sku="MUG", on_hand=5, in_transit=4),
        ]
    )


def move(node_id: str, sku: str, quantity: int) -> StockMove:
    return StockMove(node_id=node_id, sku=sku, quantity=quantity)


def test_available_to_promise_holds_back_safety_stock_for_remote_channels(
    inventory: Inventory,
) -> None:
    assert inventory.available("berlin", "TSHIRT") == 5
    assert inventory.available("berlin", "TSHIRT", STORE_SALES) == 8
    assert inventory.available("berlin", "MUG") == 0
    assert inventory.available("nowhere", "TSHIRT") == 0


def test_positions_round_trip(inventory: Inventory) -> None:
    assert Inventory.from_positions(inventory.positions()) == inventory
    assert inventory.n_positions == 3
    assert inventory.skus == ("MUG", "TSHIRT")


def test_reserve_fulfil_release_and_receive(inventory: Inventory) -> None:
    reserved = inventory.reserve([move("berlin", "TSHIRT", 5)])
    assert reserved.position("berlin", "TSHIRT") == StockPosition(
        node_id="berlin", sku="TSHIRT", on_hand=10, reserved=7, safety_stock=3
    )
    shipped = reserved.fulfil([move("berlin", "TSHIRT", 4)])
    assert shipped.position("berlin", "TSHIRT").on_hand == 6  # type: ignore[union-attr]
    released = shipped.release([move("berlin", "TSHIRT", 3)])
    assert released.position("berlin", "TSHIRT").reserved == 0  # type: ignore[union-attr]
    restocked = released.receive([move("hamburg", "MUG", 2), move("dc", "MUG", 1)])
    assert restocked.available("hamburg", "MUG") == 2
    assert restocked.position("dc", "MUG").on_hand == 6  # type: ignore[union-attr]
    arrived = restocked.receive([move("dc", "MUG", 4)], from_transit=True)
    assert arrived.position("dc", "MUG").in_transit == 0  # type: ignore[union-attr]
    assert inventory.position("berlin", "TSHIRT").reserved == 2  # type: ignore[union-attr]


def test_store_channel_may_reserve_into_safety_stock(inventory: Inventory) -> None:
    with pytest.raises(InsufficientStockError):
        inventory.reserve([move("berlin", "TSHIRT", 8)])
    assert (
        inventory.reserve([move("berlin", "TSHIRT", 8)], channel=STORE_SALES).available(
            "berlin", "TSHIRT", STORE_SALES
        )
        == 0
    )


def test_failed_operation_applies_nothing_and_names_every_short_move(
    inventory: Inventory,
) -> None:
    before = inventory.positions()
    with pytest.raises(InsufficientStockError) as caught:
        inventory.reserve([move("dc", "TSHIRT", 1), move("dc", "MUG", 6), move("paris", "MUG", 1)])
    assert str(caught.value).splitlines() == [
        "moves[1]: cannot reserve 6 of sku 'MUG' at node 'dc': 5 available",
        "moves[2]: cannot reserve 1 of sku 'MUG' at node 'paris': 0 available",
    ]
    assert inventory.positions() == before
    with pytest.raises(InsufficientStockError, match="2 reserved"):
        inventory.fulfil([move("berlin", "TSHIRT", 3)])
    with pytest.raises(InsufficientStockError, match="4 in transit"):
        inventory.receive([move("dc", "MUG", 5)], from_transit=True)


def test_duplicate_moves_add_up(inventory: Inventory) -> None:
    with pytest.raises(InsufficientStockError):
        inventory.reserve([move("dc", "MUG", 3), move("dc", "MUG", 3)])
    assert (
        inventory.reserve([move("dc", "MUG", 2), move("dc", "MUG", 3)]).available("dc", "MUG") == 0
    )


def test_bad_positions_and_moves_are_invalid_input() -> None:
    position = StockPosition(node_id="dc", sku="MUG", on_hand=1)
    with pytest.raises(InvalidInputError, match=r"positions\[1\]: duplicate of positions\[0\]"):
        Inventory.from_positions([position, position])
    with pytest.raises(InvalidInputError, match=r"moves\[0\]: must be StockMove"):
        Inventory().reserve(["dc"])  # type: ignore[list-item]


def test_snapshot_is_immutable(inventory: Inventory) -> None:
    with pytest.raises(AttributeError):
        inventory._key = None  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        inventory._qty[0, 0] = 1


def test_dense_block_reads_zero_for_unknown(inventory: Inventory) -> None:
    block = inventory.dense(["TSHIRT", "NOPE"], ["dc", "berlin", "nowhere"])
    assert block.on_hand.tolist() == [[100, 10, 0], [0, 0, 0]]
    assert block.safety_stock.tolist() == [[0, 3, 0], [0, 0, 0]]


def test_with_reserved_checks_on_hand_only(inventory: Inventory) -> None:
    import numpy as np

    after = inventory.with_reserved(["berlin"], ["TSHIRT"], np.array([8]))
    assert after.position("berlin", "TSHIRT").reserved == 10  # type: ignore[union-attr]
    with pytest.raises(InsufficientStockError):
        inventory.with_reserved(["berlin"], ["TSHIRT"], np.array([9]))
    with pytest.raises(InsufficientStockError):
        inventory.with_reserved(["paris"], ["TSHIRT"], np.array([1]))

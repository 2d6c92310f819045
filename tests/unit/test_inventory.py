"""Readable examples of the inventory snapshot; the stateful machine covers the rest."""

from collections.abc import Callable
from typing import Any

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
from omnichannel._domain import _stock_store
from omnichannel._domain.validators import MAX_COUNT

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
        inventory._store = None  # type: ignore[assignment]
    with pytest.raises(ValueError, match="read-only"):
        inventory.columns().on_hand[0] = 1


def test_dense_block_reads_zero_for_unknown(inventory: Inventory) -> None:
    block = inventory.dense(["TSHIRT", "NOPE"], ["dc", "berlin", "nowhere"])
    assert block.on_hand.tolist() == [[100, 10, 0], [0, 0, 0]]
    assert block.safety_stock.tolist() == [[0, 3, 0], [0, 0, 0]]


def test_ids_may_come_as_numpy_arrays(inventory: Inventory) -> None:
    """Not in the type hints, but accepted as before."""
    import numpy as np

    skus: Any = np.array(["MUG", "TSHIRT"])
    block = inventory.dense(skus, np.array(["dc"]))  # type: ignore[arg-type]
    assert block.on_hand.tolist() == [[5], [100]]
    node_ids: Any = np.array(["dc"])
    after = inventory.with_reserved(node_ids, skus[:1], np.array([2]))
    assert after.available("dc", "MUG") == 3


def test_with_reserved_checks_on_hand_only(inventory: Inventory) -> None:
    import numpy as np

    after = inventory.with_reserved(["berlin"], ["TSHIRT"], np.array([8]))
    assert after.position("berlin", "TSHIRT").reserved == 10  # type: ignore[union-attr]
    with pytest.raises(InsufficientStockError):
        inventory.with_reserved(["berlin"], ["TSHIRT"], np.array([9]))
    with pytest.raises(InsufficientStockError):
        inventory.with_reserved(["paris"], ["TSHIRT"], np.array([1]))


# Issue 12, hostile input: counts stay within MAX_COUNT, wrong types are InvalidInputError.

NEAR_MAX = MAX_COUNT - 1


def test_receive_past_the_count_bound_names_the_move_and_applies_nothing() -> None:
    full = Inventory.from_positions([StockPosition(node_id="dc", sku="A", on_hand=NEAR_MAX)])
    with pytest.raises(InvalidInputError, match=r"^moves\[1\]: .*on_hand") as caught:
        full.receive([move("dc", "B", 1), move("dc", "A", 2)])
    assert str(MAX_COUNT) in str(caught.value)
    assert full.positions() == [StockPosition(node_id="dc", sku="A", on_hand=NEAR_MAX)]
    assert full.receive([move("dc", "A", 1)]).available("dc", "A") == MAX_COUNT


def test_moves_that_sum_past_the_count_bound_are_refused_together() -> None:
    empty = Inventory()
    half = MAX_COUNT // 2 + 1
    with pytest.raises(InvalidInputError, match=r"^moves\[0\]: .*on_hand"):
        empty.receive([move("dc", "A", half), move("dc", "A", half)])
    with pytest.raises(InvalidInputError, match=r"^moves\[0\]: .*in_transit"):
        empty.expect([move("dc", "A", MAX_COUNT)] * 3)
    assert empty.n_positions == 0
    many = [move("dc", "A", MAX_COUNT)] * 10_000  # the sum is far past int64
    with pytest.raises(InvalidInputError):
        empty.receive(many)
    with pytest.raises(InsufficientStockError):
        Inventory.from_positions([StockPosition(node_id="dc", sku="A", on_hand=1)]).reserve(many)


def test_arrival_from_transit_keeps_on_hand_within_the_bound() -> None:
    inventory = Inventory.from_positions(
        [StockPosition(node_id="dc", sku="A", on_hand=MAX_COUNT, in_transit=5)]
    )
    with pytest.raises(InvalidInputError, match=r"^moves\[0\]: .*on_hand"):
        inventory.receive([move("dc", "A", 5)], from_transit=True)


def test_with_reserved_refuses_huge_negative_and_fractional_quantities(
    inventory: Inventory,
) -> None:
    import numpy as np

    for bad in ([-1], [2**62], [2**70], np.array([1.5]), [True]):
        with pytest.raises(InvalidInputError, match=r"^quantities"):
            inventory.with_reserved(["dc"], ["TSHIRT"], bad)  # type: ignore[arg-type]
    with pytest.raises(InsufficientStockError):
        inventory.with_reserved(["dc"] * 2, ["TSHIRT"] * 2, np.array([MAX_COUNT, MAX_COUNT]))
    with pytest.raises(InvalidInputError, match=r"^quantities"):
        inventory.with_reserved(["dc", "dc"], ["TSHIRT", "MUG"], np.array([1]))
    assert inventory.position("dc", "TSHIRT").reserved == 0  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("call", "path"),
    [
        (lambda inv: inv.reserve([move("dc", "MUG", 1)], channel="web"), "channel"),
        (lambda inv: inv.reserve(None), "moves"),
        (lambda inv: inv.release(7), "moves"),
        (lambda inv: inv.receive([move("dc", "MUG", 1)], from_transit="yes"), "from_transit"),
        (lambda inv: inv.position(["dc"], "MUG"), "node_id"),
        (lambda inv: inv.position("dc", None), "sku"),
        (lambda inv: inv.available(1, 2), "node_id"),
        (lambda inv: inv.available("dc", "MUG", channel="web"), "channel"),
        (lambda inv: inv.dense(None, ["dc"]), "skus"),
        (lambda inv: inv.dense(["MUG"], "dc"), "node_ids"),
        (lambda inv: inv.dense([["MUG"]], ["dc"]), r"skus\[0\]"),
        (lambda inv: inv.dense(["MUG"], ["dc", 3]), r"node_ids\[1\]"),
        (lambda inv: inv.with_reserved(None, ["MUG"], [1]), "node_ids"),
        (lambda inv: inv.with_reserved([["dc"]], ["MUG"], [1]), r"node_ids\[0\]"),
        (lambda _: Inventory.from_positions(None), "positions"),  # type: ignore[arg-type]
        (lambda _: Inventory.from_positions(5), "positions"),  # type: ignore[arg-type]
    ],
)
def test_wrong_argument_types_are_invalid_input_with_a_path(
    inventory: Inventory, call: Callable[[Inventory], object], path: str
) -> None:
    with pytest.raises(InvalidInputError, match=rf"^{path}: "):
        call(inventory)


def test_from_transit_must_be_a_real_bool(inventory: Inventory) -> None:
    import numpy as np

    arrived = inventory.receive([move("dc", "MUG", 4)], from_transit=np.bool_(True))  # type: ignore[arg-type]
    assert arrived.position("dc", "MUG").in_transit == 0  # type: ignore[union-attr]
    with pytest.raises(InvalidInputError):
        inventory.receive([move("dc", "MUG", 4)], from_transit=1)  # type: ignore[arg-type]


# Issue 13: snapshots share structure, so a new one costs O(moves).


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Snapshots built in the test hold 4 positions per chunk instead of 256."""
    monkeypatch.setattr(_stock_store, "CHUNK_SHIFT", 2)


def stocked(n_nodes: int, n_skus: int) -> Inventory:
    return Inventory.from_positions(
        StockPosition(node_id=f"n{i:02d}", sku=f"s{j:02d}", on_hand=10 + i + j)
        for i in range(n_nodes)
        for j in range(n_skus)
    )


def test_a_new_snapshot_copies_only_the_chunks_it_writes(small_chunks: None) -> None:
    before = stocked(4, 10)  # 40 positions in 10 chunks of 4
    after = before.reserve([move("n01", "s03", 2)])
    shared = [a is b for a, b in zip(before._store._chunks, after._store._chunks, strict=True)]
    assert shared.count(False) == 1
    assert after._store._base is before._store._base  # the index is not rebuilt
    assert before.position("n01", "s03").reserved == 0  # type: ignore[union-attr]
    assert after.position("n01", "s03").reserved == 2  # type: ignore[union-attr]


def test_new_nodes_and_skus_get_positions_without_re_keying_the_others(
    small_chunks: None,
) -> None:
    before = stocked(3, 3)
    after = before.receive([move("a-new-node", "s01", 5), move("n00", "zz-new-sku", 2)])
    assert after._store._base is before._store._base
    assert after.node_ids == ("a-new-node", "n00", "n01", "n02")
    assert after.skus == ("s00", "s01", "s02", "zz-new-sku")
    assert after.available("a-new-node", "s01") == 5
    block = after.dense(["zz-new-sku", "s01"], ["n00", "a-new-node"])
    assert block.on_hand.tolist() == [[2, 0], [11, 5]]
    columns = after.columns()
    assert [
        (after.skus[s], after.node_ids[n]) for s, n in zip(columns.sku, columns.node, strict=True)
    ] == sorted((p.sku, p.node_id) for p in after.positions())
    assert Inventory.from_positions(after.positions()) == after
    assert before.position("a-new-node", "s01") is None
    assert before.skus == ("s00", "s01", "s02")
    assert before.n_positions == 9


def test_histories_may_branch_from_any_old_snapshot(small_chunks: None) -> None:
    root = stocked(2, 3)
    left = root.receive([move("left", "A", 1)]).receive([move("n00", "B", 3)])
    right = root.receive([move("right", "A", 7)])  # root is no longer the newest: a fork
    assert left.node_ids == ("left", "n00", "n01")
    assert right.node_ids == ("n00", "n01", "right")
    assert left.position("right", "A") is None
    assert right.position("left", "A") is None
    assert left.available("n00", "B") == 3
    assert right.position("n00", "B") is None
    assert (root.n_positions, left.n_positions, right.n_positions) == (6, 8, 7)


def test_threads_may_derive_snapshots_from_one_snapshot_at_once(small_chunks: None) -> None:
    from concurrent.futures import ThreadPoolExecutor

    root = stocked(3, 5)

    def grow(worker: int) -> Inventory:
        inventory = root
        for step in range(40):
            inventory = inventory.receive([move(f"w{worker}", f"s{step:02d}", worker + 1)])
            inventory = inventory.reserve([move("n01", "s02", 1)]) if step < 10 else inventory
        return inventory

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(grow, range(8)))
    for worker, inventory in enumerate(results):
        assert inventory.n_positions == 15 + 40
        assert inventory.available(f"w{worker}", "s39") == worker + 1
        assert all(
            inventory.position(f"w{other}", "s00") is None for other in range(8) if other != worker
        )
        assert inventory.position("n01", "s02").reserved == 10  # type: ignore[union-attr]
    assert root == stocked(3, 5)


def test_pickles_round_trip_and_old_pickles_still_load(inventory: Inventory) -> None:
    import pickle

    import numpy as np

    grown = inventory.receive([move("hamburg", "MUG", 2)]).reserve([move("dc", "MUG", 1)])
    assert pickle.loads(pickle.dumps(grown)) == grown
    old_layout = {  # what versions before structural sharing pickled
        "_node_ids": ("berlin", "dc"),
        "_skus": ("MUG", "TSHIRT"),
        "_key": np.array([1, 2, 3]),  # sku * n_nodes + node, ascending
        "_qty": np.array([[5, 10, 100], [0, 2, 0], [0, 3, 0], [4, 0, 0]]),
    }
    restored = Inventory.__new__(Inventory)
    restored.__setstate__(old_layout)
    assert restored == inventory


def test_serialization_round_trips_a_grown_snapshot(inventory: Inventory) -> None:
    from omnichannel.serialization import from_dict, to_dict

    grown = inventory.receive([move("hamburg", "SCARF", 2)])
    assert from_dict(Inventory, to_dict(grown)) == grown


def test_equal_snapshots_compare_equal_however_they_were_built(inventory: Inventory) -> None:
    there_and_back = inventory.reserve([move("dc", "MUG", 2)]).release([move("dc", "MUG", 2)])
    assert there_and_back == inventory
    assert inventory.receive([move("dc", "MUG", 1)]) != inventory
    assert inventory.receive([move("paris", "MUG", 1)]) != inventory
    assert Inventory() == Inventory.from_positions([])


def test_counts_reads_many_positions_at_once_absent_ones_as_zero() -> None:
    stock = Inventory.from_positions(
        [
            StockPosition(node_id="s1", sku="A", on_hand=5, reserved=2, safety_stock=1),
            StockPosition(node_id="s9", sku="A", on_hand=7, in_transit=3),
            StockPosition(node_id="s1", sku="B", on_hand=3),
        ]
    )
    found = stock.counts(["s9", "s5", "s1", "s1", "ghost"], ["A", "B", "A", "B", "Z"])
    assert found.tolist() == [[7, 0, 5, 3, 0], [0, 0, 2, 0, 0], [0, 0, 1, 0, 0], [3, 0, 0, 0, 0]]
    grown = stock.receive([StockMove(node_id="s5", sku="B", quantity=4)])
    assert grown.counts(["s5"], ["B"]).tolist() == [[4], [0], [0], [0]]
    assert stock.counts([], []).shape == (4, 0)
    with pytest.raises(InvalidInputError, match=r"^skus: must hold one SKU per node id"):
        stock.counts(["s1"], [])
    with pytest.raises(InvalidInputError, match=r"^node_ids\[0\]: "):
        stock.counts([["s1"]], ["A"])  # type: ignore[list-item]


def test_counts_agrees_with_position_on_many_positions() -> None:
    positions = [
        StockPosition(node_id=f"n{n}", sku=f"S{s}", on_hand=n * 10 + s, reserved=s % 3)
        for n in range(8)
        for s in range(8)
        if (n + s) % 3
    ]
    stock = Inventory.from_positions(positions).receive(
        [StockMove(node_id="n0", sku="S9", quantity=2)]
    )
    pairs = [(f"n{n}", f"S{s}") for n in range(9) for s in range(10)]
    found = stock.counts([n for n, _ in pairs], [s for _, s in pairs])
    for column, (node_id, sku) in enumerate(pairs):
        position = stock.position(node_id, sku)
        expected = (
            [0, 0, 0, 0]
            if position is None
            else [position.on_hand, position.reserved, position.safety_stock, position.in_transit]
        )
        assert found[:, column].tolist() == expected

"""The storage under Inventory: what a new snapshot shares, and the engine's fast paths."""

import numpy as np
import pytest

from omnichannel import InvalidInputError, Inventory, StockMove, StockPosition
from omnichannel._domain import _stock_store


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Snapshots built in the test hold 4 positions per chunk and 8 chunks per group."""
    monkeypatch.setattr(_stock_store, "CHUNK_SHIFT", 2)
    monkeypatch.setattr(_stock_store, "MIN_GROUP_SHIFT", 3)


def stocked(n_nodes: int, n_skus: int) -> Inventory:
    return Inventory.from_positions(
        StockPosition(
            node_id=f"n{i:02d}",
            sku=f"s{j:03d}",
            on_hand=10 + i + j,
            reserved=i % 3,
            safety_stock=j % 2,
        )
        for i in range(n_nodes)
        for j in range(n_skus)
    )


def test_a_write_copies_its_chunk_its_group_and_the_table_of_groups_only(
    small_chunks: None,
) -> None:
    before = stocked(4, 100)  # 400 positions: 100 chunks of 4, in groups of 16
    assert before._store._base.group_shift == 4
    after = before.with_reserved(["n02"], ["s050"], np.array([1]))
    old, new = before._store._groups, after._store._groups
    assert len(old) == len(new) == 7
    assert [a is b for a, b in zip(old, new, strict=True)].count(False) == 1
    changed = next(g for g, (a, b) in enumerate(zip(old, new, strict=True)) if a is not b)
    assert [a is b for a, b in zip(old[changed], new[changed], strict=True)].count(False) == 1
    assert before.position("n02", "s050").reserved == 2  # type: ignore[union-attr]
    assert after.position("n02", "s050").reserved == 3  # type: ignore[union-attr]
    assert not before._store.shares_all_with(after._store)
    assert after._store.shares_all_with(after.with_reserved([], [], np.array([], np.int64))._store)


def test_new_positions_fill_the_last_group_then_start_new_ones(small_chunks: None) -> None:
    inventory = stocked(1, 5)  # 5 positions: 2 chunks in one group of up to 8
    made = [inventory]
    for k in range(60):
        made.append(made[-1].receive([StockMove(node_id="n00", sku=f"t{k:03d}", quantity=k + 1)]))
    last = made[-1]
    assert [len(group) for group in last._store._groups] == [8, 8, 1]  # 65 positions: 17 chunks
    for k, snapshot in enumerate(made):
        assert snapshot.n_positions == 5 + k
        assert snapshot.position("n00", f"t{k:03d}") is None
        if k:
            assert snapshot.available("n00", f"t{k - 1:03d}") == k
    assert Inventory.from_positions(last.positions()) == last


def test_dense_gives_each_count_its_own_array() -> None:
    block = stocked(3, 4).dense(["s001", "s002"], ["n00", "n01", "n02"])
    for i, a in enumerate(block):
        assert a.flags.owndata
        assert a.flags.writeable
        assert not any(np.shares_memory(a, b) for b in block[i + 1 :])


@pytest.mark.parametrize("few", [0, 16])
def test_dense_reads_the_same_one_sku_at_a_time_or_all_at_once(
    small_chunks: None, monkeypatch: pytest.MonkeyPatch, few: int
) -> None:
    """Both paths of ``dense``, with nodes missing from the columns and positions added
    since the snapshot was built."""
    monkeypatch.setattr(_stock_store, "_FEW", few)
    inventory = stocked(6, 30).receive(
        [
            StockMove(node_id="n09", sku="s003", quantity=4),
            StockMove(node_id="n01", sku="new", quantity=2),
        ]
    )
    skus = ["s003", "new", "nope", "s029", "s000", *(f"s{j:03d}" for j in range(5, 25))]
    node_ids = ("n05", "n09", "n01", "nowhere", "n00")  # n02 to n04 have no column
    block = inventory.dense(skus, node_ids)
    held = {(p.node_id, p.sku): p for p in inventory.positions()}
    for field, got in zip(
        ("on_hand", "reserved", "safety_stock", "in_transit"), block, strict=True
    ):
        expected = [
            [getattr(held[(n, s)], field) if (n, s) in held else 0 for n in node_ids] for s in skus
        ]
        assert got.tolist() == expected


@pytest.mark.parametrize("n_pairs", [1, 20])
def test_with_reserved_names_each_bad_count_in_an_int64_array(n_pairs: int) -> None:
    inventory = stocked(1, 1)
    quantities = np.zeros(n_pairs, dtype=np.int64)
    quantities[0], quantities[-1] = -1, 10**12 + 1
    with pytest.raises(InvalidInputError) as error:
        inventory.with_reserved(["n00"] * n_pairs, ["s000"] * n_pairs, quantities)
    named = [path for path, _ in error.value.problems]
    assert named == [f"quantities[{i}]" for i in sorted({0, n_pairs - 1})]

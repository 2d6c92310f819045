"""The immutable stock snapshot, node x SKU, stored sparsely."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple, cast

import numpy as np

from .._errors import InsufficientStockError, InvalidInputError
from .._types import IntArray
from .network import Channel
from .ranges import concatenated_ranges
from .stock import StockMove, StockPosition


class StockBlock(NamedTuple):
    """Dense stock for chosen SKUs (rows) at chosen nodes (columns), in units.

    Each array has shape (n_skus, n_nodes); absent positions read 0.
    """

    on_hand: IntArray
    reserved: IntArray
    safety_stock: IntArray
    in_transit: IntArray


class PositionColumns(NamedTuple):
    """Every position of a snapshot as read-only columns, sorted by SKU then node.

    ``node`` and ``sku`` index ``Inventory.node_ids`` and ``Inventory.skus``;
    the others are units. Each array has shape (n_positions,).
    """

    node: IntArray
    sku: IntArray
    on_hand: IntArray
    reserved: IntArray
    safety_stock: IntArray
    in_transit: IntArray


def _readonly(array: IntArray) -> IntArray:
    array.flags.writeable = False
    return array


def _index_of(ids: Iterable[str]) -> dict[str, int]:
    return {item: i for i, item in enumerate(ids)}


class Inventory:
    """An immutable snapshot of every stock position, node x SKU.

    Build it with :meth:`from_positions`; operations (:meth:`reserve`,
    :meth:`release`, :meth:`fulfil`, :meth:`receive`, :meth:`expect`) return a
    new snapshot and leave this one as it was, or raise and apply nothing.

    Storage is sparse: five int64 numbers (40 bytes) per stock position that
    exists, sorted by (SKU, node), plus one id table entry per node and per
    SKU. 2,000 nodes x 200,000 SKUs fully stocked (400 million positions) would
    take 16 GB; a retailer whose stores carry a tenth of the range takes 1.6 GB,
    and memory never grows with the positions that do not exist.
    """

    __slots__ = ("_key", "_node_ids", "_node_index", "_qty", "_sku_index", "_skus")

    _node_ids: tuple[str, ...]
    _skus: tuple[str, ...]
    _node_index: dict[str, int]
    _sku_index: dict[str, int]
    _key: IntArray
    _qty: IntArray

    def __init__(self) -> None:
        self._install((), (), np.empty(0, np.int64), np.empty((4, 0), np.int64))

    def _install(
        self, node_ids: tuple[str, ...], skus: tuple[str, ...], key: IntArray, qty: IntArray
    ) -> None:
        set_ = object.__setattr__
        set_(self, "_node_ids", node_ids)
        set_(self, "_skus", skus)
        set_(self, "_node_index", _index_of(node_ids))
        set_(self, "_sku_index", _index_of(skus))
        set_(self, "_key", _readonly(key))
        set_(self, "_qty", _readonly(qty))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Inventory is immutable; its operations return a new snapshot")

    @classmethod
    def _build(
        cls, node_ids: Sequence[str], skus: Sequence[str], rows: dict[tuple[str, str], list[int]]
    ) -> Inventory:
        """A snapshot of ``rows``: (node_id, sku) -> [on_hand, reserved, safety, in_transit]."""
        inventory = cls.__new__(cls)
        nodes = tuple(sorted(set(node_ids)))
        catalogue = tuple(sorted(set(skus)))
        node_index, sku_index = _index_of(nodes), _index_of(catalogue)
        n_nodes = max(len(nodes), 1)
        key = np.fromiter(
            (sku_index[sku] * n_nodes + node_index[node] for node, sku in rows),
            dtype=np.int64,
            count=len(rows),
        )
        qty = np.array(list(rows.values()), dtype=np.int64).reshape(len(rows), 4).T.copy()
        order = np.argsort(key, kind="stable")
        inventory._install(nodes, catalogue, key[order], np.ascontiguousarray(qty[:, order]))
        return inventory

    @classmethod
    def from_positions(cls, positions: Iterable[StockPosition]) -> Inventory:
        """A snapshot holding exactly these positions (no (node, SKU) pair twice)."""
        rows: dict[tuple[str, str], list[int]] = {}
        first: dict[tuple[str, str], int] = {}
        problems = []
        for index, position in enumerate(cast("Iterable[object]", positions)):
            if not isinstance(position, StockPosition):
                problems.append((f"positions[{index}]", f"must be StockPosition, got {position!r}"))
                continue
            pair = (position.node_id, position.sku)
            if pair in rows:
                problems.append(
                    (
                        f"positions[{index}]",
                        f"duplicate of positions[{first[pair]}] "
                        f"(node {pair[0]!r}, sku {pair[1]!r})",
                    )
                )
                continue
            first[pair] = index
            rows[pair] = [
                position.on_hand,
                position.reserved,
                position.safety_stock,
                position.in_transit,
            ]
        if problems:
            raise InvalidInputError.collect(problems)
        return cls._build([n for n, _ in rows], [s for _, s in rows], rows)

    @property
    def node_ids(self) -> tuple[str, ...]:
        """Ids of the nodes that hold a position, sorted."""
        return self._node_ids

    @property
    def skus(self) -> tuple[str, ...]:
        """SKUs with a position somewhere, sorted."""
        return self._skus

    @property
    def n_positions(self) -> int:
        """Number of stock positions."""
        return int(self._key.size)

    def columns(self) -> PositionColumns:
        """Every position as columns (no copies of the quantities), for bulk reads
        such as exports or KPIs; ``positions`` gives the same as objects."""
        sku_of, node_of = np.divmod(self._key, max(len(self._node_ids), 1))
        return PositionColumns(_readonly(node_of), _readonly(sku_of), *self._qty)

    def positions(self) -> list[StockPosition]:
        """Every position, sorted by SKU then node; ``from_positions`` of it is this snapshot."""
        node, sku, on_hand, reserved, safety, in_transit = self.columns()
        return [
            StockPosition(
                node_id=self._node_ids[n],
                sku=self._skus[s],
                on_hand=h,
                reserved=r,
                safety_stock=f,
                in_transit=t,
            )
            for n, s, h, r, f, t in zip(
                node.tolist(),
                sku.tolist(),
                on_hand.tolist(),
                reserved.tolist(),
                safety.tolist(),
                in_transit.tolist(),
                strict=True,
            )
        ]

    def position(self, node_id: str, sku: str) -> StockPosition | None:
        """The position of ``sku`` at ``node_id``, or None if there is none."""
        row = self._row(node_id, sku)
        if row < 0:
            return None
        on_hand, reserved, safety, in_transit = self._qty[:, row].tolist()
        return StockPosition(
            node_id=node_id,
            sku=sku,
            on_hand=on_hand,
            reserved=reserved,
            safety_stock=safety,
            in_transit=in_transit,
        )

    def available(self, node_id: str, sku: str, channel: Channel | None = None) -> int:
        """Units of ``sku`` at ``node_id`` that ``channel`` may promise (available to promise).

        ``on_hand - reserved - safety_stock``, floored at 0; safety stock is not
        held back from a channel with ``respects_safety_stock=False``. With no
        channel, safety stock is held back. Unknown node or SKU: 0.
        """
        row = self._row(node_id, sku)
        if row < 0:
            return 0
        on_hand, reserved, safety, _ = self._qty[:, row].tolist()
        held = safety if channel is None or channel.respects_safety_stock else 0
        return int(max(on_hand - reserved - held, 0))

    def dense(self, skus: Sequence[str], node_ids: Sequence[str]) -> StockBlock:
        """Stock of ``skus`` (rows) at ``node_ids`` (columns) as dense arrays.

        Cost is proportional to the positions of those SKUs, not to the whole
        snapshot; unknown SKUs or nodes read 0.
        """
        block = np.zeros((4, len(skus), len(node_ids)), dtype=np.int64)
        n_nodes = max(len(self._node_ids), 1)
        inv_sku = np.array([self._sku_index.get(s, -1) for s in skus], dtype=np.int64)
        column_of = np.full(len(self._node_ids), -1, dtype=np.int64)
        for column, node_id in enumerate(node_ids):
            known = self._node_index.get(node_id)
            if known is not None:
                column_of[known] = column
        present = np.flatnonzero(inv_sku >= 0)
        if present.size == 0 or self._key.size == 0:
            return StockBlock(*block)
        starts = np.searchsorted(self._key, inv_sku[present] * n_nodes)
        stops = np.searchsorted(self._key, (inv_sku[present] + 1) * n_nodes)
        counts = stops - starts
        rows = np.repeat(present, counts)
        positions = concatenated_ranges(starts, counts)
        columns = column_of[self._key[positions] % n_nodes]
        keep = columns >= 0
        block[:, rows[keep], columns[keep]] = self._qty[:, positions[keep]]
        return StockBlock(*block)

    def reserve(self, moves: Iterable[StockMove], *, channel: Channel | None = None) -> Inventory:
        """Promise units to orders: ``reserved`` grows by each move's quantity.

        Every move must fit in what ``channel`` may promise (see :meth:`available`),
        else :class:`InsufficientStockError` and nothing is reserved.
        """
        held = channel is None or channel.respects_safety_stock
        return self._apply(moves, "reserve", safety_held=held)

    def release(self, moves: Iterable[StockMove]) -> Inventory:
        """Cancel reservations: ``reserved`` drops; at most what is reserved."""
        return self._apply(moves, "release")

    def fulfil(self, moves: Iterable[StockMove]) -> Inventory:
        """Ship reserved units: ``on_hand`` and ``reserved`` both drop; at most what is reserved."""
        return self._apply(moves, "fulfil")

    def receive(self, moves: Iterable[StockMove], *, from_transit: bool = False) -> Inventory:
        """Units arrive: ``on_hand`` grows, new positions appear as needed.

        With ``from_transit=True`` the units were announced by :meth:`expect`:
        ``in_transit`` drops by the same amount (at most what is in transit).
        """
        return self._apply(moves, "arrive" if from_transit else "receive")

    def expect(self, moves: Iterable[StockMove]) -> Inventory:
        """Units set off towards a node: ``in_transit`` grows, new positions appear as needed."""
        return self._apply(moves, "expect")

    def with_reserved(
        self, node_ids: Sequence[str], skus: Sequence[str], quantities: IntArray
    ) -> Inventory:
        """Reserve ``quantities[i]`` of ``skus[i]`` at ``node_ids[i]``, checked only against
        ``on_hand - reserved``: the array form of :meth:`reserve` for callers that have
        already applied each channel's safety stock rule (the allocation engine)."""
        rows = self._rows_for(node_ids, skus)
        quantities = np.asarray(quantities, dtype=np.int64)
        if np.any(rows < 0) or np.any(quantities < 0):
            raise InsufficientStockError("cannot reserve at a position that does not exist")
        totals = np.bincount(rows, weights=quantities, minlength=self._key.size).astype(np.int64)
        qty = self._qty.copy()
        qty[1] += totals
        if np.any(qty[1] > qty[0]):
            raise InsufficientStockError("reservation exceeds unreserved units on hand")
        return self._replaced(qty)

    def _replaced(self, qty: IntArray) -> Inventory:
        inventory = type(self).__new__(type(self))
        inventory._install(self._node_ids, self._skus, self._key, qty)
        return inventory

    def _row(self, node_id: str, sku: str) -> int:
        node = self._node_index.get(node_id)
        sku_idx = self._sku_index.get(sku)
        if node is None or sku_idx is None:
            return -1
        key = sku_idx * len(self._node_ids) + node
        row = int(np.searchsorted(self._key, key))
        return row if row < self._key.size and int(self._key[row]) == key else -1

    def _rows_for(self, node_ids: Sequence[str], skus: Sequence[str]) -> IntArray:
        """Row of each (node, sku) pair in the position arrays, -1 where there is none."""
        node = np.array([self._node_index.get(n, -1) for n in node_ids], dtype=np.int64)
        sku = np.array([self._sku_index.get(s, -1) for s in skus], dtype=np.int64)
        if self._key.size == 0:
            return np.full(node.size, -1, dtype=np.int64)
        keys = sku * len(self._node_ids) + node
        rows = np.minimum(np.searchsorted(self._key, keys), self._key.size - 1)
        found = (node >= 0) & (sku >= 0) & (self._key[rows] == keys)
        return np.where(found, rows, -1)

    def _apply(
        self, moves: Iterable[StockMove], operation: str, safety_held: bool = True
    ) -> Inventory:
        move_list = list(moves)
        problems = [
            (f"moves[{i}]", f"must be StockMove, got {move!r}")
            for i, move in enumerate(move_list)
            if not isinstance(move, StockMove)
        ]
        if problems:
            raise InvalidInputError.collect(problems)
        if not move_list:
            return self
        totals: dict[tuple[str, str], int] = {}
        first: dict[tuple[str, str], int] = {}
        for index, move in enumerate(move_list):
            pair = (move.node_id, move.sku)
            totals[pair] = totals.get(pair, 0) + move.quantity
            first.setdefault(pair, index)
        pairs = list(totals)
        rows = self._rows_for([n for n, _ in pairs], [s for _, s in pairs])
        quantity = np.fromiter(totals.values(), dtype=np.int64, count=len(pairs))
        if operation in ("receive", "expect"):
            field = 0 if operation == "receive" else 3
            if np.all(rows >= 0):
                qty = self._qty.copy()
                qty[field, rows] += quantity
                return self._replaced(qty)
            return self._added(totals, field)
        current = np.zeros((4, rows.size), dtype=np.int64)
        current[:, rows >= 0] = self._qty[:, rows[rows >= 0]]
        on_hand, reserved, safety, in_transit = current
        limit, what = _limit(operation, on_hand, reserved, safety, in_transit, safety_held)
        short = np.flatnonzero((rows < 0) | (quantity > limit))
        if short.size:
            raise InsufficientStockError(
                "\n".join(
                    f"moves[{first[pairs[i]]}]: cannot {operation} {quantity[i]} of sku "
                    f"{pairs[i][1]!r} at node {pairs[i][0]!r}: {max(int(limit[i]), 0)} {what}"
                    for i in short.tolist()
                )
            )
        qty = self._qty.copy()
        for field, sign in _EFFECTS[operation]:
            qty[field, rows] += sign * quantity
        return self._replaced(qty)

    def _added(self, totals: dict[tuple[str, str], int], field: int) -> Inventory:
        """Add ``totals`` to ``field`` where some (node, SKU) pairs are new: re-key the
        existing positions on the grown node and SKU lists, then merge."""
        pairs = list(totals)
        nodes = tuple(sorted(set(self._node_ids).union(n for n, _ in pairs)))
        catalogue = tuple(sorted(set(self._skus).union(s for _, s in pairs)))
        node_index, sku_index = _index_of(nodes), _index_of(catalogue)
        n_nodes = max(len(nodes), 1)
        old_sku, old_node = np.divmod(self._key, max(len(self._node_ids), 1))
        node_of = np.array([node_index[n] for n in self._node_ids], dtype=np.int64)
        sku_of = np.array([sku_index[s] for s in self._skus], dtype=np.int64)
        added = np.array([sku_index[s] * n_nodes + node_index[n] for n, s in pairs], np.int64)
        keys = np.concatenate([sku_of[old_sku] * n_nodes + node_of[old_node], added])
        quantity = np.zeros((4, len(pairs)), dtype=np.int64)
        quantity[field] = np.fromiter(totals.values(), dtype=np.int64, count=len(pairs))
        merged_key, where = np.unique(keys, return_inverse=True)
        qty = np.zeros((4, merged_key.size), dtype=np.int64)
        np.add.at(qty.T, where, np.concatenate([self._qty, quantity], axis=1).T)
        inventory = type(self).__new__(type(self))
        inventory._install(nodes, catalogue, merged_key, qty)
        return inventory

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Inventory):
            return NotImplemented
        return (
            self._node_ids == other._node_ids
            and self._skus == other._skus
            and np.array_equal(self._key, other._key)
            and np.array_equal(self._qty, other._qty)
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"Inventory(n_positions={self.n_positions}, n_nodes={len(self._node_ids)}, "
            f"n_skus={len(self._skus)})"
        )

    def __getstate__(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._install(state["_node_ids"], state["_skus"], state["_key"], state["_qty"])


_EFFECTS: dict[str, tuple[tuple[int, int], ...]] = {
    "reserve": ((1, +1),),
    "release": ((1, -1),),
    "fulfil": ((0, -1), (1, -1)),
    "arrive": ((0, +1), (3, -1)),
}


def _limit(
    operation: str,
    on_hand: IntArray,
    reserved: IntArray,
    safety: IntArray,
    in_transit: IntArray,
    safety_held: bool,
) -> tuple[IntArray, str]:
    """The most units ``operation`` may move at each position, and what they are called."""
    if operation == "reserve":
        held = safety if safety_held else 0
        return np.maximum(on_hand - reserved - held, 0), "available"
    if operation in ("release", "fulfil"):
        return reserved, "reserved"
    return in_transit, "in transit"

"""The immutable stock snapshot, node x SKU, stored sparsely (storage: ``_stock_store``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple, NoReturn

import numpy as np

from .._errors import InsufficientStockError, InvalidInputError
from .._types import IntArray, read_only
from . import validators as v
from ._stock_store import StockStore, empty_store
from .network import Channel
from .stock import StockMove, StockPosition
from .validators import MAX_COUNT


class StockBlock(NamedTuple):
    """Dense stock for chosen SKUs (rows) at chosen nodes (columns), in units.

    Each array has shape (n_skus, n_nodes) and is its own (keeping one does not keep
    the others alive); absent positions read 0.
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


class Inventory:
    """An immutable snapshot of every stock position, node x SKU.

    Build it with :meth:`from_positions`; operations (:meth:`reserve`,
    :meth:`release`, :meth:`fulfil`, :meth:`write_off`, :meth:`receive`,
    :meth:`expect`) return a new snapshot and leave this one as it was, or raise and
    apply nothing.

    A new snapshot costs O(moves), not O(positions): it shares the index and every
    unchanged part of the counts with the snapshot it came from, copying only the
    chunks of 256 positions it writes, so one order per call stays cheap however
    large the catalogue. Old snapshots read as they did; snapshots may be shared
    between threads.

    Storage is sparse: four int64 counts and one int64 key (40 bytes) per stock
    position that exists, plus one id table entry per node and per SKU; a position
    that first appears after :meth:`from_positions` costs about 200 bytes more. 2,000
    nodes x 200,000 SKUs fully stocked (400 million positions) would take 16 GB; a
    retailer whose stores carry a tenth of the range takes 1.6 GB, and memory never
    grows with the positions that do not exist. Each count is at most ``MAX_COUNT``
    (10**12): an operation that would pass it raises :class:`InvalidInputError`.
    """

    __slots__ = ("_store",)

    _store: StockStore

    def __init__(self) -> None:
        object.__setattr__(self, "_store", empty_store())

    @classmethod
    def _of(cls, store: StockStore) -> Inventory:
        inventory = cls.__new__(cls)
        object.__setattr__(inventory, "_store", store)
        return inventory

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Inventory is immutable; its operations return a new snapshot")

    @classmethod
    def _build(cls, rows: dict[tuple[str, str], list[int]]) -> Inventory:
        """A snapshot of ``rows``: (node_id, sku) -> [on_hand, reserved, safety, in_transit]."""
        nodes = tuple(sorted({node for node, _ in rows}))
        catalogue = tuple(sorted({sku for _, sku in rows}))
        node_index = {node_id: i for i, node_id in enumerate(nodes)}
        sku_index = {sku: i for i, sku in enumerate(catalogue)}
        node = np.fromiter((node_index[n] for n, _ in rows), dtype=np.int64, count=len(rows))
        sku = np.fromiter((sku_index[s] for _, s in rows), dtype=np.int64, count=len(rows))
        counts = np.array(list(rows.values()), dtype=np.int64).reshape(len(rows), 4).T
        return cls._of(StockStore.build(nodes, catalogue, node, sku, counts))

    @classmethod
    def from_positions(cls, positions: Iterable[StockPosition]) -> Inventory:
        """A snapshot holding exactly these positions (no (node, SKU) pair twice)."""
        found = v.items(positions, "positions", "StockPosition")
        rows: dict[tuple[str, str], list[int]] = {}
        first: dict[tuple[str, str], int] = {}
        problems = []
        for index, position in enumerate(found):
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
        return cls._build(rows)

    @property
    def node_ids(self) -> tuple[str, ...]:
        """Ids of the nodes that hold a position, sorted."""
        return self._store.node_ids

    @property
    def skus(self) -> tuple[str, ...]:
        """SKUs with a position somewhere, sorted."""
        return self._store.skus

    @property
    def n_positions(self) -> int:
        """Number of stock positions."""
        return self._store.n_rows

    def columns(self) -> PositionColumns:
        """Every position as read-only columns, for bulk reads such as exports or KPIs;
        ``positions`` gives the same as objects. Costs O(positions)."""
        node, sku, counts = self._store.columns()
        return PositionColumns(read_only(node), read_only(sku), *read_only(counts))

    def positions(self) -> list[StockPosition]:
        """Every position, sorted by SKU then node; ``from_positions`` of it is this snapshot."""
        node, sku, on_hand, reserved, safety, in_transit = self.columns()
        node_ids, skus = self.node_ids, self.skus
        return [
            StockPosition(
                node_id=node_ids[n],
                sku=skus[s],
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
        row = self._store.row(_checked_str(node_id, "node_id"), _checked_str(sku, "sku"))
        if row < 0:
            return None
        on_hand, reserved, safety, in_transit = self._store.read_row(row)
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
        row = self._store.row(_checked_str(node_id, "node_id"), _checked_str(sku, "sku"))
        held_back = _safety_held(channel)
        if row < 0:
            return 0
        on_hand, reserved, safety, _ = self._store.read_row(row)
        held = safety if held_back else 0
        return int(max(on_hand - reserved - held, 0))

    def counts(self, node_ids: Sequence[str], skus: Sequence[str]) -> IntArray:
        """The counts of the (``node_ids[i]``, ``skus[i]``) positions in bulk: ``on_hand``,
        ``reserved``, ``safety_stock`` and ``in_transit`` rows, shape (4, len(node_ids)),
        0 where a position does not exist; a new array. Costs O(positions asked for).
        """
        if len(skus) != len(node_ids):
            raise InvalidInputError(
                "skus", f"must hold one SKU per node id ({len(node_ids)}), got {len(skus)}"
            )
        try:
            rows = self._store.rows(node_ids, skus)
        except TypeError:
            _raise_first_non_str(node_ids, "node_ids")
            _raise_first_non_str(skus, "skus")
            raise
        found = np.zeros((4, rows.size), dtype=np.int64)
        hit = np.flatnonzero(rows >= 0)
        found[:, hit] = self._store.read(rows[hit])
        return found

    def dense(self, skus: Sequence[str], node_ids: Sequence[str]) -> StockBlock:
        """Stock of ``skus`` (rows) at ``node_ids`` (columns) as dense arrays.

        Cost is proportional to the positions of those SKUs, not to the whole
        snapshot; unknown SKUs or nodes read 0.
        """
        _check_sequence(skus, "skus")
        _check_sequence(node_ids, "node_ids")
        return StockBlock(*self._store.block(skus, node_ids))

    def reserve(self, moves: Iterable[StockMove], *, channel: Channel | None = None) -> Inventory:
        """Promise units to orders: ``reserved`` grows by each move's quantity.

        Every move must fit in what ``channel`` may promise (see :meth:`available`),
        else :class:`InsufficientStockError` and nothing is reserved.
        """
        return self._apply(moves, "reserve", safety_held=_safety_held(channel))

    def release(self, moves: Iterable[StockMove]) -> Inventory:
        """Cancel reservations: ``reserved`` drops; at most what is reserved."""
        return self._apply(moves, "release")

    def fulfil(self, moves: Iterable[StockMove]) -> Inventory:
        """Ship reserved units: ``on_hand`` and ``reserved`` both drop; at most what is reserved."""
        return self._apply(moves, "fulfil")

    def write_off(self, moves: Iterable[StockMove]) -> Inventory:
        """Units found missing or damaged leave the books: ``on_hand`` drops; at most the
        unreserved units (release a reservation first to write its units off)."""
        return self._apply(moves, "write_off")

    def receive(self, moves: Iterable[StockMove], *, from_transit: bool = False) -> Inventory:
        """Units arrive: ``on_hand`` grows, new positions appear as needed.

        With ``from_transit=True`` the units were announced by :meth:`expect`:
        ``in_transit`` drops by the same amount (at most what is in transit).
        ``on_hand`` may not pass 10**12 (:class:`InvalidInputError`).
        """
        if not isinstance(from_transit, (bool, np.bool_)):
            raise InvalidInputError(
                "from_transit",
                f"must be a bool, got {type(from_transit).__name__} {from_transit!r}",
            )
        return self._apply(moves, "arrive" if from_transit else "receive")

    def expect(self, moves: Iterable[StockMove]) -> Inventory:
        """Units set off towards a node: ``in_transit`` grows, new positions appear as
        needed; ``in_transit`` may not pass 10**12 (:class:`InvalidInputError`)."""
        return self._apply(moves, "expect")

    def with_reserved(
        self, node_ids: Sequence[str], skus: Sequence[str], quantities: IntArray
    ) -> Inventory:
        """Reserve ``quantities[i]`` of ``skus[i]`` at ``node_ids[i]``, checked only against
        ``on_hand - reserved``: the array form of :meth:`reserve` for callers that have
        already applied each channel's safety stock rule (the allocation engine).

        ``quantities`` holds ints from 0 to 10**12, one per pair, shape (n_pairs,);
        pairs may repeat. Costs O(n_pairs log n_pairs).
        """
        _check_sequence(node_ids, "node_ids")
        _check_sequence(skus, "skus")
        amounts = _counts(quantities, "quantities", len(node_ids))
        if len(skus) != len(node_ids):
            raise InvalidInputError(
                "skus", f"must hold one SKU per node id ({len(node_ids)}), got {len(skus)}"
            )
        if amounts.size == 0:
            return self
        try:
            rows = self._store.rows(node_ids, skus)
        except TypeError:
            _raise_first_non_str(node_ids, "node_ids")
            _raise_first_non_str(skus, "skus")
            raise
        missing = np.flatnonzero(rows < 0)
        if missing.size:
            i = int(missing[0])
            raise InsufficientStockError(
                f"cannot reserve at a position that does not exist: sku {skus[i]!r} "
                f"at node {node_ids[i]!r}"
            )
        unique, totals = _summed(rows, amounts)
        on_hand, reserved = self._store.read(unique)[:2]
        if (totals > on_hand - reserved).any():
            raise InsufficientStockError("reservation exceeds unreserved units on hand")
        delta = np.zeros((4, unique.size), dtype=np.int64)
        delta[1] = totals
        return type(self)._of(self._store.changed(unique, delta))

    def _apply(
        self, moves: Iterable[StockMove], operation: str, safety_held: bool = True
    ) -> Inventory:
        move_list = v.items_of(moves, StockMove, "moves")
        if not move_list:
            return self
        totals: dict[tuple[str, str], int] = {}
        first: dict[tuple[str, str], int] = {}
        for index, move in enumerate(move_list):
            pair = (move.node_id, move.sku)
            totals[pair] = totals.get(pair, 0) + move.quantity
            first.setdefault(pair, index)
        pairs = list(totals)
        asked = list(totals.values())  # exact, however many moves
        store = self._store
        rows = store.rows([n for n, _ in pairs], [s for _, s in pairs])
        found = rows >= 0
        current = np.zeros((4, rows.size), dtype=np.int64)
        current[:, found] = store.read(rows[found])
        # Totals above MAX_COUNT break every limit anyway; capping them keeps int64 exact.
        quantity = np.array([min(q, MAX_COUNT + 1) for q in asked], dtype=np.int64)
        if operation not in ("receive", "expect"):
            on_hand, reserved, safety, in_transit = current
            limit, what = _limit(operation, on_hand, reserved, safety, in_transit, safety_held)
            short = np.flatnonzero(~found | (quantity > limit))
            if short.size:
                raise InsufficientStockError(
                    "\n".join(
                        f"moves[{first[pairs[i]]}]: cannot {operation} {asked[i]} of sku "
                        f"{pairs[i][1]!r} at node {pairs[i][0]!r}: {max(int(limit[i]), 0)} {what}"
                        for i in short.tolist()
                    )
                )
        delta = np.zeros((4, rows.size), dtype=np.int64)
        for field, sign in _EFFECTS[operation]:
            delta[field] = sign * quantity
        _check_bounds(current + delta, delta, operation, pairs, asked, first)
        if found.all():
            return type(self)._of(store.changed(rows, delta))
        added = [pairs[i] for i in np.flatnonzero(~found).tolist()]
        return type(self)._of(store.changed(rows[found], delta[:, found], added, delta[:, ~found]))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Inventory):
            return NotImplemented
        mine, theirs = self._store, other._store
        if mine is theirs or mine.shares_all_with(theirs):
            return True
        if mine.n_rows != theirs.n_rows or mine.node_ids != theirs.node_ids:
            return False
        if mine.skus != theirs.skus:
            return False
        return all(
            np.array_equal(a, b) for a, b in zip(mine.columns(), theirs.columns(), strict=True)
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"Inventory(n_positions={self.n_positions}, n_nodes={len(self.node_ids)}, "
            f"n_skus={len(self.skus)})"
        )

    def __getstate__(self) -> dict[str, Any]:
        # The layout of earlier versions: sorted ids, and positions sorted by
        # key = sku place * n_nodes + node place with counts of shape (4, n_positions).
        node, sku, counts = self._store.columns()
        node_ids = self.node_ids
        return {
            "_node_ids": node_ids,
            "_skus": self.skus,
            "_key": sku * max(len(node_ids), 1) + node,
            "_qty": counts,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        node_ids, skus = tuple(state["_node_ids"]), tuple(state["_skus"])
        sku, node = np.divmod(np.asarray(state["_key"], np.int64), max(len(node_ids), 1))
        counts = np.asarray(state["_qty"], np.int64).reshape(4, -1)
        object.__setattr__(self, "_store", StockStore.build(node_ids, skus, node, sku, counts))


_EFFECTS: dict[str, tuple[tuple[int, int], ...]] = {
    "reserve": ((1, +1),),
    "release": ((1, -1),),
    "fulfil": ((0, -1), (1, -1)),
    "write_off": ((0, -1),),
    "arrive": ((0, +1), (3, -1)),
    "receive": ((0, +1),),
    "expect": ((3, +1),),
}
"""The counts (0 on_hand, 1 reserved, 3 in_transit) each operation changes, and how."""


_FIELD_NAMES = ("on_hand", "reserved", "safety_stock", "in_transit")


def _check_bounds(
    after: IntArray,
    delta: IntArray,
    operation: str,
    pairs: Sequence[tuple[str, str]],
    asked: Sequence[int],
    first: Mapping[tuple[str, str], int],
) -> None:
    """Raise InvalidInputError naming every move whose position would hold more than
    MAX_COUNT in a count it raises; O(moves)."""
    over = (delta > 0) & (after > MAX_COUNT)
    if not over.any():
        return
    verb = "expect" if operation == "expect" else "receive"
    problems = []
    for field, i in zip(*np.nonzero(over), strict=True):
        node_id, sku = pairs[int(i)]
        held = int(after[field, i] - delta[field, i])
        problems.append(
            (
                f"moves[{first[pairs[int(i)]]}]",
                f"{_FIELD_NAMES[field]} of sku {sku!r} at node {node_id!r} must stay <= "
                f"{MAX_COUNT}; it holds {held} and would {verb} {asked[int(i)]}",
            )
        )
    raise InvalidInputError.collect(problems)


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
    if operation == "write_off":
        return np.maximum(on_hand - reserved, 0), "unreserved"
    return in_transit, "in transit"


def _checked_str(value: object, path: str) -> str:
    if not isinstance(value, str):
        raise InvalidInputError(path, f"must be a str, got {type(value).__name__} {value!r}")
    return value


def _safety_held(channel: object) -> bool:
    """Whether safety stock is held back from ``channel`` (a Channel or None)."""
    if channel is None:
        return True
    if not isinstance(channel, Channel):
        raise InvalidInputError(
            "channel", f"must be Channel or None, got {type(channel).__name__} {channel!r}"
        )
    return channel.respects_safety_stock


def _check_sequence(value: object, path: str) -> None:
    """``value`` is a sequence (of ids) or a 1-D array, not a single string or mapping."""
    if type(value) is list or type(value) is tuple:  # what the engine passes: no ABC checks
        return
    if isinstance(value, np.ndarray) and value.ndim == 1:
        return
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Sequence):
        raise InvalidInputError(
            path, f"must be a sequence of str, got {type(value).__name__} {value!r}"
        )


def _raise_first_non_str(values: Sequence[object], path: str) -> None:
    for index, value in enumerate(values):
        _checked_str(value, f"{path}[{index}]")


def _counts(values: object, path: str, size: int) -> IntArray:
    """``values`` as int64 counts from 0 to MAX_COUNT, shape (size,); else
    InvalidInputError naming each bad entry. O(size)."""
    if type(values) is np.ndarray and values.dtype == np.int64 and values.shape == (size,):
        # What the engine passes; a few counts are checked faster in Python. A bad one
        # goes on to the checks below, which name it.
        if size <= _FEW_COUNTS:
            if all(0 <= value <= MAX_COUNT for value in values.tolist()):
                return values
        elif values.min() >= 0 and values.max() <= MAX_COUNT:
            return values
    try:
        array = np.asarray(values)
    except (TypeError, ValueError) as error:
        raise InvalidInputError(path, f"must be an array of ints, got {values!r}") from error
    if array.ndim != 1 or array.size != size:
        raise InvalidInputError(
            path, f"must hold one int per node id, shape ({size},), got shape {array.shape}"
        )
    if array.dtype == object:
        bad = [
            i
            for i, value in enumerate(array.tolist())
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT
        ]
        if not bad:
            return np.asarray(array, dtype=np.int64)
        _raise_bad_counts(array, bad, path)
    if array.dtype.kind not in "iu":
        if size == 0:
            return np.zeros(0, dtype=np.int64)
        raise InvalidInputError(path, f"must be an array of ints, got dtype {array.dtype}")
    bad_at = np.flatnonzero((array < 0) | (array > MAX_COUNT))
    if bad_at.size:
        _raise_bad_counts(array, bad_at.tolist(), path)
    return np.asarray(array, dtype=np.int64)


_FEW_COUNTS = 16
"""Up to this many counts, a Python loop checks them faster than numpy's reductions."""


def _raise_bad_counts(array: Any, bad: Sequence[int], path: str) -> NoReturn:
    values = array.tolist()
    raise InvalidInputError.collect(
        (f"{path}[{i}]", f"must be an int from 0 to {MAX_COUNT}, got {values[i]!r}") for i in bad
    )


_TERMS_WITHOUT_OVERFLOW = (2**63 - 1) // MAX_COUNT
"""How many counts of at most MAX_COUNT surely add up inside int64."""


def _summed(rows: IntArray, amounts: IntArray) -> tuple[IntArray, IntArray]:
    """Each distinct row and the sum of its ``amounts`` (capped above MAX_COUNT, which no
    check can pass), exact in int64; O(n log n)."""
    if rows.size <= 16:
        sums: dict[int, int] = {}
        for row, amount in zip(rows.tolist(), amounts.tolist(), strict=True):
            sums[row] = sums.get(row, 0) + amount
        return np.array(list(sums), dtype=np.int64), np.array(list(sums.values()), np.int64)
    order = np.argsort(rows, kind="stable")
    ordered = rows[order]
    starts = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))
    amounts = amounts[order]
    if amounts.size >= _TERMS_WITHOUT_OVERFLOW:
        rough = np.add.reduceat(amounts.astype(np.float64), starts)
        if np.any(rough > MAX_COUNT + 1.0):
            # a float sum this far above MAX_COUNT cannot be below it exactly
            return ordered[starts], np.where(rough > MAX_COUNT + 1.0, MAX_COUNT + 1, 0)
    return ordered[starts], np.add.reduceat(amounts, starts)

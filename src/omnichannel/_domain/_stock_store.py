"""Chunked copy-on-write storage of stock positions, shared between snapshots.

An :class:`~omnichannel.Inventory` is a value, yet making a new snapshot must cost
O(moves), not O(positions) (DESIGN.md, "Real time"). A :class:`StockStore`
therefore shares with the store it was made from everything that did not change:

* **Rows.** A stock position keeps its row for life. The four counts of every row
  live in chunks of ``2**CHUNK_SHIFT`` rows, each a read-only int64 array of shape
  (4, rows per chunk): on_hand, reserved, safety_stock, in_transit. Chunks are held
  in groups (tuples of up to ``2**group_shift`` chunks, about the square root of
  the number of chunks), and a store holds the tuple of its groups. A change copies
  the chunks it writes, their groups and the tuple of groups, nothing else: at 4.8
  million positions about 330 references instead of a table of 18,700 (copying a
  flat table of even 4,700 took half the time of a one-line reservation). Old
  stores keep the old chunks. Every call copies about the same, so no call pays
  for the history before it (no compaction, no latency spike).
* **Index of the base.** The positions a store was built with are keyed
  ``sku_number << 32 | node_number`` in one sorted read-only array (row ``i`` has
  key ``key[i]``), the numbers being the places of the ids in the sorted id lists.
  It is never rebuilt.
* **Index of what came later.** A position, node or SKU first seen after the base
  (a SKU first received at a node) takes the next row and the next number, and
  numbers never change, so nothing is re-keyed. These are appended, under a lock,
  to a :class:`_Growth` shared by the stores of one line of history. A store reads
  only its own first ``n_rows`` rows, nodes and SKUs of it, so what a later store
  appends is invisible to it. Only a store at the tip of its line (its row count is
  the growth's) appends in place; any other first copies the part it sees (a fork,
  O(positions added since the base)), so two histories never share a row.

Shared parts are read-only or append-only, so snapshots may be read from any
number of threads while others derive new snapshots from them.
"""

from __future__ import annotations

import heapq
import threading
from bisect import bisect_left
from collections.abc import Sequence
from itertools import chain, pairwise
from typing import final

import numpy as np

from .._errors import InvalidInputError
from .._types import IntArray, read_only
from .ranges import concatenated_ranges

CHUNK_SHIFT = 8
"""A chunk holds ``2**CHUNK_SHIFT`` rows (256: 8 KiB of counts). A one-order call
copies one chunk per line, so this is most of what it allocates at 200 nodes
(1,024 rows made it 192 KiB for six lines); smaller chunks did not make calls
faster. Read when a store is built, so tests may lower it to cross chunk boundaries
often."""

MIN_GROUP_SHIFT = 3
"""A group holds at least ``2**MIN_GROUP_SHIFT`` chunks, so a store grown from a few
positions does not end up with one group per chunk."""

N_COUNTS = 4
"""Counts per row: on_hand, reserved, safety_stock, in_transit."""

_FEW = 16
"""Up to this many rows, plain Python loops beat numpy's per-call overhead."""

_MANY_INSERTS = 512
"""Above this many rows added since the base, :meth:`StockStore.columns` scatters them
in one go instead of copying the base rows between them as slices."""

_NODE_BITS = 32
_NODE_MASK = (1 << _NODE_BITS) - 1


@final
class _Base:
    """What a store was built with; immutable and shared by every store made from it."""

    __slots__ = (
        "group_shift",
        "key",
        "node_ids",
        "node_number",
        "shift",
        "sku_number",
        "sku_start",
        "skus",
    )

    def __init__(
        self,
        node_ids: tuple[str, ...],
        skus: tuple[str, ...],
        key: IntArray,
        shift: int,
        group_shift: int,
    ) -> None:
        self.node_ids = node_ids
        """Sorted; a base node's number is its place here."""
        self.skus = skus
        """Sorted; a base SKU's number is its place here."""
        self.node_number = {node_id: i for i, node_id in enumerate(node_ids)}
        self.sku_number = {sku: i for i, sku in enumerate(skus)}
        self.key = read_only(key)
        """Key of each base row, ascending, shape (n_base_rows,)."""
        self.sku_start = read_only(
            np.searchsorted(self.key, np.arange(len(skus) + 1, dtype=np.int64) << _NODE_BITS)
        )
        """The first base row of each base SKU number, and the number of base rows last,
        shape (n_base_skus + 1,): SKU ``s`` has rows ``sku_start[s]`` to
        ``sku_start[s + 1] - 1``."""
        self.shift = shift
        """Rows per chunk are ``2**shift``."""
        self.group_shift = group_shift
        """Chunks per group are ``2**group_shift``."""


@final
class _Growth:
    """Nodes, SKUs and positions added after the base, in the order they came.

    Append-only, written under ``lock``; shared by the stores of one line of history.
    """

    __slots__ = (
        "first_node",
        "first_row",
        "first_sku",
        "key",
        "lock",
        "node_cache",
        "node_ids",
        "node_number",
        "row_of",
        "rows_of_sku",
        "sku_number",
        "skus",
    )

    def __init__(self, first_row: int, first_node: int, first_sku: int) -> None:
        self.lock = threading.Lock()
        self.first_row = first_row
        self.first_node = first_node
        self.first_sku = first_sku
        self.node_ids: list[str] = []
        self.node_number: dict[str, int] = {}
        self.skus: list[str] = []
        self.sku_number: dict[str, int] = {}
        self.key: list[int] = []
        """Key of row ``first_row + i``."""
        self.row_of: dict[int, int] = {}
        self.rows_of_sku: dict[int, list[int]] = {}
        """Rows of each SKU number, ascending."""
        self.node_cache: tuple[tuple[str, ...], int, IntArray, int] | None = None
        """The last tuple of node ids looked up, the node count then, the place of each
        node number in the tuple, and the first node number not in it."""

    @property
    def n_rows(self) -> int:
        return self.first_row + len(self.key)

    @property
    def n_nodes(self) -> int:
        return self.first_node + len(self.node_ids)

    @property
    def n_skus(self) -> int:
        return self.first_sku + len(self.skus)

    def add_node(self, node_id: str) -> int:
        number = self.n_nodes
        self.node_ids.append(node_id)
        self.node_number[node_id] = number
        return number

    def add_sku(self, sku: str) -> int:
        number = self.n_skus
        self.skus.append(sku)
        self.sku_number[sku] = number
        return number

    def add_row(self, key: int) -> int:
        row = self.n_rows
        self.key.append(key)
        self.row_of[key] = row
        self.rows_of_sku.setdefault(key >> _NODE_BITS, []).append(row)
        return row

    def fork(self, n_rows: int, n_nodes: int, n_skus: int) -> _Growth:
        """A new growth holding only the first rows, nodes and SKUs (the caller holds
        ``lock``, so nothing is appended meanwhile)."""
        copy = _Growth(self.first_row, self.first_node, self.first_sku)
        for node_id in self.node_ids[: n_nodes - self.first_node]:
            copy.add_node(node_id)
        for sku in self.skus[: n_skus - self.first_sku]:
            copy.add_sku(sku)
        for key in self.key[: n_rows - self.first_row]:
            copy.add_row(key)
        return copy


@final
class StockStore:
    """The positions of one snapshot: rows of counts in shared chunks, and the index.

    Rows are in no particular order; :meth:`columns` sorts them by SKU, then node.
    Treat a store as immutable: :meth:`changed` returns a new one.
    """

    __slots__ = (
        "_base",
        "_groups",
        "_growth",
        "_n_nodes",
        "_n_skus",
        "_skus",
        "n_rows",
        "node_ids",
    )

    def __init__(
        self,
        base: _Base,
        growth: _Growth,
        groups: tuple[tuple[IntArray, ...], ...],
        n_rows: int,
        n_nodes: int,
        n_skus: int,
        node_ids: tuple[str, ...],
        skus: tuple[str, ...] | None,
    ) -> None:
        self._base = base
        self._growth = growth
        self._groups = groups
        """The chunks, ``2**base.group_shift`` to a group (fewer in the last)."""
        self.n_rows = n_rows
        """Stock positions (rows) of this store."""
        self._n_nodes = n_nodes
        self._n_skus = n_skus
        self.node_ids = node_ids
        """Ids of the nodes with a position, sorted."""
        self._skus = skus
        """SKUs with a position, sorted; None until first asked for after a new SKU."""

    @classmethod
    def build(
        cls,
        node_ids: tuple[str, ...],
        skus: tuple[str, ...],
        node: IntArray,
        sku: IntArray,
        counts: IntArray,
    ) -> StockStore:
        """A store of the positions at ``node`` and ``sku`` (places in the sorted
        ``node_ids`` and ``skus``, no pair twice), shape (n,), with ``counts``,
        shape (4, n), in units."""
        shift = CHUNK_SHIFT
        key = (np.asarray(sku, np.int64) << _NODE_BITS) | np.asarray(node, np.int64)
        if key.size > 1 and not np.all(key[1:] > key[:-1]):
            order = np.argsort(key, kind="stable")
            key, counts = key[order], counts[:, order]
        size = 1 << shift
        chunks = [
            read_only(counts[:, start : start + size].copy())
            for start in range(0, key.size - size + 1, size)
        ]
        if key.size % size:
            last = np.zeros((N_COUNTS, size), dtype=np.int64)
            last[:, : key.size % size] = counts[:, key.size - key.size % size :]
            chunks.append(read_only(last))
        # About as many groups as chunks per group: a write copies both about equally.
        group_shift = max(MIN_GROUP_SHIFT, (len(chunks).bit_length() + 1) // 2)
        per_group = 1 << group_shift
        groups = tuple(
            tuple(chunks[start : start + per_group]) for start in range(0, len(chunks), per_group)
        )
        base = _Base(node_ids, skus, np.ascontiguousarray(key), shift, group_shift)
        growth = _Growth(key.size, len(node_ids), len(skus))
        return cls(base, growth, groups, key.size, len(node_ids), len(skus), node_ids, skus)

    # ----- reading ---------------------------------------------------------------

    @property
    def skus(self) -> tuple[str, ...]:
        """SKUs with a position, sorted."""
        found = self._skus
        if found is None:
            # Computed at most a few times (threads may race to the same tuple).
            found = tuple(heapq.merge(self._base.skus, sorted(self._added_skus())))
            self._skus = found
        return found

    @property
    def _chunks(self) -> tuple[IntArray, ...]:
        """Every chunk in row order; O(chunks)."""
        return tuple(chain.from_iterable(self._groups))

    def _chunk(self, chunk_id: int) -> IntArray:
        group_shift = self._base.group_shift
        return self._groups[chunk_id >> group_shift][chunk_id & ((1 << group_shift) - 1)]

    def _added_skus(self) -> list[str]:
        return self._growth.skus[: self._n_skus - self._growth.first_sku]

    def _added_nodes(self) -> list[str]:
        return self._growth.node_ids[: self._n_nodes - self._growth.first_node]

    def _n_added_rows(self) -> int:
        return self.n_rows - self._growth.first_row

    def _node_number(self, node_id: str) -> int:
        number = self._base.node_number.get(node_id)
        if number is not None:
            return number
        added = self._growth.node_number.get(node_id, -1)
        return added if added < self._n_nodes else -1

    def _sku_number(self, sku: str) -> int:
        number = self._base.sku_number.get(sku)
        if number is not None:
            return number
        added = self._growth.sku_number.get(sku, -1)
        return added if added < self._n_skus else -1

    def row(self, node_id: str, sku: str) -> int:
        """The row of the position of ``sku`` at ``node_id``, -1 if there is none."""
        node, sku_number = self._node_number(node_id), self._sku_number(sku)
        if node < 0 or sku_number < 0:
            return -1
        key = (sku_number << _NODE_BITS) | node
        base_key = self._base.key
        at = int(base_key.searchsorted(key))
        if at < base_key.size and int(base_key[at]) == key:
            return at
        if self.n_rows > self._growth.first_row:
            added = self._growth.row_of.get(key, -1)
            if added < self.n_rows:
                return added
        return -1

    def rows(self, node_ids: Sequence[str], skus: Sequence[str]) -> IntArray:
        """The row of each (``node_ids[i]``, ``skus[i]``) position, -1 where there is
        none, shape (len(node_ids),). An unhashable id raises TypeError."""
        if len(node_ids) <= _FEW:
            return np.array([self.row(n, s) for n, s in zip(node_ids, skus, strict=True)], np.int64)
        base = self._base
        node_of, sku_of = base.node_number.get, base.sku_number.get
        node = np.array([node_of(n, -1) for n in node_ids], dtype=np.int64)
        sku = np.array([sku_of(s, -1) for s in skus], dtype=np.int64)
        if self._n_nodes > len(base.node_ids):
            for i in np.flatnonzero(node < 0).tolist():
                node[i] = self._node_number(node_ids[i])
        if self._n_skus > len(base.skus):
            for i in np.flatnonzero(sku < 0).tolist():
                sku[i] = self._sku_number(skus[i])
        known = (node >= 0) & (sku >= 0)
        key = (sku << _NODE_BITS) | node
        rows = np.full(node.size, -1, dtype=np.int64)
        if base.key.size:
            at = np.minimum(np.searchsorted(base.key, key), base.key.size - 1)
            hit = known & (base.key[at] == key)
            rows[hit] = at[hit]
        if self.n_rows > self._growth.first_row:
            row_of = self._growth.row_of.get
            for i in np.flatnonzero(known & (rows < 0)).tolist():
                added = row_of(int(key[i]), -1)
                if added < self.n_rows:
                    rows[i] = added
        return rows

    def read(self, rows: IntArray) -> IntArray:
        """The counts of ``rows`` (each in ``[0, n_rows)``), shape (4, len(rows)), a new
        array."""
        out = np.empty((N_COUNTS, rows.size), dtype=np.int64)
        if rows.size == 0:
            return out
        base = self._base
        shift, group_shift = base.shift, base.group_shift
        mask, group_mask = (1 << shift) - 1, (1 << group_shift) - 1
        groups = self._groups
        if rows.size <= _FEW:
            for place, row in enumerate(rows.tolist()):
                chunk_id = row >> shift
                chunk = groups[chunk_id >> group_shift][chunk_id & group_mask]
                out[:, place] = chunk[:, row & mask]
            return out
        order, offset, runs = _runs(rows, shift)
        for chunk_id, start, stop in runs:
            out[:, start:stop] = self._chunk(chunk_id).take(offset[start:stop], axis=1)
        if order is None:
            return out
        unsorted = np.empty_like(out)
        unsorted[:, order] = out
        return unsorted

    def read_row(self, row: int) -> list[int]:
        """The four counts of ``row``."""
        shift = self._base.shift
        counts: list[int] = self._chunk(row >> shift)[:, row & ((1 << shift) - 1)].tolist()
        return counts

    def block(
        self, skus: Sequence[str], node_ids: Sequence[str]
    ) -> tuple[IntArray, IntArray, IntArray, IntArray]:
        """Counts of ``skus`` (rows) at ``node_ids`` (columns), 0 where there is no
        position: on_hand, reserved, safety_stock and in_transit, each its own array
        of shape (len(skus), len(node_ids)), so a caller that keeps one does not keep
        the others alive. Cost proportional to the positions of those SKUs (and, once
        per tuple of node ids, to its length)."""
        shape = (len(skus), len(node_ids))
        planes = (
            np.zeros(shape, np.int64),
            np.zeros(shape, np.int64),
            np.zeros(shape, np.int64),
            np.zeros(shape, np.int64),
        )
        column_of, every = self._column_map(node_ids)
        sku_number = [self._sku_number(_checked_id(s, "skus", i)) for i, s in enumerate(skus)]
        if len(node_ids) == 0:
            return planes
        if len(skus) <= _FEW:
            self._fill_few(planes, sku_number, column_of, every)
            return planes
        numbers = np.array(sku_number, dtype=np.int64)
        present = np.flatnonzero(numbers >= 0)
        base = self._base
        in_base = present[numbers[present] < len(base.skus)]
        starts = base.sku_start[numbers[in_base]]
        counts = base.sku_start[numbers[in_base] + 1] - starts
        rows = concatenated_ranges(starts, counts)
        owner = np.repeat(in_base, counts)
        node = base.key[rows] & _NODE_MASK
        if self._n_added_rows():
            rows, owner, node = self._with_added_rows(numbers, present, rows, owner, node)
        columns = column_of[node]
        if not every:
            keep = columns >= 0
            rows, owner, columns = rows[keep], owner[keep], columns[keep]
        flat = owner * len(node_ids) + columns  # 1-D scatters beat 2-D ones
        for plane, values in zip(planes, self.read(rows), strict=True):
            plane.reshape(-1)[flat] = values
        return planes

    def _fill_few(
        self,
        planes: tuple[IntArray, ...],
        sku_number: list[int],
        column_of: IntArray,
        every: bool,
    ) -> None:
        """:meth:`block` for a few SKUs: each SKU's base rows are one range, read as
        slices of one or two chunks."""
        base = self._base
        n_base_skus = len(base.skus)
        growth = self._growth
        for i, number in enumerate(sku_number):
            if number < 0:
                continue
            if number < n_base_skus:
                start, stop = base.sku_start[number : number + 2].tolist()
                if stop > start:
                    self._fill_range(planes, i, start, stop, column_of, every)
            added = growth.rows_of_sku.get(number) if self._n_added_rows() else None
            if added:
                mine = added[: bisect_left(added, self.n_rows)]
                if mine:
                    keys = np.array([growth.key[r - growth.first_row] for r in mine], np.int64)
                    columns = column_of[keys & _NODE_MASK]
                    keep = columns >= 0
                    counts = self.read(np.array(mine, np.int64))
                    for plane, values in zip(planes, counts, strict=True):
                        plane[i, columns[keep]] = values[keep]

    def _fill_range(
        self,
        planes: tuple[IntArray, ...],
        i: int,
        start: int,
        stop: int,
        column_of: IntArray,
        every: bool,
    ) -> None:
        """Write the counts of base rows ``start`` to ``stop - 1`` into row ``i`` of the
        ``planes`` at their nodes' columns; ``every``: all the store's nodes have a
        column."""
        shift = self._base.shift
        columns = column_of[self._base.key[start:stop] & _NODE_MASK]
        first, last = start >> shift, (stop - 1) >> shift
        if first == last:  # the usual case: a SKU's rows rarely cross a chunk boundary
            offset = first << shift
            part = self._chunk(first)[:, start - offset : stop - offset]
        else:
            part = np.concatenate(
                [
                    self._chunk(c)[:, max(start - (c << shift), 0) : stop - (c << shift)]
                    for c in range(first, last + 1)
                ],
                axis=1,
            )
        if not every:
            keep = columns >= 0
            columns, part = columns[keep], part[:, keep]
        for plane, values in zip(planes, part, strict=True):
            plane[i, columns] = values

    def _with_added_rows(
        self,
        sku_number: IntArray,
        present: IntArray,
        rows: IntArray,
        owner: IntArray,
        node: IntArray,
    ) -> tuple[IntArray, IntArray, IntArray]:
        """``rows``, ``owner`` and ``node`` extended by the added rows of the SKUs."""
        growth = self._growth
        extra_rows: list[int] = []
        extra_owner: list[int] = []
        for i in present.tolist():
            found = growth.rows_of_sku.get(int(sku_number[i]))
            if found:
                mine = found[: bisect_left(found, self.n_rows)]
                extra_rows += mine
                extra_owner += [i] * len(mine)
        if not extra_rows:
            return rows, owner, node
        added = np.array(extra_rows, dtype=np.int64)
        keys = np.array([growth.key[r - growth.first_row] for r in extra_rows], dtype=np.int64)
        return (
            np.concatenate([rows, added]),
            np.concatenate([owner, np.array(extra_owner, dtype=np.int64)]),
            np.concatenate([node, keys & _NODE_MASK]),
        )

    def _column_map(self, node_ids: Sequence[str]) -> tuple[IntArray, bool]:
        """The place in ``node_ids`` of each node number (-1 where it is not there),
        shape (n_nodes,), for a repeated id its last place; and whether every node of
        this store has a place.

        The map of the last tuple asked for is kept (callers pass the network's tuple
        of ids on every call), so a call does not look up every node again.
        """
        growth = self._growth
        registered = growth.n_nodes
        cached = growth.node_cache
        if cached is not None and cached[0] is node_ids and cached[1] == registered:
            column_of, first_missing = cached[2], cached[3]
        else:
            numbers = [
                self._any_node_number(_checked_id(n, "node_ids", i)) for i, n in enumerate(node_ids)
            ]
            column_of = np.full(registered, -1, dtype=np.int64)
            for column, number in enumerate(numbers):
                if number >= 0:
                    column_of[number] = column
            read_only(column_of)
            missing = np.flatnonzero(column_of < 0)
            first_missing = int(missing[0]) if missing.size else registered
            if type(node_ids) is tuple:
                growth.node_cache = (node_ids, registered, column_of, first_missing)
        # a node registered by a later store of this line is not this store's
        return column_of[: self._n_nodes], first_missing >= self._n_nodes

    def _any_node_number(self, node_id: str) -> int:
        number = self._base.node_number.get(node_id)
        return number if number is not None else self._growth.node_number.get(node_id, -1)

    def columns(self) -> tuple[IntArray, IntArray, IntArray]:
        """Every position sorted by SKU, then node: the places of its node in
        ``node_ids`` and of its SKU in ``skus``, shape (n_rows,), and its counts,
        shape (4, n_rows); new arrays, O(n_rows)."""
        base, growth = self._base, self._growth
        n_base = growth.first_row
        if self._groups:
            counts = np.concatenate(self._chunks, axis=1)[:, : self.n_rows]
        else:
            counts = np.zeros((N_COUNTS, 0), dtype=np.int64)
        # Base numbers are the places in the sorted base ids; ids added later shift them.
        node_place = sku_place = None
        node, sku = base.key & _NODE_MASK, base.key >> _NODE_BITS
        if self._n_nodes > len(base.node_ids):
            node_place = _places(base.node_ids, self._added_nodes())
            node = node_place[node]
        if self._n_skus > len(base.skus):
            sku_place = _places(base.skus, self._added_skus())
            sku = sku_place[sku]
        if self.n_rows == n_base:
            return node, sku, counts
        # The rows added since the base, in (SKU, node) order, and where each goes among
        # the base rows, found by name: the base rows are already in order.
        added = [
            (self._sku_name(k >> _NODE_BITS), self._node_name(k & _NODE_MASK), k, i)
            for i, k in enumerate(growth.key[: self._n_added_rows()])
        ]
        added.sort()
        into = np.array([self._base_rows_before(s, n) for s, n, _, _ in added], np.int64)
        keys = np.array([k for _, _, k, _ in added], dtype=np.int64)
        rows = n_base + np.array([i for _, _, _, i in added], dtype=np.int64)
        tail_node, tail_sku = keys & _NODE_MASK, keys >> _NODE_BITS
        if node_place is not None:
            tail_node = node_place[tail_node]
        if sku_place is not None:
            tail_sku = sku_place[tail_sku]
        return (
            _interleaved(node, tail_node, into),
            _interleaved(sku, tail_sku, into),
            _interleaved(counts[:, :n_base], counts[:, rows], into),
        )

    def _sku_name(self, number: int) -> str:
        skus = self._base.skus
        return skus[number] if number < len(skus) else self._growth.skus[number - len(skus)]

    def _node_name(self, number: int) -> str:
        nodes = self._base.node_ids
        return nodes[number] if number < len(nodes) else self._growth.node_ids[number - len(nodes)]

    def _base_rows_before(self, sku: str, node_id: str) -> int:
        """How many base rows sort before the position of ``sku`` at ``node_id``."""
        base = self._base
        sku_number = base.sku_number.get(sku)
        if sku_number is None:  # a SKU new since the base: after the base SKUs before it
            key = bisect_left(base.skus, sku) << _NODE_BITS
        else:
            key = (sku_number << _NODE_BITS) | bisect_left(base.node_ids, node_id)
        return int(np.searchsorted(base.key, key))

    def shares_all_with(self, other: StockStore) -> bool:
        """Whether ``other`` is made of the very same parts (then both hold the same)."""
        return (
            self._base is other._base
            and self._growth is other._growth
            and self.n_rows == other.n_rows
            and self._n_nodes == other._n_nodes
            and self._n_skus == other._n_skus
            and len(self._groups) == len(other._groups)
            and all(
                mine is theirs
                or (
                    len(mine) == len(theirs)
                    and all(a is b for a, b in zip(mine, theirs, strict=True))
                )
                for mine, theirs in zip(self._groups, other._groups, strict=True)
            )
        )

    # ----- writing ---------------------------------------------------------------

    def changed(
        self,
        rows: IntArray,
        delta: IntArray,
        added: Sequence[tuple[str, str]] = (),
        added_counts: IntArray | None = None,
    ) -> StockStore:
        """A new store: ``delta`` (shape (4, len(rows))) added to the counts of
        ``rows`` (no row twice), and positions ``added`` ((node_id, sku) pairs this
        store does not hold, none twice) with ``added_counts`` (shape (4, len(added))).

        The caller has checked that every count stays within bounds; this store is
        left as it was.
        """
        growth, n_rows, n_nodes, n_skus = self._growth, self.n_rows, self._n_nodes, self._n_skus
        node_ids, skus = self.node_ids, self._skus
        if added:
            assert added_counts is not None
            new_rows: list[int] = []
            new_nodes: list[str] = []
            base = self._base
            with growth.lock:
                if growth.n_rows != n_rows:  # not the tip of its line: branch off
                    growth = growth.fork(n_rows, n_nodes, n_skus)
                for node_id, sku in added:
                    node = base.node_number.get(node_id)
                    if node is None:
                        node = growth.node_number.get(node_id)
                    if node is None:
                        node = growth.add_node(node_id)
                        new_nodes.append(node_id)
                    sku_number = base.sku_number.get(sku)
                    if sku_number is None:
                        sku_number = growth.sku_number.get(sku)
                    if sku_number is None:
                        sku_number = growth.add_sku(sku)
                        skus = None
                    new_rows.append(growth.add_row((sku_number << _NODE_BITS) | node))
                n_rows, n_nodes, n_skus = growth.n_rows, growth.n_nodes, growth.n_skus
            if new_nodes:
                node_ids = tuple(sorted((*node_ids, *new_nodes)))
            rows = np.concatenate([rows, np.array(new_rows, dtype=np.int64)])
            delta = np.concatenate([delta, added_counts], axis=1)
        groups = self._written(rows, delta, n_rows)
        return StockStore(self._base, growth, groups, n_rows, n_nodes, n_skus, node_ids, skus)

    def _written(
        self, rows: IntArray, delta: IntArray, n_rows: int
    ) -> tuple[tuple[IntArray, ...], ...]:
        """The groups with ``delta`` added at ``rows``: written chunks and their groups
        are copies, the others shared; new chunks for rows past the last chunk."""
        base = self._base
        shift, group_shift = base.shift, base.group_shift
        size, group_mask = 1 << shift, (1 << group_shift) - 1
        groups = list(self._groups)
        # The groups this write changes, as lists; the chunks it adds past the last one.
        edited: dict[int, list[IntArray]] = {}
        added: list[IntArray] = []
        fresh = ((len(groups) - 1) << group_shift) + len(groups[-1]) if groups else 0
        while (fresh + len(added)) << shift < n_rows:
            group_id = (fresh + len(added)) >> group_shift
            if group_id == len(groups):
                groups.append(())
            group = edited.get(group_id)
            if group is None:
                group = edited[group_id] = list(groups[group_id])
            added.append(np.zeros((N_COUNTS, size), dtype=np.int64))
            group.append(added[-1])
        if rows.size <= _FEW:  # a column view per row: fancy indexing costs 4x more
            copied: list[IntArray] = []
            for place, row in enumerate(rows.tolist()):
                chunk_id = row >> shift
                group_id, at = chunk_id >> group_shift, chunk_id & group_mask
                group = edited.get(group_id)
                if group is None:
                    group = edited[group_id] = list(groups[group_id])
                chunk = group[at]
                if chunk_id < fresh and chunk is groups[group_id][at]:
                    chunk = group[at] = chunk.copy()
                    copied.append(chunk)
                chunk[:, row & (size - 1)] += delta[:, place]
            added += copied
        elif rows.size:
            order, offset, runs = _runs(rows, shift)
            if order is not None:
                delta = delta[:, order]
            # Only the counts that change (reserving changes one); one row of a chunk
            # is written at a time, which numpy does faster than a 2-D scatter.
            changes = [(f, delta[f]) for f in np.flatnonzero(delta.any(axis=1)).tolist()]
            for chunk_id, start, stop in runs:
                group_id, at = chunk_id >> group_shift, chunk_id & group_mask
                group = edited.get(group_id)
                if group is None:
                    group = edited[group_id] = list(groups[group_id])
                chunk = group[at] if chunk_id >= fresh else group[at].copy()
                where = offset[start:stop]
                for field, change in changes:
                    counts = chunk[field]
                    counts[where] += change[start:stop]
                group[at] = read_only(chunk)
        for chunk in added:
            read_only(chunk)
        for group_id, group in edited.items():
            groups[group_id] = tuple(group)
        return tuple(groups)


def _runs(
    rows: IntArray, shift: int
) -> tuple[IntArray | None, IntArray, list[tuple[int, int, int]]]:
    """``rows`` (at least one) grouped by chunk: the stable order that sorts them by
    chunk (None when they already are), the offset of each sorted row in its chunk,
    and each chunk id with the range of sorted places it holds."""
    chunk = rows >> shift
    order = None
    if not (chunk[1:] >= chunk[:-1]).all():
        order = np.argsort(chunk, kind="stable")
        rows, chunk = rows[order], chunk[order]
    cuts = [0, *(np.flatnonzero(chunk[1:] != chunk[:-1]) + 1).tolist(), rows.size]
    ids = chunk[cuts[:-1]].tolist()
    return (
        order,
        rows & ((1 << shift) - 1),
        [(c, a, b) for c, (a, b) in zip(ids, pairwise(cuts), strict=True)],
    )


def _places(base: tuple[str, ...], added: Sequence[str]) -> IntArray:
    """The place of each id number in the sorted union of ``base`` (sorted, numbered
    0, 1, ...) and ``added`` (numbered after ``base``, in the order they came)."""
    order = sorted(range(len(added)), key=added.__getitem__)
    before = np.array([bisect_left(base, added[j]) for j in order], dtype=np.int64)
    place = np.empty(len(base) + len(added), dtype=np.int64)
    below = np.arange(len(base))
    place[: len(base)] = below + np.searchsorted(before, below, side="right")
    place[len(base) + np.array(order, dtype=np.int64)] = before + np.arange(len(added))
    return place


def _interleaved(head: IntArray, tail: IntArray, into: IntArray) -> IntArray:
    """``head`` with ``tail[..., j]`` inserted before ``head[..., into[j]]`` (``into``
    ascending), along the last axis: slices of ``head`` copied whole, O(n)."""
    n_head, n_tail = head.shape[-1], tail.shape[-1]
    out = np.empty((*head.shape[:-1], n_head + n_tail), dtype=np.int64)
    if n_tail > _MANY_INSERTS:  # one scatter beats this many slices
        at = into + np.arange(n_tail)
        rest = np.ones(n_head + n_tail, dtype=np.bool_)
        rest[at] = False
        out[..., at] = tail
        out[..., rest] = head
        return out
    start = 0
    for j, stop in enumerate(into.tolist()):
        out[..., start + j : stop + j] = head[..., start:stop]
        out[..., stop + j] = tail[..., j]
        start = stop
    out[..., start + n_tail :] = head[..., start:]
    return out


def _checked_id(value: object, path: str, index: int) -> str:
    if not isinstance(value, str):
        raise InvalidInputError(
            f"{path}[{index}]", f"must be a str, got {type(value).__name__} {value!r}"
        )
    return value


def empty_store() -> StockStore:
    """A store with no positions."""
    return StockStore.build(
        (), (), np.empty(0, np.int64), np.empty(0, np.int64), np.empty((4, 0), np.int64)
    )

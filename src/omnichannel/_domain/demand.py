"""Expected sales rates, the input of stock-protecting sourcing and value-aware returns."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import NamedTuple

import numpy as np

from .._errors import InvalidInputError
from .._types import FloatArray, IntArray
from .ranges import concatenated_ranges
from .validators import MAX_COUNT, is_finite


class DemandRates:
    """Expected sales in units per day, per (node, SKU); absent pairs sell 0 per day.

    Immutable; build it with :meth:`from_mapping`.
    """

    __slots__ = ("_by_sku", "_columns", "_node_columns")

    _by_sku: dict[str, dict[str, float]]
    _columns: _Columns | None
    _node_columns: tuple[Sequence[str], IntArray] | None
    """The last ``node_ids`` :meth:`dense` was asked for and the column of each of
    ``_columns.node_ids`` in them: callers ask for the network's ids every call."""

    def __init__(self) -> None:
        object.__setattr__(self, "_by_sku", {})
        object.__setattr__(self, "_columns", None)
        object.__setattr__(self, "_node_columns", None)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("DemandRates is immutable")

    @classmethod
    def from_mapping(cls, rates: Mapping[tuple[str, str], float]) -> DemandRates:
        """Rates from ``{(node_id, sku): units_per_day}``; each rate finite, >= 0 and
        at most ``MAX_COUNT`` (10**12) units per day.

        Raises :class:`InvalidInputError` listing every bad key and rate, with paths
        like ``rates[('store-1', 'MUG')]``.
        """
        if not isinstance(rates, Mapping):
            raise InvalidInputError(
                "rates",
                "must be a mapping of (node_id, sku) to units per day, "
                f"got {type(rates).__name__} {rates!r}",
            )
        by_sku: dict[str, dict[str, float]] = {}
        problems = []
        for pair, rate in rates.items():
            path = f"rates[{pair!r}]"
            if not (
                isinstance(pair, tuple)
                and len(pair) == 2
                and all(isinstance(part, str) and part for part in pair)
            ):
                problems.append((path, "key must be a (node_id, sku) pair of non-empty strings"))
                continue
            if not is_finite(rate) or not 0 <= rate <= MAX_COUNT:
                problems.append(
                    (path, f"must be a finite number between 0 and {MAX_COUNT}, got {rate!r}")
                )
                continue
            by_sku.setdefault(pair[1], {})[pair[0]] = float(rate)
        if problems:
            raise InvalidInputError.collect(problems)
        demand = cls()
        object.__setattr__(demand, "_by_sku", by_sku)
        return demand

    def rate(self, node_id: str, sku: str) -> float:
        """Expected units per day of ``sku`` sold from ``node_id``."""
        return self._by_sku.get(sku, {}).get(node_id, 0.0)

    def items(self) -> Iterator[tuple[tuple[str, str], float]]:
        """Every ((node_id, sku), units_per_day) pair, sorted."""
        for sku in sorted(self._by_sku):
            for node_id in sorted(self._by_sku[sku]):
                yield (node_id, sku), self._by_sku[sku][node_id]

    def dense(self, skus: Sequence[str], node_ids: Sequence[str]) -> FloatArray:
        """Units per day of ``skus`` (rows) at ``node_ids`` (columns), shape (n_skus, n_nodes).

        Cost is proportional to the rates of those SKUs: the rates are laid out as
        arrays on first use and kept.
        """
        columns = self._columns
        if columns is None:
            columns = _Columns.of(self._by_sku)
            object.__setattr__(self, "_columns", columns)
        out = np.zeros((len(skus), len(node_ids)), dtype=np.float64)
        memo = getattr(self, "_node_columns", None)  # absent from older pickles
        if memo is not None and memo[0] is node_ids:
            node_column = memo[1]
        else:
            column_of = {node_id: i for i, node_id in enumerate(node_ids)}
            node_column = np.array([column_of.get(n, -1) for n in columns.node_ids], np.int64)
            # One tuple, set at once: a thread reads the old pair or the new one.
            object.__setattr__(self, "_node_columns", (node_ids, node_column))
        known = [
            (row, columns.sku_index[sku])
            for row, sku in enumerate(skus)
            if sku in columns.sku_index
        ]
        if not known:
            return out
        rows, sku_at = (np.array(part, dtype=np.int64) for part in zip(*known, strict=True))
        starts, stops = columns.start[sku_at], columns.start[sku_at + 1]
        counts = stops - starts
        entry = concatenated_ranges(starts, counts)
        column = node_column[columns.node[entry]]
        keep = column >= 0
        out[np.repeat(rows, counts)[keep], column[keep]] = columns.rate[entry[keep]]
        return out

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DemandRates):
            return NotImplemented
        return self._by_sku == other._by_sku

    __hash__ = None  # type: ignore[assignment]

    def __getstate__(self) -> dict[str, dict[str, float]]:
        # The rates alone: the arrays are rebuilt on first use.
        return self._by_sku

    def __setstate__(self, state: dict[str, dict[str, float]]) -> None:
        object.__setattr__(self, "_by_sku", state)
        object.__setattr__(self, "_columns", None)
        object.__setattr__(self, "_node_columns", None)

    def __repr__(self) -> str:
        return f"DemandRates(n_rates={sum(len(r) for r in self._by_sku.values())})"


class _Columns(NamedTuple):
    """Rates as arrays, grouped by SKU: the rates of SKU ``i`` are entries
    ``start[i]:start[i + 1]``."""

    sku_index: dict[str, int]
    """Position of each SKU with a rate."""
    node_ids: list[str]
    """Every node id with a rate."""
    start: IntArray
    """First entry of each SKU, then the number of entries: shape (n_skus + 1,)."""
    node: IntArray
    """Position in ``node_ids`` of each entry."""
    rate: FloatArray
    """Units per day of each entry."""

    @classmethod
    def of(cls, by_sku: dict[str, dict[str, float]]) -> _Columns:
        """The arrays of rates given as SKU -> node id -> units per day."""
        node_index: dict[str, int] = {}
        node = [
            node_index.setdefault(n, len(node_index)) for rates in by_sku.values() for n in rates
        ]
        rate = [r for rates in by_sku.values() for r in rates.values()]
        start = np.zeros(len(by_sku) + 1, dtype=np.int64)
        start[1:] = np.cumsum([len(rates) for rates in by_sku.values()])
        return cls(
            sku_index={sku: i for i, sku in enumerate(by_sku)},
            node_ids=list(node_index),
            start=start,
            node=np.array(node, dtype=np.int64),
            rate=np.array(rate, dtype=np.float64),
        )

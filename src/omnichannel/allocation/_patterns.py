"""Exact parcel prices in the wave model: candidate shipment patterns per (order, node).

A carrier prices a shipment by its parcels, a step function of the units sent, so
no fixed-plus-per-unit cost describes it. For an (order, node) pair that carrier
services price, the model instead lists the pair's *patterns*: every vector of
units (one count per unit variable of the pair, not all zero) it could ship, each
priced exactly by :func:`~omnichannel.sourcing._parcels.content_cents`, the engine's
own rule. One variable ``w`` per pattern (0/1 in the MILP) picks it:
``y = sum(w)`` and ``x = sum(units * w)``. The LP relaxation then ranges over the
convex hull of the patterns, so the bound stays a bound.

A pair with more than :data:`MAX_PATTERNS` patterns is not listed in full:

- the MILP (``BatchOptimal``) keeps a subset, each unit variable at 0 or at its
  most (or, if even those are too many, the whole pattern and each line alone),
  all still priced exactly: the policy may miss a cheaper partial shipment, never
  misprice one;
- the LP (``lower_bound``, ``DualPriceLookahead``) keeps the units free and
  charges the pair a lower estimate of its carrier price once it ships: the
  cheapest parcel price any of the level's services has in the node's zone
  (every shipment has a parcel, and a parcel above the table's last step costs at
  least its last step), so the bound stays a bound.

Orders that may not split have one pattern per pair: the whole order.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import attrs
import numpy as np

from .._core.bands import band_index
from .._core.costs import handling_cost, shipment_cost
from .._domain.decisions import Allocation, penalized_cost
from .._types import BoolArray, FloatArray, IntArray
from ..sourcing._batch import OrderArrays
from ..sourcing._parcels import LevelTables, catalogue_items, content_cents, price_shipment
from ._wave import Wave

MAX_PATTERNS = 64
"""Most patterns listed for one (order, node) pair."""


@attrs.frozen(kw_only=True, eq=False)
class PairPatterns:
    """The shipment patterns of a wave's carrier-priced pairs."""

    pattern_pair: IntArray
    """Pair of each pattern, shape (n_w,)."""
    cost: FloatArray
    """Exact carrier price of each pattern (currency), shape (n_w,)."""
    entry_pattern: IntArray
    """Pattern of each (pattern, unit variable) entry, shape (n_entries,)."""
    entry_x: IntArray
    """Unit variable of each entry, shape (n_entries,)."""
    entry_units: IntArray
    """Units the pattern ships on the entry's unit variable (>= 1), shape (n_entries,)."""
    patterned: BoolArray
    """Whether each pair's units are given by its patterns, shape (n_pairs,)."""
    estimate: FloatArray
    """Lower estimate of the carrier price (currency) charged on ``y`` for pairs priced
    by carriers but not patterned (LP only), 0 elsewhere, shape (n_pairs,)."""
    restricted: BoolArray
    """Whether each pair lists only some of its patterns (MILP only), shape (n_pairs,)."""

    @property
    def n_w(self) -> int:
        """Pattern variables."""
        return int(self.pattern_pair.size)

    @property
    def approximated(self) -> bool:
        """Whether some pair is restricted or estimated rather than exact."""
        return bool(self.restricted.any() or (self.estimate > 0).any())


def pair_patterns(
    arrays: OrderArrays,
    pair_row: IntArray,
    pair_km: FloatArray,
    x_pair: IntArray,
    x_line: IntArray,
    x_upper: IntArray,
    *,
    relaxed: bool,
) -> PairPatterns:
    """The patterns of every pair whose order carrier services price; see the module
    docstring. ``relaxed``: for the LP (estimate large pairs) or the MILP (restrict)."""
    n_pairs = pair_row.size
    patterned = np.zeros(n_pairs, dtype=np.bool_)
    restricted = np.zeros(n_pairs, dtype=np.bool_)
    estimate = np.zeros(n_pairs)
    parcel_pairs = np.flatnonzero(arrays.parcel_priced[pair_row])
    if parcel_pairs.size == 0:
        return _none(patterned, estimate, restricted)
    by_pair = np.argsort(x_pair, kind="stable")  # within a pair, lines in order
    starts = np.searchsorted(x_pair[by_pair], np.arange(n_pairs + 1))
    pattern_pair: list[int] = []
    entries: list[list[tuple[int, int]]] = []  # per pattern: (unit variable, units)
    estimated: list[int] = []
    for pair in parcel_pairs.tolist():
        xs = by_pair[starts[pair] : starts[pair + 1]].tolist()
        upper = [int(x_upper[x]) for x in xs]
        row = int(pair_row[pair])
        if not arrays.allow_split[row]:
            listed = [tuple(upper)]
        elif math.prod(u + 1 for u in upper) - 1 <= MAX_PATTERNS:
            listed = [c for c in itertools.product(*(range(u + 1) for u in upper)) if any(c)]
        elif relaxed:
            estimated.append(pair)
            continue
        else:
            restricted[pair] = True
            listed = _subset(upper)
        patterned[pair] = True
        for units in listed:
            pattern_pair.append(pair)
            entries.append([(x, n) for x, n in zip(xs, units, strict=True) if n > 0])
    cost = _prices(arrays, pair_row, pair_km, pattern_pair, entries, x_line)
    if estimated:
        at = np.array(estimated, dtype=np.int64)
        estimate[at] = _least_parcel(arrays, pair_row[at], pair_km[at])
    sizes = [len(e) for e in entries]
    flat = [entry for pattern in entries for entry in pattern]
    return PairPatterns(
        pattern_pair=np.array(pattern_pair, dtype=np.int64),
        cost=cost,
        entry_pattern=np.repeat(np.arange(len(entries), dtype=np.int64), sizes),
        entry_x=np.array([x for x, _ in flat], dtype=np.int64),
        entry_units=np.array([n for _, n in flat], dtype=np.int64),
        patterned=patterned,
        estimate=estimate,
        restricted=restricted,
    )


def _none(patterned: BoolArray, estimate: FloatArray, restricted: BoolArray) -> PairPatterns:
    empty = np.zeros(0, dtype=np.int64)
    return PairPatterns(
        pattern_pair=empty,
        cost=np.zeros(0),
        entry_pattern=empty,
        entry_x=empty,
        entry_units=empty,
        patterned=patterned,
        estimate=estimate,
        restricted=restricted,
    )


def _subset(upper: Sequence[int]) -> list[tuple[int, ...]]:
    """Patterns kept for a pair with too many: each unit variable at 0 or at its most,
    or if those are too many too, the whole pattern and each line alone."""
    k = len(upper)
    if (1 << k) - 1 <= MAX_PATTERNS:
        return [
            tuple(u if bit else 0 for u, bit in zip(upper, bits, strict=True))
            for bits in itertools.product((0, 1), repeat=k)
            if any(bits)
        ]
    alone = [tuple(u if j == i else 0 for j, u in enumerate(upper)) for i in range(k)]
    return [tuple(upper), *alone]


def _prices(
    arrays: OrderArrays,
    pair_row: IntArray,
    pair_km: FloatArray,
    pattern_pair: Sequence[int],
    entries: Sequence[Sequence[tuple[int, int]]],
    x_line: IntArray,
) -> FloatArray:
    """The carrier price (currency) of each pattern, by the engine's rule."""
    cost = np.zeros(len(pattern_pair))
    if not pattern_pair:
        return cost
    pairs = np.array(pattern_pair, dtype=np.int64)
    level = arrays.level[pair_row[pairs]]
    sku = arrays.line_sku
    for code in np.unique(level).tolist():
        tables = arrays.carrier_tables[code]
        assert tables is not None
        at = np.flatnonzero(level == code)
        # Only units that can travel are in a pattern, so every price is finite.
        for i in at.tolist():
            content = [(int(sku[x_line[x]]), n) for x, n in entries[i]]
            km = float(pair_km[pattern_pair[i]])
            cost[i] = content_cents(tables, arrays.parcel_items, content, km) / 100
    return cost


def _least_parcel(arrays: OrderArrays, rows: IntArray, km: FloatArray) -> FloatArray:
    """The cheapest price (currency) any parcel can have with the level's services at
    ``km`` (0 where none reaches), shape (n,): a lower bound of any shipment's price."""
    best = np.full(rows.size, math.inf)
    level = arrays.level[rows]
    for code in np.unique(level).tolist():
        tables: LevelTables | None = arrays.carrier_tables[code]
        assert tables is not None
        at = np.flatnonzero(level == code)
        for service in tables.services:
            zone = band_index(service.zones, km[at])
            within = (zone < service.zones.size) & (km[at] <= service.reach_km)
            # A step's price never exceeds the prices beyond the last step.
            row_min = np.min(service.cents, axis=1)
            cheapest = np.where(within, row_min[np.minimum(zone, service.zones.size - 1)], math.inf)
            best[at] = np.minimum(best[at], cheapest)
    return np.where(np.isfinite(best), best / 100, 0.0)


def exact_penalized_cost(
    wave: Wave, allocations: Sequence[Allocation], unserved_penalty: float
) -> float:
    """``penalized_cost`` of ``allocations`` with every carrier-priced shipment at its
    parcel price (as the engine will price it) rather than the cost a policy wrote."""
    arrays = wave.arrays
    total = penalized_cost(allocations, unserved_penalty)
    rows = np.flatnonzero(arrays.parcel_priced).tolist()
    if not rows:
        return total
    items = arrays.network.derived(catalogue_items)
    nodes = arrays.network.arrays
    for row in rows:
        tables = arrays.carrier_tables[int(arrays.level[row])]
        assert tables is not None
        for shipment in allocations[row].shipments:
            found = price_shipment(tables, items, shipment.lines, shipment.distance_km)
            if found is None:
                return math.inf  # ships a unit no carrier takes: never the better choice
            node = arrays.network.node_index(shipment.node_id)
            handling = handling_cost(
                float(nodes.handling_per_order[node]),
                float(nodes.handling_per_unit[node]),
                float(shipment.units),
            )
            total += shipment_cost(found[0], handling) - shipment.cost
    return total

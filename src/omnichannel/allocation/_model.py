"""A wave as a sparse mixed-integer model, for the optimizing policies and the bound.

Variables, over the (order, node) pairs the hard rules allow and where the
node holds some of the order's stock:

- ``y[p]`` (0/1): pair ``p`` ships, paying its fixed cost (carrier base and km
  part, node handling per order) and the split penalty;
- ``x[k]`` (units): line ``l`` takes ``x`` units at node ``n``, paying the
  per-unit carrier and handling cost; ``x <= min(quantity, available) * y``;
- ``z[o]`` (0 to 1): credit of one split penalty for an order that ships at all;
- ``w[j]`` (0/1): for pairs that carrier services price, shipment pattern ``j`` (a
  count of units per unit variable) is what the pair ships, at its exact parcel
  price: ``y = sum(w)``, ``x = sum(units * w)`` (see ``_patterns``). Such pairs pay
  no rate-card part; handling stays on ``y`` and ``x``.

Constraints: each line at most its quantity; per (SKU, node) at most the free
units, and for channels that respect safety stock at most the free units above
it; per node at most its shipments left; an order that may not split ships
every line whole from one node. The objective is fulfilment cost plus
``unserved_penalty`` per unit not served: minimising it serves every unit worth
serving, cheapest first. Every matrix is sparse: rows and columns only for the
pairs, lines and positions the wave touches.

The LP relaxation is built smaller: a pair with one unit variable gets no ``y``
of its own but ``y = x / d``, ``d`` the units it can ship (its line's quantity
for an order that may not split). That is exact: a larger ``y`` only costs more
(it pays the fixed cost and earns at most as much split credit), and it drops a
column and a linking row for every single-line pair. Pairs with shipment patterns
keep their ``y`` (it sums their patterns).
"""

from __future__ import annotations

from collections.abc import Sequence
from types import ModuleType
from typing import Any

import attrs
import numpy as np

from .._domain.decisions import Allocation
from .._domain.enums import FulfillmentMethod
from .._errors import MissingDependencyError
from .._types import BoolArray, FloatArray, IntArray
from ..sourcing._batch import METHODS, SourcingBatch
from ..sourcing._builtin import checked_costs
from ._patterns import PairPatterns, pair_patterns
from ._quiet import quiet_stdout
from ._sequential import Sequential
from ._wave import Wave

_CELLS_PER_CHUNK = 1 << 18
"""Orders x nodes scored at once while building the model."""
_IN_STORE = METHODS.index(FulfillmentMethod.PICKUP_IN_STORE)


def scipy_modules() -> tuple[ModuleType, ModuleType]:
    """``scipy.optimize`` and ``scipy.sparse``, or an error naming the extra to install."""
    try:
        import scipy.optimize
        import scipy.sparse
    except ImportError:
        raise MissingDependencyError(
            "the optimizing policies and lower_bound need scipy: "
            "pip install 'omnichannel[optimize]'"
        ) from None
    return scipy.optimize, scipy.sparse


@attrs.frozen(kw_only=True, eq=False)
class WaveModel:
    """The model of one wave; see the module docstring."""

    pair_row: IntArray
    """Order (position in the wave) of each pair, shape (n_pairs,)."""
    pair_node: IntArray
    """Canonical node of each pair, shape (n_pairs,)."""
    pair_km: FloatArray
    """Km from the pair's node to its order's hand-over point, shape (n_pairs,)."""
    x_line: IntArray
    """Line (position among the wave's lines) of each unit variable, shape (n_x,)."""
    x_pair: IntArray
    """Pair of each unit variable, shape (n_x,)."""
    x_upper: IntArray
    """Most units of each unit variable, shape (n_x,)."""
    y_pair: IntArray
    """Pair of each ``y`` column, shape (n_y,): every pair, except in a relaxed model
    the pairs with one unit variable."""
    pair_column: IntArray
    """Column of each pair's ``y``: its own, or its unit variable's, shape (n_pairs,)."""
    pair_coefficient: FloatArray
    """``y`` of each pair is ``pair_coefficient`` times its column, shape (n_pairs,)."""
    eligible: BoolArray
    """Hard rules and a finite strategy cost, per order and node, shape (n_orders, n_nodes)."""
    supply: FloatArray
    """Units of each order held at the start by its eligible nodes with shipments left,
    each line counted up to its quantity at each node, summed over nodes, shape
    (n_orders,)."""
    split_orders: IntArray
    """Orders given a split-penalty credit variable, shape (n_z,)."""
    cost: FloatArray
    """Objective coefficients: y, then x, then z."""
    matrix: Any
    """Constraint matrix (scipy CSR), one row per constraint."""
    lower: FloatArray
    """Lower bound of each constraint row."""
    upper: FloatArray
    """Upper bound of each constraint row."""
    variable_upper: FloatArray
    """Upper bound of each variable (all lower bounds are 0)."""
    stock_rows: tuple[int, int]
    """First row and end of the stock constraints."""
    stock_key: IntArray
    """(plane, SKU row, node) of each stock constraint as ``(plane * n_skus + sku) *
    n_nodes + node``, shape (n_stock_rows,)."""
    capacity_rows: tuple[int, int]
    """First row and end of the capacity constraints."""
    capacity_node: IntArray
    """Canonical node of each capacity constraint."""
    constant: float
    """``unserved_penalty`` times every unit ordered: objective + constant is fulfilment
    cost plus the penalty of unserved units."""
    patterns: PairPatterns
    """The shipment patterns of the pairs carrier services price (columns after z)."""

    @property
    def n_pairs(self) -> int:
        """Pairs."""
        return int(self.pair_row.size)

    @property
    def n_y(self) -> int:
        """Pair variables with a column of their own (binary in the MILP)."""
        return int(self.y_pair.size)

    @property
    def relaxed(self) -> bool:
        """Whether some pairs' ``y`` is folded into a unit variable (LP only)."""
        return self.n_y < self.n_pairs

    def x_values(self, values: FloatArray) -> FloatArray:
        """The unit variables of a solution ``values``, shape (n_x,)."""
        return values[self.n_y : self.n_y + self.n_x]

    def pair_values(self, values: FloatArray) -> FloatArray:
        """Every pair's ``y`` in a solution ``values``, shape (n_pairs,)."""
        return np.asarray(values[self.pair_column] * self.pair_coefficient, dtype=np.float64)

    @property
    def n_x(self) -> int:
        """Unit variables."""
        return int(self.x_line.size)

    @property
    def integrality(self) -> IntArray:
        """1 for the integer variables (y, x and w), 0 for z."""
        return np.concatenate(
            [
                np.ones(self.n_y + self.n_x, np.int64),
                np.zeros(self.split_orders.size, np.int64),
                np.ones(self.patterns.n_w, np.int64),
            ]
        )


def build_model(
    wave: Wave,
    unserved_penalty: float,
    *,
    nodes_per_order: int | None = None,
    keep: BoolArray | None = None,
    relaxed: bool = False,
) -> WaveModel:
    """The model of ``wave`` on its starting state.

    With ``nodes_per_order``, each order keeps only that many candidate nodes, those
    where shipping the order costs least per unit they hold of it (a node that holds
    more of a scarce order ranks higher), plus those ``keep`` (orders x nodes) marks; the
    model is then smaller but no longer the full wave (``lower_bound`` never
    prunes). ``relaxed`` builds the smaller form that is only for the LP.
    """
    _, sparse = scipy_modules()
    arrays, state = wave.arrays, wave.state
    nodes = arrays.network.arrays
    n_orders, n_nodes = arrays.n_orders, nodes.n_nodes
    base, per_km, per_unit, _ = arrays.rates
    chunk = max(_CELLS_PER_CHUNK // max(n_nodes, 1), 1)
    eligible = np.zeros((n_orders, n_nodes), dtype=np.bool_)
    supply = np.zeros(n_orders)
    pair_parts: list[tuple[IntArray, IntArray, FloatArray]] = []
    x_parts: list[tuple[IntArray, IntArray, IntArray]] = []
    n_pairs = 0
    has_capacity = state.capacity_left >= 1
    for start in range(0, n_orders, chunk):
        rows = np.arange(start, min(start + chunk, n_orders))
        batch = SourcingBatch(arrays, rows, state)
        cost = checked_costs(wave.sourcing, batch)
        ok = batch.eligible & np.isfinite(cost)
        eligible[rows] = ok
        available = batch.line_available
        quantity = batch.line_quantity
        owner = batch.line_row
        some = batch.any_line(available > 0)
        held = batch.sum_lines(np.minimum(available, quantity[:, None]))
        supply[rows] = np.where(ok & has_capacity[None, :], held, 0.0).sum(axis=1)
        whole = batch.all_lines(available >= quantity[:, None])
        splits = arrays.allow_split[rows][:, None]
        pair_mask = ok & has_capacity[None, :] & np.where(splits, some, whole)
        if nodes_per_order is not None and nodes_per_order < n_nodes:
            price = np.where(
                pair_mask,
                (batch.shipping_cost + batch.handling_cost) / np.maximum(held, 1.0),
                np.inf,
            )
            cheapest = np.argpartition(price, nodes_per_order - 1, axis=1)[:, :nodes_per_order]
            chosen = np.zeros_like(pair_mask)
            np.put_along_axis(chosen, cheapest, True, axis=1)
            if keep is not None:
                chosen |= keep[rows]
            pair_mask &= chosen
        pair_id = np.full(pair_mask.shape, -1, dtype=np.int64)
        order_at, node_at = np.nonzero(pair_mask)
        pair_id[order_at, node_at] = n_pairs + np.arange(order_at.size)
        n_pairs += order_at.size
        pair_parts.append((rows[order_at], node_at, batch.distance_km[order_at, node_at]))
        line_at, x_node = np.nonzero(pair_mask[owner] & (available > 0))
        x_parts.append(
            (
                batch.lines[line_at],
                pair_id[owner[line_at], x_node],
                np.minimum(quantity[line_at], available[line_at, x_node]),
            )
        )
    pair_row = np.concatenate([p[0] for p in pair_parts]) if pair_parts else _ints()
    pair_node = np.concatenate([p[1] for p in pair_parts]) if pair_parts else _ints()
    pair_km = np.concatenate([p[2] for p in pair_parts]) if pair_parts else np.zeros(0)
    x_line = np.concatenate([p[0] for p in x_parts]) if x_parts else _ints()
    x_pair = np.concatenate([p[1] for p in x_parts]) if x_parts else _ints()
    x_upper = np.concatenate([p[2] for p in x_parts]) if x_parts else _ints()

    level = arrays.level[pair_row]
    in_store = arrays.method[pair_row] == _IN_STORE
    patterns = pair_patterns(arrays, pair_row, pair_km, x_pair, x_line, x_upper, relaxed=relaxed)
    by_table = in_store | arrays.parcel_priced[pair_row]  # no rate-card part
    fixed = np.where(by_table, 0.0, base[level] + per_km[level] * pair_km)
    fixed = fixed + nodes.handling_per_order[pair_node] + patterns.estimate
    x_row = pair_row[x_pair]
    x_node = pair_node[x_pair]
    per_x = np.where(by_table[x_pair], 0.0, per_unit[arrays.level[x_row]])
    per_x = per_x + nodes.handling_per_unit[x_node]
    penalty = arrays.network.costs.split_penalty
    split_orders = np.unique(pair_row) if penalty > 0 else _ints()

    n_x, n_z = x_line.size, split_orders.size
    quantity_x = arrays.line_qty[x_line]
    whole_only = ~arrays.allow_split[x_row]
    units_per_x = np.where(whole_only, quantity_x, x_upper).astype(np.float64)
    folded = np.bincount(x_pair, minlength=n_pairs) == 1
    folded &= relaxed & ~patterns.patterned
    y_pair = np.flatnonzero(~folded)
    n_y = y_pair.size
    x_col0, z_col0 = n_y, n_y + n_x
    n_w = patterns.n_w
    w_col0 = z_col0 + n_z
    x_of_pair = np.zeros(n_pairs, dtype=np.int64)
    x_of_pair[x_pair] = np.arange(n_x)
    pair_column = np.empty(n_pairs, dtype=np.int64)
    pair_column[y_pair] = np.arange(n_y)
    pair_column[folded] = x_col0 + x_of_pair[folded]
    pair_coefficient = np.ones(n_pairs)
    pair_coefficient[folded] = 1.0 / units_per_x[x_of_pair[folded]]
    rows_i: list[IntArray] = []
    cols_i: list[IntArray] = []
    vals: list[FloatArray] = []
    lower: list[FloatArray] = []
    upper: list[FloatArray] = []
    next_row = 0

    def add(row: IntArray, col: IntArray, val: FloatArray) -> None:
        rows_i.append(row.astype(np.int64))
        cols_i.append(col.astype(np.int64))
        vals.append(val.astype(np.float64))

    def bounds(low: FloatArray, high: FloatArray) -> int:
        nonlocal next_row
        lower.append(low.astype(np.float64))
        upper.append(high.astype(np.float64))
        first = next_row
        next_row += low.size
        return first

    # Linking: x <= upper * y (split orders), x == quantity * y (orders that may not split).
    linked = np.flatnonzero(~folded[x_pair])
    first = bounds(np.where(whole_only[linked], 0.0, -np.inf), np.zeros(linked.size))
    link = first + np.arange(linked.size)
    add(link, x_col0 + linked, np.ones(linked.size))
    add(link, pair_column[x_pair[linked]], -units_per_x[linked])
    # Each line at most its quantity.
    lines_used, line_of_x = np.unique(x_line, return_inverse=True)
    first = bounds(
        np.full(lines_used.size, -np.inf), arrays.line_qty[lines_used].astype(np.float64)
    )
    add(first + line_of_x, x_col0 + np.arange(n_x), np.ones(n_x))
    # Stock per (SKU, node): plane 0 all channels, plane 1 the safety-respecting ones.
    stock_first = next_row
    sku_x = arrays.line_sku[x_line]
    respects_x = arrays.respects_safety[x_row]
    n_skus = len(arrays.skus)
    keys_parts = []
    for plane, members in ((0, np.ones(n_x, np.bool_)), (1, respects_x)):
        members_at = np.flatnonzero(members)
        key = (plane * n_skus + sku_x[members_at]) * n_nodes + x_node[members_at]
        groups, group_of = np.unique(key, return_inverse=True)
        limit = np.maximum(state.spare[plane].ravel()[groups - plane * n_skus * n_nodes], 0)
        demand = np.bincount(group_of, weights=x_upper[members_at], minlength=groups.size)
        binding = demand > limit
        row_of_group = np.cumsum(binding) - 1
        first = bounds(np.full(int(binding.sum()), -np.inf), limit[binding])
        take = binding[group_of]
        add(
            first + row_of_group[group_of[take]],
            x_col0 + members_at[take],
            np.ones(int(take.sum())),
        )
        keys_parts.append(groups[binding])
    stock_end = next_row
    # Shipments per node.
    capacity_first = next_row
    per_node = np.bincount(pair_node, minlength=n_nodes)
    limited = np.flatnonzero(per_node > state.capacity_left)
    row_of_node = np.full(n_nodes, -1, dtype=np.int64)
    row_of_node[limited] = np.arange(limited.size)
    first = bounds(np.full(limited.size, -np.inf), np.floor(state.capacity_left[limited]))
    in_limited = row_of_node[pair_node] >= 0
    add(
        first + row_of_node[pair_node[in_limited]],
        pair_column[in_limited],
        pair_coefficient[in_limited],
    )
    capacity_end = next_row
    # Orders that may not split ship from one node at most.
    single = ~arrays.allow_split[pair_row]
    single_orders, single_of = np.unique(pair_row[single], return_inverse=True)
    first = bounds(np.full(single_orders.size, -np.inf), np.ones(single_orders.size))
    add(first + single_of, pair_column[single], pair_coefficient[single])
    # Split-penalty credit: z <= number of shipments.
    if n_z:
        first = bounds(np.full(n_z, -np.inf), np.zeros(n_z))
        z_of_pair = np.searchsorted(split_orders, pair_row)
        add(first + np.arange(n_z), z_col0 + np.arange(n_z), np.ones(n_z))
        add(first + z_of_pair, pair_column, -pair_coefficient)
    # Patterns: y == sum(w) and x == sum(units * w) for every patterned pair.
    if n_w:
        patterned = np.flatnonzero(patterns.patterned)
        row_of_pair = np.full(n_pairs, -1, dtype=np.int64)
        row_of_pair[patterned] = np.arange(patterned.size)
        first = bounds(np.zeros(patterned.size), np.zeros(patterned.size))
        add(first + np.arange(patterned.size), pair_column[patterned], np.ones(patterned.size))
        add(first + row_of_pair[patterns.pattern_pair], w_col0 + np.arange(n_w), -np.ones(n_w))
        x_patterned = np.flatnonzero(patterns.patterned[x_pair])
        row_of_x = np.full(n_x, -1, dtype=np.int64)
        row_of_x[x_patterned] = np.arange(x_patterned.size)
        first = bounds(np.zeros(x_patterned.size), np.zeros(x_patterned.size))
        add(first + np.arange(x_patterned.size), x_col0 + x_patterned, np.ones(x_patterned.size))
        add(
            first + row_of_x[patterns.entry_x],
            w_col0 + patterns.entry_pattern,
            -patterns.entry_units.astype(np.float64),
        )

    matrix = sparse.csr_array(
        (np.concatenate(vals), (np.concatenate(rows_i), np.concatenate(cols_i))),
        shape=(next_row, n_y + n_x + n_z + n_w),
    )
    pair_cost = fixed + penalty
    x_cost = per_x - unserved_penalty
    x_cost[x_of_pair[folded]] += pair_cost[folded] * pair_coefficient[folded]
    cost = np.concatenate(
        [pair_cost[y_pair], x_cost, np.full(n_z, -penalty), patterns.cost]
    ).astype(np.float64)
    return WaveModel(
        pair_row=pair_row,
        pair_node=pair_node,
        pair_km=pair_km,
        x_line=x_line,
        x_pair=x_pair,
        x_upper=x_upper,
        y_pair=y_pair,
        pair_column=pair_column,
        pair_coefficient=pair_coefficient,
        eligible=eligible,
        supply=supply,
        split_orders=split_orders,
        cost=cost,
        matrix=matrix,
        lower=np.concatenate(lower),
        upper=np.concatenate(upper),
        variable_upper=np.concatenate(
            [np.ones(n_y), x_upper.astype(np.float64), np.ones(n_z), np.ones(n_w)]
        ),
        stock_rows=(stock_first, stock_end),
        stock_key=np.concatenate(keys_parts),
        capacity_rows=(capacity_first, capacity_end),
        capacity_node=limited,
        constant=unserved_penalty * float(arrays.line_qty.sum()),
        patterns=patterns,
    )


def pruned_model(
    wave: Wave, unserved_penalty: float, nodes_per_order: int | None
) -> tuple[list[Allocation] | None, WaveModel]:
    """The wave's model, pruned to ``nodes_per_order`` candidate nodes per order plus the
    nodes :class:`Sequential` would use when asked (then also Sequential's allocations,
    None otherwise)."""
    if nodes_per_order is None:
        return None, build_model(wave, unserved_penalty)
    greedy = Sequential().allocate(wave)
    keep = _used_nodes(wave, greedy)
    return greedy, build_model(wave, unserved_penalty, nodes_per_order=nodes_per_order, keep=keep)


def _used_nodes(wave: Wave, allocations: Sequence[Allocation]) -> BoolArray:
    """Orders x nodes: where each allocation ships from."""
    network = wave.arrays.network
    used = np.zeros((wave.arrays.n_orders, network.arrays.n_nodes), dtype=np.bool_)
    for row, allocation in enumerate(allocations):
        for shipment in allocation.shipments:
            used[row, network.node_index(shipment.node_id)] = True
    return used


def _ints() -> IntArray:
    return np.zeros(0, dtype=np.int64)


@attrs.frozen(kw_only=True)
class Solution:
    """What the solver found for a model."""

    values: FloatArray
    """Every variable: y, then x, then z, then w."""
    objective: float
    """Fulfilment cost plus the penalty of unserved units (currency)."""
    optimal: bool
    """Proven optimal (within the gap asked for)."""
    found: bool
    """A feasible solution was found (``values`` is all zeros otherwise)."""
    message: str
    """The solver's own account."""
    stock_duals: FloatArray
    """Price of one more unit at each stock constraint (currency, >= 0; LP only)."""
    capacity_duals: FloatArray
    """Price of one more shipment at each capacity constraint (currency, >= 0; LP only)."""


def solve(
    model: WaveModel, *, relax: bool, time_limit_s: float | None = None, mip_gap: float = 0.0
) -> Solution:
    """Solve ``model`` with HiGHS: its LP relaxation (with dual prices), or the MILP
    within ``time_limit_s`` to a relative gap of ``mip_gap``."""
    optimize, _ = scipy_modules()
    no_stock = np.zeros(model.stock_rows[1] - model.stock_rows[0])
    no_capacity = np.zeros(model.capacity_rows[1] - model.capacity_rows[0])
    if model.cost.size == 0:
        return Solution(
            values=np.zeros(0),
            objective=model.constant,
            optimal=True,
            found=True,
            message="nothing to decide",
            stock_duals=no_stock,
            capacity_duals=no_capacity,
        )
    if relax:
        return _solve_lp(model, optimize, no_stock, no_capacity)
    if model.relaxed:
        raise ValueError("a relaxed model has no integer form; build it with relaxed=False")
    options: dict[str, Any] = {"disp": False, "mip_rel_gap": mip_gap}
    if time_limit_s is not None:
        options["time_limit"] = time_limit_s
    with quiet_stdout():
        result = optimize.milp(
            model.cost,
            constraints=optimize.LinearConstraint(model.matrix, model.lower, model.upper),
            bounds=optimize.Bounds(np.zeros(model.cost.size), model.variable_upper),
            integrality=model.integrality,
            options=options,
        )
    found = result.x is not None
    return Solution(
        values=np.asarray(result.x, np.float64) if found else np.zeros(model.cost.size),
        objective=float(result.fun) + model.constant if found else model.constant,
        optimal=result.status == 0,
        found=found,
        message=str(result.message),
        stock_duals=no_stock,
        capacity_duals=no_capacity,
    )


def _solve_lp(
    model: WaveModel, optimize: ModuleType, no_stock: FloatArray, no_capacity: FloatArray
) -> Solution:
    """The LP relaxation by HiGHS, with the dual prices of stock and capacity rows."""
    equal = np.isfinite(model.lower)
    a_ub, a_eq = model.matrix[~equal], model.matrix[equal]
    with quiet_stdout():
        result = optimize.linprog(
            model.cost,
            A_ub=a_ub if a_ub.shape[0] else None,
            b_ub=model.upper[~equal] if a_ub.shape[0] else None,
            A_eq=a_eq if a_eq.shape[0] else None,
            b_eq=model.lower[equal] if a_eq.shape[0] else None,
            bounds=np.column_stack([np.zeros(model.cost.size), model.variable_upper]),
            method="highs",
            options={"disp": False},
        )
    if result.status != 0:
        return Solution(
            values=np.zeros(model.cost.size),
            objective=model.constant,
            optimal=False,
            found=False,
            message=str(result.message),
            stock_duals=no_stock,
            capacity_duals=no_capacity,
        )
    prices = np.zeros(model.lower.size)
    if a_ub.shape[0]:
        prices[~equal] = -np.asarray(result.ineqlin.marginals)
    first, end = model.stock_rows
    low, high = model.capacity_rows
    return Solution(
        values=np.asarray(result.x, np.float64),
        objective=float(result.fun) + model.constant,
        optimal=True,
        found=True,
        message=str(result.message),
        stock_duals=np.maximum(prices[first:end], 0.0),
        capacity_duals=np.maximum(prices[low:high], 0.0),
    )

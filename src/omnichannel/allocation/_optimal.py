"""BatchOptimal: decide a whole wave at once with a mixed-integer program."""

from __future__ import annotations

from typing import final

import attrs
import numpy as np

from .._domain import validators as v
from .._domain.decisions import Allocation, UnfulfilledLine
from .._types import FloatArray
from ._model import WaveModel, pruned_model, solve
from ._patterns import exact_penalized_cost
from ._resolve import (
    Taken,
    build_allocation,
    refused_whole,
    unfulfilled_reason,
    units_left,
    unshippable_lines,
    unshippable_reasons,
)
from ._sequential import Sequential
from ._wave import Wave


@final
@attrs.frozen(kw_only=True)
class BatchOptimal:
    """One MILP per wave: serve every unit worth serving, at the least total cost.

    Minimises shipment cost plus split penalties plus ``unserved_penalty``
    (currency) per unit not served, over the (order, node) pairs the hard rules
    allow, under stock per channel, node capacity, lines served at most once
    and orders that may not split shipping whole (see
    :func:`omnichannel.allocation.lower_bound` for the model). Order priority
    does not weigh: use :class:`Sequential` where it must.

    HiGHS stops at ``time_limit_s`` seconds or a relative gap of ``mip_gap``
    (``time_limit_s``, ``mip_gap`` and ``unserved_penalty`` are finite, >= 0 and at
    most 1e12).
    If it stopped before proving optimality, the better of its best solution
    and :class:`Sequential`'s allocation is used (so it is never worse than
    the greedy), and the result's ``notes`` say which. Needs the ``optimize``
    extra.

    Shipments that carrier services price enter the model at their exact parcel
    price, one candidate shipment pattern per way the pair can ship (see
    ``allocation/_patterns.py``). A pair with more than 64 patterns keeps only some
    of them (each line none or all it can take): still priced exactly, but a
    cheaper partial shipment may be missed, so then too the better of the solution
    and :class:`Sequential`'s is used.
    """

    time_limit_s: float = attrs.field(
        default=30.0, converter=v.to_float, validator=v.finite_at_least(0.0)
    )
    mip_gap: float = attrs.field(
        default=1e-4, converter=v.to_float, validator=v.finite_at_least(0.0)
    )
    unserved_penalty: float = attrs.field(
        default=100.0, converter=v.to_float, validator=v.finite_at_least(0.0)
    )
    nodes_per_order: int | None = attrs.field(default=None, validator=v.optional(v.int_at_least(1)))
    """Candidate nodes kept per order (1 to 10**12): those where shipping the order
    costs least per unit they hold of it, plus those :class:`Sequential` would use
    (so the result is never worse than it). None keeps every eligible node: exact,
    but large waves solve slowly."""

    def allocate(self, wave: Wave, /) -> list[Allocation]:
        """One allocation per order of ``wave``, in input order."""
        greedy, model = pruned_model(wave, self.unserved_penalty, self.nodes_per_order)
        solution = solve(model, relax=False, time_limit_s=self.time_limit_s, mip_gap=self.mip_gap)
        if not solution.found:
            wave.notes.append(
                f"BatchOptimal: the solver found no solution ({solution.message}); "
                "the wave was decided by Sequential"
            )
            return Sequential().allocate(wave)
        decided = allocations_from(model, wave, solution.values)
        restricted = bool(model.patterns.restricted.any())
        if solution.optimal and not restricted:
            return decided
        greedy = greedy or Sequential().allocate(wave)
        if exact_penalized_cost(wave, greedy, self.unserved_penalty) < exact_penalized_cost(
            wave, decided, self.unserved_penalty
        ):
            why = (
                f"the solver stopped before proving optimality ({solution.message})"
                if not solution.optimal
                else "some orders had too many shipment patterns to list"
            )
            wave.notes.append(
                f"BatchOptimal: {why} and its best solution was worse than Sequential's; "
                "the wave was decided by Sequential"
            )
            return greedy
        if solution.optimal:
            return decided
        wave.notes.append(
            f"BatchOptimal: the solver stopped before proving optimality "
            f"({solution.message}); the best solution found was used"
        )
        return decided


def allocations_from(model: WaveModel, wave: Wave, values: FloatArray) -> list[Allocation]:
    """The allocations a solution of ``model`` describes, in input order, with the
    reason of every unit left unserved (judged on the stock the solution leaves)."""
    arrays = wave.arrays
    units = np.clip(np.rint(model.x_values(values)), 0, model.x_upper).astype(np.int64)
    used = units > 0
    line, pair = model.x_line[used], model.x_pair[used]
    row, node = model.pair_row[pair], model.pair_node[pair]
    state = wave.state.copy()
    state.take(arrays.line_sku[line], node, units[used])
    opened = np.unique(pair)
    state.ship(model.pair_node[opened], np.ones(opened.size, dtype=np.int64))
    taken: dict[int, Taken] = {}
    km: dict[tuple[int, int], float] = {}
    position = line - arrays.line_start[row]
    for r, n, p, u, q in zip(
        row.tolist(),
        node.tolist(),
        position.tolist(),
        units[used].tolist(),
        pair.tolist(),
        strict=True,
    ):
        taken.setdefault(r, {}).setdefault(n, {})[p] = u
        km[r, n] = float(model.pair_km[q])
    has_capacity = state.capacity_left >= 1
    n_nodes = arrays.network.arrays.n_nodes
    allocations = []
    for r, order in enumerate(arrays.orders):
        mine = {n: taken[r][n] for n in sorted(taken.get(r, {}))}
        span = slice(int(arrays.line_start[r]), int(arrays.line_start[r + 1]))
        quantity = arrays.line_qty[span]
        available = state.available_to(arrays.line_sku[span], bool(arrays.respects_safety[r]))
        eligible = model.eligible[r]
        held_unshippable = None
        if arrays.parcel_priced[r]:
            every = np.arange(n_nodes)
            distance_r = arrays.pair_distance_km(np.full(n_nodes, r), every)
            unshippable = unshippable_lines(wave, r, distance_r, eligible)
            if unshippable is not None:
                held_unshippable = np.any(unshippable & (available >= 1), axis=1)
                available = np.where(unshippable, 0, available)
        unfulfilled: list[UnfulfilledLine] = []
        if not mine and not arrays.allow_split[r]:
            unfulfilled = refused_whole(
                order.lines, available, quantity, eligible, has_capacity, np.zeros_like(eligible)
            )
        else:
            is_open = np.zeros(n_nodes, dtype=np.bool_)
            is_open[list(mine)] = True
            for index, left in enumerate(units_left(order.lines, mine)):
                if left > 0:
                    reason = unfulfilled_reason(available[index], eligible, has_capacity, is_open)
                    unfulfilled.append(
                        UnfulfilledLine(sku=order.lines[index].sku, quantity=left, reason=reason)
                    )
        if held_unshippable is not None:
            unfulfilled = unshippable_reasons(order.lines, unfulfilled, held_unshippable)
        distance = {n: km[r, n] for n in mine}
        allocations.append(build_allocation(r, wave, distance, mine, unfulfilled))
    return allocations

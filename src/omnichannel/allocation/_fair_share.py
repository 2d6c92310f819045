"""FairShare: ration short SKUs across channels before allocating sequentially."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, final

import attrs
import numpy as np

from .._domain.decisions import Allocation
from .._domain.validators import is_finite
from .._errors import InvalidInputError, Problem
from .._types import IntArray
from ._passes import sequential_pass, trimmed
from ._resolve import Taken, build_allocation, units_left
from ._wave import Wave


def _weights(value: object) -> object:
    return dict(value) if isinstance(value, Mapping) else value


def _check_weights(_: object, __: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, dict):
        raise InvalidInputError("weights", f"must map channel ids to weights, got {value!r}")
    problems: list[Problem] = []
    for channel_id, weight in value.items():
        if not isinstance(channel_id, str):
            problems.append((f"weights[{channel_id!r}]", "key must be a channel id"))
        if not is_finite(weight) or not weight > 0:
            problems.append(
                (f"weights[{channel_id!r}]", f"must be a finite number > 0, got {weight!r}")
            )
    if problems:
        raise InvalidInputError.collect(problems)


def exact_weights(weight: Sequence[float]) -> list[int]:
    """Integers in exactly the ratios of the finite, positive ``weight`` (each float is a
    binary fraction, so one power of two scales them all to integers), divided by their
    greatest common divisor. Rationing on them is exact: no overflow for 1e308, no
    underflow for 1e-300, and equal weights always get equal shares."""
    ratios = [w.as_integer_ratio() for w in weight]
    scale = max((d for _, d in ratios), default=1)
    whole = [n * (scale // d) for n, d in ratios]
    common = math.gcd(*whole) or 1
    return [w // common for w in whole]


def rationed(supply: int, demand: IntArray, weight: Sequence[int], rank: Sequence[int]) -> IntArray:
    """Weighted max-min fair shares of ``supply`` units among channels wanting
    ``demand`` units: no channel gets more than it wants; the others split the rest
    in proportion to ``weight``, whole units, remainders to the larger weights, ties
    to the lower ``rank``. Shapes (n_channels,).

    ``weight`` are :func:`exact_weights` and ``rank`` each channel's place in channel id
    order; the shares are computed in exact integer arithmetic, so they depend neither
    on the weights' magnitude nor on the order the channels are listed in."""
    want = demand.tolist()
    given = [0] * len(want)
    hungry = [c for c, units in enumerate(want) if units > 0]
    left = supply
    while left > 0 and hungry:
        total = sum(weight[c] for c in hungry)
        # A channel's share is left * weight / total; compare and floor without dividing.
        sated = [c for c in hungry if (want[c] - given[c]) * total <= left * weight[c]]
        if sated:
            for c in sated:
                left -= want[c] - given[c]
                given[c] = want[c]
            hungry = [c for c in hungry if given[c] < want[c]]
            continue
        wholes = {c: left * weight[c] // total for c in hungry}
        for c, whole in wholes.items():
            given[c] += whole
            left -= whole
        for c in sorted(hungry, key=lambda c: (-weight[c], rank[c]))[:left]:
            given[c] += 1
        break
    return np.array(given, dtype=np.int64)


@final
@attrs.frozen(kw_only=True)
class FairShare:
    """When the wave wants more of a SKU than the network holds, each channel gets a
    share of it in proportion to ``weights`` (channel id -> weight; 1.0 for
    channels not named), so no channel is starved by another's orders.

    Shares are rationed by weighted max-min fairness over the units free across
    all nodes: a channel wanting less than its share gets what it wants, the
    rest is split among the others in whole units. The odd units left over go one
    each to the channels with the larger weights and, between equal weights, to
    the lower channel id (ascending string order), so the decisions do not depend
    on the order channels are listed in the network. Shares are computed exactly:
    only the weights' ratios matter, and equal weights get equal shares whether
    they are 1e-300 or 1e308 (weights must be finite numbers > 0).

    Orders then take their channel's share in :class:`Sequential` order (an
    order that may not split and cannot get all its short lines waits); a second
    sequential pass offers whatever is left (units a channel's orders could not
    use, for example because no eligible node held them) to every order still
    short. SKUs that are not short are allocated exactly as by :class:`Sequential`.
    """

    weights: Mapping[str, float] = attrs.field(
        factory=dict, converter=_weights, validator=_check_weights, hash=False
    )

    def allocate(self, wave: Wave, /) -> list[Allocation]:
        """One allocation per order of ``wave``, in input order."""
        arrays = wave.arrays
        granted = self._granted(wave)
        first = [trimmed(order, granted[r]) for r, order in enumerate(arrays.orders)]
        state = wave.state.copy()
        taken: list[Taken] = [{} for _ in arrays.orders]
        km: list[dict[int, float]] = [{} for _ in arrays.orders]
        sequential_pass(wave, state, first, taken, km)
        remaining = [
            trimmed(order, np.array(units_left(order.lines, taken[r]), dtype=np.int64))
            for r, order in enumerate(arrays.orders)
        ]
        reasons = sequential_pass(wave, state, remaining, taken, km)
        return [
            build_allocation(
                r,
                wave,
                km[r],
                {node: taken[r][node] for node in sorted(taken[r])},
                reasons.get(r, []),
            )
            for r in range(arrays.n_orders)
        ]

    def _granted(self, wave: Wave) -> list[IntArray]:
        """Units of each line an order may take in the first pass: its whole quantity,
        except on short SKUs where the channel's ration runs out (in sequential order)."""
        arrays = wave.arrays
        network = arrays.network
        n_channels = len(network.channels)
        ids = [c.id for c in network.channels]
        weight = exact_weights([float(self.weights.get(c, 1.0)) for c in ids])
        rank = [0] * n_channels
        for place, c in enumerate(sorted(range(n_channels), key=ids.__getitem__)):
            rank[c] = place
        line_channel = np.repeat(arrays.channel, np.diff(arrays.line_start))
        demand = np.zeros((n_channels, len(arrays.skus)), dtype=np.int64)
        np.add.at(demand, (line_channel, arrays.line_sku), arrays.line_qty)
        supply = np.maximum(wave.state.free, 0).sum(axis=1)
        quota = np.full(demand.shape, np.iinfo(np.int64).max, dtype=np.int64)
        for sku in np.flatnonzero(demand.sum(axis=0) > supply).tolist():
            quota[:, sku] = rationed(int(supply[sku]), demand[:, sku], weight, rank)
        granted = [
            arrays.line_qty[arrays.line_start[r] : arrays.line_start[r + 1]].copy()
            for r in range(arrays.n_orders)
        ]
        for r in np.argsort(-arrays.priority, kind="stable").tolist():
            span = slice(int(arrays.line_start[r]), int(arrays.line_start[r + 1]))
            channel, sku = int(arrays.channel[r]), arrays.line_sku[span]
            give = np.minimum(granted[r], quota[channel, sku])
            if not arrays.allow_split[r] and np.any(give < granted[r]):
                give[:] = 0
            quota[channel, sku] -= give
            granted[r] = give
        return granted

"""The built-in return strategies."""

from __future__ import annotations

from typing import Any, final

import attrs
import numpy as np

from .._domain import validators as v
from .._domain.enums import Disposition
from .._types import FloatArray
from ._batch import ReturnBatch


def scarcity_bonus(
    recovered_value: Any,
    demand_per_day: Any,
    available: Any,
    quantity: Any,
    weight: float,
    cover_days: float,
) -> Any:
    """Extra value (currency) of restocking a line at a node short of it.

    The node is short by ``ceil(cover_days x units per day) - available`` units
    (at least 0, at most the line's quantity); each short unit the line fills is
    worth ``weight`` times its recovered value again.
    """
    short = np.minimum(np.maximum(np.ceil(cover_days * demand_per_day) - available, 0.0), quantity)
    return weight * recovered_value * short / quantity


@final
@attrs.frozen(kw_only=True)
class NearestReturnNode:
    """Send each unit to the nearest node that may take it (km from where it starts);
    between dispositions at the same node, the earlier one in disposition order."""

    def costs(self, batch: ReturnBatch, /) -> FloatArray:
        """Km to each node, the same for every disposition."""
        shape = (batch.n_dispositions, batch.n_lines, batch.n_nodes)
        return np.array(np.broadcast_to(batch.distance_km[None, :, :], shape))


@final
@attrs.frozen(kw_only=True)
class LowestReturnCost:
    """Spend the least on each unit: transport plus handling (currency), whatever it
    recovers, as a returns desk working to a cost budget does."""

    def costs(self, batch: ReturnBatch, /) -> FloatArray:
        """Transport plus handling of each option (currency)."""
        return np.asarray(batch.transport_cost[None, :, :] + batch.handling_cost[:, :, None])


@final
@attrs.frozen(kw_only=True)
class ValueRecovery:
    """Recover the most: value recovered minus transport and handling (currency),
    plus a bonus for restocking where the stock sells and is short.

    score = -(net value + bonus), where for RESTOCK at a node the bonus is
    ``scarcity_weight x recovered value x short units / quantity`` and a node
    is short by ``ceil(cover_days x units per day) - available`` units (from
    the ``demand`` given to the call; without it there is no bonus).
    ``scarcity_weight`` and ``cover_days`` are finite, >= 0 and at most 1e12.
    """

    scarcity_weight: float = attrs.field(
        default=0.5, converter=v.to_float, validator=v.finite_at_least(0.0)
    )
    cover_days: float = attrs.field(
        default=7.0, converter=v.to_float, validator=v.finite_at_least(0.0)
    )

    def costs(self, batch: ReturnBatch, /) -> FloatArray:
        """Minus the net value of each option, restocking bonus included (currency)."""
        value = batch.net_value.copy()
        restock = batch.dispositions.index(Disposition.RESTOCK)
        value[restock] += scarcity_bonus(
            batch.recovered_value[restock][:, None],
            batch.demand_per_day,
            batch.available,
            batch.quantity[:, None],
            self.scarcity_weight,
            self.cover_days,
        )
        return np.asarray(-value)

"""The contract every sourcing strategy keeps."""

from __future__ import annotations

import enum
from typing import Protocol, runtime_checkable

from .._types import FloatArray
from ._batch import SourcingBatch


class StateUse(enum.Flag):
    """Which parts of the wave's changing state a strategy's costs read.

    The engine decides many orders at once on one state and re-scores an order
    only when what its costs read has changed, so a strategy must say what it
    reads, and its cost for (order, node) must read state only *at that node*:

    - ``STOCK``: the stock of the order's own SKUs at the node;
    - ``CAPACITY``: the shipments the node has taken in this wave.

    Taking stock or capacity at a node may only raise (never lower) the cost of
    using that node. A strategy that reads neither is ``StateUse(0)``.
    """

    STOCK = enum.auto()
    CAPACITY = enum.auto()


NO_STATE = StateUse(0)


@runtime_checkable
class SourcingStrategy(Protocol):
    """Scores every (order, node) pair of a batch; lower is better, ``inf`` forbids.

    The engine applies the hard rules (active node, channel, capability,
    distance, capacity, stock) on top, for every strategy, so a strategy only
    ranks the nodes the rules allow. Ties are broken by node rank, then id.
    """

    @property
    def state_use(self) -> StateUse:
        """What the costs read of the wave's changing state."""
        ...

    def costs(self, batch: SourcingBatch, /) -> FloatArray:
        """Cost of serving each order of ``batch`` from each node.

        Returns float64 of shape ``(batch.n_orders, batch.n_nodes)``, no NaN and
        no ``-inf``; must not change ``batch``.
        """
        ...

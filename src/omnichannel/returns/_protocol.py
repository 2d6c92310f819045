"""The contract every return strategy keeps."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from .._types import FloatArray
from ._batch import ReturnBatch


@runtime_checkable
class ReturnStrategy(Protocol):
    """Scores every (disposition, returned line, node) of a batch; lower is better,
    ``inf`` forbids.

    The engine applies the hard rules on top, for every strategy: the
    disposition must be an option for the line's condition, the node must be
    active and able to take it, within the rate card's ``max_km``, and the
    option must recover more than its transport and handling cost (else the
    line is KEEP). Ties are broken by disposition order, then node rank, then
    node id. Scores are computed on the inventory given to the call: every
    line of a call sees the same stock.
    """

    def costs(self, batch: ReturnBatch, /) -> FloatArray:
        """Score of sending each line of ``batch`` to each node as each disposition.

        Returns float64 of shape ``(batch.n_dispositions, batch.n_lines,
        batch.n_nodes)``, no NaN and no ``-inf``; must not change ``batch``.
        """
        ...

"""The contract every allocation policy keeps."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from .._domain.decisions import Allocation
from ._wave import Wave


@runtime_checkable
class AllocationPolicy(Protocol):
    """Decides which orders of a wave win scarce stock and capacity.

    A policy returns one :class:`Allocation` per order of ``wave.arrays.orders``,
    in that order. Every shipment must keep the hard rules (see
    :attr:`SourcingBatch.eligible`), and no position may be promised beyond
    what each order's channel may promise; the engine reserves what it returns.
    """

    def allocate(self, wave: Wave, /) -> Sequence[Allocation]:
        """The allocation of every order of the wave, in input order."""
        ...

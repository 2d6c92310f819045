"""Allocation: which orders win when they compete for the same stock or capacity.

A policy takes a :class:`Wave` and returns one allocation per order.
:class:`Sequential` (the default) serves orders by priority, each on what those
before it left. :class:`BatchOptimal` and :class:`DualPriceLookahead` (with the
``optimize`` extra) decide the wave jointly; :func:`lower_bound` says how good
any policy could be.
"""

from ._bound import lower_bound as lower_bound
from ._dual_price import DualPriceLookahead as DualPriceLookahead
from ._fair_share import FairShare as FairShare
from ._optimal import BatchOptimal as BatchOptimal
from ._protocol import AllocationPolicy as AllocationPolicy
from ._registry import get as get
from ._registry import names as names
from ._sequential import Sequential as Sequential
from ._wave import Wave as Wave

__all__ = [
    "AllocationPolicy",
    "BatchOptimal",
    "DualPriceLookahead",
    "FairShare",
    "Sequential",
    "Wave",
    "get",
    "lower_bound",
    "names",
]

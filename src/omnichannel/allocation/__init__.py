"""Allocation: which orders win when they compete for the same stock or capacity.

A policy takes a :class:`Wave` and returns one allocation per order.
:class:`Sequential` (the default) serves orders by priority, each on what those
before it left.
"""

from ._protocol import AllocationPolicy as AllocationPolicy
from ._registry import get as get
from ._registry import names as names
from ._sequential import Sequential as Sequential
from ._wave import Wave as Wave

__all__ = ["AllocationPolicy", "Sequential", "Wave", "get", "names"]

"""Returns: where each returned unit goes, and as what.

A strategy scores every (disposition, returned line, node); the engine applies
the hard rules and the disposition table on top, picks the best option per
line, and keeps the unit (refund without return) when no option recovers more
than it costs. Write your own by implementing :class:`ReturnStrategy`.
"""

from ._batch import ReturnBatch as ReturnBatch
from ._builtin import LowestReturnCost as LowestReturnCost
from ._builtin import NearestReturnNode as NearestReturnNode
from ._builtin import ValueRecovery as ValueRecovery
from ._protocol import ReturnStrategy as ReturnStrategy
from ._registry import get as get
from ._registry import names as names

__all__ = [
    "LowestReturnCost",
    "NearestReturnNode",
    "ReturnBatch",
    "ReturnStrategy",
    "ValueRecovery",
    "get",
    "names",
]

"""Sourcing: which nodes may serve an order, and at what cost.

A strategy turns a batch of orders into a cost per (order, node); the engine
applies the hard rules on top and picks the cheapest feasible node. Write your
own by implementing :class:`SourcingStrategy`; the built-ins are presets of
:class:`Weighted`, and :class:`Lexicographic` chains them as ordered rules.
"""

from ._batch import SourcingBatch as SourcingBatch
from ._builtin import Fastest as Fastest
from ._builtin import Lexicographic as Lexicographic
from ._builtin import LowestCost as LowestCost
from ._builtin import MostStock as MostStock
from ._builtin import Nearest as Nearest
from ._builtin import Ranked as Ranked
from ._builtin import StockProtecting as StockProtecting
from ._builtin import Weighted as Weighted
from ._protocol import SourcingStrategy as SourcingStrategy
from ._protocol import StateUse as StateUse
from ._registry import get as get
from ._registry import names as names

__all__ = [
    "Fastest",
    "Lexicographic",
    "LowestCost",
    "MostStock",
    "Nearest",
    "Ranked",
    "SourcingBatch",
    "SourcingStrategy",
    "StateUse",
    "StockProtecting",
    "Weighted",
    "get",
    "names",
]

"""Built-in sourcing strategies by name."""

from __future__ import annotations

from .._registry import Registry
from ._builtin import (
    Fastest,
    Lexicographic,
    LowestCost,
    MostStock,
    Nearest,
    Ranked,
    StockProtecting,
    Weighted,
)

_REGISTRY = Registry(
    "sourcing",
    {
        "nearest": Nearest,
        "lowest_cost": LowestCost,
        "ranked": Ranked,
        "most_stock": MostStock,
        "stock_protecting": StockProtecting,
        "weighted": Weighted,
        "lexicographic": Lexicographic,
        "fastest": Fastest,
    },
)


def names() -> tuple[str, ...]:
    """Names of the built-in sourcing strategies, sorted."""
    return _REGISTRY.names()


def get(name: str) -> type:
    """The built-in strategy class called ``name``: ``get("lowest_cost")()`` builds one."""
    return _REGISTRY.get(name)

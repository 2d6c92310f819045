"""Built-in return strategies by name."""

from __future__ import annotations

from .._registry import Registry
from ._builtin import LowestReturnCost, NearestReturnNode, ValueRecovery

_REGISTRY = Registry(
    "returns",
    {
        "nearest": NearestReturnNode,
        "lowest_cost": LowestReturnCost,
        "value_recovery": ValueRecovery,
    },
)


def names() -> tuple[str, ...]:
    """Names of the built-in return strategies, sorted."""
    return _REGISTRY.names()


def get(name: str) -> type:
    """The built-in strategy class called ``name``: ``get("value_recovery")()`` builds one."""
    return _REGISTRY.get(name)

"""Built-in allocation policies by name."""

from __future__ import annotations

from .._registry import Registry
from ._dual_price import DualPriceLookahead
from ._fair_share import FairShare
from ._optimal import BatchOptimal
from ._sequential import Sequential

_REGISTRY = Registry(
    "policy",
    {
        "sequential": Sequential,
        "batch_optimal": BatchOptimal,
        "dual_price": DualPriceLookahead,
        "fair_share": FairShare,
    },
)

BUILT_IN_POLICIES: tuple[type, ...] = _REGISTRY.classes()
"""The library's own policy classes."""


def names() -> tuple[str, ...]:
    """Names of the built-in allocation policies, sorted."""
    return _REGISTRY.names()


def get(name: str) -> type:
    """The built-in policy class called ``name``: ``get("sequential")()`` builds one."""
    return _REGISTRY.get(name)

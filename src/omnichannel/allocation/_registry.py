"""Built-in allocation policies by name."""

from __future__ import annotations

from .._registry import Registry
from ._sequential import Sequential

_REGISTRY = Registry("policy", {"sequential": Sequential})


def names() -> tuple[str, ...]:
    """Names of the built-in allocation policies, sorted."""
    return _REGISTRY.names()


def get(name: str) -> type:
    """The built-in policy class called ``name``: ``get("sequential")()`` builds one."""
    return _REGISTRY.get(name)

"""Simulated retail days: seeded networks, catalogues, orders and returns."""

from ._scenario import Scenario as Scenario

__all__ = ["Scenario"]

"""The problem a policy decides: one wave of orders, the network, and the stock state."""

from __future__ import annotations

import attrs

from .._domain.inventory import Inventory
from ..sourcing._batch import OrderArrays, StockState
from ..sourcing._protocol import SourcingStrategy


@attrs.frozen(kw_only=True, eq=False)
class Wave:
    """One allocation wave, validated and turned into arrays by the engine.

    ``state`` is the stock and capacity before any order is decided; a policy
    works on ``state.copy()``.
    """

    arrays: OrderArrays
    inventory: Inventory
    state: StockState
    sourcing: SourcingStrategy

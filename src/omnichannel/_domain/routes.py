"""What return routing decides, as values: a route per returned line, and the result."""

from __future__ import annotations

import attrs

from . import validators as v
from .enums import Disposition, ReturnCondition
from .inventory import Inventory


@attrs.frozen(kw_only=True)
class ReturnRoute:
    """Where ``quantity`` returned units of one line go, and as what.

    ``node_id`` is None only for KEEP (refund without return). Money is in
    currency for the whole line: ``transport_cost`` to bring the units to the
    node (0 when they stay where they were dropped off), ``handling_cost`` of
    the disposition, and ``recovered_value`` it brings back.
    """

    return_id: str
    sku: str
    quantity: int
    condition: ReturnCondition
    node_id: str | None
    disposition: Disposition
    transport_cost: float
    handling_cost: float
    recovered_value: float

    @property
    def net_value(self) -> float:
        """Recovered value minus transport and handling (currency)."""
        return self.recovered_value - self.transport_cost - self.handling_cost


@attrs.frozen(kw_only=True)
class ReturnResult:
    """One route per returned line, in request and line order, and the new inventory.

    Restocked units enter their node's stock: ``on_hand`` when they are
    restocked where they were dropped off, ``in_transit`` when they travel.
    """

    routes: tuple[ReturnRoute, ...] = attrs.field(converter=v.to_tuple)
    inventory: Inventory

    @property
    def recovered_value(self) -> float:
        """Value recovered by every route (currency)."""
        return sum((route.recovered_value for route in self.routes), 0.0)

    @property
    def net_value(self) -> float:
        """Recovered value minus every transport and handling cost (currency)."""
        return sum((route.net_value for route in self.routes), 0.0)

    @property
    def units_restocked(self) -> int:
        """Units back on sale (RESTOCK)."""
        return sum(r.quantity for r in self.routes if r.disposition is Disposition.RESTOCK)

"""What return routing decides, as values: a route per returned line, and the result."""

from __future__ import annotations

import attrs

from .._errors import InvalidInputError
from . import validators as v
from .enums import Disposition, ReturnCondition
from .inventory import Inventory

# Validated like inputs, with the cheap validators: route_returns builds one per line.
_AMOUNT = v.fast_finite_at_least(0.0, v.MAX_DECISION_AMOUNT)


@attrs.frozen(kw_only=True)
class ReturnRoute:
    """Where ``quantity`` returned units of one line go, and as what.

    ``node_id`` is None for KEEP (refund without return), and only then. Money is in
    currency for the whole line: ``transport_cost`` to bring the units to the
    node (0 when they stay where they were dropped off), ``handling_cost`` of
    the disposition, and ``recovered_value`` it brings back.
    """

    return_id: str = attrs.field(validator=v.non_empty_str)
    sku: str = attrs.field(validator=v.non_empty_str)
    quantity: int = attrs.field(validator=v.fast_int_at_least(1))
    condition: ReturnCondition = attrs.field(validator=v.fast_instance_of(ReturnCondition))
    node_id: str | None = attrs.field(validator=v.optional(v.non_empty_str))
    disposition: Disposition = attrs.field(validator=v.fast_instance_of(Disposition))
    transport_cost: float = attrs.field(validator=_AMOUNT)
    handling_cost: float = attrs.field(validator=_AMOUNT)
    recovered_value: float = attrs.field(validator=_AMOUNT)

    def __attrs_post_init__(self) -> None:
        if (self.node_id is None) is not (self.disposition is Disposition.KEEP):
            problem = (
                "must be None for KEEP (the units are not sent back)"
                if self.node_id is not None
                else f"must name the node for {self.disposition.name}, got None"
            )
            raise InvalidInputError("node_id", problem)

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

    routes: tuple[ReturnRoute, ...] = attrs.field(
        converter=v.to_tuple, validator=v.fast_tuple_of(ReturnRoute)
    )
    inventory: Inventory = attrs.field(validator=v.instance_of(Inventory))

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

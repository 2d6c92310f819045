"""Customer returns."""

from __future__ import annotations

import attrs

from .._errors import InvalidInputError
from . import validators as v
from .enums import Capability, NodeKind, ReturnCondition, ReturnMethod
from .geo import GeoPoint
from .network import Node

DROP_OFF_KIND = {
    ReturnMethod.IN_STORE: NodeKind.STORE,
    ReturnMethod.PICKUP_POINT: NodeKind.PICKUP_POINT,
}
"""The kind of node each drop-off return method hands units to."""


def accepts_drop_off(method: ReturnMethod, node: Node) -> bool:
    """Whether customers may drop returns off at ``node`` by ``method``: an active node
    of the method's kind that ACCEPT_RETURNS (never for MAIL)."""
    return (
        node.active
        and Capability.ACCEPT_RETURNS in node.capabilities
        and node.kind is DROP_OFF_KIND.get(method)
    )


@attrs.frozen(kw_only=True)
class ReturnLine:
    """``quantity`` returned units (1 to 10**12) of one SKU in one condition, each worth
    ``unit_value`` (currency, at most 1e12: the price it would sell at new)."""

    sku: str = attrs.field(validator=v.non_empty_str)
    quantity: int = attrs.field(validator=v.int_at_least(1))
    condition: ReturnCondition = attrs.field(validator=v.instance_of(ReturnCondition))
    unit_value: float = attrs.field(converter=v.to_float, validator=v.finite_at_least(0.0))


@attrs.frozen(kw_only=True)
class ReturnRequest:
    """A customer's return: MAIL starts at ``origin``; IN_STORE and PICKUP_POINT at
    the node ``drop_off_node_id``."""

    id: str = attrs.field(validator=v.non_empty_str)
    channel_id: str = attrs.field(validator=v.non_empty_str)
    lines: tuple[ReturnLine, ...] = attrs.field(
        converter=v.to_tuple, validator=v.tuple_of(ReturnLine, min_size=1)
    )
    method: ReturnMethod = attrs.field(validator=v.instance_of(ReturnMethod))
    origin: GeoPoint | None = attrs.field(
        default=None, validator=v.optional(v.instance_of(GeoPoint))
    )
    drop_off_node_id: str | None = attrs.field(default=None, validator=v.optional(v.non_empty_str))
    order_id: str | None = attrs.field(default=None, validator=v.optional(v.non_empty_str))

    def __attrs_post_init__(self) -> None:
        if self.method is ReturnMethod.MAIL:
            if self.origin is None:
                raise InvalidInputError("origin", "required for MAIL")
        elif self.drop_off_node_id is None:
            raise InvalidInputError("drop_off_node_id", f"required for {self.method.name}")

"""Customer orders and their lines."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import attrs

from .._errors import InvalidInputError
from . import validators as v
from .calendar import aware
from .enums import DELIVERED_METHODS, FulfillmentMethod, ServiceLevel
from .geo import GeoPoint

if TYPE_CHECKING:
    from .promise import Cart, FulfillmentOption


@attrs.frozen(kw_only=True)
class OrderLine:
    """``quantity`` units (1 to 10**12) of one SKU."""

    sku: str = attrs.field(validator=v.non_empty_str)
    quantity: int = attrs.field(validator=v.int_at_least(1))


def check_one_line_per_sku(lines: tuple[OrderLine, ...], already: str) -> None:
    """Raise :class:`InvalidInputError` at ``lines[i].sku`` for the first line whose
    SKU an earlier line has; ``already`` says where (``"already ordered in"``)."""
    first_line: dict[str, int] = {}
    for index, line in enumerate(lines):
        if line.sku in first_line:
            raise InvalidInputError(
                f"lines[{index}].sku", f"{line.sku!r} {already} lines[{first_line[line.sku]}]"
            )
        first_line[line.sku] = index


@attrs.frozen(kw_only=True)
class Order:
    """A customer order: what, from which channel, and how it is to be received.

    SHIP_TO_HOME and SAME_DAY deliver to ``destination``; PICKUP_IN_STORE,
    SHIP_TO_STORE and PICKUP_POINT hand over at ``pickup_node_id``. Higher
    ``priority`` (an int in [-10**12, 10**12]) is served first. With
    ``allow_split=False`` the order ships from one node or not at all.
    ``deliver_by`` is a promise made to the customer: with ``now``, only nodes
    whose shipment is delivered (or ready for collection) by then may serve.
    ``placed_at`` is when the customer ordered (for KPIs; it changes no decision).
    Both are aware datetimes. ``allowed_node_ids``, when given, pins the order to
    those nodes (a hard rule: any other node is ``Rule.EXCLUDED``); None allows all.
    ``excluded_node_ids`` may never serve the order (also ``Rule.EXCLUDED``): the
    nodes that rejected it, which :func:`omnichannel.reallocate` adds to the order's
    history.
    """

    id: str = attrs.field(validator=v.non_empty_str)
    channel_id: str = attrs.field(validator=v.non_empty_str)
    lines: tuple[OrderLine, ...] = attrs.field(
        converter=v.to_tuple, validator=v.tuple_of(OrderLine, min_size=1)
    )
    method: FulfillmentMethod = attrs.field(
        default=FulfillmentMethod.SHIP_TO_HOME, validator=v.instance_of(FulfillmentMethod)
    )
    destination: GeoPoint | None = attrs.field(
        default=None, validator=v.optional(v.instance_of(GeoPoint))
    )
    pickup_node_id: str | None = attrs.field(default=None, validator=v.optional(v.non_empty_str))
    service_level: ServiceLevel = attrs.field(
        default=ServiceLevel.STANDARD, validator=v.instance_of(ServiceLevel)
    )
    priority: int = attrs.field(default=0, validator=v.int_at_least(-v.MAX_COUNT))
    allow_split: bool = attrs.field(default=True, validator=v.instance_of(bool))
    deliver_by: dt.datetime | None = attrs.field(default=None, validator=aware)
    placed_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    allowed_node_ids: frozenset[str] | None = attrs.field(
        default=None, converter=v.to_id_set, validator=v.optional(v.id_set)
    )
    excluded_node_ids: frozenset[str] = attrs.field(
        default=frozenset(), converter=v.to_id_set, validator=v.id_set
    )

    def __attrs_post_init__(self) -> None:
        check_one_line_per_sku(self.lines, "already ordered in")
        if self.method in DELIVERED_METHODS:
            if self.destination is None:
                raise InvalidInputError("destination", f"required for {self.method.name}")
        elif self.pickup_node_id is None:
            raise InvalidInputError("pickup_node_id", f"required for {self.method.name}")

    @property
    def units(self) -> int:
        """Units ordered over all lines."""
        return sum(line.quantity for line in self.lines)

    @classmethod
    def from_option(
        cls,
        cart: Cart,
        option: FulfillmentOption,
        *,
        order_id: str,
        placed_at: dt.datetime | None,
    ) -> Order:
        """The order a customer places by choosing ``option`` for ``cart``.

        It copies the cart (channel, lines, destination, priority, split rule), takes
        the option's method, service level and pickup node, promises its
        ``delivered_by`` (``deliver_by``) and may use only the option's nodes
        (``allowed_node_ids``). Allocated on the state ``promise`` saw, it ships
        from those nodes at the option's cost, delivered by the promised date.
        ``placed_at``: when the customer ordered (aware), for KPIs.

        Raises :class:`InvalidInputError` for a ``cart`` or ``option`` of another
        type, an ``order_id`` that is no id, and an option that ships a SKU the cart
        does not hold, or more units of one than the cart asks for.
        """
        from .promise import Cart, FulfillmentOption  # here: the promise module imports this one

        for name, value, kind in (("cart", cart, Cart), ("option", option, FulfillmentOption)):
            if not isinstance(value, kind):
                raise InvalidInputError(
                    name, f"must be {kind.__name__}, got {type(value).__name__}"
                )
        if not isinstance(order_id, str) or not order_id.strip():
            raise InvalidInputError("order_id", f"must be a non-empty string, got {order_id!r}")
        _check_option_lines(cart, option)
        return cart.as_order(
            order_id=order_id,
            method=option.method,
            service_level=option.service_level,
            pickup_node_id=option.pickup_node_id,
            deliver_by=option.delivered_by,
            placed_at=placed_at,
            allowed_node_ids=option.node_ids,
        )


def _check_option_lines(cart: Cart, option: FulfillmentOption) -> None:
    """Every line ``option`` ships is one of ``cart``'s, at most its units in all."""
    left = {line.sku: line.quantity for line in cart.lines}
    for i, shipment in enumerate(option.shipments):
        for j, line in enumerate(shipment.lines):
            if line.quantity > left.get(line.sku, 0):
                raise InvalidInputError(
                    f"option.shipments[{i}].lines[{j}]",
                    f"ships {line.quantity} of {line.sku!r}, more than cart {cart.id!r} "
                    f"has left to ship ({left.get(line.sku, 0)}): an option of another cart?",
                )
            left[line.sku] -= line.quantity

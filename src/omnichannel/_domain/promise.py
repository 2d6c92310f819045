"""Checkout values: what a customer has in the basket, and the dated, priced ways it
can reach them."""

from __future__ import annotations

import datetime as dt
from itertools import pairwise

import attrs

from .._errors import InvalidInputError
from . import validators as v
from .calendar import aware
from .decisions import Shipment
from .enums import DELIVERED_METHODS, FulfillmentMethod, ServiceLevel
from .geo import GeoPoint
from .orders import Order, OrderLine, check_one_line_per_sku

OFFERED: tuple[tuple[FulfillmentMethod, ServiceLevel], ...] = (
    (FulfillmentMethod.SHIP_TO_HOME, ServiceLevel.STANDARD),
    (FulfillmentMethod.SHIP_TO_HOME, ServiceLevel.EXPRESS),
    (FulfillmentMethod.SAME_DAY, ServiceLevel.SAME_DAY),
    (FulfillmentMethod.PICKUP_IN_STORE, ServiceLevel.STANDARD),
    (FulfillmentMethod.SHIP_TO_STORE, ServiceLevel.STANDARD),
    (FulfillmentMethod.PICKUP_POINT, ServiceLevel.STANDARD),
)
"""The (method, service level) pairs ``promise`` offers a cart: home delivery standard
and express, same-day delivery, and the three pickup methods at the standard level."""


@attrs.frozen(kw_only=True)
class Cart:
    """What a customer has in the basket, before any order exists.

    ``destination`` is where home and same-day delivery would go (None: only pickup
    options). ``pickup_node_ids`` are the stores or pickup points the customer picked
    or that are near them, a list or tuple kept in the order given (a set, whose
    order changes from run to run, is refused); empty lets ``promise`` propose the
    nearest that can hand the cart over; a named node that cannot hand a method over
    gets no option of that method. ``priority``, ``allow_split`` and
    ``excluded_node_ids`` mean what they mean on :class:`Order`, and
    :meth:`Order.from_option` copies them.
    """

    id: str = attrs.field(validator=v.non_empty_str)
    channel_id: str = attrs.field(validator=v.non_empty_str)
    lines: tuple[OrderLine, ...] = attrs.field(
        converter=v.to_tuple, validator=v.tuple_of(OrderLine, min_size=1)
    )
    destination: GeoPoint | None = attrs.field(
        default=None, validator=v.optional(v.instance_of(GeoPoint))
    )
    pickup_node_ids: tuple[str, ...] = attrs.field(
        default=(), converter=v.to_ordered_tuple, validator=v.ordered_ids
    )
    priority: int = attrs.field(default=0, validator=v.int_at_least(-v.MAX_COUNT))
    allow_split: bool = attrs.field(default=True, validator=v.instance_of(bool))
    excluded_node_ids: frozenset[str] = attrs.field(
        default=frozenset(), converter=v.to_id_set, validator=v.id_set
    )

    def __attrs_post_init__(self) -> None:
        check_one_line_per_sku(self.lines, "already in the cart at")

    @property
    def units(self) -> int:
        """Units in the cart over all lines."""
        return sum(line.quantity for line in self.lines)

    def as_order(
        self,
        *,
        order_id: str,
        method: FulfillmentMethod,
        service_level: ServiceLevel,
        pickup_node_id: str | None,
        deliver_by: dt.datetime | None = None,
        placed_at: dt.datetime | None = None,
        allowed_node_ids: frozenset[str] | None = None,
    ) -> Order:
        """The cart as an order of ``method`` at ``service_level``: what ``promise``
        decides for each option and what :meth:`Order.from_option` places."""
        return Order(
            id=order_id,
            channel_id=self.channel_id,
            lines=self.lines,
            method=method,
            destination=self.destination,
            pickup_node_id=pickup_node_id,
            service_level=service_level,
            priority=self.priority,
            allow_split=self.allow_split,
            deliver_by=deliver_by,
            placed_at=placed_at,
            allowed_node_ids=allowed_node_ids,
            excluded_node_ids=self.excluded_node_ids,
        )


@attrs.frozen(kw_only=True)
class FulfillmentOption:
    """One way a cart can reach the customer: how, from which nodes, when and at what cost.

    ``shipments`` are what allocating the order placed from this option ships (see
    :meth:`Order.from_option`), each dated; ``delivered_by`` is the latest of their
    ``delivered_by`` (the end of the delivery day for home and same-day delivery, when
    the order is ready for collection for the pickup methods), aware, UTC. ``cost``
    (currency) is the shipments' cost plus the cost model's split penalty.
    ``complete``: the shipments hold every unit of the cart.
    """

    method: FulfillmentMethod = attrs.field(validator=v.instance_of(FulfillmentMethod))
    service_level: ServiceLevel = attrs.field(validator=v.instance_of(ServiceLevel))
    pickup_node_id: str | None = attrs.field(validator=v.optional(v.non_empty_str))
    shipments: tuple[Shipment, ...] = attrs.field(
        converter=v.to_tuple, validator=v.tuple_of(Shipment, min_size=1)
    )
    delivered_by: dt.datetime = attrs.field(validator=[v.instance_of(dt.datetime), aware])
    cost: float = attrs.field(converter=v.to_float, validator=v.finite_at_least(0.0))
    complete: bool = attrs.field(validator=v.instance_of(bool))

    def __attrs_post_init__(self) -> None:
        if (self.method, self.service_level) not in OFFERED:
            levels = " or ".join(level.name for method, level in OFFERED if method is self.method)
            raise InvalidInputError(
                "service_level",
                f"must be {levels} for {self.method.name} (promise offers no other), "
                f"got {self.service_level.name}",
            )
        delivered = self.method in DELIVERED_METHODS
        if delivered and self.pickup_node_id is not None:
            raise InvalidInputError("pickup_node_id", f"must be None for {self.method.name}")
        if not delivered and self.pickup_node_id is None:
            raise InvalidInputError("pickup_node_id", f"required for {self.method.name}")
        latest: dt.datetime | None = None
        for index, shipment in enumerate(self.shipments):
            if shipment.delivered_by is None or shipment.ready_at is None:
                raise InvalidInputError(
                    f"shipments[{index}]", "must be dated (ready_at, delivered_by)"
                )
            if latest is None or shipment.delivered_by > latest:
                latest = shipment.delivered_by
        if latest != self.delivered_by:
            raise InvalidInputError(
                "delivered_by",
                f"must be the latest of the shipments' delivered_by ({latest}), "
                f"got {self.delivered_by}",
            )

    @property
    def node_ids(self) -> frozenset[str]:
        """The nodes the option ships from."""
        return frozenset(shipment.node_id for shipment in self.shipments)


@attrs.frozen(kw_only=True)
class Promise:
    """The fulfilment options for one cart, fastest first: sorted by ``delivered_by``,
    then cost.

    Only that order is checked. ``promise`` also breaks its ties (method and level in
    ``OFFERED`` order, then pickup node id) and keeps at most ``per_method`` options per
    method and level, but a list sorted by the documented key alone, such as the
    options of two promises merged and sorted again, is a valid promise too, and
    ``per_method`` is an argument of the call, not part of the value.
    """

    cart_id: str = attrs.field(validator=v.non_empty_str)
    options: tuple[FulfillmentOption, ...] = attrs.field(
        converter=v.to_tuple, validator=v.tuple_of(FulfillmentOption)
    )

    def __attrs_post_init__(self) -> None:
        problems = [
            (
                f"options[{index}]",
                f"out of order: options are sorted by (delivered_by, cost), and "
                f"({after.delivered_by.isoformat()}, {after.cost}) sorts before "
                f"options[{index - 1}]'s ({before.delivered_by.isoformat()}, {before.cost})",
            )
            for index, (before, after) in enumerate(pairwise(self.options), 1)
            if (after.delivered_by, after.cost) < (before.delivered_by, before.cost)
        ]
        if problems:
            raise InvalidInputError.collect(problems)


@attrs.frozen(kw_only=True)
class NodeAvailability:
    """Units of a SKU one node can hand over to a channel in store, and when.

    ``distance_km`` from the point asked about; ``available``: units the channel may
    take there now (safety stock held back for channels that respect it);
    ``ready_at``: when one unit ordered now for pickup in store would be ready for
    collection (aware, UTC).
    """

    node_id: str = attrs.field(validator=v.non_empty_str)
    distance_km: float = attrs.field(converter=v.to_float, validator=v.finite_at_least(0.0))
    available: int = attrs.field(validator=v.int_at_least(1))
    ready_at: dt.datetime = attrs.field(validator=[v.instance_of(dt.datetime), aware])


@attrs.frozen(kw_only=True)
class SkuAvailability:
    """Where one SKU can be collected near a point: nearest node first."""

    sku: str = attrs.field(validator=v.non_empty_str)
    nodes: tuple[NodeAvailability, ...] = attrs.field(
        converter=v.to_tuple, validator=v.tuple_of(NodeAvailability)
    )

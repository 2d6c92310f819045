"""What happens to an order after it is decided, as values: a node rejects units, a
customer cancels, and what re-deciding or cancelling leaves behind."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs

from .._errors import InvalidInputError
from . import validators as v
from .decisions import Allocation
from .inventory import Inventory
from .orders import Order, OrderLine, check_one_line_per_sku
from .promise import Cart, FulfillmentOption
from .stock import StockMove


class RejectionReason(enum.Enum):
    """Why a node gives back units it was asked to ship, and what that does to stock.

    NOT_FOUND: the units are not there (phantom stock): the node's ``on_hand`` of the
    SKU drops by the missing units, reported as a :class:`StockAdjustment`. DAMAGED:
    the units are there but cannot be sold; they leave ``on_hand`` the same way.
    NO_CAPACITY: the node cannot take the work: stock stays, and the node counts as
    full (``full_node_ids``) for the rest of the wave. OTHER: any other reason; stock
    stays.
    """

    NOT_FOUND = "not_found"
    DAMAGED = "damaged"
    NO_CAPACITY = "no_capacity"
    OTHER = "other"


WRITTEN_OFF = frozenset({RejectionReason.NOT_FOUND, RejectionReason.DAMAGED})
"""The reasons whose units leave ``on_hand``."""


@attrs.frozen(kw_only=True)
class Rejection:
    """``quantity`` units (1 to 10**12) of ``sku`` that ``node_id`` will not ship for
    order ``order_id``, and why."""

    order_id: str = attrs.field(validator=v.non_empty_str)
    node_id: str = attrs.field(validator=v.non_empty_str)
    sku: str = attrs.field(validator=v.non_empty_str)
    quantity: int = attrs.field(validator=v.int_at_least(1))
    reason: RejectionReason = attrs.field(validator=v.instance_of(RejectionReason))


@attrs.frozen(kw_only=True)
class Cancellation:
    """The customer cancels order ``order_id``: the whole order (no ``lines``), or the
    given units of the given SKUs (one line per SKU; quantities 1 to 10**12)."""

    order_id: str = attrs.field(validator=v.non_empty_str)
    lines: tuple[OrderLine, ...] = attrs.field(
        default=(), converter=v.to_tuple, validator=v.tuple_of(OrderLine)
    )

    def __attrs_post_init__(self) -> None:
        check_one_line_per_sku(self.lines, "already cancelled in")


@attrs.frozen(kw_only=True)
class StockAdjustment:
    """``quantity`` units of ``sku`` at ``node_id`` written off ``on_hand`` because the
    node rejected them for order ``order_id`` as NOT_FOUND or DAMAGED."""

    order_id: str = attrs.field(validator=v.non_empty_str)
    node_id: str = attrs.field(validator=v.non_empty_str)
    sku: str = attrs.field(validator=v.non_empty_str)
    quantity: int = attrs.field(validator=v.int_at_least(1))
    reason: RejectionReason = attrs.field(validator=v.instance_of(RejectionReason))

    def __attrs_post_init__(self) -> None:
        if self.reason not in WRITTEN_OFF:
            raise InvalidInputError(
                "reason", f"must be NOT_FOUND or DAMAGED (units written off), got {self.reason}"
            )


def _frozen_mapping(value: object) -> object:
    """Converter: a mapping becomes a read-only copy; anything else passes through."""
    if isinstance(value, Mapping):
        return MappingProxyType(dict(value))
    return value


def _mapping_of(kind: type, *, tuples: bool) -> v.Validator:
    """Validator: a mapping from non-empty ids to ``kind`` values (``tuples``: tuples of
    them)."""

    def check(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, Mapping):
            raise InvalidInputError(attribute.name, f"must map order ids, got {value!r}")
        for key, item in value.items():
            path = f"{attribute.name}[{key!r}]"
            if not isinstance(key, str) or not key:
                raise InvalidInputError(path, "must be keyed by a non-empty order id")
            items = item if tuples and isinstance(item, tuple) else (item,)
            if (tuples and not isinstance(item, tuple)) or not all(
                isinstance(one, kind) for one in items
            ):
                shape = f"a tuple of {kind.__name__}" if tuples else kind.__name__
                raise InvalidInputError(path, f"must be {shape}, got {item!r}")

    return check


@attrs.frozen(kw_only=True, eq=True)
class ReallocationResult:
    """What :func:`omnichannel.reallocate` decided, in the order of its ``orders``.

    ``allocations``: each order's allocation, its rejected units re-sourced (or, for
    pickup in store, waiting for the customer). ``inventory``: the rejected units
    released, the stock corrected by reason, and the new shipments reserved.
    ``capacity_used``, ``daily_used`` and ``full_node_ids`` carry on as in
    :class:`omnichannel.AllocationResult`: pass them back to later calls.
    ``orders``: the orders with every rejecting node added to ``excluded_node_ids``
    (their history): pass these to the next ``reallocate``. ``adjustments``: the
    units written off. ``alternatives``: for each pickup-in-store order whose store
    rejected units, the ways the customer could get them instead (at other stores,
    shipped to a store, at pickup points; empty without ``now``), and ``awaiting``
    the cart of those units: place the customer's choice with
    ``Order.from_option(result.awaiting[order_id], option, ...)``.
    """

    allocations: tuple[Allocation, ...] = attrs.field(
        converter=v.to_tuple, validator=v.fast_tuple_of(Allocation)
    )
    inventory: Inventory = attrs.field(validator=v.instance_of(Inventory))
    capacity_used: Mapping[str, int] = attrs.field(
        converter=v.to_mapping_copy, validator=v.counts_by_id, hash=False
    )
    daily_used: Mapping[str, Mapping[dt.date, int]] = attrs.field(
        factory=dict, converter=v.to_daily_copy, validator=v.daily_counts, hash=False
    )
    full_node_ids: frozenset[str] = attrs.field(
        default=frozenset(), converter=v.to_id_set, validator=v.id_set
    )
    notes: tuple[str, ...] = attrs.field(
        default=(), converter=v.to_tuple, validator=v.tuple_of(str)
    )
    orders: tuple[Order, ...] = attrs.field(
        default=(), converter=v.to_tuple, validator=v.tuple_of(Order)
    )
    adjustments: tuple[StockAdjustment, ...] = attrs.field(
        default=(), converter=v.to_tuple, validator=v.tuple_of(StockAdjustment)
    )
    alternatives: Mapping[str, tuple[FulfillmentOption, ...]] = attrs.field(
        factory=dict,
        converter=_frozen_mapping,
        validator=_mapping_of(FulfillmentOption, tuples=True),
        hash=False,
    )
    awaiting: Mapping[str, Cart] = attrs.field(
        factory=dict,
        converter=_frozen_mapping,
        validator=_mapping_of(Cart, tuples=False),
        hash=False,
    )


@attrs.frozen(kw_only=True, eq=True)
class CancellationResult:
    """What :func:`omnichannel.cancel` left: ``allocations`` in input order without the
    cancelled units, the ``inventory`` with their reservations released, and the
    ``released`` moves (node, SKU, units), one per shipment line it cut."""

    allocations: tuple[Allocation, ...] = attrs.field(
        converter=v.to_tuple, validator=v.fast_tuple_of(Allocation)
    )
    inventory: Inventory = attrs.field(validator=v.instance_of(Inventory))
    released: tuple[StockMove, ...] = attrs.field(
        default=(), converter=v.to_tuple, validator=v.tuple_of(StockMove)
    )

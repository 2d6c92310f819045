"""What the engine decides, as values: shipments, allocations and their result."""

from __future__ import annotations

import datetime as dt
import enum
import math
from collections.abc import Iterable, Mapping
from typing import TypeVar

import attrs

from .._errors import InvalidInputError, UnknownReferenceError
from . import validators as v
from .calendar import aware
from .carriers import Parcel, ParcelQuotes
from .inventory import Inventory
from .orders import OrderLine

_Frozen = TypeVar("_Frozen", bound=attrs.AttrsInstance)


class AllocationStatus(enum.Enum):
    """How much of an order was allocated: all of it (FULFILLED), some (PARTIAL),
    none (UNFULFILLED), or nothing is left to allocate because the customer
    cancelled every unit (CANCELLED, see :func:`omnichannel.cancel`)."""

    FULFILLED = "fulfilled"
    PARTIAL = "partial"
    UNFULFILLED = "unfulfilled"
    CANCELLED = "cancelled"


class UnfulfilledReason(enum.Enum):
    """Why units of a line were not allocated.

    NO_ELIGIBLE_NODE: no node passes the hard rules (active, channel, capability,
    distance, the order's allowed nodes) for this order. NO_CAPACITY: an eligible node
    holds the SKU but has no shipments left in this wave. OUT_OF_STOCK: no eligible node
    has the units left. SPLIT_NOT_ALLOWED: the line could be served, but not from the
    same node as the rest of an order that does not allow splits. TOO_LATE (only with
    ``now``): no eligible node can deliver on time, or one that holds the units cannot.
    UNSHIPPABLE: an eligible node holds the units, but no carrier service of the order's
    service level can carry one of them from there (too heavy, too long, too far, or no
    price in its table). AWAITING_CUSTOMER: the pickup store rejected the units, and
    the customer chooses how to receive them instead (see
    :func:`omnichannel.reallocate`'s ``alternatives``).
    """

    OUT_OF_STOCK = "out_of_stock"
    NO_ELIGIBLE_NODE = "no_eligible_node"
    NO_CAPACITY = "no_capacity"
    SPLIT_NOT_ALLOWED = "split_not_allowed"
    TOO_LATE = "too_late"
    UNSHIPPABLE = "unshippable"
    AWAITING_CUSTOMER = "awaiting_customer"


# Decision values are validated like the inputs, so that one read back by ``from_dict``
# cannot contradict itself. The engine builds them by the ten thousand per call, hence
# the ``fast_`` validators: one type test and one comparison per field.
_AMOUNT = v.fast_finite_at_least(0.0, v.MAX_DECISION_AMOUNT)
_KM = v.fast_finite_at_least(0.0)


@attrs.frozen(kw_only=True)
class Shipment:
    """Lines of one order served by one node: ``distance_km`` to the hand-over point
    and ``cost`` (currency) = carrier price + node handling.

    ``parcels``: when carrier services price the order's service level, the parcels
    the units travel in, each with the service that takes it; ``cost`` then holds
    their prices (empty for a rate card, and for pickup in store).

    With ``now``: ``ready_at``, when the units are picked and packed at the node,
    and ``delivered_by``, the end of the promised delivery day (home and same day)
    or when the order is ready for collection at its pickup node; both aware, UTC.
    """

    node_id: str = attrs.field(validator=v.non_empty_str)
    lines: tuple[OrderLine, ...] = attrs.field(
        converter=v.to_tuple, validator=v.fast_tuple_of(OrderLine, min_size=1)
    )
    distance_km: float = attrs.field(validator=_KM)
    cost: float = attrs.field(validator=_AMOUNT)
    ready_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    delivered_by: dt.datetime | None = attrs.field(default=None, validator=aware)
    parcels: tuple[Parcel, ...] = attrs.field(
        default=(), converter=v.to_tuple, validator=v.fast_tuple_of(Parcel)
    )

    @property
    def units(self) -> int:
        """Units in the shipment."""
        return sum(line.quantity for line in self.lines)


@attrs.frozen(kw_only=True)
class UnfulfilledLine:
    """``quantity`` units of ``sku`` that were not allocated, and why."""

    sku: str = attrs.field(validator=v.non_empty_str)
    quantity: int = attrs.field(validator=v.fast_int_at_least(1))
    reason: UnfulfilledReason = attrs.field(validator=v.fast_instance_of(UnfulfilledReason))


def allocation_status(shipped: bool, short: bool) -> AllocationStatus:
    """The status of an order with (or without) shipments and unfulfilled units."""
    if not shipped:
        return AllocationStatus.UNFULFILLED
    return AllocationStatus.PARTIAL if short else AllocationStatus.FULFILLED


def _status(allocation: Allocation) -> AllocationStatus:
    if allocation.cancelled and not allocation.shipments and not allocation.unfulfilled:
        return AllocationStatus.CANCELLED
    return allocation_status(bool(allocation.shipments), bool(allocation.unfulfilled))


_HOLDING = {
    AllocationStatus.FULFILLED: "shipments and no unfulfilled line",
    AllocationStatus.PARTIAL: "shipments and unfulfilled lines",
    AllocationStatus.UNFULFILLED: "no shipment",
    AllocationStatus.CANCELLED: "only cancelled units",
}


def _check_status(
    allocation: Allocation, _: attrs.Attribute[AllocationStatus], value: object
) -> None:
    expected = _status(allocation)
    if value is not expected:
        found = value.value if isinstance(value, AllocationStatus) else value
        raise InvalidInputError(
            "status",
            f"must be {expected.value!r} for an allocation with {_HOLDING[expected]}, "
            f"got {found!r}",
        )


@attrs.frozen(kw_only=True)
class Allocation:
    """The decision for one order: its shipments and what could not be served.

    ``cancelled``: the units the customer cancelled, one line per SKU, sorted by
    SKU (:func:`omnichannel.cancel` keeps it); they are neither shipped nor
    unfulfilled, so shipped + unfulfilled + cancelled units are the order's.
    ``split_penalty`` (currency) is the cost model's penalty for every shipment
    beyond the first; ``status`` follows from the shipments, unfulfilled lines and
    cancelled units (CANCELLED when it holds nothing but cancelled units, else
    :func:`allocation_status`): leave it out to derive it, and any other is refused.
    """

    order_id: str = attrs.field(validator=v.non_empty_str)
    shipments: tuple[Shipment, ...] = attrs.field(
        converter=v.to_tuple, validator=v.fast_tuple_of(Shipment)
    )
    unfulfilled: tuple[UnfulfilledLine, ...] = attrs.field(
        converter=v.to_tuple, validator=v.fast_tuple_of(UnfulfilledLine)
    )
    cancelled: tuple[OrderLine, ...] = attrs.field(
        default=(),
        converter=v.to_tuple,
        validator=v.tuple_unique_by(OrderLine, "sku"),
    )
    status: AllocationStatus = attrs.field(
        default=attrs.Factory(_status, takes_self=True), validator=_check_status
    )
    split_penalty: float = attrs.field(default=0.0, validator=_AMOUNT)

    @property
    def cost(self) -> float:
        """Shipment costs plus the split penalty, in currency."""
        total = self.split_penalty
        for shipment in self.shipments:
            total += shipment.cost
        return total

    @property
    def units_allocated(self) -> int:
        """Units in all shipments."""
        return sum(shipment.units for shipment in self.shipments)

    @property
    def units_unfulfilled(self) -> int:
        """Units not allocated."""
        return sum(line.quantity for line in self.unfulfilled)


def penalized_cost(allocations: Iterable[Allocation], unserved_penalty: float) -> float:
    """Cost of ``allocations`` plus ``unserved_penalty`` (currency) per unit they leave
    unfulfilled."""
    total = 0.0
    short = 0
    for allocation in allocations:
        total += allocation.cost
        short += allocation.units_unfulfilled
    return total + unserved_penalty * short


@attrs.frozen(kw_only=True, eq=True)
class AllocationResult:
    """One :class:`Allocation` per order, in input order, and what they leave behind.

    ``inventory`` is the input snapshot with the allocations reserved.
    ``capacity_used`` counts shipments per node id in this wave, including any
    ``capacity_used`` passed in: pass it back to continue the same wave.
    ``notes`` says how the policy decided when that matters (for example, an
    optimizing policy stopped at its time limit). ``daily_used`` counts shipments
    per node id and local operating day (calls given ``now``), including any
    ``daily_used`` passed in: pass it back to every later call.
    """

    allocations: tuple[Allocation, ...] = attrs.field(
        converter=v.to_tuple, validator=v.fast_tuple_of(Allocation)
    )
    inventory: Inventory = attrs.field(validator=v.instance_of(Inventory))
    capacity_used: Mapping[str, int] = attrs.field(
        converter=v.to_mapping_copy, validator=v.counts_by_id, hash=False
    )
    notes: tuple[str, ...] = attrs.field(
        default=(), converter=v.to_tuple, validator=v.tuple_of(str)
    )
    daily_used: Mapping[str, Mapping[dt.date, int]] = attrs.field(
        factory=dict, converter=v.to_daily_copy, validator=v.daily_counts, hash=False
    )
    full_node_ids: frozenset[str] = attrs.field(
        default=frozenset(), converter=v.to_id_set, validator=v.id_set
    )

    def penalized_cost(self, unserved_penalty: float) -> float:
        """Total cost plus ``unserved_penalty`` (currency) per unit not allocated: the
        objective the optimizing policies and ``lower_bound`` minimise."""
        return penalized_cost(self.allocations, unserved_penalty)

    @property
    def total_cost(self) -> float:
        """Cost of every allocation, in currency."""
        total = 0.0
        for allocation in self.allocations:
            total += allocation.cost
        return total

    @property
    def fill_rate(self) -> float:
        """Units allocated over units ordered (1.0 for no orders)."""
        allocated = sum(a.units_allocated for a in self.allocations)
        ordered = allocated + sum(a.units_unfulfilled for a in self.allocations)
        return allocated / ordered if ordered else 1.0

    @property
    def split_rate(self) -> float:
        """Share of orders with any shipment that ship in two or more (0.0 if none ship)."""
        shipped = [a for a in self.allocations if a.shipments]
        if not shipped:
            return 0.0
        return sum(len(a.shipments) > 1 for a in shipped) / len(shipped)


class Rule(enum.Enum):
    """A hard rule that keeps a node from serving an order, in the order they are checked."""

    INACTIVE = "inactive"
    """The node is not active."""
    CHANNEL = "channel"
    """The order's channel may not use this kind of node."""
    PICKUP_NODE = "pickup_node"
    """The pickup node cannot hand the order over, or (pickup in store) this is not it."""
    CAPABILITY = "capability"
    """The node lacks the capability the fulfilment method needs."""
    DISTANCE = "distance"
    """The node is farther than the service level's ``max_km``."""
    EXCLUDED = "excluded"
    """The order may not use the node: it is outside the order's ``allowed_node_ids``
    or in its ``excluded_node_ids``."""
    UNSHIPPABLE = "unshippable"
    """No carrier service of the order's service level can carry a unit of some
    line from the node."""
    STRATEGY = "strategy"
    """The sourcing strategy forbids the node (infinite cost)."""
    CAPACITY = "capacity"
    """The node has no shipments left in this wave."""
    STOCK = "stock"
    """The node cannot give every line in full to the order's channel."""
    LATE = "late"
    """With ``now``: the node cannot deliver by the order's ``deliver_by``, cannot
    dispatch a same-day order today, or not within the horizon."""


@attrs.frozen(kw_only=True)
class NodeCandidate:
    """One node as seen by one order: whether it can serve the whole order, and the
    parts of its cost."""

    node_id: str = attrs.field(validator=v.non_empty_str)
    rejected_by: Rule | None = attrs.field(validator=v.optional(v.fast_instance_of(Rule)))
    """The first hard rule the node breaks; None if it can serve every line."""
    distance_km: float = attrs.field(validator=_KM)
    shipping_cost: float = attrs.field(validator=_AMOUNT)
    """Carrier cost of shipping the whole order from here (currency)."""
    handling_cost: float = attrs.field(validator=_AMOUNT)
    """Node handling cost of the whole order (currency)."""
    score: float = attrs.field(validator=v.number_or_inf)
    """The sourcing strategy's cost; lower wins, ``inf`` forbids."""
    available: tuple[int, ...] = attrs.field(converter=v.to_tuple, validator=v.ints_between(0))
    """Units of each order line the order's channel may take here."""
    ready_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    """With ``now``: when the order would be picked and packed here (aware, UTC)."""
    delivered_by: dt.datetime | None = attrs.field(default=None, validator=aware)
    """With ``now``: when it would be delivered, or ready for collection (aware, UTC);
    None without ``now`` or when it cannot be made within the horizon."""
    expected_rejections: float = attrs.field(default=0.0, validator=v.fast_finite_at_least(0.0))
    """Lines of the order the node is expected not to find when it picks them, with
    the call's ``accuracy`` (0 without it): the sum over lines of 1 - found."""

    def __attrs_post_init__(self) -> None:
        if self.rejected_by is None and self.score == math.inf:
            raise InvalidInputError(
                "rejected_by", "must name a rule when score is inf (the strategy forbids the node)"
            )


@attrs.frozen(kw_only=True)
class Explanation:
    """Why a node would win an order: every node, the rule that rejects it or its cost.

    ``chosen_node_id`` is the node the sequential rule picks for the order alone on
    this stock (lowest score, then rank, then id), or None when no single node can
    serve every line (the order would be split or go unfulfilled). ``parcels``:
    when carrier services price the order, the chosen node's shipment as parcels,
    each with every service's quote (empty otherwise).
    """

    order_id: str = attrs.field(validator=v.non_empty_str)
    candidates: tuple[NodeCandidate, ...] = attrs.field(
        converter=v.to_tuple, validator=v.tuple_of(NodeCandidate)
    )
    chosen_node_id: str | None = attrs.field(validator=v.optional(v.non_empty_str))
    parcels: tuple[ParcelQuotes, ...] = attrs.field(
        default=(), converter=v.to_tuple, validator=v.tuple_of(ParcelQuotes)
    )

    def __attrs_post_init__(self) -> None:
        chosen = self.chosen_node_id
        if chosen is not None and not any(
            c.node_id == chosen and c.rejected_by is None for c in self.candidates
        ):
            raise InvalidInputError(
                "chosen_node_id", f"must be a candidate no rule rejects, got {chosen!r}"
            )

    def candidate(self, node_id: str) -> NodeCandidate:
        """The candidate for ``node_id``."""
        for candidate in self.candidates:
            if candidate.node_id == node_id:
                return candidate
        raise UnknownReferenceError("node_id", f"{node_id!r} is not a node of the network")


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def copy_with(value: _Frozen, **changes: object) -> _Frozen:
    """A copy of a frozen, slotted attrs ``value`` with ``changes``, built without
    running validators again: for values the engine has just made and checked."""
    cls = type(value)
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES.setdefault(cls, tuple(f.name for f in attrs.fields(cls)))
    copy = object.__new__(cls)
    set_ = object.__setattr__
    for name in names:
        set_(copy, name, getattr(value, name))
    for name, changed in changes.items():
        set_(copy, name, changed)
    return copy


def dated_shipment(
    shipment: Shipment, ready_at: dt.datetime, delivered_by: dt.datetime
) -> Shipment:
    """``shipment`` with the dates the engine gave it (aware, UTC)."""
    return copy_with(shipment, ready_at=ready_at, delivered_by=delivered_by)


def date_in_place(
    shipments: Iterable[Shipment],
    ready_at: Iterable[dt.datetime],
    delivered_by: Iterable[dt.datetime],
) -> None:
    """Give each of ``shipments`` its dates (aware, UTC) where it is, one of each
    iterable per shipment: only for shipments the engine has just made and nobody
    else has seen yet."""
    set_ = object.__setattr__
    for shipment, ready, delivered in zip(shipments, ready_at, delivered_by, strict=True):
        set_(shipment, "ready_at", ready)
        set_(shipment, "delivered_by", delivered)


def with_shipments(allocation: Allocation, shipments: tuple[Shipment, ...]) -> Allocation:
    """``allocation`` with ``shipments`` in place of its own: the same shipments (same
    nodes, lines and costs), dated by the engine."""
    return copy_with(allocation, shipments=shipments)

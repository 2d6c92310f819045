"""Channels, nodes, the cost model, and the network that ties them together."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, TypeVar

import attrs
import numpy as np

from .._errors import InvalidInputError, UnknownReferenceError
from .._types import BoolArray, FloatArray, IntArray, read_only
from . import validators as v
from .calendar import NodeCalendar, TransitBand, transit_field, weekdays_field
from .carriers import CarrierService
from .catalogue import Catalogue
from .enums import NO_CAPABILITY, Capability, ChannelKind, NodeKind, ServiceLevel
from .geo import GeoPoint

Derived = TypeVar("Derived")
"""What a per-network computation gives (see :meth:`Network.derived`)."""
_MISSING = object()

NODE_KINDS: tuple[NodeKind, ...] = tuple(NodeKind)
"""Node kinds in code order: ``NodeArrays.kind`` holds positions in this tuple."""


def _node_kinds(value: object) -> object:
    if isinstance(value, (NodeKind, str)):
        return value
    try:
        return frozenset(value)  # type: ignore[call-overload]
    except TypeError:
        return value


def _check_node_kinds(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, frozenset) or not all(isinstance(k, NodeKind) for k in value):
        raise InvalidInputError(attribute.name, f"must be a set of NodeKind, got {value!r}")


@attrs.frozen(kw_only=True)
class Channel:
    """A sales channel and the rules its orders follow.

    ``node_kinds`` are the node kinds allowed to serve its orders.
    ``respects_safety_stock``: when False (walk-in store sales), the channel sees
    every unreserved unit; when True, safety stock is held back from it.
    ``priority`` is an int in [-10**12, 10**12].
    """

    id: str = attrs.field(validator=v.non_empty_str)
    kind: ChannelKind = attrs.field(validator=v.instance_of(ChannelKind))
    name: str = attrs.field(default="", validator=v.instance_of(str))
    node_kinds: frozenset[NodeKind] = attrs.field(
        default=frozenset(NodeKind), converter=_node_kinds, validator=_check_node_kinds
    )
    respects_safety_stock: bool = attrs.field(default=True, validator=v.instance_of(bool))
    priority: int = attrs.field(default=0, validator=v.int_at_least(-v.MAX_COUNT))


@attrs.frozen(kw_only=True)
class Node:
    """A place that holds stock or hands goods over.

    ``order_capacity`` is the number of shipments the node can take in one
    allocation wave (None: unlimited), at most 10**12. Handling costs are in
    currency, per shipment and per unit, each at most 1e12. Ranked sourcing
    prefers a lower ``rank`` (an int in [-10**12, 10**12]); ties between equally
    good nodes are broken by lower ``rank``, then ``id``.
    """

    id: str = attrs.field(validator=v.non_empty_str)
    kind: NodeKind = attrs.field(validator=v.instance_of(NodeKind))
    location: GeoPoint = attrs.field(validator=v.instance_of(GeoPoint))
    capabilities: Capability = attrs.field(
        default=NO_CAPABILITY, validator=v.instance_of(Capability)
    )
    order_capacity: int | None = attrs.field(default=None, validator=v.optional(v.int_at_least(0)))
    handling_cost_per_order: float = attrs.field(
        default=0.0, converter=v.to_float, validator=v.finite_at_least(0.0)
    )
    handling_cost_per_unit: float = attrs.field(
        default=0.0, converter=v.to_float, validator=v.finite_at_least(0.0)
    )
    active: bool = attrs.field(default=True, validator=v.instance_of(bool))
    rank: int = attrs.field(default=0, validator=v.int_at_least(-v.MAX_COUNT))
    calendar: NodeCalendar | None = attrs.field(
        default=None, validator=v.optional(v.instance_of(NodeCalendar))
    )
    """When the node works (None: always open, no processing time); read only by calls
    given ``now``."""


@attrs.frozen(kw_only=True)
class RateCard:
    """Carrier prices for one service level.

    A shipment of ``units`` over ``km`` costs ``base + per_km * km + per_unit * units``
    (currency); nodes farther than ``max_km`` (km, None: no limit) cannot serve it.
    Every price and ``max_km`` is at most 1e12. ``transit`` gives the carrier's
    delivery days by distance, bands in ascending ``max_km``; with ``now``, a node
    farther than the last band cannot serve the level either (no bands: 0 days, no
    limit). SAME_DAY takes 0 days: the bands of its card are ignored.
    """

    base: float = attrs.field(converter=v.to_float, validator=v.finite_at_least(0.0))
    per_km: float = attrs.field(converter=v.to_float, validator=v.finite_at_least(0.0))
    per_unit: float = attrs.field(
        default=0.0, converter=v.to_float, validator=v.finite_at_least(0.0)
    )
    max_km: float | None = attrs.field(
        default=None, converter=v.to_float, validator=v.optional(v.finite_at_least(0.0))
    )
    transit: tuple[TransitBand, ...] = transit_field()


DEFAULT_RATES: Mapping[ServiceLevel, RateCard] = MappingProxyType(
    {
        ServiceLevel.STANDARD: RateCard(base=5.0, per_km=0.002, per_unit=0.4),
        ServiceLevel.EXPRESS: RateCard(base=9.0, per_km=0.004, per_unit=0.6, max_km=1000.0),
        ServiceLevel.SAME_DAY: RateCard(base=8.0, per_km=0.5, per_unit=0.3, max_km=40.0),
    }
)
"""Rate cards used when a :class:`CostModel` is built without ``rates``: parcel
carrier prices for STANDARD (no distance limit), EXPRESS (1,000 km) and a courier
for SAME_DAY (40 km)."""


def _rates(value: object) -> object:
    return dict(value) if isinstance(value, Mapping) else value


def _check_rates(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, dict):
        raise InvalidInputError(attribute.name, f"must map ServiceLevel to RateCard, got {value!r}")
    for level, card in value.items():
        if not isinstance(level, ServiceLevel):
            raise InvalidInputError(attribute.name, f"keys must be ServiceLevel, got {level!r}")
        if not isinstance(card, RateCard):
            raise InvalidInputError(
                f"{attribute.name}[{level.value}]", f"must be a RateCard, got {card!r}"
            )
    missing = [level.value for level in ServiceLevel if level not in value]
    if missing:
        raise InvalidInputError(attribute.name, f"needs a rate card for {', '.join(missing)}")


@attrs.frozen(kw_only=True)
class CostModel:
    """Prices of moving goods: a :class:`RateCard` per service level, the carrier
    services that price parcels, and the split penalty.

    ``split_penalty`` (currency, at most 1e12) is charged once for every shipment
    of an order beyond its first. ``delivery_weekdays`` are the weekdays carriers
    deliver (``date.weekday()`` numbers, Monday = 0; default Monday to Saturday):
    transit days count only these. ``carriers`` (names unique) price the parcels of
    every service level they serve, instead of its rate card; a level without
    carriers is priced by its card. The card's ``max_km`` still limits the level.
    """

    rates: dict[ServiceLevel, RateCard] = attrs.field(
        factory=lambda: dict(DEFAULT_RATES), converter=_rates, validator=_check_rates, hash=False
    )
    split_penalty: float = attrs.field(
        default=0.0, converter=v.to_float, validator=v.finite_at_least(0.0)
    )
    delivery_weekdays: frozenset[int] = weekdays_field()
    carriers: tuple[CarrierService, ...] = attrs.field(
        default=(), converter=v.to_tuple, validator=v.tuple_unique_by(CarrierService, "name")
    )


@attrs.frozen(kw_only=True, eq=False)
class NodeArrays:
    """Read-only node attributes as arrays in canonical order: by ``rank``, then ``id``.

    The canonical order is the engine's tie-break: among equally cheap nodes the
    first in this order wins, so ``np.argmin`` over these arrays breaks ties right.
    """

    ids: tuple[str, ...]
    """Node ids, shape (n_nodes,)."""
    lat_deg: FloatArray
    """Latitude in degrees, shape (n_nodes,)."""
    lon_deg: FloatArray
    """Longitude in degrees, shape (n_nodes,)."""
    kind: IntArray
    """Position of the node's kind in ``NODE_KINDS``, shape (n_nodes,)."""
    capabilities: IntArray
    """``Capability`` bits, shape (n_nodes,)."""
    capacity: FloatArray
    """Shipments per wave, ``inf`` when unlimited, shape (n_nodes,)."""
    handling_per_order: FloatArray
    """Handling cost per shipment (currency), shape (n_nodes,)."""
    handling_per_unit: FloatArray
    """Handling cost per unit (currency), shape (n_nodes,)."""
    rank: IntArray
    """Rank for ranked sourcing, shape (n_nodes,)."""
    active: BoolArray
    """Whether the node takes orders, shape (n_nodes,)."""

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.ids)

    def by_kind(self, values: Mapping[NodeKind, float], default: float = 0.0) -> FloatArray:
        """``values`` of each node's kind (``default`` for kinds not given), shape (n_nodes,)."""
        table = np.array([values.get(kind, default) for kind in NODE_KINDS], dtype=np.float64)
        return np.asarray(table[self.kind])

    def has(self, capability: Capability) -> BoolArray:
        """Which nodes have every flag of ``capability``, shape (n_nodes,)."""
        bits = capability.value
        return np.asarray((self.capabilities & bits) == bits)


def _node_arrays(nodes: tuple[Node, ...]) -> NodeArrays:
    ordered = sorted(nodes, key=lambda node: (node.rank, node.id))
    return NodeArrays(
        ids=tuple(node.id for node in ordered),
        lat_deg=read_only(np.array([n.location.lat for n in ordered], dtype=np.float64)),
        lon_deg=read_only(np.array([n.location.lon for n in ordered], dtype=np.float64)),
        kind=read_only(np.array([NODE_KINDS.index(n.kind) for n in ordered], dtype=np.int64)),
        capabilities=read_only(np.array([n.capabilities.value for n in ordered], dtype=np.int64)),
        capacity=read_only(
            np.array(
                [math.inf if n.order_capacity is None else n.order_capacity for n in ordered],
                dtype=np.float64,
            )
        ),
        handling_per_order=read_only(
            np.array([n.handling_cost_per_order for n in ordered], dtype=np.float64)
        ),
        handling_per_unit=read_only(
            np.array([n.handling_cost_per_unit for n in ordered], dtype=np.float64)
        ),
        rank=read_only(np.array([n.rank for n in ordered], dtype=np.int64)),
        active=read_only(np.array([n.active for n in ordered], dtype=np.bool_)),
    )


def _unique_ids(items: Sequence[Node | Channel], field: str) -> dict[str, int]:
    problems = v.duplicates((item.id for item in items), field, "id")
    if problems:
        raise InvalidInputError.collect(problems)
    return {item.id: index for index, item in enumerate(items)}


@attrs.frozen(kw_only=True)
class Network:
    """The nodes and channels of a retailer, what moving goods costs, and (optional)
    the catalogue of products it sells.

    Node and channel ids are unique. Look-ups by id are O(1); the node arrays
    (:attr:`arrays`) are built once and read-only. Carrier services in ``costs``
    need a ``catalogue`` (they price by weight); with one, every SKU an order asks
    for must be in it.
    """

    nodes: tuple[Node, ...] = attrs.field(converter=v.to_tuple, validator=v.tuple_of(Node))
    channels: tuple[Channel, ...] = attrs.field(converter=v.to_tuple, validator=v.tuple_of(Channel))
    costs: CostModel = attrs.field(factory=CostModel, validator=v.instance_of(CostModel))
    catalogue: Catalogue | None = attrs.field(
        default=None, validator=v.optional(v.instance_of(Catalogue))
    )
    _node_by_id: dict[str, int] = attrs.field(init=False, eq=False, hash=False, repr=False)
    _channel_by_id: dict[str, int] = attrs.field(init=False, eq=False, hash=False, repr=False)
    _arrays: NodeArrays = attrs.field(init=False, eq=False, hash=False, repr=False)
    _channel_allows: BoolArray = attrs.field(init=False, eq=False, hash=False, repr=False)
    _canonical_index: dict[str, int] = attrs.field(init=False, eq=False, hash=False, repr=False)
    _node_codes: Mapping[str, int] = attrs.field(init=False, eq=False, hash=False, repr=False)
    _derived: dict[Callable[[Network], Any], Any] = attrs.field(
        init=False, eq=False, hash=False, repr=False
    )

    def __attrs_post_init__(self) -> None:
        if self.costs.carriers and self.catalogue is None:
            raise InvalidInputError(
                "catalogue", "carrier services price by weight: the network needs a catalogue"
            )
        set_ = object.__setattr__
        set_(self, "_node_by_id", _unique_ids(self.nodes, "nodes"))
        set_(self, "_channel_by_id", _unique_ids(self.channels, "channels"))
        arrays = _node_arrays(self.nodes)
        set_(self, "_arrays", arrays)
        set_(self, "_canonical_index", {node_id: i for i, node_id in enumerate(arrays.ids)})
        kinds = [NODE_KINDS[code] for code in arrays.kind.tolist()]
        allows = np.array(
            [[kind in channel.node_kinds for kind in kinds] for channel in self.channels],
            dtype=np.bool_,
        ).reshape(len(self.channels), arrays.n_nodes)
        set_(self, "_channel_allows", read_only(allows))
        set_(self, "_node_codes", MappingProxyType(self._canonical_index))
        set_(self, "_derived", {})

    def __getstate__(self) -> dict[str, Any]:
        # Only what defines the network travels: arrays, indexes and derived values
        # are rebuilt (read-only) where it lands, never copied writable.
        return {
            "nodes": self.nodes,
            "channels": self.channels,
            "costs": self.costs,
            "catalogue": self.catalogue,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)
        self.__attrs_post_init__()

    def derived(self, compute: Callable[[Network], Derived]) -> Derived:
        """``compute(self)``, computed on first use and kept for this network's life.

        The layers above keep here what depends on the network alone (pickup
        acceptance per method and node, rate cards as arrays, ...), so a call's
        setup costs O(order lines x candidate nodes), not O(nodes) of Python.
        ``compute`` is the key: it must be a module-level function (or class)
        returning a value nobody mutates (read-only arrays), or a cache that
        guards itself (the time tables per first day). Thread-safe: two threads may both
        compute on first use; one result is kept and returned to both.
        """
        found = self._derived.get(compute, _MISSING)
        if found is _MISSING:
            found = self._derived.setdefault(compute, compute(self))
        return found  # type: ignore[no-any-return]

    @property
    def arrays(self) -> NodeArrays:
        """Node attributes as read-only arrays in canonical (rank, id) order."""
        return self._arrays

    @property
    def channel_allows(self) -> BoolArray:
        """Whether channel ``c`` (position in ``channels``) may use canonical node ``n``,
        shape (n_channels, n_nodes)."""
        return self._channel_allows

    def node(self, node_id: str) -> Node:
        """The node with this id; :class:`UnknownReferenceError` if there is none."""
        try:
            return self.nodes[self._node_by_id[node_id]]
        except (KeyError, TypeError):
            raise UnknownReferenceError("node_id", f"unknown node {node_id!r}") from None

    def channel(self, channel_id: str) -> Channel:
        """The channel with this id; :class:`UnknownReferenceError` if there is none."""
        try:
            return self.channels[self._channel_by_id[channel_id]]
        except (KeyError, TypeError):
            raise UnknownReferenceError("channel_id", f"unknown channel {channel_id!r}") from None

    def has_node(self, node_id: str) -> bool:
        """Whether a node has this id."""
        return node_id in self._node_by_id

    def has_channel(self, channel_id: str) -> bool:
        """Whether a channel has this id."""
        return channel_id in self._channel_by_id

    @property
    def node_codes(self) -> Mapping[str, int]:
        """Each node id's position in :attr:`arrays` (canonical order), read-only, for
        bulk look-ups."""
        return self._node_codes

    def node_index(self, node_id: str) -> int:
        """The node's position in :attr:`arrays` (canonical order)."""
        try:
            return self._canonical_index[node_id]
        except (KeyError, TypeError):
            raise UnknownReferenceError("node_id", f"unknown node {node_id!r}") from None

    def channel_index(self, channel_id: str) -> int:
        """The channel's position in ``channels`` and in :attr:`channel_allows`."""
        try:
            return self._channel_by_id[channel_id]
        except (KeyError, TypeError):
            raise UnknownReferenceError("channel_id", f"unknown channel {channel_id!r}") from None

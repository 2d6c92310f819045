"""Seeded synthetic retail scenarios: a network around city clusters, a skewed
catalogue, stock where demand is, and a day of orders and returns."""

from __future__ import annotations

import datetime as dt
import functools
import math
import types
import zoneinfo
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np

from .._domain import validators as v
from .._domain.accuracy import Accuracy
from .._domain.calendar import NodeCalendar, TransitBand, to_minute
from .._domain.call_checks import amount_problem
from .._domain.demand import DemandRates
from .._domain.enums import (
    Capability,
    ChannelKind,
    FulfillmentMethod,
    NodeKind,
    ReturnCondition,
    ReturnMethod,
    ServiceLevel,
)
from .._domain.geo import GeoPoint
from .._domain.inventory import Inventory
from .._domain.network import Channel, CostModel, Network, Node
from .._domain.orders import Order, OrderLine
from .._domain.returns import ReturnLine, ReturnRequest, accepts_drop_off
from .._domain.stock import StockPosition
from .._domain.validators import MAX_COUNT
from .._errors import InvalidInputError, Problem
from .._types import BoolArray, FloatArray, IntArray
from . import _parcels
from ._replenishment import Replenishment

_C = Capability
_CAPABILITIES = {
    NodeKind.DC: _C.SHIP | _C.RECEIVE_TRANSFER | _C.ACCEPT_RETURNS | _C.RESTOCK | _C.REFURBISH,
    NodeKind.STORE: _C.SHIP | _C.PICKUP | _C.RECEIVE_TRANSFER | _C.ACCEPT_RETURNS | _C.RESTOCK,
    NodeKind.DARK_STORE: _C.SHIP | _C.SAME_DAY | _C.RESTOCK,
    NodeKind.DROP_SHIP: _C.SHIP,
    NodeKind.PICKUP_POINT: _C.PICKUP | _C.ACCEPT_RETURNS,
}
_HANDLING = {  # currency per shipment, per unit
    NodeKind.DC: (1.2, 0.15),
    NodeKind.STORE: (3.5, 0.6),
    NodeKind.DARK_STORE: (2.0, 0.3),
    NodeKind.DROP_SHIP: (0.8, 0.1),
    NodeKind.PICKUP_POINT: (0.0, 0.0),
}
_RANK = {
    NodeKind.DC: 0,
    NodeKind.DARK_STORE: 1,
    NodeKind.STORE: 2,
    NodeKind.DROP_SHIP: 3,
    NodeKind.PICKUP_POINT: 4,
}
_NODE_MIX = {  # share of nodes of each kind
    NodeKind.DC: 0.03,
    NodeKind.DARK_STORE: 0.07,
    NodeKind.DROP_SHIP: 0.04,
    NodeKind.PICKUP_POINT: 0.16,
}
_CHANNELS = (
    Channel(id="web", kind=ChannelKind.WEB, name="Web shop"),
    Channel(id="app", kind=ChannelKind.MOBILE_APP, name="Mobile app"),
    Channel(id="store", kind=ChannelKind.STORE, name="Store tills", respects_safety_stock=False),
    Channel(
        id="marketplace",
        kind=ChannelKind.MARKETPLACE,
        name="Marketplace",
        node_kinds=frozenset({NodeKind.DC, NodeKind.DROP_SHIP}),
    ),
    Channel(id="social", kind=ChannelKind.SOCIAL, name="Social commerce"),
    Channel(id="call_center", kind=ChannelKind.CALL_CENTER, name="Call centre"),
    Channel(
        id="partner",
        kind=ChannelKind.PARTNER,
        name="B2B partner",
        node_kinds=frozenset({NodeKind.DC}),
        priority=1,
    ),
)


def _weights(keys: Sequence[Any], name: str) -> Callable[[object, Any, object], None]:
    """Validator: a mapping of some of ``keys`` to weights >= 0 with a positive sum."""

    def check(_: object, __: Any, value: object) -> None:
        if not isinstance(value, Mapping):
            raise InvalidInputError(name, f"must map to weights, got {value!r}")
        problems: list[Problem] = []
        for key, weight in value.items():
            if key not in keys:
                problems.append((f"{name}[{key!r}]", f"unknown; valid: {list(keys)}"))
            # Bounded by MAX_AMOUNT so that their sum, which normalises them, stays finite.
            problem = amount_problem(weight)
            if problem is not None:
                problems.append((f"{name}[{key!r}]", problem))
        if not problems and not sum(value.values()) > 0:
            problems.append((name, "weights must sum to more than 0"))
        if problems:
            raise InvalidInputError.collect(problems)

    return check


def _floats(value: object) -> object:
    """Converter: a sequence of numbers (not a string) becomes a tuple of floats; anything
    else passes through for the validator to judge."""
    found = v.to_tuple(value)
    return tuple(v.to_float(item) for item in found) if isinstance(found, tuple) else found


def _weekday_factors(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple) or len(value) != 7:
        raise InvalidInputError(attribute.name, f"must be 7 numbers, Monday first, got {value!r}")
    problems: list[Problem] = [
        (f"{attribute.name}[{day}]", f"must be a finite number from 0 to 1000, got {factor!r}")
        for day, factor in enumerate(value)
        if isinstance(factor, bool)
        or not isinstance(factor, float)
        or not math.isfinite(factor)
        or not 0.0 <= factor <= 1_000.0
    ]
    if problems:
        raise InvalidInputError.collect(problems)


def _day_set(value: object) -> object:
    """Converter: an iterable of days (not a string) becomes a frozenset; anything else
    passes through for the validator to judge."""
    if isinstance(value, (str, bytes, Mapping, frozenset)) or not hasattr(value, "__iter__"):
        return value
    try:
        return frozenset(value)
    except TypeError:  # an unhashable item
        return value


def _promotion_days(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, frozenset):
        raise InvalidInputError(attribute.name, f"must be a set of days, got {value!r}")
    bad = sorted(
        (day for day in value if isinstance(day, bool) or not isinstance(day, int) or day < 0),
        key=repr,
    )
    if bad:
        raise InvalidInputError(attribute.name, f"days must be ints >= 0, got {bad!r}")


_MOST_GROWTH = math.log(1e6)
"""The trend grows a day's orders at most a million-fold (log)."""


@attrs.frozen(kw_only=True)
class DayMix:
    """Shares of a simulated day's orders and returns (weights, each 0 to 1e12 with a
    positive sum, normalised to sum 1).

    ``channels`` is keyed by channel id of the generated network (``web``,
    ``app``, ``store``, ``marketplace``, ``social``, ``call_center``,
    ``partner``); marketplace and partner orders always ship to home.
    """

    channels: Mapping[str, float] = attrs.field(
        factory=lambda: {
            "web": 0.40,
            "app": 0.25,
            "store": 0.10,
            "marketplace": 0.10,
            "social": 0.05,
            "call_center": 0.05,
            "partner": 0.05,
        },
        validator=_weights([c.id for c in _CHANNELS], "channels"),
        hash=False,
    )
    methods: Mapping[FulfillmentMethod, float] = attrs.field(
        factory=lambda: {
            FulfillmentMethod.SHIP_TO_HOME: 0.55,
            FulfillmentMethod.PICKUP_IN_STORE: 0.12,
            FulfillmentMethod.SHIP_TO_STORE: 0.10,
            FulfillmentMethod.PICKUP_POINT: 0.10,
            FulfillmentMethod.SAME_DAY: 0.13,
        },
        validator=_weights(list(FulfillmentMethod), "methods"),
        hash=False,
    )
    conditions: Mapping[ReturnCondition, float] = attrs.field(
        factory=lambda: {
            ReturnCondition.SELLABLE: 0.55,
            ReturnCondition.OPEN_BOX: 0.20,
            ReturnCondition.DAMAGED: 0.15,
            ReturnCondition.DEFECTIVE: 0.10,
        },
        validator=_weights(list(ReturnCondition), "conditions"),
        hash=False,
    )
    min_lines: int = attrs.field(default=1, validator=v.int_at_least(1, 1_000))
    """Fewest lines an order is drawn with (1 to 1,000)."""
    extra_lines: float = attrs.field(
        default=1.0, converter=v.to_float, validator=v.finite_at_least(0.0, 1_000.0)
    )
    """Mean number of lines drawn beyond ``min_lines`` (Poisson; 0 to 1,000)."""
    max_lines: int = attrs.field(default=6, validator=v.int_at_least(1, 1_000))
    """Most lines an order is drawn with (1 to 1,000). Draws of one SKU twice count
    once, so orders of popular SKUs may have fewer lines."""
    return_methods: Mapping[ReturnMethod, float] = attrs.field(
        factory=lambda: {
            ReturnMethod.IN_STORE: 0.40,
            ReturnMethod.MAIL: 0.45,
            ReturnMethod.PICKUP_POINT: 0.15,
        },
        validator=_weights(list(ReturnMethod), "return_methods"),
        hash=False,
    )

    weekday_factors: tuple[float, ...] = attrs.field(
        default=(1.0,) * 7, converter=_floats, validator=_weekday_factors
    )
    """Orders on each day of the week, Monday first, as a multiple of ``n_orders``
    (seven finite numbers, 0 to 1,000). Day 0 of a run is the weekday of the
    scenario's ``start`` (a Monday for an undated scenario)."""
    trend: float = attrs.field(
        default=0.0, converter=v.to_float, validator=v.finite_in_range(-0.5, 1.0)
    )
    """Growth of the orders per day, compounding: day ``d`` has ``(1 + trend) ** d``
    times the orders (-0.5 to 1)."""
    promotion_days: frozenset[int] = attrs.field(
        default=frozenset(), converter=_day_set, validator=_promotion_days
    )
    """Days of a run (0 is the first) with a promotion."""
    promotion_factor: float = attrs.field(
        default=1.0, converter=v.to_float, validator=v.finite_at_least(0.0, 1_000.0)
    )
    """Orders on a promotion day as a multiple of the day's others (0 to 1,000)."""
    walk_in: float = attrs.field(
        default=0.0, converter=v.to_float, validator=v.finite_at_least(0.0, 1_000.0)
    )
    """Walk-in sales at each store, as a multiple of its demand rate (``Scenario.demand``,
    units per day; 0 to 1,000; 0, the default: none). Each wave, each store position
    sells a Poisson draw of ``walk_in x rate / waves`` units from what is on hand and
    not reserved; units it cannot sell are lost sales."""

    def __attrs_post_init__(self) -> None:
        if self.max_lines < self.min_lines:
            raise InvalidInputError(
                "max_lines", f"must be >= min_lines ({self.min_lines}), got {self.max_lines}"
            )

    def orders_on(self, day: int, n_orders: int, first_weekday: int = 0) -> int:
        """Orders on ``day`` (0 to 3,660) of a run of a scenario of ``n_orders`` (0 to
        10**12) on an ordinary day whose day 0 is weekday ``first_weekday`` (0, Monday,
        to 6), after the weekday factor, the trend and any promotion (rounded to a
        whole order)."""
        for name, value, most in (
            ("day", day, MAX_DAYS),
            ("n_orders", n_orders, MAX_COUNT),
            ("first_weekday", first_weekday, 6),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= most:
                raise InvalidInputError(name, f"must be an int from 0 to {most}, got {value!r}")
        # In logs, capped, so that a long run of a steep trend cannot overflow a float.
        growth = math.exp(min(day * math.log1p(self.trend), _MOST_GROWTH))
        factor = self.weekday_factors[(first_weekday + day) % 7] * growth
        if day in self.promotion_days:
            factor *= self.promotion_factor
        return min(round(n_orders * factor), MAX_COUNT)


_SHIP_ONLY = frozenset({"marketplace", "partner"})
"""Channels whose orders always ship to the customer's home."""
_QUANTITIES = np.array([1] * 8 + [2] * 3 + [3])
"""Units per line are drawn from this: mostly 1."""
_SAME_DAY_RANGE = 300
"""The most popular SKUs are the same-day assortment, fully stocked in dark stores."""
_REGION = ((47.5, 54.5), (6.0, 15.0))
"""Latitude and longitude bounds (degrees) the cities are drawn in."""
_ZONES = (
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/Amsterdam",
    "Europe/Prague",
    "Europe/Warsaw",
    "Europe/London",
)
"""IANA time zones a dated scenario's cities are drawn from (London one hour behind
the others, so that zones matter)."""
_FARTHEST_KM = 20_100.0
"""Beyond half of Earth's circumference (about 20,015 km): the last STANDARD band
covers every distance when the card has no ``max_km``."""
_STANDARD_BANDS = ((150.0, 1), (600.0, 2), (2_000.0, 3))
"""STANDARD carrier transit: (up to km, delivery days); farther takes 5 days."""
_BEYOND_DAYS = 5
_DAY_S = 86_400
_PROMISED = {  # share of orders given a deliver_by promise
    "same_day": 0.6,
    "express": 0.5,
    "pickup_in_store": 0.35,
    "standard": 0.2,
}
_PICKUP_PROMISE_S = 4 * 3_600
"""A pickup-in-store promise: ready 4 hours after the order."""
DEFAULT_STOCK_ACCURACY: Mapping[NodeKind, float] = types.MappingProxyType(
    {
        NodeKind.STORE: 0.65,
        NodeKind.DARK_STORE: 0.85,
        NodeKind.DC: 0.97,
        NodeKind.DROP_SHIP: 0.9,
        NodeKind.PICKUP_POINT: 1.0,
    }
)
"""A typical record accuracy per node kind (the share of stock positions whose
``on_hand`` is what the shelf holds), to pass as ``Scenario.generate(stock_accuracy=...)``:
stores 0.65, dark stores 0.85, DCs 0.97, drop-ship vendors 0.9, pickup points 1.0."""


MAX_DAYS = 3_660
"""The most days a run may last (ten years)."""


def _prefix(day: int) -> str:
    """What a day's order and return ids start with: nothing on day 0, ``D001-`` on 1."""
    return "" if day == 0 else f"D{day:03d}-"


_ORDERS_PART, _RETURNS_PART, _DATES_PART, _WALK_IN_PART, _CHECKOUT_PART = range(5)
_PARTS = 5
"""The parts drawn for each day, each from a child of the day's seed of its own."""
_SIMULATED_PARTS = {"walk_in": _WALK_IN_PART, "checkout": _CHECKOUT_PART}
"""The parts :meth:`Scenario.draws` gives, by name."""


@attrs.frozen(kw_only=True, eq=False)
class _LaterDays:
    """What a generated scenario draws its orders and returns with, on any day (its
    network and mix are the scenario's own, passed at each draw)."""

    cities: tuple[tuple[float, float], ...]
    skus: tuple[str, ...]
    popularity: FloatArray
    carried: Mapping[str, IntArray]
    n_orders: int
    """Orders on an ordinary day."""
    n_returns: int | None
    """Returns on an ordinary day (None: 8% of the orders)."""
    first_weekday: int
    """Day 0's weekday (0, Monday, to 6)."""
    prices: FloatArray
    """Currency per unit of each SKU."""
    start: dt.datetime | None
    """The first instant of day 0 (None: undated)."""
    zones: IntArray | None
    """Each city's time zone, a position in ``_ZONES`` (None: undated)."""
    seed: np.random.SeedSequence
    """The later days' child of the scenario's seed."""

    def orders(
        self,
        network: Network,
        mix: DayMix,
        day: int,
        rng: np.random.Generator,
        clock: _Clock | None,
    ) -> tuple[Order, ...]:
        """Day ``day``'s orders on ``network`` in ``mix``, drawn with ``rng``, dated by
        ``clock``."""
        return _orders(
            network,
            list(self.cities),
            self.skus,
            self.popularity,
            dict(self.carried),
            mix.orders_on(day, self.n_orders, self.first_weekday),
            mix,
            rng,
            clock,
            _prefix(day),
        )

    def returns(
        self,
        network: Network,
        mix: DayMix,
        day: int,
        orders: tuple[Order, ...],
        rng: np.random.Generator,
    ) -> tuple[ReturnRequest, ...]:
        """Day ``day``'s returns of its ``orders``, drawn with ``rng``: as many as on an
        ordinary day, in proportion to the day's orders."""
        count = len(orders)
        if self.n_returns is None:
            returns = int(0.08 * count)
        elif count == self.n_orders:
            returns = self.n_returns
        else:
            returns = min(round(self.n_returns * count / max(self.n_orders, 1)), MAX_COUNT)
        return _returns(network, orders, self.skus, self.prices, returns, mix, rng, _prefix(day))

    def draw(
        self, day: int, network: Network, mix: DayMix
    ) -> tuple[tuple[Order, ...], tuple[ReturnRequest, ...]]:
        """Day ``day``'s (>= 1) orders and returns; see :meth:`Scenario.day`."""
        clock = None
        if self.start is not None and self.zones is not None:
            clock = functools.partial(
                _order_dates,
                self.start + dt.timedelta(days=day),
                self.zones,
                self.part(day, _DATES_PART),
            )
        orders = self.orders(network, mix, day, self.part(day, _ORDERS_PART), clock)
        returns = self.returns(network, mix, day, orders, self.part(day, _RETURNS_PART))
        return orders, returns

    def part(self, day: int, part: int) -> np.random.Generator:
        """A generator for ``part`` of ``day``: the ``part``-th child of the day's child
        of the later days' seed, so no part's draws depend on another's."""
        day_seed = np.random.SeedSequence(self.seed.entropy, spawn_key=(*self.seed.spawn_key, day))
        return np.random.default_rng(day_seed.spawn(_PARTS)[part])


@attrs.frozen(kw_only=True, eq=False)
class Scenario:
    """A network with stock and demand, and a day of orders and returns on it."""

    network: Network
    inventory: Inventory
    demand: DemandRates
    orders: tuple[Order, ...]
    returns: tuple[ReturnRequest, ...]
    shelf: Mapping[tuple[str, str], int] | None = None
    """The real units on the shelf of each ``(node_id, sku)`` stock position whose
    record is wrong (fewer than its ``on_hand``; every other position holds its
    ``on_hand``); None: the records are not checked against a shelf."""
    accuracy: Accuracy | None = None
    """What the retailer knows of its records: per node, the probability its
    positions are right (the ``stock_accuracy`` of its kind), passed as
    ``accuracy=`` by :func:`simulate`; None: not known."""
    mix: DayMix = attrs.field(factory=DayMix, validator=v.instance_of(DayMix))
    """The shares, seasonality and walk-in sales the days are drawn with."""
    replenishment: Replenishment | None = attrs.field(
        default=None, validator=v.optional(v.instance_of(Replenishment))
    )
    """How stock moves between the days of a multi-day run (None: it does not)."""
    _later: _LaterDays | None = attrs.field(default=None, alias="_later", repr=False)
    """What draws the orders and returns of days after the first (None: a scenario
    built by hand has one day); set by :meth:`generate`."""

    @property
    def generated(self) -> bool:
        """Whether :meth:`generate` drew it, so it can draw the days after the first."""
        return self._later is not None

    def day(self, day: int) -> tuple[tuple[Order, ...], tuple[ReturnRequest, ...]]:
        """The orders and returns of ``day`` of a run (0: ``orders`` and ``returns``).

        Day ``d >= 1`` is drawn from a child of the seed of its own (the ninth
        child's ``d``-th), so it does not depend on how many days are run; its
        order and return ids start ``Dddd-`` (``D001-O0000000``). With a dated
        scenario, its orders are placed through the 24 hours from ``start`` plus
        ``d`` days.
        """
        if isinstance(day, bool) or not isinstance(day, int) or not 0 <= day <= MAX_DAYS:
            raise InvalidInputError("day", f"must be an int from 0 to {MAX_DAYS}, got {day!r}")
        if day == 0:
            return self.orders, self.returns
        if self._later is None:
            raise InvalidInputError(
                "day", "this scenario has one day of orders; Scenario.generate draws more"
            )
        return self._later.draw(day, self.network, self.mix)

    def draws(self, day: int, part: str) -> np.random.Generator:
        """The generator of ``day``'s simulated ``part`` (``"walk_in"`` sales, customers'
        ``"checkout"`` choices): for a generated scenario, a part of the day's child of
        its seed (see :meth:`day`); for one built by hand, a seed of the day and part."""
        if isinstance(day, bool) or not isinstance(day, int) or not 0 <= day <= MAX_DAYS:
            raise InvalidInputError("day", f"must be an int from 0 to {MAX_DAYS}, got {day!r}")
        if not isinstance(part, str) or part not in _SIMULATED_PARTS:
            raise InvalidInputError(
                "part", f"must be one of {sorted(_SIMULATED_PARTS)}, got {part!r}"
            )
        code = _SIMULATED_PARTS[part]
        if self._later is None:
            return np.random.default_rng([day, code])
        return self._later.part(day, code)

    @classmethod
    def generate(
        cls,
        *,
        n_nodes: int = 200,
        n_skus: int = 5_000,
        n_orders: int = 20_000,
        n_returns: int | None = None,
        rng: np.random.Generator | int | None = None,
        zipf_exponent: float = 1.0,
        stock_cover_days: float = 3.0,
        mix: DayMix = DayMix(),
        start: dt.datetime | None = None,
        parcels: bool = False,
        stock_accuracy: Mapping[NodeKind, float] | None = None,
        replenishment: Replenishment | None = None,
    ) -> Scenario:
        """A seeded synthetic day; the same seed gives the same scenario.

        Nodes (at least one of each kind) cluster around ``max(3, n_nodes //
        25)`` cities; SKU popularity follows a Zipf law with ``zipf_exponent``;
        stock covers about ``stock_cover_days`` of expected demand where that
        demand is; ``n_returns`` defaults to 8% of the orders; ``mix`` sets the
        shares of channels, fulfilment methods, return conditions and return
        methods. Each part is drawn from its own child of the seed
        (``SeedSequence.spawn``). Sizes are ints up to 10**12, ``zipf_exponent`` and
        ``stock_cover_days`` finite numbers from 0 to 1e12.

        ``start`` (an aware datetime, the first instant of the day; None: an
        undated day) dates the scenario, from a child of its own, leaving every
        other part as without it:

        - each city gets an IANA time zone (Europe/Berlin, Europe/Paris, ...) and
          each node a :class:`NodeCalendar` in its city's zone: stores open
          09:00-20:00 Monday to Saturday, 1-2 h processing, cut-off 16:30-17:30
          and a ``daily_capacity`` of 0.75-2 times the orders per store; DCs 24/7,
          2-4 h processing, cut-off 20:00-22:00; dark stores 07:00-23:00, 20
          min processing, cut-off 21:00-22:00; pickup points shop hours; drop-ship
          vendors 08:00-17:00 on weekdays, one working day (9 open hours) of
          processing, cut-off 16:00;
        - the cost model's rate cards get transit bands: STANDARD 1 day up to
          150 km, 2 up to 600 km, 3 up to 2,000 km and 5 beyond; EXPRESS 1 day up
          to its ``max_km``; SAME_DAY none (0 days);
        - order ``i`` of ``n_orders`` is placed ``(i + u) / n_orders * 24`` hours of
          elapsed time after ``start`` (``u`` uniform in [0, 1); whole seconds
          counted from ``start`` rounded up to its second; in UTC), so
          ``placed_at`` ascends through the 24 hours; about 30% of orders (60% of
          same-day, 50% of express ones) get a ``deliver_by``: 23:59 local time in
          the customer's city on the day of ordering for SAME_DAY, 1-2 days later
          for EXPRESS, 2-5 days later for STANDARD, and 4 hours after ordering for
          pickup in store (a promise that would fall before its order moves to
          the next day's 23:59).

        ``parcels=True`` (default False) prices by parcel, from a child of its own
        (the seventh), leaving every other part as without it: the network gets a
        :class:`Catalogue` with a :class:`Product` for every SKU and its cost model
        carrier services (its rate cards stay, and still limit each level's reach).

        - Each SKU is a kind of product drawn by its price: light goods (phone case
          0.2 kg, earbuds, t-shirt, cosmetics, book 0.5 kg; about 45% of SKUs,
          the cheapest), medium (jeans, shoes 1 kg, backpack, kettle 2.5 kg,
          toaster, blender; 33%), heavy (monitor, vacuum cleaner, printer, microwave,
          office chair, television 20 kg 120x75x15 cm; 17%) and bulky goods that
          ship alone (bicycle, mattress, flat-pack wardrobe, sofa 60 kg, washing
          machine 70 kg; 5%, the dearest), with the kind's weight x U(0.85, 1.15)
          and sides x U(0.9, 1.1); ``value`` is the SKU's price, the unit value
          its returns carry.
        - STANDARD: ``national_post`` (31.5 kg, 120 cm, fuel 5%),
          ``parcel_carrier`` (31.5 kg, 175 cm, fuel 12%, residential 0.90) and
          ``freight_two_man`` (heavy and bulky goods, steps to 200 kg then 0.45 per
          kg, up to 500 kg, fuel 8%), each reaching any distance; EXPRESS:
          ``express_integrator`` (70 kg, 270 cm, fuel 15%, residential 2.40) and
          ``post_priority`` (31.5 kg), up to the EXPRESS card's ``max_km``;
          SAME_DAY: ``cargo_bike`` (25 kg, 15 km, no 25 kg step beyond 5 km),
          ``city_courier`` (30 kg) and ``van_courier`` (250 kg), up to 40 km.
          Each has a table of 2-4 zones x 3-7 weight steps, dearer with distance
          and weight.

        ``stock_accuracy`` (per node kind, the share of stock positions whose
        record is right, each from 0 to 1; kinds not named: 1.0; e.g.
        :data:`DEFAULT_STOCK_ACCURACY`; None, the default: no shelf truth) draws
        the real shelf, from a child of its own (the eighth), leaving every other
        part as without it: each position of a node of a named kind is wrong with
        probability ``1 - accuracy``, and a wrong position's shelf holds ``on_hand
        - k`` units, ``k`` uniform from 1 to ``on_hand`` (positions with no units
        on hand are always right). The truth is ``shelf``; :func:`simulate` picks
        from it. ``accuracy`` is what the retailer knows: each node's kind's share
        as an :class:`Accuracy` (``by_node``).

        For runs of several days (``simulate(days=N)``), ``mix`` also sets each day's
        orders (``weekday_factors``, ``trend``, promotions: ``n_orders`` is an
        ordinary day; day 0 is the weekday of ``start``, a Monday for an undated day, and
        its returns follow its orders) and walk-in store sales (``walk_in``), and
        ``replenishment`` (a :class:`Replenishment`; None, the default: none)
        restocks stores from DCs and DCs from suppliers between days. Days after the
        first are drawn by :meth:`day`, each from a child of its own.
        """
        check_generate(
            n_nodes=n_nodes,
            n_skus=n_skus,
            n_orders=n_orders,
            n_returns=n_returns,
            zipf_exponent=zipf_exponent,
            stock_cover_days=stock_cover_days,
            mix=mix,
            start=start,
            parcels=parcels,
            stock_accuracy=stock_accuracy,
            replenishment=replenishment,
        )
        # Children keep their index (a spawn key of their own), so the five older
        # parts draw exactly what they drew before the sixth, the dates, existed,
        # all six what they drew before the seventh, the parcels, all seven what
        # they drew before the eighth, the shelf truth, and all eight what they drew
        # before the ninth, the later days.
        entropy = _entropy(rng)
        seeds = np.random.SeedSequence(entropy).spawn(9)
        network, cities, homes = _network(n_nodes, n_orders, np.random.default_rng(seeds[0]))
        clock = None
        zones = None
        if start is not None:
            time_rng = np.random.default_rng(seeds[5])
            zones = time_rng.integers(len(_ZONES), size=len(cities))
            network = _dated_network(network, homes, zones, n_orders, time_rng)
            clock = functools.partial(_order_dates, start, zones, time_rng)
        skus = tuple(f"SKU{i:06d}" for i in range(n_skus))
        ranks = np.arange(1, n_skus + 1, dtype=np.float64)
        popularity = np.asarray(ranks**-zipf_exponent / np.sum(ranks**-zipf_exponent), np.float64)
        inventory, demand, carried = _stock(
            network, skus, popularity, n_orders, stock_cover_days, np.random.default_rng(seeds[1])
        )
        later = _LaterDays(
            cities=tuple(cities),
            skus=skus,
            popularity=popularity,
            carried=carried,
            n_orders=n_orders,
            n_returns=n_returns,
            first_weekday=0 if start is None else start.weekday(),
            prices=np.round(np.random.default_rng(seeds[3]).lognormal(3.3, 0.8, n_skus), 2),
            start=start,
            zones=zones,
            seed=seeds[8],
        )
        orders = later.orders(network, mix, 0, np.random.default_rng(seeds[2]), clock)
        returns = later.returns(network, mix, 0, orders, np.random.default_rng(seeds[4]))
        prices = later.prices
        if parcels:
            network = _parcel_network(network, skus, prices, np.random.default_rng(seeds[6]))
        shelf = known = None
        if stock_accuracy is not None:
            shelf = _shelf(network, inventory, stock_accuracy, np.random.default_rng(seeds[7]))
            known = Accuracy(
                by_node={n.id: float(stock_accuracy.get(n.kind, 1.0)) for n in network.nodes}
            )
        return cls(
            network=network,
            inventory=inventory,
            demand=demand,
            orders=orders,
            returns=returns,
            shelf=shelf,
            accuracy=known,
            mix=mix,
            replenishment=replenishment,
            _later=later,
        )


def check_generate(
    *,
    n_nodes: object,
    n_skus: object,
    n_orders: object,
    n_returns: object,
    zipf_exponent: object,
    stock_cover_days: object,
    mix: object,
    start: object,
    parcels: object,
    stock_accuracy: object,
    replenishment: object,
) -> None:
    """Raise unless every argument of :meth:`Scenario.generate` but ``rng`` is valid:
    the checks it makes before drawing anything, for callers (``sweep``) that check
    a world's settings before any worker generates it."""
    _check_sizes(n_nodes, n_skus, n_orders, n_returns, zipf_exponent, stock_cover_days)
    if not isinstance(mix, DayMix):
        raise InvalidInputError("mix", f"must be DayMix, got {type(mix).__name__}")
    if not isinstance(parcels, bool):
        raise InvalidInputError("parcels", f"must be a bool, got {parcels!r}")
    if start is not None:
        to_minute(start, "start", round_up=False)
    if stock_accuracy is not None:
        _check_accuracy(stock_accuracy)
    if replenishment is not None and not isinstance(replenishment, Replenishment):
        raise InvalidInputError(
            "replenishment", f"must be Replenishment, got {type(replenishment).__name__}"
        )


def _check_accuracy(accuracy: object) -> None:
    """Raise unless ``accuracy`` maps node kinds to finite shares from 0 to 1."""
    if not isinstance(accuracy, Mapping):
        raise InvalidInputError("stock_accuracy", f"must map NodeKind to a share, got {accuracy!r}")
    problems: list[Problem] = []
    for kind, share in accuracy.items():
        where = f"stock_accuracy[{kind!r}]"
        if not isinstance(kind, NodeKind):
            problems.append((where, f"must be a NodeKind; valid: {list(NodeKind)}"))
        if (
            isinstance(share, bool)
            or not isinstance(share, int | float)
            or not math.isfinite(share)
            or not 0.0 <= share <= 1.0
        ):
            problems.append((where, f"must be a finite number from 0 to 1, got {share!r}"))
    if problems:
        raise InvalidInputError.collect(problems)


def _shelf(
    network: Network,
    inventory: Inventory,
    accuracy: Mapping[NodeKind, float],
    rng: np.random.Generator,
) -> dict[tuple[str, str], int]:
    """The real shelf units of the positions whose record is wrong: each position of a
    node of kind ``k`` is wrong with probability ``1 - accuracy[k]`` and misses 1 to
    ``on_hand`` units (uniform)."""
    columns = inventory.columns()
    kind_of = {node.id: node.kind for node in network.nodes}
    node_ids, skus = inventory.node_ids, inventory.skus
    by_node = np.array([accuracy.get(kind_of[n], 1.0) for n in node_ids], dtype=np.float64)
    right = by_node[columns.node]
    on_hand = columns.on_hand.astype(np.int64)
    wrong = (rng.random(on_hand.size) >= right) & (on_hand > 0)
    missing = 1 + np.floor(rng.random(on_hand.size) * np.maximum(on_hand, 1)).astype(np.int64)
    rows = np.flatnonzero(wrong).tolist()
    node_of, sku_of = columns.node.tolist(), columns.sku.tolist()
    return {(node_ids[node_of[r]], skus[sku_of[r]]): int(on_hand[r] - missing[r]) for r in rows}


def _parcel_network(
    network: Network, skus: tuple[str, ...], prices: FloatArray, rng: np.random.Generator
) -> Network:
    """``network`` with a catalogue of ``skus`` (valued at ``prices``) and carrier
    services on its cost model; see :meth:`Scenario.generate`."""
    express_km = network.costs.rates[ServiceLevel.EXPRESS].max_km
    costs = attrs.evolve(network.costs, carriers=_parcels.carriers(express_km))
    return attrs.evolve(network, costs=costs, catalogue=_parcels.catalogue(skus, prices, rng))


def _check_sizes(
    n_nodes: object,
    n_skus: object,
    n_orders: object,
    n_returns: object,
    zipf_exponent: object,
    stock_cover_days: object,
) -> None:
    problems: list[Problem] = []
    for name, value, least in (
        ("n_nodes", n_nodes, 1),
        ("n_skus", n_skus, 1),
        ("n_orders", n_orders, 0),
        ("n_returns", 0 if n_returns is None else n_returns, 0),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            problems.append((name, f"must be an int >= {least}, got {value!r}"))
        elif value > MAX_COUNT:
            problems.append((name, f"must be <= {MAX_COUNT}, got {value!r}"))
    for name, value in (("zipf_exponent", zipf_exponent), ("stock_cover_days", stock_cover_days)):
        problem = amount_problem(value)
        if problem is not None:
            problems.append((name, problem))
    if problems:
        raise InvalidInputError.collect(problems)


def _entropy(rng: np.random.Generator | int | None) -> int:
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(2**63))
    entropy = np.random.SeedSequence(rng).entropy
    assert isinstance(entropy, int)
    return entropy


def _point(center: tuple[float, float], spread_deg: float, rng: np.random.Generator) -> GeoPoint:
    lat = float(np.clip(center[0] + rng.normal(0.0, spread_deg), -89.0, 89.0))
    lon = float(np.clip(center[1] + rng.normal(0.0, spread_deg), -179.0, 179.0))
    return GeoPoint(lat=round(lat, 5), lon=round(lon, 5))


def _network(
    n_nodes: int, n_orders: int, rng: np.random.Generator
) -> tuple[Network, list[tuple[float, float]], list[int]]:
    """The network, its cities' centres and the city of each node (in node order)."""
    n_cities = max(3, n_nodes // 25)
    cities = [
        (float(rng.uniform(*_REGION[0])), float(rng.uniform(*_REGION[1]))) for _ in range(n_cities)
    ]
    counts = {kind: max(1, round(share * n_nodes)) for kind, share in _NODE_MIX.items()}
    counts[NodeKind.STORE] = max(1, n_nodes - sum(counts.values()))
    per_wave = max(20, int(3 * n_orders / max(counts[NodeKind.STORE], 1)))
    nodes = []
    homes = []
    for kind in (
        NodeKind.DC,
        NodeKind.DARK_STORE,
        NodeKind.STORE,
        NodeKind.DROP_SHIP,
        NodeKind.PICKUP_POINT,
    ):
        for i in range(counts[kind]):
            homes.append(int(rng.integers(n_cities)))
            city = cities[homes[-1]]
            spread = 0.6 if kind in (NodeKind.DC, NodeKind.DROP_SHIP) else 0.08
            flags = _CAPABILITIES[kind]
            if kind is NodeKind.STORE and rng.random() < 0.3:
                flags |= Capability.SAME_DAY
            capacity = None
            if kind is NodeKind.STORE:
                capacity = int(rng.integers(per_wave // 2, per_wave + 1))
            elif kind is NodeKind.DARK_STORE:
                capacity = 2 * per_wave
            per_order, per_unit = _HANDLING[kind]
            nodes.append(
                Node(
                    id=f"{kind.value}-{i:04d}",
                    kind=kind,
                    location=_point(city, spread, rng),
                    capabilities=flags,
                    order_capacity=capacity,
                    handling_cost_per_order=per_order,
                    handling_cost_per_unit=per_unit,
                    rank=_RANK[kind],
                )
            )
    return Network(nodes=nodes, channels=_CHANNELS), cities, homes


_Clock = Callable[
    [IntArray, IntArray, IntArray], tuple[list[dt.datetime | None], list[dt.datetime | None]]
]
"""Orders' ``placed_at`` and ``deliver_by`` from their methods, service levels and cities."""


def _dated_network(
    network: Network, homes: list[int], zones: IntArray, n_orders: int, rng: np.random.Generator
) -> Network:
    """``network`` with a calendar on every node, in its city's zone (``zones``: a
    position in ``_ZONES`` per city), and transit bands on every rate card."""
    n_stores = sum(node.kind is NodeKind.STORE for node in network.nodes)
    per_store = n_orders / max(n_stores, 1)
    picks = rng.random((len(network.nodes), 3))
    nodes = [
        attrs.evolve(node, calendar=_calendar(node.kind, _ZONES[int(zones[home])], pick, per_store))
        for node, home, pick in zip(network.nodes, homes, picks.tolist(), strict=True)
    ]
    rates = {
        level: attrs.evolve(card, transit=_bands(level, card.max_km))
        for level, card in network.costs.rates.items()
    }
    costs: CostModel = attrs.evolve(network.costs, rates=rates)
    return Network(nodes=nodes, channels=network.channels, costs=costs)


def _step(pick: float, first: int, step: int, count: int) -> int:
    """One of ``count`` values ``first, first + step, ...`` (minutes) for a uniform ``pick``."""
    return first + step * min(int(pick * count), count - 1)


def _at(minutes: int) -> dt.time:
    return dt.time(minutes // 60, minutes % 60)


def _calendar(kind: NodeKind, zone: str, pick: list[float], per_store: float) -> NodeCalendar:
    """A calendar for a node of ``kind`` from three uniform draws (processing, cut-off,
    daily capacity); ``per_store`` is the day's orders per store."""
    minutes = dt.timedelta(minutes=1)
    if kind is NodeKind.DC:
        return NodeCalendar.every_day(
            zone,
            dt.time(0),
            dt.time(0),
            processing=_step(pick[0], 120, 30, 5) * minutes,
            cutoff=_at(_step(pick[1], 20 * 60, 30, 5)),
        )
    if kind is NodeKind.DARK_STORE:
        return NodeCalendar.every_day(
            zone,
            dt.time(7),
            dt.time(23),
            processing=20 * minutes,
            cutoff=_at(_step(pick[1], 21 * 60, 30, 3)),
        )
    if kind is NodeKind.STORE:
        return NodeCalendar(
            timezone=zone,
            opening=((dt.time(9), dt.time(20)),) * 6 + (None,),
            processing=_step(pick[0], 60, 15, 5) * minutes,
            cutoff=_at(_step(pick[1], 16 * 60 + 30, 30, 3)),
            # Around the mean load of a store, so that busy stores fill up.
            daily_capacity=max(10, round((0.75 + 1.25 * pick[2]) * per_store)),
        )
    if kind is NodeKind.PICKUP_POINT:
        return NodeCalendar(
            timezone=zone,
            opening=((dt.time(8), dt.time(20)),) * 5 + ((dt.time(9), dt.time(18)), None),
        )
    # Drop-ship vendors: processing is counted in open hours, so 9 h is one working day.
    return NodeCalendar(
        timezone=zone,
        opening=((dt.time(8), dt.time(17)),) * 5 + (None, None),
        processing=dt.timedelta(hours=9),
        cutoff=dt.time(16),
    )


def _bands(level: ServiceLevel, max_km: float | None) -> tuple[TransitBand, ...]:
    """Carrier transit days by distance for ``level``, whose card reaches ``max_km``."""
    if level is ServiceLevel.SAME_DAY:
        return ()
    reach = _FARTHEST_KM if max_km is None else max_km
    if level is ServiceLevel.EXPRESS:
        return (TransitBand(max_km=reach, days=1),)
    return (
        *(TransitBand(max_km=km, days=days) for km, days in _STANDARD_BANDS),
        TransitBand(max_km=max(reach, _FARTHEST_KM), days=_BEYOND_DAYS),
    )


def _seconds_after(origin: dt.datetime, day: dt.date, time: dt.time, zone: dt.tzinfo) -> int:
    """Whole seconds from ``origin`` (UTC) to wall time ``time`` on ``day`` in ``zone``."""
    # Both in UTC: between two datetimes of one tzinfo, Python ignores the offsets.
    instant = dt.datetime.combine(day, time, tzinfo=zone).astimezone(dt.timezone.utc)
    return (instant - origin) // dt.timedelta(seconds=1)


def _order_dates(
    start: dt.datetime,
    zones: IntArray,
    rng: np.random.Generator,
    method: IntArray,
    level: IntArray,
    city: IntArray,
) -> tuple[list[dt.datetime | None], list[dt.datetime | None]]:
    """``placed_at`` and ``deliver_by`` (aware, UTC) of each order, in order, from its
    method and service level (positions in ``FulfillmentMethod`` and ``ServiceLevel``)
    and its city (a position in ``zones``); see :meth:`Scenario.generate`."""
    n_orders = city.size
    origin = start.astimezone(dt.timezone.utc)
    if origin.microsecond:  # dates count in whole seconds from start's, rounded up
        origin = origin.replace(microsecond=0) + dt.timedelta(seconds=1)
    offset = np.floor((np.arange(n_orders) + rng.random(n_orders)) * (_DAY_S / max(n_orders, 1)))
    placed = np.minimum(offset.astype(np.int64), _DAY_S - 1)  # float rounding up to 24 h
    # Per zone: the next local midnight, and 23:59 on the local days from start's on.
    midnight = np.empty(len(_ZONES), dtype=np.int64)
    ends = np.empty((len(_ZONES), 8), dtype=np.int64)
    for code, name in enumerate(_ZONES):
        zone = zoneinfo.ZoneInfo(name)
        first = origin.astimezone(zone).date()
        midnight[code] = _seconds_after(origin, first + dt.timedelta(days=1), dt.time(0), zone)
        for later in range(ends.shape[1]):
            day = first + dt.timedelta(days=later)
            ends[code, later] = _seconds_after(origin, day, dt.time(23, 59), zone)
    zone_of = zones[city]
    local_day = (placed >= midnight[zone_of]).astype(np.int64)
    methods, levels = list(FulfillmentMethod), list(ServiceLevel)
    pickup = method == methods.index(FulfillmentMethod.PICKUP_IN_STORE)
    same_day = level == levels.index(ServiceLevel.SAME_DAY)
    express = level == levels.index(ServiceLevel.EXPRESS)
    share = np.where(
        pickup,
        _PROMISED["pickup_in_store"],
        np.where(
            same_day,
            _PROMISED["same_day"],
            np.where(express, _PROMISED["express"], _PROMISED["standard"]),
        ),
    )
    promised = rng.random(n_orders) < share
    pick = rng.random(n_orders)
    days = np.where(
        same_day,
        0,
        np.where(express, 1 + (pick * 2).astype(np.int64), 2 + (pick * 4).astype(np.int64)),
    )
    days = days + local_day
    due = np.where(pickup, placed + _PICKUP_PROMISE_S, ends[zone_of, days])
    # Only an order placed in its day's last minute: promise the next day's end.
    due = np.where(due <= placed, ends[zone_of, days + 1], due)
    second = dt.timedelta(seconds=1)
    placed_at: list[dt.datetime | None] = [origin + s * second for s in placed.tolist()]
    deliver_by: list[dt.datetime | None] = [
        origin + s * second if keep else None
        for s, keep in zip(due.tolist(), promised.tolist(), strict=True)
    ]
    return placed_at, deliver_by


def _stock(
    network: Network,
    skus: tuple[str, ...],
    popularity: FloatArray,
    n_orders: int,
    cover_days: float,
    rng: np.random.Generator,
) -> tuple[Inventory, DemandRates, dict[str, IntArray]]:
    """Stock where demand is: DCs carry everything but drop-ship items, stores and dark
    stores the popular range (dark stores all of the same-day range); also the SKUs
    each store and dark store carries."""
    n_skus = len(skus)
    units_per_day = 2.0 * n_orders * popularity
    tail = np.arange(n_skus) >= n_skus // 2
    drop_ship_only = tail & (rng.random(n_skus) < 0.2)
    same_day_range = np.arange(n_skus) < _SAME_DAY_RANGE
    carried_by: dict[str, IntArray] = {}
    by_kind: dict[NodeKind, list[Node]] = {}
    for node in network.nodes:
        by_kind.setdefault(node.kind, []).append(node)
    positions: list[StockPosition] = []
    rates: dict[tuple[str, str], float] = {}
    dcs = by_kind.get(NodeKind.DC, [])
    for node in dcs:
        share = units_per_day / max(len(dcs), 1)
        on_hand = rng.poisson(cover_days * share + 1.0)
        for s in np.flatnonzero(~drop_ship_only & (on_hand > 0)).tolist():
            positions.append(StockPosition(node_id=node.id, sku=skus[s], on_hand=int(on_hand[s])))
    for kind, weight in ((NodeKind.STORE, 0.4), (NodeKind.DARK_STORE, 0.25)):
        local = by_kind.get(kind, [])
        for node in local:
            carried = ~drop_ship_only & (
                rng.random(n_skus) < np.minimum(1.0, popularity * n_skus / 4)
            )
            if kind is NodeKind.DARK_STORE:
                carried |= same_day_range
            carried_by[node.id] = np.flatnonzero(carried)
            share = units_per_day * weight / max(len(local), 1)
            on_hand = rng.poisson(cover_days * share + 0.3)
            safety = np.ceil(0.5 * share).astype(np.int64)
            for s in np.flatnonzero(carried).tolist():
                positions.append(
                    StockPosition(
                        node_id=node.id,
                        sku=skus[s],
                        on_hand=int(on_hand[s]),
                        safety_stock=int(min(safety[s], on_hand[s])),
                    )
                )
                rates[(node.id, skus[s])] = round(float(share[s]), 4)
    vendors = by_kind.get(NodeKind.DROP_SHIP, [])
    for s in np.flatnonzero(drop_ship_only).tolist():
        if vendors:
            vendor = vendors[int(rng.integers(len(vendors)))]
            positions.append(
                StockPosition(
                    node_id=vendor.id,
                    sku=skus[s],
                    on_hand=int(10 * cover_days * units_per_day[s]) + 5,
                )
            )
    return Inventory.from_positions(positions), DemandRates.from_mapping(rates), carried_by


def _choice(rng: np.random.Generator, mix: Mapping[Any, float], size: int) -> IntArray:
    weights = np.array(list(mix.values()), dtype=np.float64)
    return rng.choice(len(weights), size=size, p=weights / weights.sum())


def _orders(
    network: Network,
    cities: list[tuple[float, float]],
    skus: tuple[str, ...],
    popularity: FloatArray,
    carried: dict[str, IntArray],
    n_orders: int,
    mix: DayMix,
    rng: np.random.Generator,
    clock: _Clock | None = None,
    prefix: str = "",
) -> tuple[Order, ...]:
    """Orders from every channel and method; customers see availability, so a
    pickup-in-store order names SKUs its store carries and a same-day order SKUs of
    the same-day range. ``clock`` dates them (its draws come from its own generator)."""
    methods = list(mix.methods)
    channels = [network.channel(channel_id) for channel_id in mix.channels]
    stores_by_city = _nearest_city(network, cities, NodeKind.STORE)
    points_by_city = _nearest_city(network, cities, NodeKind.PICKUP_POINT)
    all_stores = [n.id for n in network.nodes if n.kind is NodeKind.STORE]
    channel = _choice(rng, mix.channels, n_orders)
    method = _choice(rng, mix.methods, n_orders)
    city = rng.integers(len(cities), size=n_orders)
    n_lines = np.minimum(mix.min_lines + rng.poisson(mix.extra_lines, n_orders), mix.max_lines)
    express = rng.random(n_orders) < 0.2
    kinds, levels = _kinds(channels, methods, channel, method, express)
    placed_at: list[dt.datetime | None] = [None] * n_orders
    deliver_by = placed_at
    if clock is not None:
        placed_at, deliver_by = clock(kinds, levels, city)
    everything = _Sampler(np.arange(len(skus)), popularity)
    same_day = _Sampler(np.arange(min(_SAME_DAY_RANGE, len(skus))), popularity)
    by_store: dict[str, _Sampler] = {}
    orders = []
    for i in range(n_orders):
        kind = _METHODS[int(kinds[i])]
        home = cities[int(city[i])]
        pickup = None
        destination = None
        sampler = same_day if kind is FulfillmentMethod.SAME_DAY else everything
        if kind in (FulfillmentMethod.SHIP_TO_HOME, FulfillmentMethod.SAME_DAY):
            destination = _point(home, 0.12, rng)
        else:
            pool = points_by_city if kind is FulfillmentMethod.PICKUP_POINT else stores_by_city
            options = pool.get(int(city[i])) or all_stores
            pickup = options[int(rng.integers(len(options)))]
            if kind is FulfillmentMethod.PICKUP_IN_STORE and carried.get(pickup, ()).__len__():
                if pickup not in by_store:
                    by_store[pickup] = _Sampler(carried[pickup], popularity)
                sampler = by_store[pickup]
        chosen = np.unique(sampler.draw(int(n_lines[i]), rng))
        quantity = rng.choice(_QUANTITIES, size=chosen.size)
        lines = [
            OrderLine(sku=skus[s], quantity=int(q))
            for s, q in zip(chosen.tolist(), quantity.tolist(), strict=True)
        ]
        level = _LEVELS[int(levels[i])]
        orders.append(
            Order(
                id=f"{prefix}O{i:07d}",
                channel_id=channels[int(channel[i])].id,
                lines=lines,
                method=kind,
                destination=destination,
                pickup_node_id=pickup,
                service_level=level,
                priority=1 if level is not ServiceLevel.STANDARD else 0,
                allow_split=bool(rng.random() < 0.85),
                deliver_by=deliver_by[i],
                placed_at=placed_at[i],
            )
        )
    return tuple(orders)


_METHODS = tuple(FulfillmentMethod)
_LEVELS = tuple(ServiceLevel)


def _kinds(
    channels: Sequence[Channel],
    methods: Sequence[FulfillmentMethod],
    channel: IntArray,
    method: IntArray,
    express: BoolArray,
) -> tuple[IntArray, IntArray]:
    """Each order's method and service level as positions in ``FulfillmentMethod`` and
    ``ServiceLevel``: marketplace and partner orders ship to home, same-day orders
    are SAME_DAY and the others EXPRESS where ``express``, else STANDARD."""
    drawn = np.array([_METHODS.index(m) for m in methods], dtype=np.int64)[method]
    ship_only = np.array([c.id in _SHIP_ONLY for c in channels], dtype=np.bool_)[channel]
    kinds = np.where(ship_only, _METHODS.index(FulfillmentMethod.SHIP_TO_HOME), drawn)
    levels = np.where(
        kinds == _METHODS.index(FulfillmentMethod.SAME_DAY),
        _LEVELS.index(ServiceLevel.SAME_DAY),
        np.where(
            express, _LEVELS.index(ServiceLevel.EXPRESS), _LEVELS.index(ServiceLevel.STANDARD)
        ),
    )
    return kinds, levels


class _Sampler:
    """Draws SKUs from a range in proportion to their popularity (inverse CDF)."""

    def __init__(self, skus: IntArray, popularity: FloatArray) -> None:
        self._skus = skus
        weights = np.cumsum(popularity[skus])
        self._cdf = weights / weights[-1]

    def draw(self, size: int, rng: np.random.Generator) -> IntArray:
        picks = np.searchsorted(self._cdf, rng.random(size), side="right")
        return self._skus[np.minimum(picks, self._skus.size - 1)]


def _nearest_city(
    network: Network, cities: list[tuple[float, float]], kind: NodeKind
) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for node in network.nodes:
        if node.kind is kind:
            gaps = [
                (node.location.lat - c[0]) ** 2 + (node.location.lon - c[1]) ** 2 for c in cities
            ]
            found.setdefault(int(np.argmin(gaps)), []).append(node.id)
    return found


def _returns(
    network: Network,
    orders: tuple[Order, ...],
    skus: tuple[str, ...],
    prices: FloatArray,
    n_returns: int,
    mix: DayMix,
    rng: np.random.Generator,
    prefix: str = "",
) -> tuple[ReturnRequest, ...]:
    if not orders or n_returns <= 0:
        return ()
    price = dict(zip(skus, prices.tolist(), strict=True))
    conditions = list(mix.conditions)
    methods = list(mix.return_methods)
    stores = [n.id for n in network.nodes if accepts_drop_off(ReturnMethod.IN_STORE, n)]
    points = [n.id for n in network.nodes if accepts_drop_off(ReturnMethod.PICKUP_POINT, n)]
    picked = rng.choice(len(orders), size=n_returns)
    condition = _choice(rng, mix.conditions, n_returns)
    method = _choice(rng, mix.return_methods, n_returns)
    requests = []
    for i, order_index in enumerate(picked.tolist()):
        order = orders[order_index]
        line = order.lines[int(rng.integers(len(order.lines)))]
        how = methods[int(method[i])]
        if (how is ReturnMethod.PICKUP_POINT and not points) or (
            how is ReturnMethod.IN_STORE and not stores
        ):
            how = ReturnMethod.MAIL
        origin = None
        drop_off = None
        if how is ReturnMethod.MAIL:
            anchor = order.destination or network.node(order.pickup_node_id or "").location
            origin = _point((anchor.lat, anchor.lon), 0.02, rng)
        else:
            pool = stores if how is ReturnMethod.IN_STORE else points
            drop_off = pool[int(rng.integers(len(pool)))]
        requests.append(
            ReturnRequest(
                id=f"{prefix}R{i:07d}",
                channel_id=order.channel_id,
                lines=[
                    ReturnLine(
                        sku=line.sku,
                        quantity=line.quantity,
                        condition=conditions[int(condition[i])],
                        unit_value=price[line.sku],
                    )
                ],
                method=how,
                origin=origin,
                drop_off_node_id=drop_off,
                order_id=order.id,
            )
        )
    return tuple(requests)

"""Hypothesis strategies for omnichannel's domain types and consistent scenarios.

Every strategy is a function returning ``SearchStrategy[T]``, in hypothesis'
own style: plural nouns, keyword-only size bounds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import attrs
from hypothesis import strategies as st

from .._domain.accuracy import Accuracy
from .._domain.calendar import NodeCalendar, TransitBand
from .._domain.carriers import CarrierService
from .._domain.catalogue import Catalogue, Product
from .._domain.demand import DemandRates
from .._domain.dispositions import ROUTED, DispositionTable
from .._domain.enums import (
    Capability,
    ChannelKind,
    Disposition,
    FulfillmentMethod,
    NodeKind,
    ReturnCondition,
    ReturnMethod,
    ServiceLevel,
)
from .._domain.geo import GeoPoint
from .._domain.inventory import Inventory
from .._domain.network import Channel, CostModel, Network, Node, RateCard
from .._domain.orders import Order, OrderLine
from .._domain.promise import Cart
from .._domain.returns import ReturnLine, ReturnRequest, accepts_drop_off
from .._domain.routes import ReturnResult, ReturnRoute
from .._domain.stock import StockMove, StockPosition
from .._errors import InvalidInputError

__all__ = [
    "TIME_ZONES",
    "Scenario",
    "accuracies",
    "capabilities",
    "carrier_services",
    "carts",
    "channels",
    "cost_models",
    "demand_rates",
    "geo_points",
    "inventories",
    "networks",
    "node_calendars",
    "nodes",
    "nows",
    "order_lines",
    "orders",
    "rate_cards",
    "return_lines",
    "return_requests",
    "scenarios",
    "skus",
    "stock_moves",
    "stock_positions",
    "with_parcels",
]

_IDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=8)
_MONEY = st.floats(min_value=0.0, max_value=50.0, allow_nan=False, allow_infinity=False)


def skus() -> st.SearchStrategy[str]:
    """SKU codes."""
    return st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", min_size=1, max_size=6)


def geo_points(
    *, center: GeoPoint | None = None, radius_deg: float = 2.0
) -> st.SearchStrategy[GeoPoint]:
    """Points anywhere, or within ``radius_deg`` degrees of ``center`` (clustered networks)."""
    if center is None:
        return st.builds(
            GeoPoint,
            lat=st.floats(min_value=-90, max_value=90, allow_nan=False),
            lon=st.floats(min_value=-180, max_value=180, allow_nan=False),
        )
    lat = (max(center.lat - radius_deg, -90.0), min(center.lat + radius_deg, 90.0))
    lon = (max(center.lon - radius_deg, -180.0), min(center.lon + radius_deg, 180.0))
    return st.builds(
        GeoPoint,
        lat=st.floats(min_value=lat[0], max_value=lat[1], allow_nan=False),
        lon=st.floats(min_value=lon[0], max_value=lon[1], allow_nan=False),
    )


def capabilities() -> st.SearchStrategy[Capability]:
    """Any combination of capability flags; every flag about half the time, so that
    nodes can often serve (and scenarios ship, not only refuse)."""
    flags = [flag for flag in Capability if flag.name]
    every = st.just(_combine(flags))
    return every | st.lists(st.sampled_from(flags), unique=True).map(
        lambda chosen: _combine(chosen)
    )


def _combine(flags: Sequence[Capability]) -> Capability:
    combined = Capability(0)
    for flag in flags:
        combined |= flag
    return combined


def channels(*, ids: st.SearchStrategy[str] = _IDS) -> st.SearchStrategy[Channel]:
    """Sales channels with any allowed node kinds (every kind about half the time)."""
    return st.builds(
        Channel,
        id=ids,
        kind=st.sampled_from(ChannelKind),
        name=st.text(max_size=10),
        node_kinds=st.just(frozenset(NodeKind))
        | st.frozensets(st.sampled_from(NodeKind), min_size=1),
        respects_safety_stock=st.booleans(),
        priority=st.integers(-3, 3),
    )


def nodes(
    *, ids: st.SearchStrategy[str] = _IDS, locations: st.SearchStrategy[GeoPoint] | None = None
) -> st.SearchStrategy[Node]:
    """Fulfilment nodes."""
    return st.builds(
        Node,
        id=ids,
        kind=st.sampled_from(NodeKind),
        location=locations if locations is not None else geo_points(),
        capabilities=capabilities(),
        order_capacity=st.none() | st.integers(0, 6),
        handling_cost_per_order=_MONEY,
        handling_cost_per_unit=_MONEY,
        active=st.sampled_from([True, True, True, False]),
        rank=st.integers(0, 3),
    )


def rate_cards() -> st.SearchStrategy[RateCard]:
    """Carrier rate cards."""
    return st.builds(
        RateCard,
        base=_MONEY,
        per_km=st.floats(min_value=0.0, max_value=2.0, allow_nan=False),
        per_unit=_MONEY,
        max_km=st.none() | st.floats(min_value=0.0, max_value=500.0, allow_nan=False),
    )


def cost_models() -> st.SearchStrategy[CostModel]:
    """Cost models with a rate card for every service level."""
    return st.builds(
        CostModel,
        rates=st.fixed_dictionaries({level: rate_cards() for level in ServiceLevel}),
        split_penalty=_MONEY,
    )


def _ascending(
    values: st.SearchStrategy[float], *, max_size: int
) -> st.SearchStrategy[list[float]]:
    return st.lists(values, min_size=1, max_size=max_size, unique=True).map(sorted)


@st.composite
def carrier_services(
    draw: st.DrawFn,
    *,
    names: st.SearchStrategy[str] = _IDS,
    service_levels: st.SearchStrategy[ServiceLevel] | None = None,
    max_zones: int = 4,
    max_steps: int = 5,
    transit_days: bool = False,
) -> CarrierService:
    """Carrier services with 1 to ``max_zones`` zones (km, up to 2,000) and 1 to
    ``max_steps`` weight steps (kg, up to 70), any price (currency, up to 100) or
    None (a gap) per cell, and any surcharges, divisor and limits; with
    ``transit_days=True`` also transit days per zone (0 to 4, 0 at SAME_DAY) or None."""
    zones = draw(_ascending(st.floats(0.0, 2_000.0), max_size=max_zones))
    steps = draw(_ascending(st.floats(0.01, 70.0), max_size=max_steps))
    price = st.none() | st.floats(0.0, 100.0)
    prices = [[draw(price) for _ in steps] for _ in zones]
    name = draw(names)
    level = draw(st.sampled_from(ServiceLevel) if service_levels is None else service_levels)
    return CarrierService(
        name=name,
        service_level=level,
        transit_days=draw(_transit_days(level, len(zones))) if transit_days else None,
        zones=zones,
        weight_steps_kg=steps,
        prices=prices,
        per_kg_beyond=draw(st.none() | st.floats(0.0, 5.0)),
        dim_divisor_cm3_per_kg=draw(
            st.sampled_from([4_000.0, 5_000.0, 6_000.0]) | st.floats(1.0, 1e4)
        ),
        max_parcel_kg=draw(st.floats(0.1, 100.0)),
        max_parcel_cm=draw(st.none() | st.floats(1.0, 300.0)),
        fuel_surcharge=draw(st.floats(0.0, 0.3)),
        per_parcel_surcharge=draw(_MONEY),
        max_km=draw(st.none() | st.floats(0.0, 2_000.0)),
    )


def _transit_days(level: ServiceLevel, n_zones: int) -> st.SearchStrategy[tuple[int, ...] | None]:
    """None, or days per zone: 0 to 4, rising with the zone as carriers' mostly do or
    not, all 0 at SAME_DAY."""
    days = st.just(0) if level is ServiceLevel.SAME_DAY else st.integers(0, 4)
    per_zone = st.tuples(*[days] * n_zones)
    return st.none() | per_zone | per_zone.map(lambda found: tuple(sorted(found)))


def networks(
    *, min_nodes: int = 1, max_nodes: int = 8, min_channels: int = 1, max_channels: int = 3
) -> st.SearchStrategy[Network]:
    """Networks with unique node and channel ids, nodes clustered around one city."""
    return st.builds(
        Network,
        nodes=st.lists(
            nodes(locations=geo_points(center=GeoPoint(lat=48.0, lon=11.0), radius_deg=1.5)),
            min_size=min_nodes,
            max_size=max_nodes,
            unique_by=lambda node: node.id,
        ),
        channels=st.lists(
            channels(), min_size=min_channels, max_size=max_channels, unique_by=lambda c: c.id
        ),
        costs=cost_models(),
    )


def order_lines(*, sku_codes: Sequence[str] | None = None) -> st.SearchStrategy[OrderLine]:
    """Order lines, drawing SKUs from ``sku_codes`` when given."""
    sku = st.sampled_from(list(sku_codes)) if sku_codes else skus()
    return st.builds(OrderLine, sku=sku, quantity=st.integers(1, 5))


@st.composite
def orders(
    draw: st.DrawFn,
    *,
    network: Network | None = None,
    sku_codes: Sequence[str] | None = None,
    ids: st.SearchStrategy[str] = _IDS,
    max_lines: int = 4,
) -> Order:
    """Orders; with ``network``, they name its channels and nodes."""
    lines = draw(
        st.lists(
            order_lines(sku_codes=sku_codes),
            min_size=1,
            max_size=max_lines,
            unique_by=lambda line: line.sku,
        )
    )
    # Home delivery about half the time: the pickup methods need a pickup node that
    # accepts them, which a drawn network often lacks.
    method = draw(st.just(FulfillmentMethod.SHIP_TO_HOME) | st.sampled_from(FulfillmentMethod))
    if network is not None:
        channel_id = draw(st.sampled_from([c.id for c in network.channels]))
        pickup = st.sampled_from([n.id for n in network.nodes])
        center = network.nodes[0].location
        destination = geo_points(center=center, radius_deg=1.5)
        excluded = _excluded(network)
    else:
        channel_id = draw(ids)
        pickup = ids
        destination = geo_points()
        excluded = st.just(frozenset())
    delivered = method in (FulfillmentMethod.SHIP_TO_HOME, FulfillmentMethod.SAME_DAY)
    return Order(
        id=draw(ids),
        channel_id=channel_id,
        lines=lines,
        method=method,
        destination=draw(destination) if delivered else None,
        pickup_node_id=None if delivered else draw(pickup),
        service_level=draw(st.sampled_from(ServiceLevel)),
        priority=draw(st.integers(0, 2)),
        allow_split=draw(st.booleans()),
        excluded_node_ids=draw(excluded),
    )


def _excluded(network: Network) -> st.SearchStrategy[frozenset[str]]:
    """Mostly no excluded nodes, else one or two of ``network``'s (nodes that rejected
    the order before)."""
    some = st.frozensets(st.sampled_from([n.id for n in network.nodes]), min_size=1, max_size=2)
    return st.just(frozenset()) | st.just(frozenset()) | some


@st.composite
def carts(
    draw: st.DrawFn,
    *,
    network: Network | None = None,
    sku_codes: Sequence[str] | None = None,
    ids: st.SearchStrategy[str] = _IDS,
    max_lines: int = 4,
) -> Cart:
    """Carts; with ``network``, they name its channels and nodes, and most have a
    destination near its first node."""
    lines = draw(
        st.lists(
            order_lines(sku_codes=sku_codes),
            min_size=1,
            max_size=max_lines,
            unique_by=lambda line: line.sku,
        )
    )
    if network is not None:
        channel_id = draw(st.sampled_from([c.id for c in network.channels]))
        pickup = st.sampled_from([n.id for n in network.nodes])
        destination = geo_points(center=network.nodes[0].location, radius_deg=1.5)
        excluded = _excluded(network)
    else:
        channel_id = draw(ids)
        pickup = ids
        destination = geo_points()
        excluded = st.just(frozenset())
    return Cart(
        id=draw(ids),
        channel_id=channel_id,
        lines=lines,
        destination=draw(st.none() | destination | destination),
        pickup_node_ids=draw(st.lists(pickup, max_size=3, unique=True)),
        priority=draw(st.integers(0, 2)),
        allow_split=draw(st.booleans()),
        excluded_node_ids=draw(excluded),
    )


def stock_positions(
    *, node_ids: Sequence[str] | None = None, sku_codes: Sequence[str] | None = None
) -> st.SearchStrategy[StockPosition]:
    """Stock positions with ``reserved <= on_hand``."""
    node_id = st.sampled_from(list(node_ids)) if node_ids else _IDS
    sku = st.sampled_from(list(sku_codes)) if sku_codes else skus()

    @st.composite
    def build(draw: st.DrawFn) -> StockPosition:
        on_hand = draw(st.integers(0, 12))
        return StockPosition(
            node_id=draw(node_id),
            sku=draw(sku),
            on_hand=on_hand,
            reserved=draw(st.integers(0, on_hand)),
            safety_stock=draw(st.integers(0, 4)),
            in_transit=draw(st.integers(0, 4)),
        )

    return build()


def inventories(
    *,
    node_ids: Sequence[str] | None = None,
    sku_codes: Sequence[str] | None = None,
    max_size: int = 40,
) -> st.SearchStrategy[Inventory]:
    """Inventory snapshots (at most one position per node and SKU)."""
    return st.lists(
        stock_positions(node_ids=node_ids, sku_codes=sku_codes),
        max_size=max_size,
        unique_by=lambda p: (p.node_id, p.sku),
    ).map(Inventory.from_positions)


def stock_moves(
    *, node_ids: Sequence[str] | None = None, sku_codes: Sequence[str] | None = None
) -> st.SearchStrategy[StockMove]:
    """Stock moves of 1 to 6 units."""
    node_id = st.sampled_from(list(node_ids)) if node_ids else _IDS
    sku = st.sampled_from(list(sku_codes)) if sku_codes else skus()
    return st.builds(StockMove, node_id=node_id, sku=sku, quantity=st.integers(1, 6))


def demand_rates(
    *, node_ids: Sequence[str] | None = None, sku_codes: Sequence[str] | None = None
) -> st.SearchStrategy[DemandRates]:
    """Demand rates in units per day."""
    node_id = st.sampled_from(list(node_ids)) if node_ids else _IDS
    sku = st.sampled_from(list(sku_codes)) if sku_codes else skus()
    return st.dictionaries(
        st.tuples(node_id, sku), st.floats(min_value=0.0, max_value=5.0, allow_nan=False)
    ).map(DemandRates.from_mapping)


def accuracies(
    *, node_ids: Sequence[str] | None = None, sku_codes: Sequence[str] | None = None
) -> st.SearchStrategy[Accuracy]:
    """Inventory accuracy tables: a default, some nodes and some (node, SKU) positions,
    each a probability, often a round one (0, 0.5, 1) so that scores tie."""
    node_id = st.sampled_from(list(node_ids)) if node_ids else _IDS
    sku = st.sampled_from(list(sku_codes)) if sku_codes else skus()
    found = st.sampled_from([0.0, 0.5, 1.0]) | st.floats(min_value=0.0, max_value=1.0)
    return st.builds(
        Accuracy,
        default=found,
        by_node=st.dictionaries(node_id, found, max_size=4),
        by_position=st.dictionaries(
            node_id, st.dictionaries(sku, found, min_size=1, max_size=3), max_size=3
        ),
    )


def return_lines(*, sku_codes: Sequence[str] | None = None) -> st.SearchStrategy[ReturnLine]:
    """Returned lines."""
    sku = st.sampled_from(list(sku_codes)) if sku_codes else skus()
    return st.builds(
        ReturnLine,
        sku=sku,
        quantity=st.integers(1, 3),
        condition=st.sampled_from(ReturnCondition),
        unit_value=st.floats(min_value=0.0, max_value=300.0, allow_nan=False),
    )


@st.composite
def return_requests(
    draw: st.DrawFn,
    *,
    network: Network | None = None,
    sku_codes: Sequence[str] | None = None,
    ids: st.SearchStrategy[str] = _IDS,
) -> ReturnRequest:
    """Return requests; with ``network``, they name its channels and nodes, and are
    dropped off only where the network takes returns (MAIL when nowhere does)."""
    method = draw(st.sampled_from(ReturnMethod))
    if network is not None:
        channel_id = draw(st.sampled_from([c.id for c in network.channels]))
        places = [n.id for n in network.nodes if accepts_drop_off(method, n)]
        if not places:
            method = ReturnMethod.MAIL
        drop_off = st.sampled_from(places) if places else _IDS
        origin = geo_points(center=network.nodes[0].location, radius_deg=1.5)
    else:
        channel_id, drop_off, origin = draw(ids), ids, geo_points()
    mail = method is ReturnMethod.MAIL
    return ReturnRequest(
        id=draw(ids),
        channel_id=channel_id,
        lines=draw(st.lists(return_lines(sku_codes=sku_codes), min_size=1, max_size=3)),
        method=method,
        origin=draw(origin) if mail else None,
        drop_off_node_id=None if mail else draw(drop_off),
        order_id=draw(st.none() | ids),
    )


@attrs.frozen(kw_only=True)
class Scenario:
    """A consistent whole: orders and returns that name the network's channels and
    nodes, and stock at its nodes for the SKUs they name."""

    network: Network
    inventory: Inventory
    orders: tuple[Order, ...]
    returns: tuple[ReturnRequest, ...]
    demand: DemandRates
    now: dt.datetime | None = None
    """When to decide, for timed scenarios (``scenarios(timed=True)``)."""


TIME_ZONES = (
    "UTC",
    "Europe/Paris",
    "America/New_York",
    "America/Sao_Paulo",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "Pacific/Chatham",
)
"""Zones with clock changes both ways, a 30-minute change and odd offsets."""
_CLOCK_CHANGES = (
    dt.datetime(2026, 3, 8, tzinfo=dt.timezone.utc),
    dt.datetime(2026, 3, 29, tzinfo=dt.timezone.utc),
    dt.datetime(2026, 4, 5, tzinfo=dt.timezone.utc),
    dt.datetime(2026, 9, 27, tzinfo=dt.timezone.utc),
    dt.datetime(2026, 10, 4, tzinfo=dt.timezone.utc),
    dt.datetime(2026, 10, 25, tzinfo=dt.timezone.utc),
    dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc),
    dt.datetime(2026, 12, 24, tzinfo=dt.timezone.utc),
)


def nows() -> st.SearchStrategy[dt.datetime]:
    """Aware instants within three days of a 2026 clock change (or a plain day), with
    seconds, so that rounding up to the minute is exercised."""
    return st.builds(
        lambda change, minutes, seconds: change + dt.timedelta(minutes=minutes, seconds=seconds),
        st.sampled_from(_CLOCK_CHANGES),
        st.integers(-3 * 1440, 3 * 1440),
        st.sampled_from([0, 1, 59]),
    )


def _local_time(minute: int) -> dt.time:
    return dt.time(minute // 60, minute % 60)


_TIMES = (st.sampled_from([0, 30, 59, 540, 1200]) | st.integers(0, 1439)).map(_local_time)


@st.composite
def node_calendars(draw: st.DrawFn, *, near: dt.date | None = None) -> NodeCalendar:
    """Valid calendars: any zone of ``TIME_ZONES``, closed weekdays, hours past midnight,
    holidays near ``near``, processing up to about three days, cut-offs, and small
    daily capacities (so that days fill)."""
    zone = draw(st.sampled_from(TIME_ZONES))
    around = near or dt.date(2026, 3, 29)
    while True:
        opening = tuple(
            None if draw(st.integers(0, 3)) == 0 else (draw(_TIMES), draw(_TIMES)) for _ in range(7)
        )
        cutoff = draw(st.none() | _TIMES)
        try:
            return NodeCalendar(
                timezone=zone,
                opening=opening,
                closed_dates=draw(
                    st.frozensets(
                        st.integers(-3, 12).map(lambda d: around + dt.timedelta(days=d)),
                        max_size=3,
                    )
                ),
                processing=dt.timedelta(
                    minutes=draw(st.sampled_from([0, 20, 60, 120]) | st.integers(0, 4000))
                ),
                cutoff=cutoff,
                daily_capacity=draw(st.none() | st.integers(0, 3)),
            )
        except InvalidInputError:
            continue


@st.composite
def _timed(draw: st.DrawFn, scenario: Scenario) -> Scenario:
    """``scenario`` with calendars on most nodes, transit bands, a ``now`` and promises
    on about half its orders."""
    now = draw(nows())
    near = now.date()
    network = scenario.network
    nodes = tuple(
        attrs.evolve(node, calendar=draw(st.none() | node_calendars(near=near)))
        for node in network.nodes
    )
    rates = dict(network.costs.rates)
    for level in (ServiceLevel.STANDARD, ServiceLevel.EXPRESS):
        limits = draw(st.lists(st.floats(0.0, 400.0), max_size=2, unique=True))
        rates[level] = attrs.evolve(
            rates[level],
            transit=tuple(
                TransitBand(max_km=km, days=draw(st.integers(0, 4))) for km in sorted(limits)
            ),
        )
    costs = attrs.evolve(
        network.costs,
        rates=rates,
        delivery_weekdays=draw(st.frozensets(st.integers(0, 6), min_size=1)),
    )
    timed_network = attrs.evolve(network, nodes=nodes, costs=costs)
    promised = tuple(
        attrs.evolve(
            order,
            deliver_by=draw(
                st.none() | st.integers(-60, 6 * 1440).map(lambda m: now + dt.timedelta(minutes=m))
            ),
        )
        for order in scenario.orders
    )
    return attrs.evolve(scenario, network=timed_network, orders=promised, now=now)


@st.composite
def _carrier_table(
    draw: st.DrawFn, name: str, level: ServiceLevel, transit_days: bool
) -> CarrierService:
    """A small zone x weight table with gaps, priced parcels beyond its steps or not,
    its bounds and prices drawn from a few round values, so that weights and
    distances land exactly on them; transit days per zone or None with
    ``transit_days``."""
    zones = sorted(
        draw(
            st.lists(
                st.sampled_from([5.0, 50.0, 150.0, 400.0, 2e4]), min_size=1, max_size=3, unique=True
            )
        )
    )
    steps = sorted(
        draw(
            st.lists(
                st.sampled_from([0.5, 1.0, 2.0, 5.0, 10.0, 30.0]),
                min_size=1,
                max_size=3,
                unique=True,
            )
        )
    )
    price = st.none() | st.sampled_from([0.0, 2.5, 4.99, 7.0, 12.345, 30.0])
    return CarrierService(
        name=name,
        service_level=level,
        zones=zones,
        weight_steps_kg=steps,
        prices=[[draw(price) for _ in steps] for _ in zones],
        per_kg_beyond=draw(st.none() | st.sampled_from([0.0, 0.35, 1.0])),
        dim_divisor_cm3_per_kg=draw(st.sampled_from([4000.0, 5000.0, 6000.0])),
        max_parcel_kg=draw(st.sampled_from([1.0, 5.0, 31.5])),
        max_parcel_cm=draw(st.none() | st.sampled_from([40.0, 120.0])),
        fuel_surcharge=draw(st.sampled_from([0.0, 0.1, 0.125])),
        per_parcel_surcharge=draw(st.sampled_from([0.0, 0.5, 1.2])),
        max_km=draw(st.none() | st.sampled_from([30.0, 300.0])),
        transit_days=draw(_transit_days(level, len(zones))) if transit_days else None,
    )


@st.composite
def with_parcels(draw: st.DrawFn, scenario: Scenario, *, transit_days: bool = False) -> Scenario:
    """``scenario`` with a catalogue of every SKU it names (light, heavy, bulky, some
    travelling alone, exact step boundaries) and carrier services on some levels
    (with ``transit_days``, some with transit days of their own)."""
    skus = sorted(
        {p.sku for p in scenario.inventory.positions()}
        | {line.sku for order in scenario.orders for line in order.lines}
        | {line.sku for request in scenario.returns for line in request.lines}
    )
    weight = st.sampled_from([0.0, 0.2, 0.5, 1.0, 1.0004, 2.0, 4.9996, 5.0, 12.0, 40.0])
    side = st.sampled_from([10.0, 25.5, 50.0, 130.0])
    products = [
        Product(
            sku=sku,
            weight_kg=draw(weight),
            dimensions_cm=draw(st.none() | st.tuples(side, side, side)),
            value=draw(st.sampled_from([0.0, 9.99])),
            ship_alone=draw(st.sampled_from([False, False, True])),
        )
        for sku in skus
    ]
    carriers = []
    for level in draw(st.lists(st.sampled_from(list(ServiceLevel)), unique=True)):
        for index in range(draw(st.integers(1, 3))):
            name = f"{level.value}-{index}"
            exact = carrier_services(
                names=st.just(name),
                service_levels=st.just(level),
                max_zones=3,
                max_steps=3,
                transit_days=transit_days,
            )
            carriers.append(draw(_carrier_table(name, level, transit_days) | exact))
    network = attrs.evolve(
        scenario.network,
        costs=attrs.evolve(scenario.network.costs, carriers=tuple(carriers)),
        catalogue=Catalogue(products=products),
    )
    return attrs.evolve(scenario, network=network)


@st.composite
def scenarios(
    draw: st.DrawFn,
    *,
    min_nodes: int = 1,
    max_nodes: int = 8,
    max_skus: int = 6,
    max_orders: int = 12,
    max_returns: int = 4,
    scarce: bool | None = None,
    timed: bool = False,
    parcels: bool = False,
    transit_days: bool = False,
) -> Scenario:
    """Networks with stock, orders and returns that reference them consistently.

    ``scarce=True`` keeps stock low so that orders compete for it; None draws both.
    ``timed=True`` adds node calendars, transit bands, promises and a ``now``;
    ``parcels=True`` a catalogue and carrier services pricing parcels, and
    ``transit_days=True`` (with it) carrier services with transit days of their own.
    """
    network = draw(networks(min_nodes=min_nodes, max_nodes=max_nodes))
    sku_codes = draw(st.lists(skus(), min_size=1, max_size=max_skus, unique=True))
    node_ids = [n.id for n in network.nodes]
    is_scarce = draw(st.booleans()) if scarce is None else scarce
    on_hand = st.integers(0, 3) if is_scarce else st.integers(0, 20)

    @st.composite
    def position(draw: st.DrawFn, node_id: str, sku: str) -> StockPosition:
        units = draw(on_hand)
        return StockPosition(
            node_id=node_id,
            sku=sku,
            on_hand=units,
            reserved=draw(st.integers(0, units)),
            safety_stock=draw(st.integers(0, 2)),
            in_transit=draw(st.integers(0, 2)),
        )

    # Most (node, SKU) pairs hold a position, so that orders find stock to compete for.
    positions = [
        draw(position(node_id, sku))
        for node_id in node_ids
        for sku in sku_codes
        if draw(st.sampled_from([True, True, False]))
    ]
    order_list = draw(
        st.lists(
            orders(network=network, sku_codes=sku_codes),
            max_size=max_orders,
            unique_by=lambda order: order.id,
        )
    )
    return_list = draw(
        st.lists(
            return_requests(network=network, sku_codes=sku_codes),
            max_size=max_returns,
            unique_by=lambda request: request.id,
        )
    )
    scenario = Scenario(
        network=network,
        inventory=Inventory.from_positions(positions),
        orders=tuple(order_list),
        returns=tuple(return_list),
        demand=draw(demand_rates(node_ids=node_ids, sku_codes=sku_codes)),
    )
    if parcels:
        scenario = draw(with_parcels(scenario, transit_days=transit_days))
    return draw(_timed(scenario)) if timed else scenario


@st.composite
def disposition_tables(draw: st.DrawFn) -> DispositionTable:
    """Disposition tables: each condition with a random subset of routed options."""
    rate = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
    recovery = {
        condition: draw(st.dictionaries(st.sampled_from(ROUTED), rate, max_size=3))
        for condition in ReturnCondition
    }
    handling = {
        disposition: draw(st.floats(min_value=0.0, max_value=20.0, allow_nan=False))
        for disposition in ROUTED
    }
    return DispositionTable(recovery=recovery, handling=handling)


@st.composite
def return_routes(draw: st.DrawFn, *, ids: st.SearchStrategy[str] = _IDS) -> ReturnRoute:
    """Return routes as the engine writes them: KEEP has no node and no money."""
    disposition = draw(st.sampled_from(Disposition))
    money = st.floats(min_value=0.0, max_value=1e4, allow_nan=False)
    keep = disposition is Disposition.KEEP
    return ReturnRoute(
        return_id=draw(ids),
        sku=draw(skus()),
        quantity=draw(st.integers(1, 5)),
        condition=draw(st.sampled_from(ReturnCondition)),
        node_id=None if keep else draw(ids),
        disposition=disposition,
        transport_cost=0.0 if keep else draw(money),
        handling_cost=0.0 if keep else draw(money),
        recovered_value=0.0 if keep else draw(money),
    )


def return_results() -> st.SearchStrategy[ReturnResult]:
    """Return results: routes and an inventory."""
    return st.builds(
        ReturnResult, routes=st.lists(return_routes(), max_size=4), inventory=inventories()
    )

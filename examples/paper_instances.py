"""Compare fulfilment policies on an instance shaped like the multi-item literature's.

Acimovic & Graves (2015, "Making better fulfillment decisions on the fly in an
online retail environment", M&SOM) and Jasin & Sinha (2015, "An LP-based
correlated rounding scheme for multi-item ecommerce order fulfillment",
Operations Research) study an online retailer with a few fulfilment centres
(FCs) across a country, orders of several items arriving one by one, and a
shipping cost per package of the form

    package price = fixed charge + per-item charge(zone) * items in the package

The fixed charge is paid once per package, so splitting an order across two FCs
costs one more fixed charge; the per-item charge grows with the distance band
(zone) between the FC and the customer. Not every FC stocks every item, and
stock is sized to expected demand, so a myopic policy that ships each order from
its cheapest FC today can empty an FC that later orders needed and force splits.

This example builds such an instance: seven FCs and sixteen demand regions
across the United States, forty products, stock placed in the manner of the
literature's experiments (each FC carries a product with some probability, and
holds enough of it for the regions it is the nearest carrier to), and a
seeded stream of multi-item orders. It then compares online policies, each
order decided on arrival on the stock the earlier ones left (``Sequential`` with
``LowestCost`` or ``Nearest``), with the whole stream decided at once as if known
in advance (``BatchOptimal``) and with the LP bound (``lower_bound``).

``BatchOptimal`` and ``lower_bound`` price every package by the carrier table,
as the engine does (see "Parcels in the optimizing policies" in docs/parcels.md),
so the gaps are the policies' own.

The numbers (fixed charge, per-item charges, zone bands, populations, order
sizes, carrying probability) are plausible values chosen for this example, of
the size of a US parcel carrier's ground rates; they are not the papers' own
parameters, which are not reproduced here.

How the cost structure becomes a carrier table: every product weighs 1 kg and
has no dimensions (it bills by weight), and the table's weight steps are 1, 2,
3, ... kg, so a package of ``n`` items bills exactly ``n`` kg and falls on step
``n``. The table's price in zone ``z``, step ``n`` is ``FIXED_CHARGE +
PER_ITEM_CHARGE[z] * n``: the table *is* the formula, one cell per (zone, items).

    python examples/paper_instances.py
"""

from __future__ import annotations

import importlib.util
from typing import NamedTuple

import numpy as np

from omnichannel import (
    AllocationResult,
    Capability,
    CarrierService,
    Catalogue,
    Channel,
    ChannelKind,
    CostModel,
    GeoPoint,
    Inventory,
    Network,
    Node,
    NodeKind,
    Order,
    OrderLine,
    Product,
    ServiceLevel,
    StockPosition,
    allocate,
)
from omnichannel.allocation import BatchOptimal, Sequential, lower_bound
from omnichannel.sourcing import LowestCost, Nearest

FIXED_CHARGE = 8.50
"""Currency per package, whatever it holds and wherever it goes."""

ZONES_KM = (250.0, 500.0, 1000.0, 1600.0, 2250.0, 2900.0, 5000.0)
"""Inclusive upper bounds (km, FC to customer) of the zones, zone 0 first."""

PER_ITEM_CHARGE = (0.45, 0.55, 0.70, 0.90, 1.10, 1.30, 1.60)
"""Currency per item in a package, by zone: it grows with distance."""

MAX_ITEMS_PER_PACKAGE = 10
"""Weight steps are 1 to this many kg; a package holds at most this many 1 kg items."""

ITEM_WEIGHT_KG = 1.0
"""Every product weighs the same, so weight steps count items."""

FCS = {
    "fc-allentown": (40.60, -75.47),
    "fc-atlanta": (33.75, -84.39),
    "fc-indianapolis": (39.77, -86.16),
    "fc-dallas": (32.78, -96.80),
    "fc-phoenix": (33.45, -112.07),
    "fc-sacramento": (38.58, -121.49),
    "fc-seattle": (47.61, -122.33),
}
"""Fulfilment centres: id -> (lat, lon) in degrees."""

REGIONS = {
    "new-york": (40.71, -74.01, 19.8),
    "los-angeles": (34.05, -118.24, 13.2),
    "chicago": (41.88, -87.63, 9.5),
    "dallas": (32.78, -96.80, 7.6),
    "houston": (29.76, -95.37, 7.1),
    "washington": (38.91, -77.04, 6.4),
    "philadelphia": (39.95, -75.17, 6.2),
    "miami": (25.76, -80.19, 6.1),
    "atlanta": (33.75, -84.39, 6.1),
    "boston": (42.36, -71.06, 4.9),
    "phoenix": (33.45, -112.07, 4.9),
    "san-francisco": (37.77, -122.42, 4.7),
    "detroit": (42.33, -83.05, 4.4),
    "seattle": (47.61, -122.33, 4.0),
    "minneapolis": (44.98, -93.27, 3.7),
    "denver": (39.74, -104.99, 3.0),
}
"""Demand regions: id -> (lat, lon in degrees, metro population in millions, roughly); a
region's share of orders is its share of the population."""

N_SKUS = 40
N_ORDERS = 600
ORDER_SIZE_SHARES = (0.40, 0.25, 0.15, 0.12, 0.08)
"""Share of orders with 1, 2, ... 5 distinct items (one unit each)."""
ZIPF_EXPONENT = 0.8
"""Product popularity: the k-th product is ordered in proportion to k ** -ZIPF_EXPONENT."""
CARRY_PROBABILITY = 0.6
"""Chance that an FC carries a given product (each product is carried by at least one)."""
SAFETY_FACTOR = 1.5
"""Stock at an FC is its expected demand plus this many standard deviations (Poisson)."""
UNSERVED_PENALTY = 100.0
"""Currency per unit not served, in BatchOptimal's objective and the bound."""


def carrier() -> CarrierService:
    """The one STANDARD parcel service: ``FIXED_CHARGE + PER_ITEM_CHARGE[zone] * items``.

    Row ``z`` of the table is zone ``z``; column ``n - 1`` is the weight step of
    ``n`` kg, that is of ``n`` one-kilogram items. A package of more than
    ``MAX_ITEMS_PER_PACKAGE`` items travels as several parcels, each paying the
    fixed charge (the example's orders are smaller).
    """
    steps = tuple(float(n) for n in range(1, MAX_ITEMS_PER_PACKAGE + 1))
    return CarrierService(
        name="ground",
        service_level=ServiceLevel.STANDARD,
        zones=ZONES_KM,
        weight_steps_kg=steps,
        prices=tuple(
            tuple(round(FIXED_CHARGE + per_item * n, 2) for n in range(1, len(steps) + 1))
            for per_item in PER_ITEM_CHARGE
        ),
        max_parcel_kg=MAX_ITEMS_PER_PACKAGE * ITEM_WEIGHT_KG,
    )


def catalogue() -> Catalogue:
    """``N_SKUS`` products of ``ITEM_WEIGHT_KG`` each, without dimensions."""
    return Catalogue(products=[Product(sku=sku, weight_kg=ITEM_WEIGHT_KG) for sku in skus()])


def skus() -> list[str]:
    """Product ids, most popular first."""
    return [f"SKU-{k:03d}" for k in range(N_SKUS)]


def network() -> Network:
    """The FCs (ship only, no handling cost: the literature prices shipping alone),
    one web channel, the carrier table and the catalogue."""
    return Network(
        nodes=[
            Node(
                id=fc,
                kind=NodeKind.DC,
                location=GeoPoint(lat=lat, lon=lon),
                capabilities=Capability.SHIP,
            )
            for fc, (lat, lon) in FCS.items()
        ],
        channels=[Channel(id="web", kind=ChannelKind.WEB)],
        costs=CostModel(carriers=[carrier()]),
        catalogue=catalogue(),
    )


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle km between two (lat, lon) points in degrees, Earth radius 6,371 km."""
    lat1, lon1, lat2, lon2 = np.radians([a[0], a[1], b[0], b[1]])
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return float(2 * 6371.0 * np.arcsin(np.sqrt(h)))


def popularity() -> np.ndarray:
    """Chance that an item drawn for an order is each product, shape (n_skus,)."""
    weights = np.arange(1, N_SKUS + 1, dtype=np.float64) ** -ZIPF_EXPONENT
    return weights / weights.sum()


def region_shares() -> np.ndarray:
    """Share of orders from each region, shape (n_regions,)."""
    population = np.array([pop for _, _, pop in REGIONS.values()])
    return population / population.sum()


def inventory(*, rng: np.random.Generator | int | None = None) -> Inventory:
    """Stock as the literature places it: each FC carries a product with
    ``CARRY_PROBABILITY``; each region's expected demand for it goes to the nearest
    FC that carries it; an FC holds that demand plus ``SAFETY_FACTOR`` standard
    deviations (units, rounded)."""
    rng = np.random.default_rng(rng)
    fcs = list(FCS)
    km = np.array(
        [[distance_km(FCS[fc], (lat, lon)) for fc in fcs] for lat, lon, _ in REGIONS.values()]
    )
    mean_items = float(np.dot(np.arange(1, len(ORDER_SIZE_SHARES) + 1), ORDER_SIZE_SHARES))
    # Expected orders from each region containing each product, shape (n_regions, n_skus).
    demand = N_ORDERS * region_shares()[:, None] * np.minimum(mean_items * popularity(), 1.0)
    positions = []
    for k, sku in enumerate(skus()):
        carries = rng.random(len(fcs)) < CARRY_PROBABILITY
        if not carries.any():
            carries[rng.integers(len(fcs))] = True
        nearest = np.argmin(np.where(carries[None, :], km, np.inf), axis=1)
        expected = np.bincount(nearest, weights=demand[:, k], minlength=len(fcs))
        stock = np.rint(expected + SAFETY_FACTOR * np.sqrt(expected)).astype(np.int64)
        positions += [
            StockPosition(node_id=fcs[f], sku=sku, on_hand=int(stock[f]))
            for f in np.flatnonzero(carries & (stock > 0))
        ]
    return Inventory.from_positions(positions)


def orders(*, rng: np.random.Generator | int | None = None) -> list[Order]:
    """``N_ORDERS`` orders in arrival order: a region by population, a size by
    ``ORDER_SIZE_SHARES``, distinct products by popularity, one unit each."""
    rng = np.random.default_rng(rng)
    points = [GeoPoint(lat=lat, lon=lon) for lat, lon, _ in REGIONS.values()]
    ids = skus()
    region = rng.choice(len(points), size=N_ORDERS, p=region_shares())
    size = rng.choice(np.arange(1, len(ORDER_SIZE_SHARES) + 1), size=N_ORDERS, p=ORDER_SIZE_SHARES)
    stream = []
    for i in range(N_ORDERS):
        picked = rng.choice(N_SKUS, size=int(size[i]), replace=False, p=popularity())
        stream.append(
            Order(
                id=f"o{i:05d}",
                channel_id="web",
                destination=points[int(region[i])],
                lines=[OrderLine(sku=ids[int(k)], quantity=1) for k in sorted(picked)],
            )
        )
    return stream


class Instance(NamedTuple):
    """A network, its stock and a stream of orders."""

    network: Network
    inventory: Inventory
    orders: list[Order]


def instance(seed: int = 2015) -> Instance:
    """The example's instance; the same seed gives the same instance."""
    stock_seed, order_seed = np.random.SeedSequence(seed).spawn(2)
    return Instance(
        network(),
        inventory(rng=np.random.default_rng(stock_seed)),
        orders(rng=np.random.default_rng(order_seed)),
    )


def row(name: str, result: AllocationResult, bound: float | None) -> str:
    """One line of the comparison table."""
    served = [a for a in result.allocations if a.shipments]
    packages = sum(len(s.parcels) for a in served for s in a.shipments)
    cost = result.penalized_cost(UNSERVED_PENALTY)
    gap = "" if bound is None else f"{cost / bound - 1:.1%}"
    return (
        f"{name:24s} {cost:10,.2f} {packages / max(len(served), 1):9.3f}"
        f" {result.split_rate:7.1%} {result.fill_rate:7.1%} {gap:>7s}"
    )


def main() -> None:
    shop, stock, stream = instance()
    items = sum(len(order.lines) for order in stream)
    print(
        f"{len(FCS)} FCs, {len(REGIONS)} regions, {N_SKUS} products,"
        f" {len(stream):,} orders of {items / len(stream):.2f} items on average"
    )
    optimize = importlib.util.find_spec("scipy") is not None
    bound = (
        lower_bound(stream, shop, stock, unserved_penalty=UNSERVED_PENALTY) if optimize else None
    )
    print(f"{'policy':24s} {'cost':>10s} {'pkg/order':>9s} {'split':>7s} {'fill':>7s} {'gap':>7s}")
    for name, sourcing in (
        ("Sequential + LowestCost", LowestCost()),
        ("Sequential + Nearest", Nearest()),
    ):
        result = allocate(stream, shop, stock, sourcing=sourcing, policy=Sequential())
        print(row(name, result, bound))
    if not optimize:
        print(
            "BatchOptimal and the LP bound skipped: they need scipy"
            " (pip install 'omnichannel[optimize]')"
        )
        return
    # The whole stream at once, as if every order were known in advance: roughly what
    # the online policies could have had with perfect foresight.
    policy = BatchOptimal(unserved_penalty=UNSERVED_PENALTY, time_limit_s=60.0)
    result = allocate(stream, shop, stock, policy=policy)
    print(row("BatchOptimal (offline)", result, bound))
    print(f"{'LP lower bound':24s} {bound:10,.2f}")
    for note in result.notes:
        print(note)
    print(
        f"cost: table prices (+ {UNSERVED_PENALTY:.0f} per unit not served);"
        " pkg/order: packages per order served; gap: over the LP bound"
    )


if __name__ == "__main__":
    main()

"""A simulated world's goods and carriers: products with weights and dimensions, and
carrier services with zone x weight tables, for :meth:`Scenario.generate` with
``parcels=True``."""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import numpy as np

from .._domain.carriers import CarrierService
from .._domain.catalogue import Catalogue, Product
from .._domain.enums import ServiceLevel
from .._types import FloatArray

FARTHEST_KM = 20_100.0
"""Beyond half of Earth's circumference: a last zone that covers every distance."""


@attrs.frozen
class _Kind:
    """A kind of product: one unit's typical weight (kg) and packed dimensions (cm)."""

    name: str
    weight_kg: float
    dimensions_cm: tuple[float, float, float]
    ship_alone: bool = False


_LIGHT = (
    _Kind("phone case", 0.2, (18.0, 10.0, 3.0)),
    _Kind("earbuds", 0.15, (12.0, 10.0, 5.0)),
    _Kind("t-shirt", 0.3, (30.0, 25.0, 3.0)),
    _Kind("cosmetics", 0.25, (15.0, 8.0, 8.0)),
    _Kind("book", 0.5, (24.0, 16.0, 4.0)),
)
_MEDIUM = (
    _Kind("jeans", 0.7, (35.0, 28.0, 5.0)),
    _Kind("shoes", 1.0, (33.0, 22.0, 12.0)),
    _Kind("backpack", 1.2, (48.0, 32.0, 18.0)),
    _Kind("kettle", 2.5, (25.0, 20.0, 25.0)),
    _Kind("toaster", 2.8, (32.0, 20.0, 22.0)),
    _Kind("blender", 3.5, (40.0, 25.0, 25.0)),
)
_HEAVY = (
    _Kind("monitor", 7.0, (70.0, 45.0, 18.0)),
    _Kind("vacuum cleaner", 8.0, (60.0, 35.0, 35.0)),
    _Kind("printer", 10.0, (50.0, 45.0, 35.0)),
    _Kind("microwave", 12.0, (55.0, 45.0, 35.0)),
    _Kind("office chair", 17.0, (70.0, 65.0, 35.0)),
    _Kind("television", 20.0, (120.0, 75.0, 15.0)),
)
_BULKY = (
    _Kind("bicycle", 16.0, (145.0, 25.0, 80.0), ship_alone=True),
    _Kind("mattress", 25.0, (105.0, 45.0, 45.0), ship_alone=True),
    _Kind("flat-pack wardrobe", 55.0, (200.0, 60.0, 15.0), ship_alone=True),
    _Kind("sofa", 60.0, (210.0, 95.0, 85.0), ship_alone=True),
    _Kind("washing machine", 70.0, (85.0, 60.0, 60.0), ship_alone=True),
)
_CLASSES = (_LIGHT, _MEDIUM, _HEAVY, _BULKY)
_CLASS_BOUNDS = np.array([0.45, 0.78, 0.95])
"""Upper bounds of a SKU's noisy price quantile for light, medium and heavy goods
(bulky above): about 45%, 33%, 17% and 5% of the range, dearer goods heavier."""
_QUANTILE_NOISE = 0.1


def catalogue(skus: Sequence[str], prices: FloatArray, rng: np.random.Generator) -> Catalogue:
    """A product for every SKU: a kind drawn by its price (dearer SKUs tend to be
    heavier and bulkier), that kind's weight x U(0.85, 1.15) and dimensions x U(0.9,
    1.1) each, and ``value`` its price (currency per unit, the returns' unit value)."""
    n_skus = len(skus)
    quantile = (np.argsort(np.argsort(prices, kind="stable"), kind="stable") + 0.5) / n_skus
    noisy = quantile + rng.normal(0.0, _QUANTILE_NOISE, n_skus)
    kind_class = np.searchsorted(_CLASS_BOUNDS, noisy)
    pick = rng.random(n_skus)
    weight_scale = rng.uniform(0.85, 1.15, n_skus)
    side_scale = rng.uniform(0.9, 1.1, (n_skus, 3))
    products = []
    for s, sku in enumerate(skus):
        kinds = _CLASSES[int(kind_class[s])]
        kind = kinds[min(int(pick[s] * len(kinds)), len(kinds) - 1)]
        sides = np.round(np.asarray(kind.dimensions_cm) * side_scale[s], 1)
        products.append(
            Product(
                sku=sku,
                weight_kg=round(kind.weight_kg * float(weight_scale[s]), 2),
                dimensions_cm=(float(sides[0]), float(sides[1]), float(sides[2])),
                value=float(prices[s]),
                ship_alone=kind.ship_alone,
            )
        )
    return Catalogue(products=products)


def _service(
    name: str,
    level: ServiceLevel,
    zones: tuple[float, ...],
    steps: tuple[float, ...],
    first_zone: tuple[float, ...],
    zone_factor: tuple[float, ...],
    *,
    gaps: tuple[tuple[int, int], ...] = (),
    **options: float | None,
) -> CarrierService:
    """A published table: each zone's row is ``first_zone`` (one price per step,
    currency) times that zone's factor, rounded to cents; ``gaps`` are (zone, step)
    cells without a price."""
    prices = [
        [None if (z, s) in gaps else round(price * factor, 2) for s, price in enumerate(first_zone)]
        for z, factor in enumerate(zone_factor)
    ]
    return CarrierService(
        name=name,
        service_level=level,
        zones=zones,
        weight_steps_kg=steps,
        prices=prices,
        **options,
    )


def _reaching(bounds: tuple[float, ...], reach: float) -> tuple[float, ...]:
    """Zones: the ``bounds`` (km) nearer than ``reach``, then ``reach`` itself."""
    return (*(km for km in bounds if km < reach), reach)


_STANDARD, _EXPRESS, _SAME_DAY = ServiceLevel.STANDARD, ServiceLevel.EXPRESS, ServiceLevel.SAME_DAY


def carriers(express_km: float | None) -> tuple[CarrierService, ...]:
    """Three STANDARD services (a national post, a parcel carrier, a two-man freight
    service for heavy and bulky goods), two EXPRESS ones (an express integrator and
    the post's priority service, reaching ``express_km``: the EXPRESS card's
    ``max_km``, None for any distance) and three SAME_DAY ones (a cargo bike up to 15
    km, a city courier and a van courier up to 40 km). Prices in currency per parcel;
    fuel surcharges 0-15%; residential surcharges on the parcel carrier and the
    integrator."""
    reach = FARTHEST_KM if express_km is None else express_km
    integrator = _reaching((200.0, 500.0), reach)
    priority = _reaching((300.0,), reach)
    return (
        _service(
            "national_post",
            _STANDARD,
            (100.0, 300.0, 600.0, FARTHEST_KM),
            (1.0, 2.0, 5.0, 10.0, 20.0, 31.5),
            (4.2, 4.9, 6.2, 8.9, 13.5, 17.9),
            (1.0, 1.08, 1.18, 1.4),
            max_parcel_kg=31.5,
            max_parcel_cm=120.0,
            dim_divisor_cm3_per_kg=8000.0,
            fuel_surcharge=0.05,
        ),
        _service(
            "parcel_carrier",
            _STANDARD,
            (150.0, 400.0, 800.0, FARTHEST_KM),
            (2.0, 5.0, 10.0, 20.0, 31.5),
            (3.9, 5.1, 7.2, 10.8, 14.9),
            (1.0, 1.1, 1.25, 1.6),
            max_parcel_kg=31.5,
            max_parcel_cm=175.0,
            fuel_surcharge=0.12,
            per_parcel_surcharge=0.9,
        ),
        _service(
            "freight_two_man",
            _STANDARD,
            (200.0, 500.0, 1000.0, FARTHEST_KM),
            (30.0, 60.0, 100.0, 200.0),
            (39.0, 59.0, 79.0, 119.0),
            (1.0, 1.15, 1.3, 1.6),
            per_kg_beyond=0.45,
            max_parcel_kg=500.0,
            max_parcel_cm=300.0,
            dim_divisor_cm3_per_kg=6000.0,
            fuel_surcharge=0.08,
        ),
        _service(
            "express_integrator",
            _EXPRESS,
            integrator,
            (0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0),
            (9.5, 10.9, 12.5, 16.9, 23.5, 34.9, 46.0),
            (1.0, 1.12, 1.3)[: len(integrator)],
            per_kg_beyond=1.1,
            max_parcel_kg=70.0,
            max_parcel_cm=270.0,
            fuel_surcharge=0.15,
            per_parcel_surcharge=2.4,
        ),
        _service(
            "post_priority",
            _EXPRESS,
            priority,
            (1.0, 2.0, 5.0, 10.0, 20.0, 31.5),
            (7.9, 8.9, 11.5, 15.9, 21.9, 27.9),
            (1.0, 1.15)[: len(priority)],
            max_parcel_kg=31.5,
            max_parcel_cm=120.0,
            dim_divisor_cm3_per_kg=8000.0,
            fuel_surcharge=0.05,
        ),
        _service(
            "cargo_bike",
            _SAME_DAY,
            (5.0, 15.0),
            (2.0, 10.0, 25.0),
            (3.9, 5.5, 8.9),
            (1.0, 1.3),
            gaps=((1, 2),),  # no 25 kg loads pedalled beyond 5 km
            max_parcel_kg=25.0,
            max_parcel_cm=100.0,
            max_km=15.0,
        ),
        _service(
            "city_courier",
            _SAME_DAY,
            (10.0, 20.0, 40.0),
            (5.0, 15.0, 30.0),
            (7.9, 10.9, 15.9),
            (1.0, 1.25, 1.6),
            max_parcel_kg=30.0,
            max_parcel_cm=150.0,
            fuel_surcharge=0.1,
            max_km=40.0,
        ),
        _service(
            "van_courier",
            _SAME_DAY,
            (10.0, 20.0, 40.0),
            (30.0, 60.0, 120.0),
            (29.0, 39.0, 55.0),
            (1.0, 1.2, 1.45),
            per_kg_beyond=0.5,
            max_parcel_kg=250.0,
            max_parcel_cm=250.0,
            dim_divisor_cm3_per_kg=6000.0,
            fuel_surcharge=0.1,
            max_km=40.0,
        ),
    )

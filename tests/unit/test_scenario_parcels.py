"""Scenarios priced by parcel (``Scenario.generate(parcels=True)``): the old parts stay
exactly as they were, and the new ones are a plausible catalogue and carriers."""

import datetime as dt
import hashlib
import io
import zoneinfo
from typing import Any

import attrs
import numpy as np
import pytest

from omnichannel import CarrierService, InvalidInputError, Product, ServiceLevel
from omnichannel.serialization import read_rate_table, write_rate_table
from omnichannel.simulation import Scenario

MONDAY = dt.datetime(2026, 3, 2, tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))
SMALL = {"n_nodes": 60, "n_skus": 300, "n_orders": 2_000}


def day(seed: int = 3, **options: Any) -> Scenario:
    return Scenario.generate(**{**SMALL, **options}, rng=seed)


def _point(point: Any) -> object:
    return None if point is None else (point.lat, point.lon)


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def fingerprint(scenario: Scenario) -> str:
    """A digest of every value the generator draws (not of the classes' reprs, so that
    a field added later with its default leaves it as it is)."""
    network = scenario.network
    nodes = [
        (
            n.id,
            n.kind.value,
            _point(n.location),
            n.capabilities.value,
            n.order_capacity,
            n.handling_cost_per_order,
            n.handling_cost_per_unit,
            n.rank,
            n.active,
            None
            if n.calendar is None
            else (
                n.calendar.timezone,
                n.calendar.opening,
                n.calendar.processing,
                n.calendar.cutoff,
                n.calendar.daily_capacity,
            ),
        )
        for n in network.nodes
    ]
    cards = sorted(
        (
            level.value,
            card.base,
            card.per_km,
            card.per_unit,
            card.max_km,
            tuple((band.max_km, band.days) for band in card.transit),
        )
        for level, card in network.costs.rates.items()
    )
    orders = [
        (
            o.id,
            o.channel_id,
            o.method.value,
            _point(o.destination),
            o.pickup_node_id,
            o.service_level.value,
            o.priority,
            o.allow_split,
            tuple((line.sku, line.quantity) for line in o.lines),
            _iso(o.placed_at),
            _iso(o.deliver_by),
        )
        for o in scenario.orders
    ]
    stock = [
        (p.node_id, p.sku, p.on_hand, p.reserved, p.safety_stock, p.in_transit)
        for p in scenario.inventory.positions()
    ]
    returns = [
        (
            r.id,
            r.channel_id,
            r.method.value,
            _point(r.origin),
            r.drop_off_node_id,
            r.order_id,
            tuple((li.sku, li.quantity, li.condition.value, li.unit_value) for li in r.lines),
        )
        for r in scenario.returns
    ]
    parts = [
        nodes,
        [(c.id, c.kind.value, c.priority) for c in network.channels],
        cards,
        orders,
        stock,
        sorted(scenario.demand.items()),
        returns,
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


# Digests of the generator before parcels existed (commit f34e380), undated and dated.
BEFORE_UNDATED = "5593e17f02180f90734a9bb5d94e58a341dcab409b786a46c7260e8e169e01d6"
BEFORE_DATED = "c5f8d8c1eee37c97d53cfc97c0b4c496dab3d608a1ad98229be21a9550aaadf7"


def test_without_parcels_the_day_is_the_one_generated_before_they_existed() -> None:
    assert fingerprint(day(3)) == BEFORE_UNDATED
    assert fingerprint(day(3, parcels=False)) == BEFORE_UNDATED
    assert fingerprint(day(5, start=MONDAY)) == BEFORE_DATED
    plain = day(3).network
    assert plain.catalogue is None
    assert plain.costs.carriers == ()


def without_parcels(scenario: Scenario) -> Scenario:
    network = scenario.network
    costs = attrs.evolve(network.costs, carriers=())
    return attrs.evolve(scenario, network=attrs.evolve(network, costs=costs, catalogue=None))


@pytest.mark.parametrize("seed", [0, 3, 11])
@pytest.mark.parametrize("start", [None, MONDAY])
def test_parcels_add_only_the_catalogue_and_the_carriers(
    seed: int, start: dt.datetime | None
) -> None:
    plain, priced = day(seed, start=start), day(seed, start=start, parcels=True)
    assert priced.network.catalogue is not None
    assert priced.network.costs.carriers
    assert priced.network.costs.rates == plain.network.costs.rates  # the cards stay
    stripped = without_parcels(priced)
    assert stripped.network == plain.network
    assert (stripped.orders, stripped.returns) == (plain.orders, plain.returns)
    assert (stripped.inventory, stripped.demand) == (plain.inventory, plain.demand)
    assert fingerprint(priced) == fingerprint(plain)


def test_the_same_seed_gives_the_same_catalogue_and_another_seed_another() -> None:
    a, b, other = day(4, parcels=True), day(4, parcels=True), day(5, parcels=True)
    assert a.network == b.network
    assert a.network.catalogue != other.network.catalogue
    assert a.network.costs.carriers == other.network.costs.carriers  # published tables


def test_parcels_must_be_a_bool() -> None:
    with pytest.raises(InvalidInputError, match=r"^parcels: must be a bool, got 1$"):
        day(parcels=1)


# -- the catalogue ---------------------------------------------------------------------------


def products(seed: int = 3, **options: Any) -> tuple[Product, ...]:
    catalogue = day(seed, parcels=True, **options).network.catalogue
    assert catalogue is not None
    return catalogue.products


def test_every_sku_has_a_product_in_sku_order() -> None:
    found = products()
    assert [p.sku for p in found] == [f"SKU{i:06d}" for i in range(SMALL["n_skus"])]
    assert all(p.dimensions_cm is not None for p in found)


def test_the_catalogue_holds_light_medium_heavy_and_bulky_goods() -> None:
    found = products(n_skus=2_000)
    weight = np.array([p.weight_kg for p in found])
    alone = np.array([p.ship_alone for p in found])
    shares = [
        float(np.mean(weight < 0.6)),
        float(np.mean((weight >= 0.6) & (weight < 5))),
        float(np.mean((weight >= 5) & ~alone)),
        float(np.mean(alone)),
    ]
    assert 0.35 < shares[0] < 0.55
    assert 0.25 < shares[1] < 0.42
    assert 0.10 < shares[2] < 0.25
    assert 0.02 < shares[3] < 0.10
    assert 0.1 < weight.min() < 0.2
    assert 60 < weight.max() <= 70 * 1.15
    # Ship-alone goods are the bulky ones: big and heavy.
    for product in found:
        if product.ship_alone:
            assert product.weight_kg >= 16 * 0.85
            assert product.longest_side_cm >= 80 * 0.9


def test_a_television_is_about_20_kg_and_120_cm() -> None:
    tvs = [p for p in products(n_skus=2_000) if p.longest_side_cm >= 108 and not p.ship_alone]
    assert tvs
    for tv in tvs:
        assert tv.dimensions_cm is not None
        assert 17 <= tv.weight_kg <= 23
        assert 108 <= tv.dimensions_cm[0] <= 132
        assert 13.5 <= tv.dimensions_cm[2] <= 16.5


def test_a_products_value_is_its_skus_price_and_dearer_goods_are_heavier() -> None:
    scenario = day(parcels=True, n_skus=2_000)
    catalogue = scenario.network.catalogue
    assert catalogue is not None
    for request in scenario.returns:
        for line in request.lines:
            assert catalogue.product(line.sku).value == line.unit_value
    found = catalogue.products
    value = np.array([p.value for p in found])
    alone = np.array([p.ship_alone for p in found])
    light = np.array([p.weight_kg < 0.6 for p in found])
    assert value[alone].mean() > 2 * value[light].mean()
    assert (value > 0).all()


# -- the carriers --------------------------------------------------------------------------


def carriers(**options: Any) -> tuple[CarrierService, ...]:
    return day(parcels=True, **options).network.costs.carriers


def test_two_or_three_services_price_each_level() -> None:
    found = carriers()
    by_level = {
        level: [c.name for c in found if c.service_level is level] for level in ServiceLevel
    }
    assert by_level == {
        ServiceLevel.STANDARD: ["national_post", "parcel_carrier", "freight_two_man"],
        ServiceLevel.EXPRESS: ["express_integrator", "post_priority"],
        ServiceLevel.SAME_DAY: ["cargo_bike", "city_courier", "van_courier"],
    }


def test_the_services_carry_realistic_limits_and_surcharges() -> None:
    by_name = {c.name: c for c in carriers()}
    assert by_name["national_post"].max_parcel_kg == 31.5
    assert by_name["freight_two_man"].max_parcel_kg >= 200
    assert by_name["freight_two_man"].per_kg_beyond is not None
    for service in by_name.values():
        assert service.fuel_surcharge <= 0.15
    assert {round(c.fuel_surcharge, 2) for c in by_name.values()} >= {0.05, 0.1, 0.15}
    assert by_name["parcel_carrier"].per_parcel_surcharge > 0
    assert by_name["express_integrator"].per_parcel_surcharge > 0
    for name in ("cargo_bike", "city_courier", "van_courier"):
        assert by_name[name].reach_km <= 40
    assert by_name["cargo_bike"].prices[1][2] is None  # a gap in the table


def test_each_level_reaches_as_far_as_its_rate_card() -> None:
    scenario = day(parcels=True)
    rates = scenario.network.costs.rates
    for service in scenario.network.costs.carriers:
        card_km = rates[service.service_level].max_km
        if card_km is None:
            assert service.reach_km >= 20_000  # any distance on Earth
        elif service.service_level is ServiceLevel.EXPRESS:
            assert service.reach_km == card_km


def test_prices_rise_with_weight_and_with_distance() -> None:
    for service in carriers():
        table = np.array(
            [[np.nan if p is None else p for p in row] for row in service.prices], dtype=float
        )
        assert not np.isnan(table[0]).any(), service.name  # the nearest zone takes every step
        assert np.all(np.diff(table, axis=1)[~np.isnan(np.diff(table, axis=1))] > 0)
        assert np.all(np.diff(table, axis=0)[~np.isnan(np.diff(table, axis=0))] > 0)


def test_every_product_has_a_standard_service_that_takes_it() -> None:
    standard = [c for c in carriers() if c.service_level is ServiceLevel.STANDARD]
    for product in products(n_skus=2_000):
        assert any(
            product.weight_kg <= c.max_parcel_kg
            and (c.max_parcel_cm is None or product.longest_side_cm <= c.max_parcel_cm)
            for c in standard
        ), product


@pytest.mark.parametrize("format", ["csv", "json"])
def test_the_tables_round_trip_through_the_rate_table_files(format: str) -> None:
    for service in carriers():
        out = io.StringIO()
        write_rate_table(service, out, format=format)  # type: ignore[arg-type]
        keywords = {
            f.name: getattr(service, f.name)
            for f in attrs.fields(CarrierService)
            if f.name not in ("zones", "weight_steps_kg", "prices", "transit_days")
        }
        back = read_rate_table(io.StringIO(out.getvalue()), format=format, **keywords)  # type: ignore[arg-type]
        assert back == service

"""Checkout in simulation: customers pick among the options promise offers their
carts, the orders they place are allocated, and the promises are measured."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import omnichannel as oc
from omnichannel.simulation import Checkout, Scenario, SimulationConfig, compare, simulate
from omnichannel.simulation._checkout import cart_of

START = dt.datetime(2026, 3, 2, tzinfo=dt.timezone.utc)


def dated(**options: Any) -> Scenario:
    return Scenario.generate(n_nodes=30, n_skus=200, n_orders=240, rng=6, start=START, **options)


def test_a_checkout_day_places_orders_from_options_and_measures_the_promises() -> None:
    day = dated()
    kpis = simulate(day, now=START, checkout=Checkout())
    assert kpis.promise_kept is not None
    assert 0.5 < kpis.promise_kept <= 1.0
    assert kpis.options_per_cart is not None
    assert kpis.options_per_cart > 1
    assert kpis.carts_without_options is not None
    # Every cart offered an option is ordered, and only those.
    assert kpis.orders == 240 - round(240 * kpis.carts_without_options)
    assert kpis.carts_without_options < 0.05
    again = simulate(dated(), now=START, checkout=Checkout())
    assert again.as_dict() | {"decisions_per_second": 0, "engine_seconds": 0} == (
        kpis.as_dict() | {"decisions_per_second": 0, "engine_seconds": 0}
    )
    plain = simulate(day, now=START)
    assert plain.promise_kept is None
    assert plain.options_per_cart is None


def test_an_order_placed_and_allocated_alone_keeps_its_promise() -> None:
    day = dated()
    # One order per wave: each is allocated on exactly the state its cart was promised on.
    kpis = simulate(day, now=START, checkout=Checkout(), waves=240)
    assert kpis.promise_kept == 1.0


def test_checkout_needs_now_and_a_checkout() -> None:
    with pytest.raises(oc.InvalidInputError, match=r"^checkout: needs now"):
        simulate(dated(), checkout=Checkout())
    with pytest.raises(oc.InvalidInputError, match=r"^checkout: must be Checkout"):
        simulate(dated(), now=START, checkout="cheapest")  # type: ignore[call-overload]


@pytest.mark.parametrize(
    ("options", "path"),
    [
        ({"pickup_share": 1.5}, "pickup_share"),
        ({"pickup_share": float("nan")}, "pickup_share"),
        ({"pickup_within_km": -1}, "pickup_within_km"),
        ({"per_method": 0}, "per_method"),
    ],
)
def test_bad_checkout_settings_are_refused_with_their_path(
    options: dict[str, Any], path: str
) -> None:
    with pytest.raises(oc.InvalidInputError, match=f"^{path}: "):
        Checkout(**options)


def test_compare_runs_each_configurations_checkout() -> None:
    day = dated()
    table = compare(
        day,
        [
            SimulationConfig(name="as generated"),
            SimulationConfig(name="pickup lovers", checkout=Checkout(pickup_share=1.0)),
            SimulationConfig(name="home lovers", checkout=Checkout(pickup_share=0.0)),
        ],
        now=START,
    )
    generated, pickups, homes = table.kpis
    assert generated.promise_kept is None
    assert pickups.promise_kept is not None
    assert homes.promise_kept is not None
    assert "promise kept %" in table.table()
    # Customers who collect pick pickup in store where a store near them has it today.
    assert pickups.lead_hours_pickup_in_store is not None
    assert homes.lead_hours_pickup_in_store is None


def _option(
    method: oc.FulfillmentMethod,
    node_id: str,
    delivered_by: dt.datetime,
    cost: float,
    level: oc.ServiceLevel = oc.ServiceLevel.STANDARD,
) -> oc.FulfillmentOption:
    line = oc.OrderLine(sku="A", quantity=1)
    return oc.FulfillmentOption(
        method=method,
        service_level=level,
        pickup_node_id=node_id if method is oc.FulfillmentMethod.PICKUP_IN_STORE else None,
        shipments=(
            oc.Shipment(
                node_id=node_id,
                lines=(line,),
                distance_km=1.0,
                cost=cost,
                ready_at=delivered_by,
                delivered_by=delivered_by,
            ),
        ),
        delivered_by=delivered_by,
        cost=cost,
        complete=True,
    )


def _network() -> oc.Network:
    here = oc.GeoPoint(lat=52.52, lon=13.40)
    far = oc.GeoPoint(lat=48.14, lon=11.58)
    return oc.Network(
        nodes=[
            oc.Node(id="near", kind=oc.NodeKind.STORE, location=here),
            oc.Node(id="far", kind=oc.NodeKind.STORE, location=far),
            oc.Node(id="dc", kind=oc.NodeKind.DC, location=far),
        ],
        channels=[oc.Channel(id="web", kind=oc.ChannelKind.WEB)],
    )


def test_the_choice_model() -> None:
    network = _network()
    cart = oc.Cart(
        id="c",
        channel_id="web",
        lines=[oc.OrderLine(sku="A", quantity=1)],
        destination=oc.GeoPoint(lat=52.53, lon=13.41),
    )
    at = dt.datetime(2026, 3, 2, 10, tzinfo=dt.timezone.utc)
    pickup = oc.FulfillmentMethod.PICKUP_IN_STORE
    home = oc.FulfillmentMethod.SHIP_TO_HOME
    near_today = _option(pickup, "near", at + dt.timedelta(hours=2), 3.0)
    far_today = _option(pickup, "far", at + dt.timedelta(hours=1), 3.0)
    near_tomorrow = _option(pickup, "near", at + dt.timedelta(days=1), 2.0)
    express = _option(home, "dc", at + dt.timedelta(days=1), 9.0, oc.ServiceLevel.EXPRESS)
    standard = _option(home, "dc", at + dt.timedelta(days=3), 5.0)
    offered = oc.Promise(cart_id="c", options=(far_today, near_today, express, standard))
    checkout = Checkout(pickup_within_km=10)
    assert checkout.choose(cart, offered, network, at, prefers_pickup=True) == near_today
    assert checkout.choose(cart, offered, network, at, prefers_pickup=False) == standard
    # Nothing to collect today near them: they take the cheapest delivery.
    later = oc.Promise(cart_id="c", options=(near_tomorrow, express, standard))
    assert checkout.choose(cart, later, network, at, prefers_pickup=True) == standard
    # No delivery offered: the fastest option; nothing offered: no order.
    only = oc.Promise(cart_id="c", options=(far_today, near_tomorrow))
    assert checkout.choose(cart, only, network, at, prefers_pickup=False) == far_today
    assert checkout.choose(cart, oc.Promise(cart_id="c", options=()), network, at, True) is None


def test_the_cart_of_an_order_names_the_store_it_was_for() -> None:
    day = dated()
    store_order = next(o for o in day.orders if o.method is oc.FulfillmentMethod.PICKUP_IN_STORE)
    cart = cart_of(store_order, day.network)
    assert cart.pickup_node_ids == (store_order.pickup_node_id,)
    assert cart.destination == day.network.node(store_order.pickup_node_id or "").location
    home_order = next(o for o in day.orders if o.method is oc.FulfillmentMethod.SHIP_TO_HOME)
    assert cart_of(home_order, day.network).destination == home_order.destination
    assert cart_of(home_order, day.network).lines == home_order.lines

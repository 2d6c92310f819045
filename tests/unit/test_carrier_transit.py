"""Carrier transit days on readable cases: validation, serialization, and the
reference's rate shopping against ``deliver_by`` (CONTRACTS 14)."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest

import omnichannel as oc
from omnichannel import reference
from omnichannel.allocation import FairShare
from omnichannel.serialization import from_dict, to_dict

NOW = dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.timezone.utc)  # a Monday
HOME = oc.GeoPoint(lat=48.85, lon=2.35)
DC = oc.GeoPoint(lat=48.85, lon=4.35)  # about 146 km east


def _service(name: str, price: float, transit: tuple[int, ...] | None) -> oc.CarrierService:
    return oc.CarrierService(
        name=name,
        service_level=oc.ServiceLevel.STANDARD,
        zones=(100.0, 400.0),
        weight_steps_kg=(5.0,),
        prices=((price,), (price,)),
        transit_days=transit,
    )


def _day(*services: oc.CarrierService, transit: int = 0) -> tuple[oc.Network, oc.Inventory]:
    card = oc.RateCard(
        base=1.0,
        per_km=0.0,
        transit=() if not transit else (oc.TransitBand(max_km=1000, days=transit),),
    )
    network = oc.Network(
        nodes=[
            oc.Node(
                id="dc",
                kind=oc.NodeKind.DC,
                location=DC,
                capabilities=oc.Capability.SHIP | oc.Capability.SAME_DAY,
            )
        ],
        channels=[oc.Channel(id="web", kind=oc.ChannelKind.WEB)],
        costs=oc.CostModel(
            rates={**oc.CostModel().rates, oc.ServiceLevel.STANDARD: card},
            carriers=services,
        ),
        catalogue=oc.Catalogue(products=[oc.Product(sku="s", weight_kg=1.0)]),
    )
    stock = oc.Inventory.from_positions([oc.StockPosition(node_id="dc", sku="s", on_hand=5)])
    return network, stock


def _order(deliver_by: dt.datetime | None = None) -> oc.Order:
    return oc.Order(
        id="o",
        channel_id="web",
        lines=[oc.OrderLine(sku="s", quantity=1)],
        destination=HOME,
        deliver_by=deliver_by,
    )


def _end_of(day: int) -> dt.datetime:
    """23:59 UTC of December ``day``, 2026."""
    return dt.datetime(2026, 12, day, 23, 59, tzinfo=dt.timezone.utc)


# -- the field ------------------------------------------------------------------------------


def test_transit_days_default_to_none_and_round_trip() -> None:
    assert _service("a", 4.0, None).transit_days is None
    service = _service("a", 4.0, (1, 2))
    data = to_dict(service)
    assert data["transit_days"] == [1, 2]
    assert from_dict(oc.CarrierService, data) == service
    del data["transit_days"]  # JSON written before the field existed
    assert from_dict(oc.CarrierService, data).transit_days is None


@pytest.mark.parametrize(
    ("transit", "path", "message"),
    [
        ([1], "transit_days", "must hold one count of days per zone (2), got 1"),
        ([1, -1], "transit_days[1]", "must be >= 0, got -1"),
        ([1, 366], "transit_days[1]", "must be <= 365, got 366"),
        ([1, True], "transit_days[1]", "must be an int, got True"),
        ([1, 1.5], "transit_days[1]", "must be an int, got 1.5"),
    ],
)
def test_bad_transit_days_name_their_zone(transit: list[object], path: str, message: str) -> None:
    with pytest.raises(oc.InvalidInputError) as caught:
        _service("a", 4.0, transit)  # type: ignore[arg-type]
    assert str(caught.value) == f"{path}: {message}"


def test_a_same_day_service_delivers_the_day_it_dispatches() -> None:
    with pytest.raises(oc.InvalidInputError, match=r"transit_days\[1\]: must be 0 for a SAME_DAY"):
        oc.CarrierService(
            name="courier",
            service_level=oc.ServiceLevel.SAME_DAY,
            zones=(10.0, 30.0),
            weight_steps_kg=(5.0,),
            prices=((9.0,), (12.0,)),
            transit_days=(0, 1),
        )


# -- the reference's decisions -----------------------------------------------------------


def test_each_parcel_is_dated_by_its_carrier() -> None:
    network, stock = _day(_service("slow", 4.0, (3, 4)), _service("fast", 9.0, (1, 1)))
    result = reference.allocate([_order()], network, stock, now=NOW)
    (shipment,) = result.allocations[0].shipments
    assert [p.carrier for p in shipment.parcels] == ["slow"]  # cheapest, no promise
    assert shipment.delivered_by == _end_of(11)  # zone 1 (146 km): 4 days, Mon-Sat


def test_the_cheapest_carrier_too_slow_gives_way_to_a_dearer_on_time_one() -> None:
    network, stock = _day(_service("slow", 4.0, (3, 4)), _service("fast", 9.0, (1, 1)))
    result = reference.allocate([_order(deliver_by=_end_of(9))], network, stock, now=NOW)
    (shipment,) = result.allocations[0].shipments
    assert [p.carrier for p in shipment.parcels] == ["fast"]
    assert shipment.parcels[0].cost == 9.0
    assert shipment.delivered_by == _end_of(8)


def test_no_carrier_on_time_makes_the_node_too_late() -> None:
    network, stock = _day(_service("slow", 4.0, (3, 4)), _service("fast", 9.0, (2, 2)))
    result = reference.allocate([_order(deliver_by=_end_of(8))], network, stock, now=NOW)
    allocation = result.allocations[0]
    assert allocation.shipments == ()
    assert [u.reason for u in allocation.unfulfilled] == [oc.UnfulfilledReason.TOO_LATE]


def test_a_carrier_without_transit_days_is_dated_by_the_rate_card() -> None:
    network, stock = _day(_service("card", 4.0, None), _service("fast", 9.0, (0, 0)), transit=2)
    plain = reference.allocate([_order()], network, stock, now=NOW)
    assert plain.allocations[0].shipments[0].parcels[0].carrier == "card"
    assert plain.allocations[0].shipments[0].delivered_by == _end_of(9)
    promised = reference.allocate([_order(deliver_by=_end_of(8))], network, stock, now=NOW)
    (shipment,) = promised.allocations[0].shipments
    assert shipment.parcels[0].carrier == "fast"
    assert shipment.delivered_by == _end_of(7)


def test_without_now_transit_days_change_nothing() -> None:
    with_days, stock = _day(_service("slow", 4.0, (3, 4)), _service("fast", 9.0, (1, 1)))
    without, _ = _day(_service("slow", 4.0, None), _service("fast", 9.0, None))
    order = _order(deliver_by=_end_of(8))
    for allocate in (reference.allocate, oc.allocate):
        assert allocate([order], with_days, stock).allocations == (
            allocate([order], without, stock).allocations
        )


def test_the_engine_refuses_a_dated_call_carrier_transit_would_change() -> None:
    network, stock = _day(_service("slow", 4.0, (3, 4)), _service("fast", 9.0, None))
    path = r"network\.costs\.carriers\[0\]\.transit_days: allocate with now"
    with pytest.raises(oc.InvalidInputError, match=path):
        oc.allocate([_order()], network, stock, now=NOW)
    with pytest.raises(oc.InvalidInputError, match="explain with now"):
        oc.explain(_order(), network, stock, now=NOW)
    with pytest.raises(oc.InvalidInputError, match="the reference's FairShare with now"):
        reference.allocate([_order()], network, stock, policy=FairShare(), now=NOW)
    cart = oc.Cart(id="c", channel_id="web", lines=[oc.OrderLine(sku="s", quantity=1)])
    with pytest.raises(oc.InvalidInputError, match="promise with now"):
        oc.promise([attrs.evolve(cart, destination=HOME)], network, stock, now=NOW)
    with pytest.raises(oc.InvalidInputError, match="availability with now"):
        oc.availability(["s"], network, stock, channel_id="web", near=HOME, radius_km=50, now=NOW)


def test_a_network_that_is_no_network_is_named_by_the_call_s_own_check() -> None:
    with pytest.raises(oc.InvalidInputError, match="network"):
        oc.allocate([_order()], "not a network", oc.Inventory.from_positions([]), now=NOW)  # type: ignore[arg-type]


def test_a_same_day_service_s_zero_days_pass_the_engine() -> None:
    courier = oc.CarrierService(
        name="courier",
        service_level=oc.ServiceLevel.SAME_DAY,
        zones=(400.0,),
        weight_steps_kg=(5.0,),
        prices=((9.0,),),
        transit_days=(0,),
    )
    network, stock = _day(courier)
    costs = network.costs
    card = attrs.evolve(costs.rates[oc.ServiceLevel.SAME_DAY], max_km=None)
    network = attrs.evolve(
        network,
        costs=attrs.evolve(costs, rates={**costs.rates, oc.ServiceLevel.SAME_DAY: card}),
    )
    order = attrs.evolve(_order(deliver_by=_end_of(7)), service_level=oc.ServiceLevel.SAME_DAY)
    fast = oc.allocate([order], network, stock, now=NOW)
    assert fast.allocations == reference.allocate([order], network, stock, now=NOW).allocations
    assert fast.allocations[0].shipments[0].delivered_by == _end_of(7)


def test_explain_quotes_each_carrier_s_delivery_date() -> None:
    network, stock = _day(_service("slow", 4.0, None), _service("fast", 9.0, None), transit=2)
    why = oc.explain(_order(), network, stock, now=NOW)
    (quoted,) = why.parcels
    assert [(q.carrier, q.delivered_by) for q in quoted.quotes] == [
        ("slow", _end_of(9)),
        ("fast", _end_of(9)),
    ]
    (chosen,) = why.candidates
    assert chosen.delivered_by == _end_of(9)
    undated = oc.explain(_order(), network, stock)
    assert [q.delivered_by for q in undated.parcels[0].quotes] == [None, None]

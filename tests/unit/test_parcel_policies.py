"""The optimizing policies with parcel prices: exact prices, unshippable lines."""

from __future__ import annotations

import datetime as dt

import pytest

import omnichannel as oc
from omnichannel.allocation import (
    BatchOptimal,
    DualPriceLookahead,
    FairShare,
    Sequential,
    lower_bound,
)

pytest.importorskip("scipy", reason="the optimizing policies need the 'optimize' extra")

HOME = oc.GeoPoint(lat=50.0, lon=9.0)
NEAR = oc.GeoPoint(lat=50.5, lon=9.0)  # about 56 km
FAR = oc.GeoPoint(lat=52.0, lon=9.0)  # about 222 km
POST = oc.CarrierService(
    name="post",
    service_level=oc.ServiceLevel.STANDARD,
    zones=(100.0, 300.0),
    weight_steps_kg=(2.0, 10.0),
    prices=((5.0, 20.0), (6.0, 30.0)),
    max_parcel_kg=10.0,
)
POLICIES = [Sequential(), FairShare(), BatchOptimal(), DualPriceLookahead()]


def _network() -> oc.Network:
    return oc.Network(
        nodes=[
            oc.Node(id="near", kind=oc.NodeKind.DC, location=NEAR, capabilities=oc.Capability.SHIP),
            oc.Node(id="far", kind=oc.NodeKind.DC, location=FAR, capabilities=oc.Capability.SHIP),
        ],
        channels=[oc.Channel(id="web", kind=oc.ChannelKind.WEB)],
        costs=oc.CostModel(carriers=(POST,)),
        catalogue=oc.Catalogue(
            products=[
                oc.Product(sku="CASE", weight_kg=0.5),
                oc.Product(sku="KETTLE", weight_kg=1.5),
                oc.Product(sku="SOFA", weight_kg=40.0, ship_alone=True),
            ]
        ),
    )


def _order(*lines: tuple[str, int], split: bool = True) -> oc.Order:
    return oc.Order(
        id="o1",
        channel_id="web",
        destination=HOME,
        lines=[oc.OrderLine(sku=s, quantity=q) for s, q in lines],
        allow_split=split,
    )


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: type(p).__name__)
def test_a_line_only_unshippable_nodes_hold_is_unshippable(
    policy: oc.allocation.AllocationPolicy,
) -> None:
    stock = oc.Inventory.from_positions(
        [
            oc.StockPosition(node_id="near", sku="SOFA", on_hand=3),
            oc.StockPosition(node_id="near", sku="CASE", on_hand=3),
        ]
    )
    result = oc.allocate([_order(("SOFA", 1), ("CASE", 2))], _network(), stock, policy=policy)
    (allocation,) = result.allocations
    assert [(s.node_id, s.lines) for s in allocation.shipments] == [
        ("near", (oc.OrderLine(sku="CASE", quantity=2),))
    ]
    assert [(u.sku, u.reason) for u in allocation.unfulfilled] == [
        ("SOFA", oc.UnfulfilledReason.UNSHIPPABLE)
    ]


def test_batch_optimal_splits_where_two_light_parcels_beat_one_heavy() -> None:
    """Two kettles (3 kg) near cost 20.00 in one parcel; one kettle near (5.00) and one
    far (6.00) cost 11.00. Sequential takes the cheapest node for the whole order;
    BatchOptimal prices by parcels and splits, and the bound is that price."""
    stock = oc.Inventory.from_positions(
        [oc.StockPosition(node_id=n, sku="KETTLE", on_hand=2) for n in ("near", "far")]
    )
    order = _order(("KETTLE", 2))
    greedy = oc.allocate([order], _network(), stock, policy=Sequential())
    assert [(s.node_id, s.cost) for s in greedy.allocations[0].shipments] == [("near", 20.0)]
    best = oc.allocate([order], _network(), stock, policy=BatchOptimal())
    assert sorted((s.node_id, s.units, s.cost) for s in best.allocations[0].shipments) == [
        ("far", 1, 6.0),
        ("near", 1, 5.0),
    ]
    assert lower_bound([order], _network(), stock) == pytest.approx(11.0)


def test_the_model_prices_a_pair_by_its_parcels() -> None:
    """One order of a kettle and a case: near as one 2 kg parcel (5.00), or far
    (6.00); split across both it would pay two parcels. BatchOptimal ships it whole
    from near at the table's price, and the bound is that price exactly."""
    stock = oc.Inventory.from_positions(
        [
            oc.StockPosition(node_id=n, sku=s, on_hand=2)
            for n in ("near", "far")
            for s in ("KETTLE", "CASE")
        ]
    )
    order = _order(("KETTLE", 1), ("CASE", 1))
    result = oc.allocate([order], _network(), stock, policy=BatchOptimal())
    (shipment,) = result.allocations[0].shipments
    assert (shipment.node_id, shipment.cost) == ("near", 5.0)
    assert lower_bound([order], _network(), stock) == pytest.approx(5.0)


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: type(p).__name__)
def test_split_shipments_priced_by_carriers_keep_their_dates(
    policy: oc.allocation.AllocationPolicy,
) -> None:
    """A shipment the carriers price after the policy decided (a split) is dated too."""
    stock = oc.Inventory.from_positions(
        [
            oc.StockPosition(node_id="near", sku="CASE", on_hand=2),
            oc.StockPosition(node_id="far", sku="KETTLE", on_hand=1),
        ]
    )
    now = dt.datetime(2026, 6, 2, 9, 0, tzinfo=dt.timezone.utc)
    result = oc.allocate(
        [_order(("CASE", 2), ("KETTLE", 1))], _network(), stock, policy=policy, now=now
    )
    shipments = result.allocations[0].shipments
    assert sorted(s.node_id for s in shipments) == ["far", "near"]
    assert all(s.parcels for s in shipments)
    assert all(s.ready_at is not None and s.delivered_by is not None for s in shipments)

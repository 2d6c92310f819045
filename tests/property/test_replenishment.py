"""Replenishment between simulated days, on random networks and stock: units are
conserved, a store never orders past its cover, a DC never sends what it must keep
(reserved units, safety stock) nor more than its daily limit, and everything sent
arrives."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

import omnichannel as oc
from omnichannel.simulation import Replenishment
from omnichannel.simulation._replenishment import Replenisher

SKUS = ("A", "B", "C")


def _node(node_id: str, kind: oc.NodeKind, lat: float) -> oc.Node:
    return oc.Node(id=node_id, kind=kind, location=oc.GeoPoint(lat=lat, lon=10.0))


@st.composite
def worlds(draw: st.DrawFn) -> tuple[oc.Network, oc.Inventory, oc.DemandRates, Replenishment]:
    """A few DCs and stores on a meridian, random stock, demand and a policy."""
    dcs = draw(st.integers(1, 3))
    stores = draw(st.integers(1, 4))
    nodes = [_node(f"dc{i}", oc.NodeKind.DC, draw(st.floats(45, 55))) for i in range(dcs)]
    nodes += [
        _node(f"s{i}", draw(st.sampled_from([oc.NodeKind.STORE, oc.NodeKind.DARK_STORE])), 50.0)
        for i in range(stores)
    ]
    network = oc.Network(nodes=nodes, channels=[oc.Channel(id="web", kind=oc.ChannelKind.WEB)])
    positions, rates = [], {}
    for node in nodes:
        for sku in SKUS:
            if draw(st.booleans()):
                on_hand = draw(st.integers(0, 30))
                reserved = draw(st.integers(0, on_hand))
                safety = draw(st.integers(0, 5))
                positions.append(
                    oc.StockPosition(
                        node_id=node.id,
                        sku=sku,
                        on_hand=on_hand,
                        reserved=reserved,
                        safety_stock=safety,
                    )
                )
            if node.kind is not oc.NodeKind.DC and draw(st.booleans()):
                rates[(node.id, sku)] = draw(st.floats(0, 8))
    policy = Replenishment(
        cover_days=draw(st.floats(0, 4)),
        lead_days=draw(st.integers(1, 3)),
        dc_units_per_day=draw(st.none() | st.integers(0, 20)),
        supplier_lead_days=draw(st.integers(1, 3)),
        dc_cover_days=draw(st.floats(0, 5)),
    )
    inventory = oc.Inventory.from_positions(positions)
    return network, inventory, oc.DemandRates.from_mapping(rates), policy


def _units(inventory: oc.Inventory) -> int:
    columns = inventory.columns()
    return int(columns.on_hand.sum() + columns.in_transit.sum())


def _have(inventory: oc.Inventory, node_id: str, sku: str) -> int:
    """Units a store counts towards its cover: on hand, not reserved, and on the way."""
    on_hand, reserved, _, in_transit = _counts(inventory, node_id, sku)
    return on_hand - reserved + in_transit


def _counts(inventory: oc.Inventory, node_id: str, sku: str) -> tuple[int, int, int, int]:
    found = inventory.position(node_id, sku)
    if found is None:
        return 0, 0, 0, 0
    return found.on_hand, found.reserved, found.safety_stock, found.in_transit


@given(worlds(), st.integers(1, 5), st.data())
def test_replenishment_keeps_its_rules_day_after_day(
    world: tuple[oc.Network, oc.Inventory, oc.DemandRates, Replenishment],
    days: int,
    data: st.DataObject,
) -> None:
    network, inventory, demand, policy = world
    replenisher = Replenisher(policy, network, demand, inventory)
    dcs = [n.id for n in network.nodes if n.kind is oc.NodeKind.DC]
    for day in range(days):
        inventory = replenisher.arrive(day, inventory)
        # Customers take some units: what a day of orders would ship.
        shipped = [
            oc.StockMove(node_id=node_id, sku=sku, quantity=units)
            for (node_id, sku), units in (
                ((p.node_id, p.sku), data.draw(st.integers(0, p.reserved)))
                for p in inventory.positions()
            )
            if units
        ]
        inventory = inventory.fulfil(shipped)
        before = inventory
        after, moves = replenisher.restock(day, before)
        assert _units(after) == _units(before) + moves.reordered
        sent_by_dc = dict.fromkeys(dcs, 0)
        for (node_id, sku), rate in demand.items():
            on_hand, reserved, _, in_transit = _counts(before, node_id, sku)
            a_hand, a_reserved, _, a_transit = _counts(after, node_id, sku)
            assert (a_hand, a_reserved) == (on_hand, reserved)
            had = on_hand - reserved + in_transit
            target = math.ceil(policy.cover_days * rate)
            assert a_hand - a_reserved + a_transit <= max(had, target)
        for dc in dcs:
            for sku in SKUS:
                on_hand, reserved, safety, _ = _counts(before, dc, sku)
                a_hand, a_reserved, _, _ = _counts(after, dc, sku)
                sent = on_hand - a_hand
                assert a_reserved == reserved
                assert 0 <= sent <= max(on_hand - reserved - safety, 0)
                sent_by_dc[dc] += sent
        if policy.dc_units_per_day is not None:
            assert all(sent <= policy.dc_units_per_day for sent in sent_by_dc.values())
        if len(dcs) == 1 and policy.dc_units_per_day is None:
            # One DC with no limit: a store gets all it needs whenever the DC can spare
            # what every store needs of that SKU (stores without a position included).
            for sku in SKUS:
                on_hand, reserved, safety, _ = _counts(before, dcs[0], sku)
                spare = max(on_hand - reserved - safety, 0)
                needs = {}
                for (node_id, rated), rate in demand.items():
                    if rated == sku:
                        have = _have(before, node_id, sku)
                        needs[node_id] = max(math.ceil(policy.cover_days * rate) - have, 0)
                if sum(needs.values()) <= spare:
                    for node_id, need in needs.items():
                        assert _have(after, node_id, sku) == _have(before, node_id, sku) + need
        assert sum(sent_by_dc.values()) == moves.units
        inventory = after
    for day in range(days, days + 4):
        inventory = replenisher.arrive(day, inventory)
    assert int(inventory.columns().in_transit.sum()) == 0

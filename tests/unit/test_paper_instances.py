"""examples/paper_instances.py prices a package as the literature does: a fixed charge
plus a per-item charge by zone, so a split costs one more fixed charge."""

import bisect
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from omnichannel import (
    GeoPoint,
    Inventory,
    Order,
    OrderLine,
    Shipment,
    StockPosition,
    allocate,
)
from omnichannel.sourcing import LowestCost, Nearest

ROOT = Path(__file__).resolve().parents[2]


def load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "paper_instances", ROOT / "examples" / "paper_instances.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


paper = load_example()


def formula(distance_km: float, items: int) -> float:
    """The literature's package price, from the example's constants."""
    zone = bisect.bisect_left(paper.ZONES_KM, distance_km)
    return round(paper.FIXED_CHARGE + paper.PER_ITEM_CHARGE[zone] * items, 2)


def zone_of(distance_km: float) -> int:
    return bisect.bisect_left(paper.ZONES_KM, distance_km)


def check_package(shipment: Shipment) -> None:
    """One parcel per shipment, billed by its items, at the formula's price."""
    (parcel,) = shipment.parcels
    items = shipment.units
    assert sum(line.quantity for line in parcel.units) == items
    assert parcel.weight_kg == parcel.billable_kg == items * paper.ITEM_WEIGHT_KG
    assert parcel.cost == pytest.approx(formula(shipment.distance_km, items), abs=1e-9)
    assert shipment.cost == pytest.approx(parcel.cost, abs=1e-9)  # FCs have no handling cost


def only_at(node_id: str, skus: list[str]) -> Inventory:
    return Inventory.from_positions(
        [StockPosition(node_id=node_id, sku=sku, on_hand=5) for sku in skus]
    )


def test_the_table_holds_fixed_plus_per_item_times_items_in_every_cell() -> None:
    service = paper.carrier()
    assert service.zones == paper.ZONES_KM
    assert service.weight_steps_kg == tuple(
        float(n) for n in range(1, paper.MAX_ITEMS_PER_PACKAGE + 1)
    )
    for zone, row in enumerate(service.prices):
        for step, price in enumerate(row):
            items = step + 1
            expected = paper.FIXED_CHARGE + paper.PER_ITEM_CHARGE[zone] * items
            assert price == pytest.approx(expected, abs=1e-9)
    assert list(paper.PER_ITEM_CHARGE) == sorted(paper.PER_ITEM_CHARGE)  # grows with distance


def test_every_order_from_every_fc_costs_the_formula() -> None:
    network = paper.network()
    for order in paper.orders(rng=5)[:12]:
        skus = [line.sku for line in order.lines]
        for fc in paper.FCS:
            result = allocate([order], network, only_at(fc, skus))
            (allocation,) = result.allocations
            (shipment,) = allocation.shipments
            assert shipment.node_id == fc
            check_package(shipment)
            assert result.total_cost == pytest.approx(shipment.cost, abs=1e-9)


def test_every_package_of_the_example_stream_costs_the_formula() -> None:
    network, stock, stream = paper.instance()
    for sourcing in (LowestCost(), Nearest()):
        result = allocate(stream[:150], network, stock, sourcing=sourcing)
        shipments = [s for a in result.allocations for s in a.shipments]
        assert len(shipments) > len(result.allocations)  # some orders split
        for shipment in shipments:
            check_package(shipment)
        assert result.total_cost == pytest.approx(sum(s.cost for s in shipments), abs=1e-6)


def test_splitting_an_order_costs_one_more_fixed_charge() -> None:
    network = paper.network()
    a, b = paper.skus()[:2]
    same_zone = 0
    for lat, lon, _ in list(paper.REGIONS.values())[:4]:
        home = GeoPoint(lat=lat, lon=lon)
        order = Order(
            id="o",
            channel_id="web",
            destination=home,
            lines=[OrderLine(sku=a, quantity=1), OrderLine(sku=b, quantity=1)],
        )
        for x in paper.FCS:
            (whole,) = allocate([order], network, only_at(x, [a, b])).allocations[0].shipments
            for y in paper.FCS:
                if y == x:
                    continue
                split_stock = Inventory.from_positions(
                    [
                        StockPosition(node_id=x, sku=a, on_hand=5),
                        StockPosition(node_id=y, sku=b, on_hand=5),
                    ]
                )
                (allocation,) = allocate([order], network, split_stock).allocations
                at = {s.node_id: s for s in allocation.shipments}
                assert sorted(at) == sorted([x, y])
                for shipment in allocation.shipments:
                    check_package(shipment)
                # Item b moves from x's package to a package of its own from y.
                moved = (
                    paper.PER_ITEM_CHARGE[zone_of(at[y].distance_km)]
                    - paper.PER_ITEM_CHARGE[zone_of(whole.distance_km)]
                )
                split_cost = sum(s.cost for s in allocation.shipments)
                assert split_cost == pytest.approx(
                    whole.cost + paper.FIXED_CHARGE + moved, abs=1e-9
                )
                if zone_of(at[y].distance_km) == zone_of(whole.distance_km):
                    same_zone += 1
                    assert split_cost == pytest.approx(whole.cost + paper.FIXED_CHARGE, abs=1e-9)
    assert same_zone > 0  # the exact "one more fixed charge" case was met


def test_the_bound_is_below_the_table_cost_of_every_policy() -> None:
    pytest.importorskip("scipy")
    from omnichannel.allocation import BatchOptimal, lower_bound

    network, stock, stream = paper.instance()
    stream = stream[:80]
    bound = lower_bound(stream, network, stock, unserved_penalty=paper.UNSERVED_PENALTY)
    for sourcing in (LowestCost(), Nearest()):
        result = allocate(stream, network, stock, sourcing=sourcing)
        assert bound <= result.penalized_cost(paper.UNSERVED_PENALTY) + 1e-6
    optimal = allocate(
        stream, network, stock, policy=BatchOptimal(unserved_penalty=paper.UNSERVED_PENALTY)
    )
    assert bound <= optimal.penalized_cost(paper.UNSERVED_PENALTY) + 1e-6
    for shipment in (s for a in optimal.allocations for s in a.shipments):
        check_package(shipment)


def test_the_instance_is_the_same_for_the_same_seed() -> None:
    first, second = paper.instance(7), paper.instance(7)
    assert first.orders == second.orders
    cost = [allocate(i.orders[:50], i.network, i.inventory).total_cost for i in (first, second)]
    assert cost[0] == cost[1]
    assert paper.instance(8).orders != first.orders

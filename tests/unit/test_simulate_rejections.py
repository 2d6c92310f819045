"""Picking from a shelf truth: rejections are re-sourced, units are conserved, the
loop ends, and the rejection KPIs are in range; without a truth nothing changes."""

import datetime as dt
import math
import re

import attrs
import pytest

import omnichannel as oc
from omnichannel.simulation import DEFAULT_STOCK_ACCURACY, Scenario, simulate
from omnichannel.simulation._kpis import REJECTION_KPIS
from omnichannel.simulation._simulate import _Shelf

START = dt.datetime(2026, 3, 2, tzinfo=dt.timezone.utc)


def small_day(seed: int = 7, **options: object) -> Scenario:
    return Scenario.generate(n_nodes=30, n_skus=200, n_orders=600, rng=seed, **options)


def figures(kpis: oc.simulation.DayKpis, *, rejections: bool = True) -> dict[str, object]:
    found = kpis.as_dict()
    del found["decisions_per_second"], found["engine_seconds"]
    if not rejections:
        for name in REJECTION_KPIS:
            del found[name]
    return found


def test_without_the_keyword_the_day_and_its_figures_are_as_before() -> None:
    # Pinned from main before the shelf truth existed.
    kpis = simulate(small_day(7))
    assert kpis.cost_per_order == pytest.approx(9.784474789776391, rel=1e-12)
    assert kpis.fill_rate == pytest.approx(0.8835657974530018, rel=1e-12)
    assert kpis.shipping_cost == pytest.approx(4232.561134377016, rel=1e-12)
    assert kpis.stores_below_safety == 7
    assert kpis.return_net_value == pytest.approx(755.4626987962657, rel=1e-12)
    assert all(getattr(kpis, name) is None for name in REJECTION_KPIS)
    plain, checked = small_day(7), small_day(7, stock_accuracy=DEFAULT_STOCK_ACCURACY)
    assert plain.shelf is None
    assert plain.accuracy is None
    assert checked.accuracy is not None
    assert checked.shelf
    assert (plain.network, plain.orders, plain.returns, plain.inventory) == (
        checked.network,
        checked.orders,
        checked.returns,
        checked.inventory,
    )
    # A shelf truth with every record right picks everything: the same allocations.
    perfect = simulate(attrs.evolve(plain, shelf={}))
    assert figures(perfect, rejections=False) == figures(kpis, rejections=False)
    assert perfect.rejection_rate == 0.0
    assert perfect.resourced_lines == 0.0


def test_the_shelf_truth_holds_fewer_units_only_where_the_kind_is_inaccurate() -> None:
    day = small_day(3, stock_accuracy={oc.NodeKind.STORE: 0.0})
    kinds = {node.id: node.kind for node in day.network.nodes}
    assert day.shelf is not None
    stocked = [p for p in day.inventory.positions() if p.on_hand > 0]
    stores = [p for p in stocked if kinds[p.node_id] is oc.NodeKind.STORE]
    assert {(p.node_id, p.sku) for p in stores} == set(day.shelf)
    for position in stores:
        assert 0 <= day.shelf[(position.node_id, position.sku)] < position.on_hand


@pytest.mark.parametrize(
    ("accuracy", "where"),
    [
        ({oc.NodeKind.STORE: 1.5}, "stock_accuracy[<NodeKind.STORE"),
        ({oc.NodeKind.DC: math.nan}, "stock_accuracy[<NodeKind.DC"),
        ({"store": 0.5}, "stock_accuracy['store']"),
        ([0.5], "stock_accuracy"),
    ],
)
def test_a_bad_accuracy_is_refused_by_name(accuracy: object, where: str) -> None:
    with pytest.raises(oc.InvalidInputError, match=re.escape(where)):
        small_day(1, stock_accuracy=accuracy)


def test_picking_rejects_re_sources_and_conserves_every_unit() -> None:
    day = small_day(11, stock_accuracy=dict.fromkeys(oc.NodeKind, 0.3))
    assert day.shelf is not None
    orders = list(day.orders[:300])
    allocated = oc.allocate(orders, day.network, day.inventory, demand=day.demand, now=None)
    shelf = _Shelf.of(day)
    truth = dict(shelf.missing)
    result = shelf.pick(
        orders,
        allocated,
        day.network,
        sourcing=oc.sourcing.LowestCost(),
        policy=oc.allocation.Sequential(),
        demand=day.demand,
        now=None,
        accuracy=day.accuracy,
    )
    assert shelf.rejected > 0
    assert shelf.resourced > 0
    ordered = {o.id: sum(line.quantity for line in o.lines) for o in orders}
    for allocation in result.allocations:
        assert (
            allocation.units_allocated + allocation.units_unfulfilled
            == ordered[allocation.order_id]
        )
    # No shipment takes more from a position than its shelf held.
    shipped: dict[tuple[str, str], int] = {}
    for allocation in result.allocations:
        for shipment in allocation.shipments:
            for line in shipment.lines:
                key = (shipment.node_id, line.sku)
                shipped[key] = shipped.get(key, 0) + line.quantity
    for key, gap in truth.items():
        position = day.inventory.position(*key)
        assert position is not None
        assert shipped.get(key, 0) <= position.on_hand - gap
        # The records were corrected by what was not found, never below the shelf.
        now = result.inventory.position(*key)
        assert now is not None
        assert now.on_hand - shelf.missing[key] == position.on_hand - gap
        assert 0 <= shelf.missing[key] <= gap


def test_a_checked_day_has_rejection_figures_in_range_and_is_reproducible() -> None:
    day = small_day(7, stock_accuracy=DEFAULT_STOCK_ACCURACY, start=START)
    first, again = simulate(day, now=START), simulate(day, now=START)
    assert figures(first) == figures(again)
    assert first.rejection_rate is not None
    assert 0 < first.rejection_rate < 1
    assert first.resourced_lines is not None
    assert first.resourced_lines >= 0
    assert first.failed_after_rejection is not None
    assert 0 <= first.failed_after_rejection <= first.orders
    assert first.rejection_extra_cost is not None
    assert math.isfinite(first.rejection_extra_cost)
    assert first.rejection_delay_hours is None or math.isfinite(first.rejection_delay_hours)
    # Undated: no delay figure.
    assert simulate(day).rejection_delay_hours is None
    # Missing units are found nowhere: the fill rate can only drop.
    assert first.fill_rate <= simulate(attrs.evolve(day, shelf=None), now=START).fill_rate
    assert "rejection rate %" in oc.simulation.Comparison(kpis=(first,)).table()
    assert "rejection rate %" not in oc.simulation.Comparison(kpis=(simulate(small_day()),)).table()


@pytest.mark.parametrize("seed", [1, 2])
def test_the_loop_ends_when_every_record_is_wrong(seed: int) -> None:
    day = Scenario.generate(
        n_nodes=20,
        n_skus=100,
        n_orders=300,
        rng=seed,
        start=START,
        stock_accuracy=dict.fromkeys(oc.NodeKind, 0.0),
    )
    kpis = simulate(day, now=START, waves=2)
    assert kpis.rejection_rate is not None
    assert 0.2 < kpis.rejection_rate <= 1.0
    assert kpis.resourced_lines is not None
    assert kpis.resourced_lines > 0
    assert kpis.rejection_delay_hours is not None
    assert math.isfinite(kpis.rejection_delay_hours)

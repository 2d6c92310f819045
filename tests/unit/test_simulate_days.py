"""Runs of several simulated days: each day's orders, walk-in sales, replenishment
between days, and the run's KPIs."""

import datetime as dt
import json
from typing import Any

import pytest

import omnichannel as oc
from omnichannel.simulation import (
    DayMix,
    Replenishment,
    Scenario,
    SimulatedRun,
    SimulationConfig,
    compare,
    simulate,
)
from omnichannel.simulation._kpis import STOCK_KPIS
from omnichannel.simulation._replenishment import Replenisher

WALL_TIME = ("decisions_per_second", "engine_seconds")
"""Figures that measure the machine, not the decisions."""


def small(seed: int = 4, **options: Any) -> Scenario:
    return Scenario.generate(n_nodes=30, n_skus=200, n_orders=300, rng=seed, **options)


def decisions(kpis: oc.simulation.DayKpis, *skip: str) -> dict[str, Any]:
    return {k: v for k, v in kpis.as_dict().items() if k not in (*WALL_TIME, *skip)}


def test_one_day_run_measures_what_a_plain_day_does_plus_the_stock_figures() -> None:
    day = small()
    plain = simulate(day)
    run = simulate(day, days=1)
    assert isinstance(run, SimulatedRun)
    assert decisions(run.days[0], *STOCK_KPIS) == decisions(plain, *STOCK_KPIS)
    assert decisions(run.total) == decisions(run.days[0])
    assert all(getattr(plain, name) is None for name in STOCK_KPIS)
    assert run.total.store_stockout_rate is not None
    assert run.total.inventory_turns is not None
    # Off unless the scenario has walk-ins and replenishment.
    assert run.total.lost_store_sales is None
    assert run.total.replenished_units is None


def test_a_day_is_the_same_whatever_the_length_of_the_run() -> None:
    day = small(replenishment=Replenishment(), mix=DayMix(walk_in=1.0))
    short, long = simulate(day, days=2), simulate(day, days=3)
    assert [decisions(k) for k in short.days] == [decisions(k) for k in long.days[:2]]
    again = simulate(small(replenishment=Replenishment(), mix=DayMix(walk_in=1.0)), days=3)
    assert [decisions(k) for k in again.days] == [decisions(k) for k in long.days]


def test_later_days_have_their_own_orders_and_ids_and_return_their_own_orders() -> None:
    day = small()
    assert day.day(0) == (day.orders, day.returns)
    first, _ = day.day(1)
    second, returns = day.day(2)
    assert first[0].id == "D001-O0000000"
    ids = [o.id for o in (*day.orders, *first, *second)]
    assert len(ids) == len(set(ids))
    assert first != second
    assert first == day.day(1)[0]
    assert {r.order_id for r in returns} <= {o.id for o in second}
    assert all(r.id.startswith("D002-R") for r in returns)


def test_the_mix_sets_orders_per_day_by_weekday_trend_and_promotion() -> None:
    mix = DayMix(
        weekday_factors=(1, 1, 1, 1, 1.5, 2, 0.5),
        trend=0.1,
        promotion_days={3},
        promotion_factor=3,
    )
    assert [mix.orders_on(d, 100) for d in range(8)] == [100, 110, 121, 399, 220, 322, 89, 195]
    day = small(mix=mix)
    assert len(day.orders) == 300
    assert len(day.day(5)[0]) == round(300 * 2 * 1.1**5)
    assert DayMix().orders_on(400, 10**12) == 10**12
    assert DayMix(trend=1.0).orders_on(3_000, 10) == 10**7  # growth is capped


def test_a_dated_run_places_each_days_orders_on_its_own_day() -> None:
    start = dt.datetime(2026, 3, 2, tzinfo=dt.timezone.utc)
    day = small(start=start)
    later, _ = day.day(2)
    placed = [o.placed_at for o in later if o.placed_at is not None]
    assert placed
    assert all(start + dt.timedelta(days=2) <= at < start + dt.timedelta(days=3) for at in placed)
    run = simulate(day, days=2, now=start)
    assert run.total.on_time_rate is not None


def test_walk_in_sales_lose_what_the_shelf_cannot_give() -> None:
    many = small(mix=DayMix(walk_in=50.0))
    few = small(mix=DayMix(walk_in=0.5))
    lost_many = simulate(many).lost_store_sales
    lost_few = simulate(few).lost_store_sales
    assert lost_many is not None
    assert lost_few is not None
    assert lost_many > lost_few >= 0
    # Shoppers drain the stores, so the orders find less there.
    assert simulate(many).fill_rate < simulate(small()).fill_rate


def test_replenishment_refills_the_stores_and_costs_what_it_moves() -> None:
    policy = Replenishment(cost_per_unit=0.5, cost_per_transfer=2.0)
    day = small(replenishment=policy, mix=DayMix(walk_in=1.0))
    run = simulate(day, days=4)
    moved = [k.replenished_units for k in run.days]
    assert all(units is not None and units >= 0 for units in moved)
    assert run.total.replenished_units == sum(moved)
    assert run.total.replenishment_cost == pytest.approx(
        sum(k.replenishment_cost for k in run.days)
    )
    assert run.total.replenished_units
    assert run.total.replenishment_cost > 0.5 * sum(moved)
    starved = simulate(small(mix=DayMix(walk_in=1.0)), days=4)
    assert run.days[-1].store_stockout_rate < starved.days[-1].store_stockout_rate
    assert run.total.lost_store_sales < starved.total.lost_store_sales


def test_the_run_total_adds_up_its_days() -> None:
    run = simulate(small(mix=DayMix(walk_in=2.0)), days=3)
    assert run.total.orders == sum(k.orders for k in run.days)
    assert run.total.return_lines == sum(k.return_lines for k in run.days)
    assert run.total.lost_store_sales == sum(k.lost_store_sales for k in run.days)
    rates = [k.store_stockout_rate for k in run.days]
    assert run.total.store_stockout_rate == pytest.approx(sum(rates) / 3)
    text = json.dumps(run.as_dict(), allow_nan=False)
    assert json.loads(text)["days"][2]["orders"] == run.days[2].orders


def test_compare_over_days_compares_the_run_totals() -> None:
    day = small()
    configs = [
        SimulationConfig(name="lowest", sourcing=oc.sourcing.LowestCost()),
        SimulationConfig(name="nearest", sourcing=oc.sourcing.Nearest()),
    ]
    table = compare(day, configs, days=2)
    assert [k.orders for k in table.kpis] == [600, 600]
    assert "store stock-outs %" in table.table()
    assert "store stock-outs %" not in compare(day, configs).table()


def _network() -> oc.Network:
    here = oc.GeoPoint(lat=52.5, lon=13.4)
    return oc.Network(
        nodes=[
            oc.Node(id="dc", kind=oc.NodeKind.DC, location=here),
            oc.Node(id="far-dc", kind=oc.NodeKind.DC, location=oc.GeoPoint(lat=48.1, lon=11.6)),
            oc.Node(id="store", kind=oc.NodeKind.STORE, location=here),
        ],
        channels=[oc.Channel(id="web", kind=oc.ChannelKind.WEB)],
    )


def test_a_store_orders_up_to_its_cover_from_its_nearest_dc() -> None:
    inventory = oc.Inventory.from_positions(
        [
            oc.StockPosition(node_id="dc", sku="A", on_hand=10, safety_stock=2),
            oc.StockPosition(node_id="far-dc", sku="A", on_hand=50),
            oc.StockPosition(node_id="store", sku="A", on_hand=2, reserved=1),
        ]
    )
    demand = oc.DemandRates.from_mapping({("store", "A"): 2.0})
    policy = Replenishment(cover_days=3.0, lead_days=2, supplier_lead_days=3, dc_cover_days=1)
    replenisher = Replenisher(policy, _network(), demand, inventory)
    after, moves = replenisher.restock(0, inventory)
    # Up to 6: it has 1 free, so 5 come from the nearest DC, which keeps its safety.
    assert after.position("store", "A").in_transit == 5
    assert after.position("dc", "A").on_hand == 5
    assert after.position("far-dc", "A").on_hand == 50
    assert (moves.units, moves.cost, moves.reordered) == (5, 5 * 0.15 + 4.0, 5)
    assert after.position("dc", "A").in_transit == 5
    assert replenisher.arrive(1, after) is after  # nothing due on day 1
    arrived = replenisher.arrive(2, after)
    assert arrived.position("store", "A").on_hand == 7
    assert arrived.position("store", "A").in_transit == 0
    # The store is at its cover: nothing more is sent the next evening.
    again, next_moves = replenisher.restock(2, arrived)
    assert next_moves.units == 0
    restocked = replenisher.arrive(3, again)
    assert restocked.position("dc", "A").on_hand == 10


def test_a_dc_orders_up_to_its_cover_of_what_left_it() -> None:
    inventory = oc.Inventory.from_positions(
        [
            oc.StockPosition(node_id="dc", sku="A", on_hand=10),
            oc.StockPosition(node_id="store", sku="A", on_hand=0),
        ]
    )
    demand = oc.DemandRates.from_mapping({("store", "A"): 2.0})
    policy = Replenishment(cover_days=3.0, dc_cover_days=7.0)
    after, moves = Replenisher(policy, _network(), demand, inventory).restock(0, inventory)
    # 6 left the DC on day 0: it orders up to 7 days of 6 a day, 42, from 4 on hand.
    assert moves.units == 6
    assert moves.reordered == 38
    assert after.position("dc", "A").in_transit == 38


def test_a_dc_sends_no_more_than_its_daily_limit_nor_below_its_safety_stock() -> None:
    inventory = oc.Inventory.from_positions(
        [
            oc.StockPosition(node_id="dc", sku="A", on_hand=4, safety_stock=3),
            oc.StockPosition(node_id="dc", sku="B", on_hand=20),
            oc.StockPosition(node_id="store", sku="A", on_hand=0),
            oc.StockPosition(node_id="store", sku="B", on_hand=0),
        ]
    )
    demand = oc.DemandRates.from_mapping({("store", "A"): 5.0, ("store", "B"): 5.0})
    policy = Replenishment(cover_days=2.0, dc_units_per_day=6)
    after, moves = Replenisher(policy, _network(), demand, inventory).restock(0, inventory)
    assert after.position("store", "A").in_transit == 1
    assert after.position("store", "B").in_transit == 5
    assert moves.units == 6


def test_replenishment_conserves_units_in_the_network() -> None:
    day = small(7, replenishment=Replenishment())
    assert day.replenishment is not None
    replenisher = Replenisher(day.replenishment, day.network, day.demand, day.inventory)
    held = [
        oc.StockMove(node_id=s.node_id, sku=s.sku, quantity=s.on_hand - s.safety_stock)
        for s in day.inventory.positions()
        if s.on_hand > s.safety_stock and s.node_id.startswith("store")
    ]
    inventory = day.inventory.reserve(held[:50])

    def total(stock: oc.Inventory) -> int:
        columns = stock.columns()
        return int(columns.on_hand.sum() + columns.in_transit.sum())

    after, moves = replenisher.restock(0, inventory)
    assert total(after) == total(inventory) + moves.reordered
    assert moves.units > 0
    reserved = {(s.node_id, s.sku): s.reserved for s in inventory.positions()}
    assert {(s.node_id, s.sku): s.reserved for s in after.positions()} == reserved


@pytest.mark.parametrize(
    ("options", "path"),
    [
        ({"days": 0}, "days"),
        ({"days": True}, "days"),
        ({"days": 3_661}, "days"),
        ({"days": "2"}, "days"),
    ],
)
def test_bad_run_settings_are_refused_with_their_path(options: dict[str, Any], path: str) -> None:
    with pytest.raises(oc.InvalidInputError, match=f"^{path}: "):
        simulate(small(), **options)


def test_a_dated_run_must_end_within_the_years_now_may_reach() -> None:
    late = dt.datetime(9000, 10, 25, tzinfo=dt.timezone.utc)
    with pytest.raises(oc.InvalidInputError, match=r"^days: a run of 30 days from now ends at"):
        simulate(small(), days=30, now=late)


def test_a_hand_built_scenario_has_one_day() -> None:
    day = small()
    built = Scenario(
        network=day.network,
        inventory=day.inventory,
        demand=day.demand,
        orders=day.orders,
        returns=day.returns,
    )
    assert simulate(built, days=1).total.orders == 300
    with pytest.raises(oc.InvalidInputError, match=r"^days: this scenario has one day"):
        simulate(built, days=2)
    with pytest.raises(oc.InvalidInputError, match=r"^day: "):
        built.day(1)
    # Walk-in sales draw from a seed of the day for a scenario built by hand.
    walk_in = Scenario(
        network=day.network,
        inventory=day.inventory,
        demand=day.demand,
        orders=day.orders,
        returns=day.returns,
        mix=DayMix(walk_in=1.0),
    )
    assert simulate(walk_in).lost_store_sales == simulate(walk_in).lost_store_sales
    assert simulate(walk_in).lost_store_sales is not None


@pytest.mark.parametrize(
    ("options", "path"),
    [
        ({"weekday_factors": (1.0,) * 6}, "weekday_factors"),
        ({"weekday_factors": "1111111"}, "weekday_factors"),
        ({"weekday_factors": (1, 1, 1, -1, 1, 1, 1)}, r"weekday_factors\[3\]"),
        ({"weekday_factors": (1, 1, 1, 1, 1, 1, float("nan"))}, r"weekday_factors\[6\]"),
        ({"trend": 2.0}, "trend"),
        ({"promotion_days": {-1}}, "promotion_days"),
        ({"promotion_days": "3"}, "promotion_days"),
        ({"promotion_factor": -1}, "promotion_factor"),
        ({"walk_in": float("inf")}, "walk_in"),
    ],
)
def test_bad_seasonality_is_refused_with_its_path(options: dict[str, Any], path: str) -> None:
    with pytest.raises(oc.InvalidInputError, match=f"^{path}: "):
        DayMix(**options)


@pytest.mark.parametrize(
    ("options", "path"),
    [
        ({"cover_days": -1}, "cover_days"),
        ({"lead_days": 0}, "lead_days"),
        ({"dc_units_per_day": -1}, "dc_units_per_day"),
        ({"supplier_lead_days": 1.5}, "supplier_lead_days"),
        ({"cost_per_unit": float("nan")}, "cost_per_unit"),
    ],
)
def test_bad_replenishment_is_refused_with_its_path(options: dict[str, Any], path: str) -> None:
    with pytest.raises(oc.InvalidInputError, match=f"^{path}: "):
        Replenishment(**options)


def test_generate_refuses_a_replenishment_of_another_type() -> None:
    with pytest.raises(oc.InvalidInputError, match=r"^replenishment: "):
        small(replenishment={"cover_days": 3})


def test_a_scenario_pickles_and_runs_the_same_after() -> None:
    import pickle

    day = small(replenishment=Replenishment(), mix=DayMix(walk_in=1.0))
    again = pickle.loads(pickle.dumps(day))
    assert again.demand == day.demand
    assert again.demand.dense(["SKU000000"], ["store-0000"]).tolist() == (
        day.demand.dense(["SKU000000"], ["store-0000"]).tolist()
    )
    assert [decisions(k) for k in simulate(again, days=2).days] == [
        decisions(k) for k in simulate(day, days=2).days
    ]


def test_walk_in_customers_buy_what_is_free_safety_stock_included() -> None:
    import numpy as np

    from omnichannel.simulation._replenishment import WalkIn

    inventory = oc.Inventory.from_positions(
        [oc.StockPosition(node_id="store", sku="A", on_hand=5, reserved=2, safety_stock=3)]
    )
    demand = oc.DemandRates.from_mapping({("store", "A"): 50.0, ("dc", "A"): 50.0})
    walk_in = WalkIn(_network(), demand, share=1.0)
    assert walk_in.positions.pairs == [("store", "A")]  # DCs have no walk-in customers
    after, sales = walk_in.sell(inventory, np.random.default_rng(1))
    assert sales.sold == 3  # the 3 units not reserved, safety stock included
    assert sales.lost > 30  # about 50 wanted
    assert after.position("store", "A").on_hand == 2
    assert after.position("store", "A").reserved == 2


def test_shelf_truth_walk_ins_and_replenishment_run_together() -> None:
    """Walk-in customers and DC trucks take only units the shelf holds, so a run with
    all three never rejects more than a shipment holds."""
    day = Scenario.generate(
        n_nodes=15,
        n_skus=40,
        n_orders=150,
        rng=2,
        stock_accuracy=oc.simulation.DEFAULT_STOCK_ACCURACY,
        mix=DayMix(walk_in=5.0),
        replenishment=Replenishment(cover_days=10),
    )
    run = simulate(day, days=4)
    assert run.total.rejection_rate is not None
    assert run.total.lost_store_sales is not None
    assert run.total.replenished_units is not None


def test_day_zero_is_the_weekday_of_the_start_and_returns_follow_the_orders() -> None:
    wednesday = dt.datetime(2026, 3, 4, tzinfo=dt.timezone.utc)
    busy_wednesday = DayMix(weekday_factors=(1, 1, 2, 1, 1, 1, 0.5))
    day = small(start=wednesday, mix=busy_wednesday)
    assert len(day.orders) == 600
    assert len(day.returns) == int(0.08 * 600)
    assert len(day.day(4)[0]) == 150  # the Sunday
    assert len(small(mix=busy_wednesday).orders) == 300  # undated: day 0 is a Monday
    fixed = small(n_returns=30, mix=DayMix(weekday_factors=(0.5, 1, 1, 1, 1, 1, 1)))
    assert (len(fixed.orders), len(fixed.returns)) == (150, 15)
    assert len(fixed.day(1)[1]) == 30


def test_bad_day_and_part_are_refused_with_their_path() -> None:
    day = small()
    for bad_day in (-1, 1.5, "x", True, 10**30):
        with pytest.raises(oc.InvalidInputError, match=r"^day: "):
            day.draws(bad_day, "walk_in")  # type: ignore[arg-type]
        with pytest.raises(oc.InvalidInputError, match=r"^day: "):
            DayMix().orders_on(bad_day, 10)  # type: ignore[arg-type]
    for part in ("nope", None, []):
        with pytest.raises(oc.InvalidInputError, match=r"^part: must be one of"):
            day.draws(0, part)  # type: ignore[arg-type]
    with pytest.raises(oc.InvalidInputError, match=r"^promotion_days: "):
        DayMix(promotion_days=[[1]])  # type: ignore[list-item]
    with pytest.raises(oc.InvalidInputError, match=r"^mix: "):
        Scenario(
            network=day.network,
            inventory=day.inventory,
            demand=day.demand,
            orders=day.orders,
            returns=day.returns,
            mix=3,  # type: ignore[arg-type]
        )
    with pytest.raises(oc.InvalidInputError, match=r"^replenishment: "):
        Scenario(
            network=day.network,
            inventory=day.inventory,
            demand=day.demand,
            orders=day.orders,
            returns=day.returns,
            replenishment=3,  # type: ignore[arg-type]
        )


def test_a_run_is_the_same_whatever_the_hash_seed() -> None:
    import subprocess
    import sys

    script = (
        "import datetime as dt, json\n"
        "from omnichannel.simulation import *\n"
        "start = dt.datetime(2026, 3, 2, tzinfo=dt.timezone.utc)\n"
        "day = Scenario.generate(n_nodes=20, n_skus=100, n_orders=150, rng=3, start=start,"
        " mix=DayMix(walk_in=1.0), replenishment=Replenishment())\n"
        "run = simulate(day, days=2, now=start, checkout=Checkout()).as_dict()\n"
        "for kpis in (*run['days'], run['total']):\n"
        "    kpis.pop('decisions_per_second'); kpis.pop('engine_seconds')\n"
        "print(json.dumps(run, sort_keys=True))\n"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            env={**__import__("os").environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("0", "1")
    }
    assert len(outputs) == 1

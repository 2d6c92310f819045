"""Parcel KPIs: parcels per served order and shipping cost per kg, None (JSON null,
never NaN) when no shipment has parcels."""

import json
import math
import subprocess
import sys
from typing import Any

import attrs
import pytest

from omnichannel import Allocation, OrderLine, Parcel, Shipment, UnfulfilledLine
from omnichannel._domain.decisions import UnfulfilledReason
from omnichannel.simulation import Comparison, DayKpis, Scenario, _simulate, simulate
from omnichannel.simulation._kpis import (
    CHECKOUT_KPIS,
    PARCEL_KPIS,
    REJECTION_KPIS,
    STOCK_KPIS,
    TIME_KPIS,
    parcel_kpis,
)


def parcel(cost: float, weight_kg: float, sku: str = "A", quantity: int = 1) -> Parcel:
    return Parcel(
        carrier="post",
        weight_kg=weight_kg,
        billable_kg=math.ceil(weight_kg),
        units=[OrderLine(sku=sku, quantity=quantity)],
        cost=cost,
    )


def shipment(node_id: str, *parcels: Parcel, handling: float = 1.0) -> Shipment:
    lines = [unit for p in parcels for unit in p.units] or [OrderLine(sku="P", quantity=1)]
    return Shipment(
        node_id=node_id,
        lines=lines,
        distance_km=10.0,
        cost=sum(p.cost for p in parcels) + handling,
        parcels=parcels,
    )


DAY = (
    # Two parcels from one node.
    Allocation(
        order_id="a",
        shipments=[shipment("dc", parcel(5.0, 1.0, "A"), parcel(7.0, 3.0, "B"))],
        unfulfilled=[],
    ),
    # Split: one parcel from a store, and a pickup in store (no parcel).
    Allocation(
        order_id="b",
        shipments=[shipment("store", parcel(20.0, 16.0, "C")), shipment("store-2")],
        unfulfilled=[],
    ),
    # Nothing shipped: not a served order.
    Allocation(
        order_id="c",
        shipments=[],
        unfulfilled=[UnfulfilledLine(sku="D", quantity=1, reason=UnfulfilledReason.OUT_OF_STOCK)],
    ),
    # Priced by its rate card: served, no parcels.
    Allocation(order_id="d", shipments=[shipment("dc")], unfulfilled=[]),
)


def test_parcels_per_served_order_and_cost_per_kg_of_a_hand_built_day() -> None:
    assert parcel_kpis(DAY) == {
        "parcels_per_order": 3 / 3,  # three parcels, three orders with shipments
        "shipping_cost_per_kg": (5.0 + 7.0 + 20.0) / (1.0 + 3.0 + 16.0),
    }


def test_one_order_with_many_parcels() -> None:
    many = Allocation(
        order_id="x",
        shipments=[shipment("dc", *(parcel(4.0, 2.5, f"S{i}") for i in range(5)))],
        unfulfilled=[],
    )
    assert parcel_kpis([many]) == {"parcels_per_order": 5.0, "shipping_cost_per_kg": 4.0 / 2.5}


def test_both_are_none_when_no_shipment_has_parcels() -> None:
    assert parcel_kpis([]) == {"parcels_per_order": None, "shipping_cost_per_kg": None}
    assert parcel_kpis([DAY[2], DAY[3]]) == dict.fromkeys(PARCEL_KPIS)


def test_weightless_parcels_have_no_cost_per_kg_rather_than_nan() -> None:
    light = Allocation(
        order_id="e",
        shipments=[shipment("dc", parcel(3.0, 0.0), parcel(4.0, 0.0, "B"))],
        unfulfilled=[],
    )
    assert parcel_kpis([light]) == {"parcels_per_order": 2.0, "shipping_cost_per_kg": None}


BASE: dict[str, Any] = {
    "name": "x",
    "orders": 1,
    "cost_per_order": 1.0,
    "shipping_cost": 1.0,
    "handling_cost": 0.0,
    "splits_per_order": 0.0,
    "fill_rate": 1.0,
    "mean_distance_km": 1.0,
    "service_level_met": 1.0,
    "stores_below_safety": 0,
    "return_lines": 0,
    "return_value_recovered": 0.0,
    "return_net_value": 0.0,
    "decisions_per_second": 1.0,
    "engine_seconds": 1.0,
}


def test_day_kpis_have_the_parcel_fields_after_the_time_ones_defaulting_to_json_null() -> None:
    names = [field.name for field in attrs.fields(DayKpis)]
    assert names == [*BASE, *TIME_KPIS, *PARCEL_KPIS, *REJECTION_KPIS, *STOCK_KPIS, *CHECKOUT_KPIS]
    plain = DayKpis(**BASE)
    assert plain.parcels_per_order is None
    assert plain.shipping_cost_per_kg is None
    text = json.dumps(plain.as_dict(), allow_nan=False)
    assert '"parcels_per_order": null' in text
    assert '"shipping_cost_per_kg": null' in text
    priced = DayKpis(**BASE, **parcel_kpis(DAY))
    assert priced.shipping_cost_per_kg == 1.6
    json.dumps(priced.as_dict(), allow_nan=False)


def test_the_table_shows_the_parcel_rows_only_when_a_configuration_has_them() -> None:
    plain = DayKpis(**BASE)
    priced = DayKpis(**{**BASE, "name": "y"}, **parcel_kpis(DAY))
    off = Comparison(kpis=(plain,)).table()
    assert "parcels per order" not in off
    assert "shipping cost per kg" not in off
    rows = {
        line.split("  ")[0].strip(): line.split()
        for line in Comparison(kpis=(plain, priced)).table().splitlines()
    }
    assert rows["parcels per order"][-2:] == ["-", "1.00"]
    assert rows["shipping cost per kg"][-2:] == ["-", "1.60"]


def with_a_parcel_per_shipment(real: Any) -> Any:
    """``allocate``, but every shipment travels as one 2 kg parcel costing 6."""

    def allocate(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        allocations = [
            attrs.evolve(
                allocation,
                shipments=[
                    attrs.evolve(s, parcels=(parcel(6.0, 2.0, s.lines[0].sku),))
                    for s in allocation.shipments
                ],
            )
            for allocation in result.allocations
        ]
        return attrs.evolve(result, allocations=allocations)

    return allocate


def test_simulate_measures_the_parcels_of_its_shipments(monkeypatch: pytest.MonkeyPatch) -> None:
    day = Scenario.generate(n_nodes=20, n_skus=100, n_orders=200, rng=2)
    plain = simulate(day)
    assert (plain.parcels_per_order, plain.shipping_cost_per_kg) == (None, None)
    monkeypatch.setattr(_simulate, "allocate", with_a_parcel_per_shipment(_simulate.allocate))
    priced = simulate(day)
    # One parcel per shipment: parcels per order is shipments per served order.
    assert priced.parcels_per_order == pytest.approx(1.0 + priced.splits_per_order)
    assert priced.splits_per_order > 0
    assert priced.shipping_cost_per_kg == 3.0


def test_the_command_line_prices_the_day_by_parcel() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "omnichannel",
            "compare",
            *("--nodes", "20", "--skus", "150", "--orders", "300", "--quiet"),
            *("--strategies", "nearest", "--parcels"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert ", priced by parcel;" in done.stdout.splitlines()[0]


def test_a_parcel_priced_day_reports_parcel_kpis() -> None:
    """End to end: the generated carriers price the day, so the KPIs are figures."""
    scenario = Scenario.generate(rng=3, n_nodes=20, n_skus=200, n_orders=400, parcels=True)
    kpis = simulate(scenario)
    assert kpis.parcels_per_order is not None
    assert kpis.parcels_per_order >= 1.0
    assert kpis.shipping_cost_per_kg is not None
    assert kpis.shipping_cost_per_kg > 0.0
    plain = simulate(Scenario.generate(rng=3, n_nodes=20, n_skus=200, n_orders=400))
    assert plain.parcels_per_order is None
    assert plain.shipping_cost_per_kg is None

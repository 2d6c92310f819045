"""Parcel prices: the same day priced by carriers' tables against by rate cards.

    python benchmarks/bench_parcels.py [--shape benchmark_day] [--orders N --nodes N ...]

Generates one seeded day of a named shape (``bench_allocate.SHAPES``) twice from
the same seed: priced by rate cards (the feature off) and with a catalogue and
the generated carrier services (``Scenario.generate(parcels=True)``: three for
STANDARD and SAME_DAY, two for EXPRESS); the orders and stock are the same. The
fast engine allocates both (best of ``--repeat`` runs each, in one process); the
reference checks the parcel-priced run on the wave's first ``--check`` orders in
decision order. Prints orders/s of both runs, their ratio (the target is 70% or
more), whether fast and reference agree there (decisions, parcels and costs),
parcels per order and the lines no carrier could take.
"""

from __future__ import annotations

import sys
from typing import Any

from _harness import timed
from bench_allocate import SHAPES, checked_head, checked_shape_main, scenario_of

import omnichannel


def measure(
    *,
    nodes: int,
    skus: int,
    orders: int,
    seed: int,
    repeat: int = 3,
    shape: str = "benchmark_day",
    check: int = 2_000,
) -> dict[str, Any]:
    """Rate-card and parcel-priced fast runs of one generated day of ``shape``, and
    whether the parcel-priced run is the reference's."""
    sizes = {**SHAPES[shape], "nodes": nodes, "skus": skus, "orders": orders}
    plain_day = scenario_of(sizes, seed)
    day = scenario_of(sizes, seed, parcels=True)
    n_lines = sum(len(order.lines) for order in day.orders)

    def run(network: omnichannel.Network) -> omnichannel.AllocationResult:
        return omnichannel.allocate(day.orders, network, day.inventory, demand=day.demand)

    off_s, _ = timed(lambda: run(plain_day.network), repeat=repeat)
    parcel_s, fast = timed(lambda: run(day.network), repeat=repeat)
    reference_s, checked, identical = checked_head(day, fast, check)
    served = [a for a in fast.allocations if a.shipments]
    parcels = sum(len(s.parcels) for a in served for s in a.shipments)
    return {
        "benchmark": "parcels",
        "shape": shape,
        "about": SHAPES[shape]["about"],
        "scenario": {
            "nodes": nodes,
            "skus": skus,
            "orders": orders,
            "lines": n_lines,
            "seed": seed,
        },
        "carriers": len(day.network.costs.carriers),
        "off_s": round(off_s, 4),
        "off_orders_per_s": round(orders / off_s),
        "fast_s": round(parcel_s, 4),
        "fast_orders_per_s": round(orders / parcel_s),
        "fast_lines_per_s": round(n_lines / parcel_s),
        "parcels_vs_off": round(off_s / parcel_s, 3),
        "checked_orders": checked,
        "reference_s": round(reference_s, 4),
        "reference_orders_per_s": round(checked / reference_s),
        "identical": identical,
        "parcels_per_order": round(parcels / max(len(served), 1), 3),
        "unshippable_lines": sum(
            line.reason is omnichannel.UnfulfilledReason.UNSHIPPABLE
            for a in fast.allocations
            for line in a.unfulfilled
        ),
        "fill_rate": round(fast.fill_rate, 4),
    }


def main(argv: list[str] | None = None) -> int:
    return checked_shape_main(__doc__, measure, argv)


if __name__ == "__main__":
    sys.exit(main())

"""Shelf accuracy: what rejections cost, with and without accuracy-aware sourcing.

    python benchmarks/bench_exceptions.py [--shape benchmark_day] [--orders N --nodes N ...]

Generates one seeded day of a named shape (``bench_allocate.SHAPES``) whose real
shelf differs from the records by ``DEFAULT_STOCK_ACCURACY`` (stores 0.65, dark
stores 0.85, DCs 0.97, drop-ship 0.9) and simulates it twice, as
``compare --stock-accuracy`` does: plain ``lowest_cost``, and ``risk_aware``
(``Weighted(shipping=1, handling=1, rejection_risk=10)`` with the scenario's
accuracy per node). Every short pick is rejected and re-sourced until each line
ships or is unfulfilled. Prints each run's rejection KPIs and seconds.

Then it re-sources ``--calls`` single rejections one call at a time, as a
backend does when a store reports a short pick: the first line of the first
shipment of the wave's first served orders, rejected NOT_FOUND, each
``reallocate`` call carrying the previous call's inventory forward. The
reference makes the first ``--check`` of those calls, which must be decided
identically (exit 1 if not). Prints the fast engine's per-call latency (p50,
p99, ms) and the reference's p50.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import numpy as np
from _harness import parser, report, timed
from bench_allocate import SHAPES, add_shape_options, scenario_of, shape_sizes

import omnichannel
from omnichannel import reference, sourcing
from omnichannel._cli import REJECTION_RISK, RISK_AWARE
from omnichannel.simulation import DEFAULT_STOCK_ACCURACY, Scenario, SimulationConfig, compare

KPIS = (
    "rejection_rate",
    "resourced_lines",
    "rejection_extra_cost",
    "failed_after_rejection",
    "cost_per_order",
    "fill_rate",
)
"""The figures reported per strategy."""


def configs() -> list[SimulationConfig]:
    """Plain lowest cost, and the accuracy-aware weights ``compare --stock-accuracy`` runs."""
    return [
        SimulationConfig(name="lowest_cost", sourcing=sourcing.LowestCost()),
        SimulationConfig(
            name=RISK_AWARE,
            sourcing=sourcing.Weighted(shipping=1.0, handling=1.0, rejection_risk=REJECTION_RISK),
        ),
    ]


def strategies(day: Scenario) -> dict[str, dict[str, Any]]:
    """Each configuration's rejection KPIs on ``day`` and its simulation seconds."""
    found = {}
    for config in configs():
        seconds, result = timed(lambda config=config: compare(day, [config]))
        figures = result.kpis[0].as_dict()
        found[config.name] = {key: round(figures[key], 4) for key in KPIS} | {
            "seconds": round(seconds, 2)
        }
    return found


def _rejection(allocation: omnichannel.Allocation) -> omnichannel.Rejection:
    """The first line of ``allocation``'s first shipment, not found at its node."""
    shipment = allocation.shipments[0]
    line = shipment.lines[0]
    return omnichannel.Rejection(
        order_id=allocation.order_id,
        node_id=shipment.node_id,
        sku=line.sku,
        quantity=line.quantity,
        reason=omnichannel.RejectionReason.NOT_FOUND,
    )


def _chained(
    engine: Any, day: Scenario, wave: omnichannel.AllocationResult, calls: int
) -> tuple[list[float], list[omnichannel.ReallocationResult]]:
    """``calls`` single-rejection ``engine`` calls over the wave's first served orders,
    each on the inventory the previous call left: seconds and results of each."""
    by_id = {order.id: order for order in day.orders}
    inventory = wave.inventory
    seconds: list[float] = []
    results: list[omnichannel.ReallocationResult] = []
    for allocation in [a for a in wave.allocations if a.shipments][:calls]:
        start = time.perf_counter()
        result = engine(
            [by_id[allocation.order_id]],
            [allocation],
            [_rejection(allocation)],
            day.network,
            inventory,
            demand=day.demand,
        )
        seconds.append(time.perf_counter() - start)
        results.append(result)
        inventory = result.inventory
    return seconds, results


def one_rejection_calls(day: Scenario, calls: int, check: int) -> dict[str, Any]:
    """``calls`` chained single-rejection ``reallocate`` calls of the fast engine, the
    first ``check`` of them also by the reference: latencies, and whether they agree."""
    wave = omnichannel.allocate(day.orders, day.network, day.inventory, demand=day.demand)
    fast_s, fast = _chained(omnichannel.reallocate, day, wave, max(calls, check))
    reference_s, plain = _chained(reference.reallocate, day, wave, check)
    return {
        "calls": len(fast_s),
        "checked": len(plain),
        "identical": fast[: len(plain)] == plain,
        "fast_p50_ms": _ms(fast_s, 50),
        "fast_p99_ms": _ms(fast_s, 99),
        "reference_p50_ms": _ms(reference_s, 50),
    }


def _ms(seconds: list[float], percentile: float) -> float:
    return round(float(np.percentile(seconds, percentile)) * 1e3, 3)


def measure(
    *,
    nodes: int,
    skus: int,
    orders: int,
    seed: int,
    shape: str = "benchmark_day",
    calls: int = 300,
    check: int = 20,
) -> dict[str, Any]:
    """Both strategies' rejection KPIs on one generated day of ``shape`` with a real
    shelf, and the one-rejection ``reallocate`` calls against the reference."""
    sizes = {**SHAPES[shape], "nodes": nodes, "skus": skus, "orders": orders}
    day = scenario_of(sizes, seed, stock_accuracy=DEFAULT_STOCK_ACCURACY)
    resourced = one_rejection_calls(day, calls, check)
    return {
        "benchmark": "exceptions",
        "shape": shape,
        "about": SHAPES[shape]["about"],
        "scenario": {"nodes": nodes, "skus": skus, "orders": orders, "seed": seed},
        "strategies": strategies(day),
        "reallocate": resourced,
        "identical": resourced["identical"],
    }


def main(argv: list[str] | None = None) -> int:
    cli = parser(__doc__.splitlines()[0])
    add_shape_options(cli)
    cli.add_argument("--calls", type=int, default=300, help="single-rejection calls timed")
    cli.add_argument(
        "--check", type=int, default=20, help="of those, calls checked against the reference"
    )
    args = cli.parse_args(argv)
    figures = measure(**shape_sizes(args), seed=args.seed, calls=args.calls, check=args.check)
    report(figures, args.json)
    return 0 if figures["identical"] else 1


if __name__ == "__main__":
    sys.exit(main())

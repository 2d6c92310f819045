"""Allocation throughput: the vectorized engine against the plain reference.

    python benchmarks/bench_allocate.py [--shape benchmark_day] [--orders N --nodes N ...]

Generates one seeded day of a named shape (see ``SHAPES``), allocates it with the
fast engine (best of ``--repeat`` runs) and once with ``omnichannel.reference``,
checks that both decide exactly the same, and prints orders/s and order lines/s
for each, their ratio and the engine's peak memory.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable, Mapping
from typing import Any

from _harness import max_rss_mb, parser, peak_traced_mb, report, timed, versus

import omnichannel
from omnichannel import FulfillmentMethod, NodeKind, reference, sourcing
from omnichannel.simulation import DayMix, Scenario

SHAPES: dict[str, dict[str, Any]] = {
    "benchmark_day": {
        "about": "the benchmark day: mean 2 lines per order, three days of stock",
        "nodes": 200,
        "skus": 5_000,
        "orders": 50_000,
    },
    "scarce_multi_line": {
        "about": "one day of stock, mean 2.2 lines per order, a third with 3-5 lines",
        "nodes": 200,
        "skus": 5_000,
        "orders": 30_000,
        "stock_cover_days": 1.0,
        "mix": DayMix(extra_lines=1.2, max_lines=5),
    },
    "grocery": {
        "about": "grocery click-and-collect, ship-to-store and same-day, 20-40 lines per order",
        "nodes": 100,
        "skus": 5_000,
        "orders": 5_000,
        "stock_cover_days": 30.0,
        "mix": DayMix(
            min_lines=22,
            extra_lines=14.0,
            max_lines=48,
            methods={
                FulfillmentMethod.PICKUP_IN_STORE: 0.3,
                FulfillmentMethod.SHIP_TO_STORE: 0.5,
                FulfillmentMethod.SAME_DAY: 0.2,
            },
        ),
    },
    "big_network": {
        "about": "2,000 nodes, mean 2 lines per order",
        "nodes": 2_000,
        "skus": 5_000,
        "orders": 5_000,
    },
}
"""Named day shapes; the engine's targets hold on each (issue 12)."""


def scenario_of(
    shape: dict[str, Any],
    seed: int,
    start: dt.datetime | None = None,
    *,
    parcels: bool = False,
    stock_accuracy: Mapping[NodeKind, float] | None = None,
) -> Scenario:
    """The generated day of ``shape`` (a ``SHAPES`` entry, sizes possibly overridden);
    ``start`` dates it (calendars, transit bands, promises), ``parcels`` prices it by
    parcel (a catalogue and carrier services), ``stock_accuracy`` gives it a real
    shelf that differs from the records (per node kind, as ``Scenario.generate``)."""
    return Scenario.generate(
        n_nodes=shape["nodes"],
        n_skus=shape["skus"],
        n_orders=shape["orders"],
        rng=seed,
        stock_cover_days=shape.get("stock_cover_days", 3.0),
        mix=shape.get("mix", DayMix()),
        start=start,
        parcels=parcels,
        stock_accuracy=stock_accuracy,
    )


def measure(
    *,
    nodes: int,
    skus: int,
    orders: int,
    seed: int,
    strategy: str = "lowest_cost",
    repeat: int = 3,
    shape: str = "benchmark_day",
) -> dict[str, Any]:
    """Fast and reference allocation of one generated day of ``shape`` with these
    sizes, and whether they agree."""
    scenario = scenario_of({**SHAPES[shape], "nodes": nodes, "skus": skus, "orders": orders}, seed)
    n_lines = sum(len(order.lines) for order in scenario.orders)
    chosen = sourcing.get(strategy)()

    def fast() -> omnichannel.AllocationResult:
        return omnichannel.allocate(
            scenario.orders,
            scenario.network,
            scenario.inventory,
            sourcing=chosen,
            demand=scenario.demand,
        )

    def plain() -> omnichannel.AllocationResult:
        return reference.allocate(
            scenario.orders,
            scenario.network,
            scenario.inventory,
            sourcing=chosen,
            demand=scenario.demand,
        )

    fast_s, fast_result = timed(fast, repeat=repeat)
    peak_mb = peak_traced_mb(fast)
    reference_s, reference_result = timed(plain)
    identical = (
        fast_result.allocations == reference_result.allocations
        and fast_result.inventory == reference_result.inventory
        and fast_result.capacity_used == reference_result.capacity_used
    )
    return {
        "benchmark": "allocate",
        "shape": shape,
        "about": SHAPES[shape]["about"],
        "scenario": {
            "nodes": nodes,
            "skus": skus,
            "orders": orders,
            "lines": n_lines,
            "seed": seed,
        },
        "sourcing": strategy,
        "policy": "sequential",
        **versus(orders, "orders", fast_s, reference_s),
        "fast_lines_per_s": round(n_lines / fast_s),
        "reference_lines_per_s": round(n_lines / reference_s),
        "identical": identical,
        "fast_peak_traced_mb": round(peak_mb, 1),
        "process_max_rss_mb": round(max_rss_mb(), 1),
        "fill_rate": round(fast_result.fill_rate, 4),
        "split_rate": round(fast_result.split_rate, 4),
        "total_cost": round(fast_result.total_cost, 2),
    }


def checked_head(
    day: Scenario, fast: omnichannel.AllocationResult, check: int, **options: Any
) -> tuple[float, int, bool]:
    """The reference on the first ``check`` orders of ``day`` in decision order (the
    sequential rule decides those exactly as in the whole wave): its seconds, the
    orders checked, and whether it agrees with the fast engine there and with the
    whole wave's ``fast`` decisions. ``options`` go to both ``allocate`` calls."""
    ranked = sorted(range(len(day.orders)), key=lambda i: -day.orders[i].priority)
    first = [day.orders[i] for i in sorted(ranked[:check])]
    reference_s, plain = timed(
        lambda: reference.allocate(first, day.network, day.inventory, demand=day.demand, **options)
    )
    part = omnichannel.allocate(first, day.network, day.inventory, demand=day.demand, **options)
    decided = {a.order_id: a for a in fast.allocations}
    identical = (
        part.allocations == plain.allocations
        and all(decided[a.order_id] == a for a in plain.allocations)
        and part.inventory == plain.inventory
        and part.daily_used == plain.daily_used
    )
    return reference_s, len(first), identical


def checked_shape_main(
    doc: str, measure: Callable[..., dict[str, Any]], argv: list[str] | None
) -> int:
    """The command line of a benchmark that measures a shape and checks the reference
    on its first ``--check`` orders; exit 1 when they disagree."""
    cli = parser(doc.splitlines()[0])
    add_shape_options(cli)
    cli.add_argument(
        "--check", type=int, default=2_000, help="orders checked against the reference"
    )
    args = cli.parse_args(argv)
    figures = measure(**shape_sizes(args), seed=args.seed, repeat=args.repeat, check=args.check)
    report(figures, args.json)
    return 0 if figures["identical"] else 1


def add_shape_options(cli: argparse.ArgumentParser) -> None:
    """``--shape`` and the size options that override the shape's."""
    cli.add_argument("--shape", default="benchmark_day", choices=sorted(SHAPES))
    cli.add_argument("--orders", type=int, help="default: the shape's")
    cli.add_argument("--nodes", type=int, help="default: the shape's")
    cli.add_argument("--skus", type=int, help="default: the shape's")


def shape_sizes(args: argparse.Namespace) -> dict[str, Any]:
    """The chosen shape's name and sizes, with any size the options override."""
    shape = SHAPES[args.shape]
    return {
        "shape": args.shape,
        "nodes": args.nodes or shape["nodes"],
        "skus": args.skus or shape["skus"],
        "orders": args.orders or shape["orders"],
    }


def main(argv: list[str] | None = None) -> int:
    cli = parser(__doc__.splitlines()[0])
    add_shape_options(cli)
    presets = [name for name in sourcing.names() if name not in ("lexicographic", "weighted")]
    cli.add_argument("--sourcing", default="lowest_cost", choices=presets)
    args = cli.parse_args(argv)
    figures = measure(
        **shape_sizes(args), seed=args.seed, strategy=args.sourcing, repeat=args.repeat
    )
    report(figures, args.json)
    return 0 if figures["identical"] else 1


if __name__ == "__main__":
    sys.exit(main())

"""Allocation throughput: the vectorized engine against the plain reference.

    python benchmarks/bench_allocate.py [--orders 50000 --nodes 200 --skus 5000 --seed 7]

Generates one seeded day, allocates it with the fast engine (best of
``--repeat`` runs) and once with ``omnichannel.reference``, checks that both
decide exactly the same, and prints orders/s for each, their ratio and the
engine's peak memory.
"""

from __future__ import annotations

import sys
from typing import Any

from _harness import max_rss_mb, parser, peak_traced_mb, report, timed, versus

import omnichannel
from omnichannel import reference, sourcing
from omnichannel.simulation import Scenario


def measure(
    *, nodes: int, skus: int, orders: int, seed: int, strategy: str = "lowest_cost", repeat: int = 3
) -> dict[str, Any]:
    """Fast and reference allocation of one generated day, and whether they agree."""
    scenario = Scenario.generate(n_nodes=nodes, n_skus=skus, n_orders=orders, rng=seed)
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
        "scenario": {
            "nodes": nodes,
            "skus": skus,
            "orders": orders,
            "lines": sum(len(order.lines) for order in scenario.orders),
            "seed": seed,
        },
        "sourcing": strategy,
        "policy": "sequential",
        **versus(orders, "orders", fast_s, reference_s),
        "identical": identical,
        "fast_peak_traced_mb": round(peak_mb, 1),
        "process_max_rss_mb": round(max_rss_mb(), 1),
        "fill_rate": round(fast_result.fill_rate, 4),
        "split_rate": round(fast_result.split_rate, 4),
        "total_cost": round(fast_result.total_cost, 2),
    }


def main(argv: list[str] | None = None) -> int:
    cli = parser(__doc__.splitlines()[0])
    cli.add_argument("--orders", type=int, default=50_000)
    cli.add_argument("--nodes", type=int, default=200)
    cli.add_argument("--skus", type=int, default=5_000)
    presets = [name for name in sourcing.names() if name not in ("lexicographic", "weighted")]
    cli.add_argument("--sourcing", default="lowest_cost", choices=presets)
    args = cli.parse_args(argv)
    figures = measure(
        nodes=args.nodes,
        skus=args.skus,
        orders=args.orders,
        seed=args.seed,
        strategy=args.sourcing,
        repeat=args.repeat,
    )
    report(figures, args.json)
    return 0 if figures["identical"] else 1


if __name__ == "__main__":
    sys.exit(main())

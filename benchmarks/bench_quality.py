"""Decision quality: every allocation policy against the LP lower bound on scarce stock.

    python benchmarks/bench_quality.py [--nodes 50 --skus 500 --orders 2000 --cover-days 1]

Generates a seeded day with little stock (``--cover-days`` of demand), allocates
it with each policy (``LowestCost`` sourcing), and prints each policy's
penalized cost (fulfilment cost + ``--penalty`` per unit not served), its gap
to the LP bound, total cost, fill rate, split rate and time. Needs the
``optimize`` extra.
"""

from __future__ import annotations

import sys
from typing import Any

from _harness import parser, report, timed

import omnichannel
from omnichannel.allocation import (
    AllocationPolicy,
    BatchOptimal,
    DualPriceLookahead,
    FairShare,
    Sequential,
    lower_bound,
)
from omnichannel.simulation import Scenario

_REPEAT_BELOW_S = 5.0
"""Policies faster than this are timed best of three: sub-second runs vary by 10-20%."""


def measure(
    *,
    nodes: int,
    skus: int,
    orders: int,
    seed: int,
    cover_days: float = 1.0,
    penalty: float = 100.0,
    time_limit_s: float = 120.0,
) -> dict[str, Any]:
    """Each policy's figures and gap to the bound on one scarce day."""
    day = Scenario.generate(
        n_nodes=nodes, n_skus=skus, n_orders=orders, rng=seed, stock_cover_days=cover_days
    )
    bound_s, bound = timed(
        lambda: lower_bound(day.orders, day.network, day.inventory, unserved_penalty=penalty)
    )
    policies: dict[str, AllocationPolicy] = {
        "sequential": Sequential(),
        "fair_share": FairShare(),
        "dual_price": DualPriceLookahead(unserved_penalty=penalty),
        "dual_price_5_nodes": DualPriceLookahead(unserved_penalty=penalty, nodes_per_order=5),
        "dual_price_all_nodes": DualPriceLookahead(unserved_penalty=penalty, nodes_per_order=None),
        "batch_optimal": BatchOptimal(unserved_penalty=penalty, time_limit_s=time_limit_s),
        "batch_optimal_8_nodes": BatchOptimal(
            unserved_penalty=penalty, time_limit_s=time_limit_s, nodes_per_order=8
        ),
    }
    figures: dict[str, Any] = {}
    for name, policy in policies.items():

        def run(policy: AllocationPolicy = policy) -> omnichannel.AllocationResult:
            return omnichannel.allocate(day.orders, day.network, day.inventory, policy=policy)

        seconds, result = timed(run)
        if seconds < _REPEAT_BELOW_S:
            seconds = min(seconds, timed(run, repeat=2)[0])
        objective = result.penalized_cost(penalty)
        figures[name] = {
            "penalized_cost": round(objective, 2),
            "gap_to_bound": round((objective - bound) / bound, 5) if bound else 0.0,
            "total_cost": round(result.total_cost, 2),
            "fill_rate": round(result.fill_rate, 4),
            "split_rate": round(result.split_rate, 4),
            "seconds": round(seconds, 3),
            "notes": list(result.notes),
        }
    sequential_gap = figures["sequential"]["gap_to_bound"]
    for entry in figures.values():
        entry["share_of_sequential_gap_closed"] = (
            round(1 - entry["gap_to_bound"] / sequential_gap, 3) if sequential_gap else 0.0
        )
        entry["time_vs_sequential"] = round(entry["seconds"] / figures["sequential"]["seconds"], 1)
    return {
        "benchmark": "quality",
        "scenario": {
            "nodes": nodes,
            "skus": skus,
            "orders": orders,
            "cover_days": cover_days,
            "seed": seed,
        },
        "unserved_penalty": penalty,
        "lower_bound": round(bound, 2),
        "lower_bound_s": round(bound_s, 3),
        "policies": figures,
    }


def main(argv: list[str] | None = None) -> int:
    cli = parser(__doc__.splitlines()[0])
    cli.add_argument("--nodes", type=int, default=50)
    cli.add_argument("--skus", type=int, default=500)
    cli.add_argument("--orders", type=int, default=2_000)
    cli.add_argument("--cover-days", type=float, default=1.0)
    cli.add_argument("--penalty", type=float, default=100.0)
    cli.add_argument("--time-limit", type=float, default=120.0)
    args = cli.parse_args(argv)
    report(
        measure(
            nodes=args.nodes,
            skus=args.skus,
            orders=args.orders,
            seed=args.seed,
            cover_days=args.cover_days,
            penalty=args.penalty,
            time_limit_s=args.time_limit,
        ),
        args.json,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

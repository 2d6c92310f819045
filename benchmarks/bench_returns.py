"""Return routing throughput and value: the vectorized engine against the plain reference.

    python benchmarks/bench_returns.py [--lines 20000 --nodes 200 --skus 5000 --seed 7]

Generates one seeded day with ``--lines`` single-line returns, routes them with
every built-in return strategy (and ValueRecovery without its scarcity
bonus, the pure net-value maximum), fast (best of ``--repeat`` runs) and once
with ``omnichannel.reference``, checks that both decide exactly the same, and
prints lines/s for each, their ratio, and what each strategy recovers.
"""

from __future__ import annotations

import sys
from collections import Counter
from typing import Any

from _harness import max_rss_mb, parser, peak_traced_mb, report, timed, versus

import omnichannel
from omnichannel import reference, returns
from omnichannel.simulation import Scenario


def measure(*, nodes: int, skus: int, lines: int, seed: int, repeat: int = 3) -> dict[str, Any]:
    """Fast and reference routing of one generated day's returns, per strategy."""
    scenario = Scenario.generate(
        n_nodes=nodes, n_skus=skus, n_orders=lines, n_returns=lines, rng=seed
    )
    n_lines = sum(len(request.lines) for request in scenario.returns)
    configs: dict[str, returns.ReturnStrategy] = {
        name: returns.get(name)() for name in returns.names()
    }
    configs["value_recovery_net_only"] = returns.ValueRecovery(scarcity_weight=0.0)
    figures: dict[str, Any] = {}
    identical = True
    for name, strategy in configs.items():

        def fast(strategy: returns.ReturnStrategy = strategy) -> omnichannel.ReturnResult:
            return omnichannel.route_returns(
                scenario.returns,
                scenario.network,
                scenario.inventory,
                strategy=strategy,
                demand=scenario.demand,
            )

        def plain(strategy: returns.ReturnStrategy = strategy) -> omnichannel.ReturnResult:
            return reference.route_returns(
                scenario.returns,
                scenario.network,
                scenario.inventory,
                strategy=strategy,
                demand=scenario.demand,
            )

        fast_s, result = timed(fast, repeat=repeat)
        reference_s, reference_result = timed(plain)
        same = result == reference_result
        identical &= same
        dispositions = Counter(route.disposition.name for route in result.routes)
        figures[name] = {
            **versus(n_lines, "lines", fast_s, reference_s),
            "identical": same,
            "fast_peak_traced_mb": round(peak_traced_mb(fast), 1),
            "recovered_value": round(result.recovered_value, 2),
            "transport_cost": round(sum(r.transport_cost for r in result.routes), 2),
            "handling_cost": round(sum(r.handling_cost for r in result.routes), 2),
            "net_value": round(result.net_value, 2),
            "units_restocked": result.units_restocked,
            "dispositions": dict(sorted(dispositions.items())),
        }
    return {
        "benchmark": "route_returns",
        "scenario": {"nodes": nodes, "skus": skus, "return_lines": n_lines, "seed": seed},
        "strategies": figures,
        "identical": identical,
        "process_max_rss_mb": round(max_rss_mb(), 1),
    }


def main(argv: list[str] | None = None) -> int:
    cli = parser(__doc__.splitlines()[0])
    cli.add_argument("--lines", type=int, default=20_000)
    cli.add_argument("--nodes", type=int, default=200)
    cli.add_argument("--skus", type=int, default=5_000)
    args = cli.parse_args(argv)
    figures = measure(
        nodes=args.nodes, skus=args.skus, lines=args.lines, seed=args.seed, repeat=args.repeat
    )
    report(figures, args.json)
    return 0 if figures["identical"] else 1


if __name__ == "__main__":
    sys.exit(main())

"""Sweeps that scale out: one sweep in this process, on a process pool and on Dask.

    python benchmarks/bench_sweep.py [--seeds 8 --days 7 --nodes N --skus N --orders N]
    python benchmarks/bench_sweep.py --scheduler tcp://10.0.0.5:8786   # a real cluster

Runs one sweep, ``lowest_cost`` and ``stock_protecting`` x ``--seeds`` seeds x
``--days`` days of a generated world with walk-in store sales and replenishment,
three times: in this process (``executor=None``), on a ``ProcessPoolExecutor``
of ``--workers`` processes, and on a Dask ``distributed.LocalCluster`` of
``--workers`` worker processes with one thread each, on loopback (or on the
cluster at ``--scheduler``). Each sweep is timed once, from submission to the
last result: the pool's processes start (forked, omnichannel imported) within
it; the cluster's start-up, its workers importing omnichannel included, is timed
apart. The LocalCluster's scheduler gives each worker thread one task at a time
(``distributed.scheduler.worker-saturation: 1.0``, for tasks of seconds) and without
the workers' statistical profiler (``distributed.worker.profile.enabled: False``).
Prints the seconds, the speed-ups over the in-process run, whether all three
gave identical rows and summaries (exit 1 if not), and the machine's load
average before the runs (other work on the cores lowers the speed-ups).
Without the dask extra, the Dask run is skipped.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import importlib.util
import os
import sys
import time
from typing import Any

from _harness import parser, report

from omnichannel import sourcing
from omnichannel.simulation import DayMix, Replenishment, SimulationConfig, SweepResult, sweep

CONFIGS = (
    SimulationConfig(name="lowest_cost", sourcing=sourcing.LowestCost()),
    SimulationConfig(name="stock_protecting", sourcing=sourcing.StockProtecting()),
)
"""The two strategies swept."""


def world(nodes: int, skus: int, orders: int) -> dict[str, Any]:
    """The ``Scenario.generate`` keywords of the swept world: walk-in store sales at
    each store's demand rate and replenishment between days (``python -m omnichannel
    sweep --walk-in 1 --replenish``)."""
    return {
        "n_nodes": nodes,
        "n_skus": skus,
        "n_orders": orders,
        "mix": DayMix(walk_in=1.0),
        "replenishment": Replenishment(),
    }


def _timed_sweep(
    scenario: dict[str, Any],
    seeds: range,
    days: int,
    executor: concurrent.futures.Executor | None,
) -> tuple[float, SweepResult]:
    start = time.perf_counter()
    result = sweep(CONFIGS, seeds, days=days, scenario=scenario, executor=executor)
    return time.perf_counter() - start, result


def measure(
    *,
    nodes: int,
    skus: int,
    orders: int,
    days: int,
    seeds: int,
    seed: int = 7,
    workers: int = 2,
    scheduler: str | None = None,
) -> dict[str, Any]:
    """The sweep's seconds in this process, on a process pool and on Dask, and whether
    the three results are identical."""
    scenario = world(nodes, skus, orders)
    numbers = range(seed, seed + seeds)
    load = os.getloadavg()[0]
    here_s, here = _timed_sweep(scenario, numbers, days, None)
    with concurrent.futures.ProcessPoolExecutor(workers) as pool:
        pool_s, pooled = _timed_sweep(scenario, numbers, days, pool)
    figures: dict[str, Any] = {
        "benchmark": "sweep",
        "scenario": {
            "nodes": nodes,
            "skus": skus,
            "orders": orders,
            "first_seed": seed,
            "walk_in": 1.0,
            "replenishment": True,
        },
        "strategies": [config.name for config in CONFIGS],
        "seeds": seeds,
        "days": days,
        "tasks": len(CONFIGS) * seeds,
        "workers": workers,
        "cpus": os.cpu_count(),
        "load_before": round(load, 2),
        "in_process_s": round(here_s, 2),
        "task_s": round(here_s / (len(CONFIGS) * seeds), 2),
        "process_pool_s": round(pool_s, 2),
        "process_pool_speedup": round(here_s / pool_s, 2),
        "process_pool_identical": pooled == here,
        "dask": None,
    }
    if importlib.util.find_spec("distributed") is not None:
        figures["dask"] = _on_dask(scenario, numbers, days, workers, scheduler, here, here_s)
    figures["identical"] = figures["process_pool_identical"] and (
        figures["dask"] is None or figures["dask"]["identical"]
    )
    figures["summary"] = {
        item["config"] + "." + item["kpi"]: round(item["mean"], 4)
        for item in here.summary
        if item["kpi"] in ("cost_per_order", "fill_rate", "lost_store_sales", "inventory_turns")
    }
    return figures


def _on_dask(
    scenario: dict[str, Any],
    seeds: range,
    days: int,
    workers: int,
    scheduler: str | None,
    here: SweepResult,
    here_s: float,
) -> dict[str, Any]:
    """The sweep on a LocalCluster of ``workers`` processes (or the cluster at
    ``scheduler``): its start-up and sweep seconds, speed-up, and whether it matches."""
    import dask
    import distributed

    start = time.perf_counter()
    with contextlib.ExitStack() as stack:
        # One task per worker thread at a time: the default (1.1) lets a worker hold a
        # second run of several seconds while another worker idles at the sweep's end.
        # ... and no statistical profiler: it samples every worker thread each 10 ms,
        # taking the interpreter lock from runs of seconds (about 8% of a run here).
        stack.enter_context(
            dask.config.set(
                {
                    "distributed.scheduler.worker-saturation": 1.0,
                    "distributed.worker.profile.enabled": False,
                }
            )
        )
        cluster = (
            stack.enter_context(
                distributed.LocalCluster(
                    n_workers=workers,
                    processes=True,
                    threads_per_worker=1,
                    host="127.0.0.1",
                    dashboard_address=None,
                )
            )
            if scheduler is None
            else None
        )
        client = stack.enter_context(distributed.Client(scheduler or cluster))
        # Workers are fresh interpreters: importing omnichannel there is start-up, as
        # the pool's forked processes have it imported already.
        client.run(importlib.import_module, "omnichannel.simulation._sweep")
        startup_s = time.perf_counter() - start
        seconds, found = _timed_sweep(scenario, seeds, days, client.get_executor())
        threads = sum(client.nthreads().values())
    return {
        "where": "LocalCluster" if scheduler is None else scheduler,
        "threads": threads,
        "startup_s": round(startup_s, 2),
        "seconds": round(seconds, 2),
        "speedup": round(here_s / seconds, 2),
        "identical": found == here,
    }


def main(argv: list[str] | None = None) -> int:
    cli = parser(__doc__.splitlines()[0])
    cli.add_argument("--nodes", type=int, default=60, help="nodes (default 60)")
    cli.add_argument("--skus", type=int, default=1_000, help="SKUs (default 1000)")
    cli.add_argument("--orders", type=int, default=3_000, help="orders per day (default 3000)")
    cli.add_argument("--days", type=int, default=7, help="days per run (default 7)")
    cli.add_argument("--seeds", type=int, default=8, help="seeds per strategy (default 8)")
    cli.add_argument("--workers", type=int, default=2, help="processes / Dask workers (2)")
    cli.add_argument(
        "--scheduler", default=None, help="a Dask scheduler's address instead of a LocalCluster"
    )
    args = cli.parse_args(argv)
    figures = measure(
        nodes=args.nodes,
        skus=args.skus,
        orders=args.orders,
        days=args.days,
        seeds=args.seeds,
        seed=args.seed,
        workers=args.workers,
        scheduler=args.scheduler,
    )
    report(figures, args.json)
    return 0 if figures["identical"] else 1


if __name__ == "__main__":
    sys.exit(main())

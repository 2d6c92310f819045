"""Dated allocation: the same day with ``now`` and calendars against without them.

    python benchmarks/bench_time.py [--shape benchmark_day] [--orders N --nodes N ...]

Generates one seeded day of a named shape (``bench_allocate.SHAPES``) with node
calendars, transit bands and promises (``Scenario.generate(start=...)``), then
allocates it with the fast engine without ``now`` (calendars ignored: the
feature off) and with ``now`` (best of ``--repeat`` runs each, in one process,
after the calendars' tables are built and cached: timed apart as ``tables_s``),
and with the reference with ``now`` on the wave's first ``--check`` orders in
decision order (the plain dates cost about 10 ms per order at 200 nodes; the
sequential rule decides those orders exactly as in the whole wave). Prints
orders/s of both fast runs, their ratio (the target is 80% or more), whether
fast and reference agree there (decisions, dates and ``daily_used``), and the
time KPIs of the dated run.
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

from _harness import timed
from bench_allocate import SHAPES, checked_head, checked_shape_main, scenario_of

import omnichannel
from omnichannel.simulation import Scenario
from omnichannel.simulation._kpis import time_kpis

START = dt.datetime(2026, 3, 2, tzinfo=dt.timezone.utc)
"""The generated day starts on a Monday, 00:00 UTC."""
NOW = START + dt.timedelta(hours=10)
"""The wave is decided at 10:00 UTC (11:00 in Paris): stores open, some cut-offs
still ahead, same-day orders still possible."""


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
    """Feature-off and dated fast runs of one generated day of ``shape``, and whether
    the dated run is the reference's."""
    day = scenario_of(
        {**SHAPES[shape], "nodes": nodes, "skus": skus, "orders": orders}, seed, START
    )
    n_lines = sum(len(order.lines) for order in day.orders)

    def run(now: dt.datetime | None) -> omnichannel.AllocationResult:
        return omnichannel.allocate(
            day.orders, day.network, day.inventory, demand=day.demand, now=now
        )

    # The calendars' tables are built once per network and first day, then cached:
    # time that apart from the calls.
    tables_s, _ = timed(
        lambda: omnichannel.allocate([], day.network, day.inventory, now=NOW), repeat=1
    )
    off_s, _ = timed(lambda: run(None), repeat=repeat)
    dated_s, fast = timed(lambda: run(NOW), repeat=repeat)
    reference_s, checked, identical = checked_head(day, fast, check, now=NOW)
    promised = sum(order.deliver_by is not None for order in day.orders)
    return {
        "benchmark": "time",
        "shape": shape,
        "about": SHAPES[shape]["about"],
        "scenario": {
            "nodes": nodes,
            "skus": skus,
            "orders": orders,
            "lines": n_lines,
            "seed": seed,
        },
        "now": NOW.isoformat(),
        "tables_s": round(tables_s, 4),
        "off_s": round(off_s, 4),
        "off_orders_per_s": round(orders / off_s),
        "fast_s": round(dated_s, 4),
        "fast_orders_per_s": round(orders / dated_s),
        "fast_lines_per_s": round(n_lines / dated_s),
        "dated_vs_off": round(off_s / dated_s, 3),
        "checked_orders": checked,
        "reference_s": round(reference_s, 4),
        "reference_orders_per_s": round(checked / reference_s),
        "identical": identical,
        "promised_orders": promised,
        "fill_rate": round(fast.fill_rate, 4),
        "too_late_lines": sum(
            line.reason is omnichannel.UnfulfilledReason.TOO_LATE
            for a in fast.allocations
            for line in a.unfulfilled
        ),
        "on_time_rate": _on_time_rate(day, fast),
    }


def _on_time_rate(day: Scenario, result: omnichannel.AllocationResult) -> float | None:
    """Share of promised orders served in full by their ``deliver_by`` (lead-time KPIs
    need waves that follow ``placed_at``: see ``simulate(now=...)``)."""
    rate = time_kpis(day.orders, result.allocations, day.network)["on_time_rate"]
    return None if rate is None else round(rate, 4)


def main(argv: list[str] | None = None) -> int:
    return checked_shape_main(__doc__, measure, argv)


if __name__ == "__main__":
    sys.exit(main())

"""Real time: one order (or one return) per call, the inventory carried from call to call.

    python benchmarks/bench_realtime.py [--quick] [--calls 2000] [--json out.json]
    python benchmarks/bench_realtime.py --only 200x270000 --profile 25
    python benchmarks/bench_realtime.py --only 2000x5000 --memory 12

For each shape (nodes x SKUs of a seeded ``Scenario``; the stock positions
follow), calls ``allocate([order], network, inventory)`` once per order of the
day, carrying ``result.inventory`` into the next call, and the same for
``route_returns([request], ...)`` with each return request. Reports p50, p99
and max latency per call (wall time, and CPU time of the calling thread, which
other processes on a shared machine disturb far less), and the memory one call
allocates (tracemalloc's peak during the call above what was allocated before
it), measured on further calls of the same chain since tracing slows each call.
Objects built before the first call are frozen out of garbage collection
(``gc.freeze()``), as docs/embedding.md advises for a long-lived worker.
``--memory TOP`` shows what is alive at the peak of the traced one-order call that
allocates most (its TOP largest allocations, by traceback), replayed on the same
snapshot, which decides the same. Targets (issue 13): p99 <= 1 ms at every size, p50
at ~5M positions within 1.5x of p50 at ~119k, <= 1 MB allocated per call.
"""

from __future__ import annotations

import cProfile
import gc
import io
import pstats
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from _harness import max_rss_mb, parser, report

import omnichannel
from omnichannel.simulation import Scenario

FULL_SHAPES: tuple[tuple[int, int], ...] = (
    (200, 5_000),  # ~119k positions
    (200, 50_000),  # ~980k
    (200, 270_000),  # ~4.8M
    (2_000, 5_000),  # ~1.14M
    (2_000, 25_000),  # ~5M
)
QUICK_SHAPES: tuple[tuple[int, int], ...] = ((30, 300), (200, 2_000))
WARM_UP = 50
"""Calls before timing starts (first-call caches, page faults)."""


def _scenario(nodes: int, skus: int, calls: int, seed: int) -> Scenario:
    """The day's network and stock as ``bench_allocate`` builds them (20,000 orders of
    demand), with at least ``calls`` orders and exactly ``calls`` return requests."""
    return Scenario.generate(
        n_nodes=nodes, n_skus=skus, n_orders=max(20_000, calls), n_returns=calls, rng=seed
    )


def _stats(seconds: Sequence[float], prefix: str = "") -> dict[str, float]:
    ms = np.asarray(seconds) * 1e3
    return {
        f"{prefix}p50_ms": round(float(np.percentile(ms, 50)), 4),
        f"{prefix}p99_ms": round(float(np.percentile(ms, 99)), 4),
        f"{prefix}max_ms": round(float(ms.max()), 4),
        f"{prefix}mean_ms": round(float(ms.mean()), 4),
    }


def _chain(
    step: Callable[[Any, omnichannel.Inventory], omnichannel.Inventory],
    items: Sequence[Any],
    inventory: omnichannel.Inventory,
) -> tuple[list[float], list[float], omnichannel.Inventory]:
    """Wall time and CPU time of this thread (which other processes on a shared
    machine disturb far less) of ``step(item, inventory)`` for each item, carrying the
    inventory."""
    wall, cpu = [], []
    clock, cpu_clock = time.perf_counter, time.thread_time
    for item in items:
        start, cpu_start = clock(), cpu_clock()
        inventory = step(item, inventory)
        cpu.append(cpu_clock() - cpu_start)
        wall.append(clock() - start)
    return wall, cpu, inventory


def _traced(
    step: Callable[[Any, omnichannel.Inventory], omnichannel.Inventory],
    items: Sequence[Any],
    inventory: omnichannel.Inventory,
) -> dict[str, float]:
    """Memory each call allocates at its peak above what was allocated before it (KiB)."""
    peaks = []
    tracemalloc.start()
    try:
        for item in items:
            before, _ = tracemalloc.get_traced_memory()
            tracemalloc.reset_peak()
            inventory = step(item, inventory)
            _, peak = tracemalloc.get_traced_memory()
            peaks.append(peak - before)
    finally:
        tracemalloc.stop()
    kib = 1 / 1024
    return {
        "peak_kib_p50": round(float(np.percentile(peaks, 50)) * kib, 1),
        "peak_kib_max": round(max(peaks) * kib, 1),
    }


def _allocate_step(scenario: Scenario) -> Callable[[Any, omnichannel.Inventory], Any]:
    network = scenario.network

    def step(order: omnichannel.Order, inventory: omnichannel.Inventory) -> Any:
        return omnichannel.allocate([order], network, inventory).inventory

    return step


def _returns_step(scenario: Scenario) -> Callable[[Any, omnichannel.Inventory], Any]:
    network, demand = scenario.network, scenario.demand

    def step(request: omnichannel.ReturnRequest, inventory: omnichannel.Inventory) -> Any:
        return omnichannel.route_returns([request], network, inventory, demand=demand).inventory

    return step


def profile(scenario: Scenario, calls: int, top: int) -> str:
    """cProfile of ``calls`` one-order calls and ``calls`` one-return calls, the ``top``
    entries of each by own time."""
    gc.collect()
    gc.freeze()
    out = io.StringIO()
    for name, step, items in (
        ("allocate", _allocate_step(scenario), scenario.orders),
        ("route_returns", _returns_step(scenario), scenario.returns),
    ):
        *_, inventory = _chain(step, items[:WARM_UP], scenario.inventory)
        profiler = cProfile.Profile()
        profiler.enable()
        _chain(step, items[WARM_UP : WARM_UP + calls], inventory)
        profiler.disable()
        out.write(f"--- {name}, {calls} calls\n")
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    gc.unfreeze()
    return out.getvalue()


def _peak_event(
    step: Callable[[Any, omnichannel.Inventory], omnichannel.Inventory],
    item: Any,
    inventory: omnichannel.Inventory,
    at: int | None = None,
) -> tuple[int, tracemalloc.Snapshot | None]:
    """Run ``step(item, inventory)`` under tracemalloc, counting calls and returns: the
    event at which traced memory was highest, and a snapshot taken at event ``at``."""
    events, highest, highest_at = 0, -1, 0
    taken: list[tracemalloc.Snapshot] = []

    def hook(frame: object, event: str, arg: object) -> None:
        nonlocal events, highest, highest_at
        events += 1
        if at is None:
            current, _ = tracemalloc.get_traced_memory()
            if current > highest:
                highest, highest_at = current, events
        elif events == at:
            sys.setprofile(None)
            taken.append(tracemalloc.take_snapshot())
            sys.setprofile(hook)

    sys.setprofile(hook)
    try:
        step(item, inventory)
    finally:
        sys.setprofile(None)
    return highest_at, taken[0] if taken else None


def memory(scenario: Scenario, calls: int, traced_calls: int, top: int) -> str:
    """What is alive at the peak of the one-order call that allocates most among the
    ``traced_calls`` that :func:`measure_shape` traces after ``calls`` timed ones: its
    ``top`` largest allocations since the call began, with their tracebacks."""
    step = _allocate_step(scenario)
    first = WARM_UP + calls
    *_, inventory = _chain(step, scenario.orders[:first], scenario.inventory)
    worst, worst_peak = 0, -1
    tracemalloc.start(30)
    try:
        before_call = []
        for i, order in enumerate(scenario.orders[first : first + traced_calls]):
            before_call.append(inventory)
            before, _ = tracemalloc.get_traced_memory()
            tracemalloc.reset_peak()
            inventory = step(order, inventory)
            peak = tracemalloc.get_traced_memory()[1] - before
            if peak > worst_peak:
                worst, worst_peak = i, peak
        order, start = scenario.orders[first + worst], before_call[worst]
        del before_call
        at, _ = _peak_event(step, order, start)
        before = tracemalloc.take_snapshot()
        _, snapshot = _peak_event(step, order, start, at)
    finally:
        tracemalloc.stop()
    assert snapshot is not None
    out = io.StringIO()
    out.write(
        f"traced call {worst} of {traced_calls} allocates most: "
        f"{worst_peak / 1024:,.1f} KiB at its peak, {len(order.lines)} lines\n"
    )
    for stat in snapshot.compare_to(before, "traceback")[:top]:
        if stat.size_diff <= 0:
            break
        out.write(f"--- {stat.size_diff / 1024:,.1f} KiB\n")
        frames = [f for f in stat.traceback if "omnichannel" in f.filename][-6:]
        for frame in frames:
            out.write(f"    {frame.filename.rsplit('omnichannel', 1)[-1]}:{frame.lineno}\n")
    return out.getvalue()


def measure_shape(
    nodes: int, skus: int, *, calls: int, traced_calls: int, seed: int
) -> dict[str, Any]:
    """Latency and memory per call of the one-order and one-return chains on one shape."""
    started = time.perf_counter()
    scenario = _scenario(nodes, skus, WARM_UP + calls + traced_calls, seed)
    generated_s = time.perf_counter() - started
    # As a long-lived worker does after start-up (docs/embedding.md): what was built
    # so far is never garbage, so full collections need not walk it again.
    gc.collect()
    gc.freeze()
    figures: dict[str, Any] = {
        "nodes": nodes,
        "skus": skus,
        "positions": scenario.inventory.n_positions,
        "generate_s": round(generated_s, 1),
    }
    for name, step, items in (
        ("allocate", _allocate_step(scenario), scenario.orders),
        ("route_returns", _returns_step(scenario), scenario.returns),
    ):
        warm, timed, traced = (
            items[:WARM_UP],
            items[WARM_UP : WARM_UP + calls],
            items[WARM_UP + calls : WARM_UP + calls + traced_calls],
        )
        *_, inventory = _chain(step, warm, scenario.inventory)
        wall, cpu, inventory = _chain(step, timed, inventory)
        figures[name] = {
            "calls": len(timed),
            "gc_frozen": gc.get_freeze_count(),
            **_stats(wall),
            **_stats(cpu, "cpu_"),
            **(_traced(step, traced, inventory) if traced else {}),
        }
    gc.unfreeze()
    return figures


def measure(
    *,
    shapes: Sequence[tuple[int, int]] = FULL_SHAPES,
    calls: int = 2_000,
    traced_calls: int = 300,
    seed: int = 7,
) -> dict[str, Any]:
    """Every shape's figures (see :func:`measure_shape`) and the targets checked."""
    results = []
    for nodes, skus in shapes:
        results.append(
            measure_shape(nodes, skus, calls=calls, traced_calls=traced_calls, seed=seed)
        )
        sys.stderr.write(f"measured {nodes} x {skus}\n")
    return {
        "benchmark": "realtime",
        "calls": calls,
        "warm_up_calls": WARM_UP,
        "shapes": results,
        "targets": targets(results),
        "process_max_rss_mb": round(max_rss_mb(), 1),
    }


def _row(cells: Sequence[object]) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def table(results: Sequence[dict[str, Any]]) -> str:
    """The figures as a markdown table, one row per shape and call."""
    header = ["nodes", "SKUs", "positions", "call", "p50 ms", "p99 ms", "max ms"]
    header += ["CPU p50 ms", "CPU p99 ms", "CPU max ms", "peak KiB per call (max)"]
    lines = [_row(header), _row(["---"] * len(header))]
    for shape in results:
        for call in ("allocate", "route_returns"):
            f = shape[call]
            lines.append(
                _row(
                    [
                        f"{shape['nodes']:,}",
                        f"{shape['skus']:,}",
                        f"{shape['positions']:,}",
                        f"`{call}`",
                        *(
                            f"{f[key]:.3f}"
                            for key in (
                                "p50_ms",
                                "p99_ms",
                                "max_ms",
                                "cpu_p50_ms",
                                "cpu_p99_ms",
                                "cpu_max_ms",
                            )
                        ),
                        f"{f.get('peak_kib_max', float('nan')):,.0f}",
                    ]
                )
            )
    return "\n".join(lines)


def targets(results: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Issue 13's targets, checked on these figures; the p50 ratio compares the most
    and the fewest positions among shapes with the same number of nodes."""
    allocate = [r["allocate"] for r in results]
    returns = [r["route_returns"] for r in results]
    ratios: dict[str, float] = {}
    for nodes in sorted({r["nodes"] for r in results}):
        family = [r for r in results if r["nodes"] == nodes]
        if len(family) > 1:
            fewest = min(family, key=lambda r: r["positions"])
            most = max(family, key=lambda r: r["positions"])
            ratios[f"{nodes}_nodes_{most['positions']}_over_{fewest['positions']}"] = round(
                most["allocate"]["p50_ms"] / fewest["allocate"]["p50_ms"], 2
            )
    peak_kib = [f["peak_kib_max"] for f in allocate + returns if "peak_kib_max" in f]
    return {
        "allocate_p99_max_ms": max(f["p99_ms"] for f in allocate),
        "allocate_cpu_p99_max_ms": max(f["cpu_p99_ms"] for f in allocate),
        "route_returns_p99_max_ms": max(f["p99_ms"] for f in returns),
        "route_returns_cpu_p99_max_ms": max(f["cpu_p99_ms"] for f in returns),
        "allocate_p50_most_over_fewest_positions": ratios,
        "peak_kib_per_call_max": max(peak_kib) if peak_kib else None,
    }


def main(argv: list[str] | None = None) -> int:
    cli = parser(__doc__.splitlines()[0])
    cli.add_argument("--quick", action="store_true", help="two small shapes: a smoke test")
    cli.add_argument("--calls", type=int, default=None, help="timed calls per chain")
    cli.add_argument(
        "--only", default=None, help="one shape as NODESxSKUS, e.g. 2000x5000 (any size)"
    )
    cli.add_argument(
        "--profile", type=int, default=0, metavar="TOP", help="print a cProfile of the chain"
    )
    cli.add_argument(
        "--memory",
        type=int,
        default=0,
        metavar="TOP",
        help="print what is alive at the peak of the call that allocates most",
    )
    args = cli.parse_args(argv)
    shapes = QUICK_SHAPES if args.quick else FULL_SHAPES
    if args.only:
        nodes, skus = (int(part) for part in args.only.lower().split("x"))
        shapes = ((nodes, skus),)
    calls = args.calls or (200 if args.quick else 2_000)
    traced = min(calls, 100 if args.quick else 300)
    if args.memory:
        for nodes, skus in shapes:
            scenario = _scenario(nodes, skus, WARM_UP + calls + traced, args.seed)
            sys.stdout.write(f"{nodes} nodes x {skus} SKUs\n")
            sys.stdout.write(memory(scenario, calls, traced, args.memory))
        return 0
    if args.profile:
        for nodes, skus in shapes:
            scenario = _scenario(nodes, skus, WARM_UP + calls, args.seed)
            sys.stdout.write(
                f"{nodes} nodes x {skus} SKUs, {scenario.inventory.n_positions:,} positions\n"
            )
            sys.stdout.write(profile(scenario, calls, args.profile))
        return 0
    figures = measure(shapes=shapes, calls=calls, traced_calls=traced, seed=args.seed)
    sys.stdout.write(table(figures["shapes"]) + "\n\n")
    report(figures, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())

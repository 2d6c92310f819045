"""Promise at checkout: options for many carts in one call, with calendars.

    python benchmarks/bench_promise.py [--carts 10000] [--nodes 200] [--check 3]

Generates the seeded benchmark day (``bench_allocate.SHAPES["benchmark_day"]``,
200 nodes, 5,000 SKUs) with node calendars and transit bands
(``Scenario.generate(start=...)``), and turns its first ``--carts`` orders (1 to 5
lines) into carts: the same channel and lines, delivered to the order's
destination (or the pickup node's location), no pickup node named (so the nearest
are proposed). Times ``promise`` on all of them (best of ``--repeat``, after the
calendar tables are built and cached: timed apart as ``tables_s``) and the
reference on the first ``--check`` carts (each option is a full plain allocation,
tens of seconds per cart at 200 nodes). Prints carts/s (the target is 10,000 or
more), options per cart, and whether fast and reference agree on the checked carts.
Then asks ``availability`` about one random SKU within 50 km of each of ``--questions``
cart destinations, one call each: p50 and p99 ms (the target is p99 <= 0.5 ms). Last,
``--one-cart NODESxSKUSxCALLS`` (default 2000x25000x300, about 5M stock positions):
one ``promise`` call per cart, as a checkout page asks, all at the same minute: p50,
p99 and max ms (the target is p99 <= 2 ms).
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from typing import Any

import numpy as np
from _harness import parser, report, timed
from bench_allocate import SHAPES, scenario_of

import omnichannel
from omnichannel import reference
from omnichannel.simulation import Scenario

START = dt.datetime(2026, 3, 2, tzinfo=dt.timezone.utc)
"""The generated day starts on a Monday, 00:00 UTC."""
NOW = START + dt.timedelta(hours=10)
"""Carts ask at 10:00 UTC (11:00 in Paris): stores open, same-day still possible."""


def carts_of(day: Scenario, count: int) -> list[omnichannel.Cart]:
    """The first ``count`` orders of ``day`` as carts, delivered where they were."""
    carts = []
    for order in day.orders[:count]:
        destination = order.destination
        if destination is None:
            assert order.pickup_node_id is not None
            destination = day.network.node(order.pickup_node_id).location
        carts.append(
            omnichannel.Cart(
                id=order.id,
                channel_id=order.channel_id,
                lines=order.lines,
                destination=destination,
            )
        )
    return carts


def availability_ms(day: Scenario, basket: list[omnichannel.Cart], seed: int) -> list[float]:
    """Milliseconds of one ``availability`` call per cart: a random SKU of the day,
    within 50 km of the cart's destination, for the cart's channel."""
    rng = np.random.default_rng(seed)
    skus = sorted({p.sku for p in day.inventory.positions()})
    found = []
    for cart in basket:
        assert cart.destination is not None
        sku = skus[int(rng.integers(len(skus)))]
        start = time.perf_counter()
        omnichannel.availability(
            [sku],
            day.network,
            day.inventory,
            channel_id=cart.channel_id,
            near=cart.destination,
            radius_km=50.0,
            now=NOW,
        )
        found.append((time.perf_counter() - start) * 1000)
    return found


def one_cart_calls(nodes: int, skus: int, calls: int, seed: int) -> dict[str, Any]:
    """``calls`` one-cart ``promise`` calls on a generated dated network of ``nodes`` x
    ``skus`` (after a warm-up call): wall-clock p50, p99 and max ms, as a checkout page
    asks for one basket at a time."""
    shape = {**SHAPES["benchmark_day"], "nodes": nodes, "skus": skus, "orders": 20_000}
    day = scenario_of(shape, seed, START)
    basket = carts_of(day, calls + 1)
    network, inventory = day.network, day.inventory
    omnichannel.promise(basket[:1], network, inventory, now=NOW)
    ms = []
    for cart in basket[1:]:
        start = time.perf_counter()
        omnichannel.promise([cart], network, inventory, now=NOW)
        ms.append((time.perf_counter() - start) * 1000)
    return {
        "nodes": nodes,
        "skus": skus,
        "positions": inventory.n_positions,
        "calls": len(ms),
        "p50_ms": round(float(np.percentile(ms, 50)), 3),
        "p99_ms": round(float(np.percentile(ms, 99)), 3),
        "max_ms": round(max(ms), 3),
    }


def measure(
    *,
    carts: int,
    nodes: int,
    skus: int,
    seed: int,
    repeat: int = 3,
    check: int = 3,
    questions: int = 2_000,
    one_cart: tuple[int, int, int] | None = (2_000, 25_000, 300),
) -> dict[str, Any]:
    """Fast promise of ``carts`` carts, and whether its first ``check`` are the
    reference's; ``one_cart`` = (nodes, SKUs, calls) of the one-cart-per-call run
    (None: none)."""
    shape = {**SHAPES["benchmark_day"], "nodes": nodes, "skus": skus, "orders": carts}
    day = scenario_of(shape, seed, START)
    basket = carts_of(day, carts)
    tables_s, _ = timed(
        lambda: omnichannel.promise(basket[:1], day.network, day.inventory, now=NOW), repeat=1
    )
    fast_s, fast = timed(
        lambda: omnichannel.promise(basket, day.network, day.inventory, now=NOW), repeat=repeat
    )
    head = basket[:check]
    reference_s, plain = timed(lambda: reference.promise(head, day.network, day.inventory, now=NOW))
    options = [len(p.options) for p in fast]
    asked = availability_ms(day, basket[:questions], seed)
    return {
        "benchmark": "promise",
        "scenario": {
            "nodes": nodes,
            "skus": skus,
            "carts": len(basket),
            "lines": sum(len(c.lines) for c in basket),
            "seed": seed,
        },
        "now": NOW.isoformat(),
        "tables_s": round(tables_s, 4),
        "fast_s": round(fast_s, 4),
        "fast_carts_per_s": round(len(basket) / fast_s),
        "options_per_cart": round(sum(options) / max(len(options), 1), 2),
        "carts_without_options": sum(n == 0 for n in options),
        "complete_share": round(
            sum(o.complete for p in fast for o in p.options) / max(sum(options), 1), 4
        ),
        "checked_carts": len(head),
        "reference_s": round(reference_s, 4),
        "reference_carts_per_s": round(len(head) / reference_s, 2),
        "identical": tuple(fast[: len(head)]) == plain,
        "availability_questions": len(asked),
        "availability_p50_ms": round(float(np.percentile(asked, 50)), 3) if asked else None,
        "availability_p99_ms": round(float(np.percentile(asked, 99)), 3) if asked else None,
        "one_cart": None if one_cart is None else one_cart_calls(*one_cart, seed),
    }


def main(argv: list[str] | None = None) -> int:
    cli = parser(__doc__.splitlines()[0])
    cli.add_argument("--carts", type=int, default=10_000, help="carts in the call")
    cli.add_argument("--nodes", type=int, default=SHAPES["benchmark_day"]["nodes"])
    cli.add_argument("--skus", type=int, default=SHAPES["benchmark_day"]["skus"])
    cli.add_argument("--check", type=int, default=3, help="carts checked against the reference")
    cli.add_argument("--questions", type=int, default=2_000, help="availability calls timed")
    cli.add_argument(
        "--one-cart",
        default="2000x25000x300",
        help="NODESxSKUSxCALLS of the one-cart-per-call run, or 'none'",
    )
    args = cli.parse_args(argv)
    one_cart = None
    if args.one_cart != "none":
        nodes, skus, calls = (int(part) for part in args.one_cart.lower().split("x"))
        one_cart = (nodes, skus, calls)
    figures = measure(
        carts=args.carts,
        nodes=args.nodes,
        skus=args.skus,
        seed=args.seed,
        repeat=args.repeat,
        check=args.check,
        questions=args.questions,
        one_cart=one_cart,
    )
    report(figures, args.json)
    return 0 if figures["identical"] else 1


if __name__ == "__main__":
    sys.exit(main())

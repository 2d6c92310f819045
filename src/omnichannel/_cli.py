"""The command line: ``python -m omnichannel compare`` runs a simulated day through
several strategies and prints their KPIs side by side; ``python -m omnichannel
promise`` prints the checkout options of a sample cart on a generated network;
``python -m omnichannel sweep`` runs strategies over seeds and days, in this
process, on local processes or on a Dask cluster, and prints their KPIs with
confidence intervals."""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, NoReturn, TextIO

from . import allocation, returns, sourcing
from ._domain.promise import Cart, Promise
from ._engine.promise import promise
from ._errors import OmnichannelError
from ._version import __version__
from .serialization import to_dict
from .simulation import (
    DEFAULT_STOCK_ACCURACY,
    Checkout,
    Comparison,
    DayMix,
    Replenishment,
    Scenario,
    SimulationConfig,
    SweepResult,
    compare,
    sweep,
)
from .simulation._simulate import check_run_end

_NOT_PRESETS = frozenset({"lexicographic", "weighted"})
"""Sourcing strategies that need configuration, so cannot be named on the command line."""
DEFAULT_STRATEGIES = ("nearest", "lowest_cost", "stock_protecting")
RISK_AWARE = "risk_aware"
"""The name of the accuracy-aware strategy ``--stock-accuracy`` adds."""
REJECTION_RISK = 10.0
"""Its price of an expected rejected line, currency: about one order's fulfilment
cost (a short line is re-picked and usually ships again from another node)."""

# Upper bounds of the sizes, so a typo fails at once instead of filling memory or
# running for hours: at these limits a day takes a few GB and minutes per strategy.
MAX_NODES = 5_000
MAX_SKUS = 1_000_000
MAX_ORDERS = 1_000_000
MAX_STOCK_CELLS = 20_000_000
"""The most nodes x SKUs: the generated stock has a position per carried pair."""
MAX_WAVES = 1_000
MAX_RUN_DAYS = 366
"""The most days ``--days`` runs: a year (the library allows ten)."""
MAX_WALK_IN = 1_000.0
MAX_SEED = 2**64 - 1
MAX_PER_METHOD = 100
MAX_SEEDS = 1_000
MAX_WORKERS = 256
MAX_SWEEP_ORDERS = 10**9
"""The most orders a sweep may simulate in all (orders x days x seeds x strategies):
about a day of one core's time."""
SWEEP_STRATEGIES = ("lowest_cost", "stock_protecting")
SWEEP_SIZES = {"nodes": 100, "skus": 2_000, "orders": 5_000}
"""A sweep's default world, smaller than ``compare``'s day: 16 runs of 14 days at
these sizes take minutes on two cores."""
CONNECT_TIMEOUT_S = 10
"""How long ``sweep --scheduler`` waits for the Dask scheduler to answer."""
PROMISE_NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.timezone.utc)
"""When the sample cart asks by default: a Monday, 11:00 in Paris."""
_NEEDS_TEX = frozenset({"pgf"})
"""Image formats matplotlib writes only with LaTeX installed, so not offered."""
_PLOTTED = (
    ("cost_per_order", "cost per order"),
    ("splits_per_order", "splits per order"),
    ("fill_rate", "fill rate"),
    ("mean_distance_km", "mean distance, km"),
    ("stores_below_safety", "stores below safety stock"),
    ("return_net_value", "return net value"),
)


class UsageError(Exception):
    """A bad command line: reported as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _count(minimum: int, maximum: int) -> Callable[[str], int]:
    """An argparse type: an integer from ``minimum`` to ``maximum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(_not_a_count(text, minimum, maximum)) from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be >= {minimum}, got {value}")
        if value > maximum:
            raise argparse.ArgumentTypeError(f"must be <= {maximum}, got {value}")
        return value

    return parse


def _not_a_count(text: str, minimum: int, maximum: int) -> str:
    """Why ``int`` refused ``text``: not an integer, or one too long to convert."""
    digits = text.strip().replace("_", "")
    if len(digits) > 40 and digits.lstrip("+-").isdigit():
        bound = f">= {minimum}" if digits.startswith("-") else f"<= {maximum}"
        return f"must be {bound}, got a {len(digits)}-digit number"
    shown = text if len(text) <= 40 else text[:37] + "..."
    return f"must be an integer, got {shown!r}"


def _presets() -> list[str]:
    """Sourcing strategies the command line can build by name."""
    return [name for name in sourcing.names() if name not in _NOT_PRESETS]


def _parser() -> _Parser:
    cli = _Parser(
        prog="python -m omnichannel",
        description="omnichannel: sourcing, allocation and return routing decisions.",
    )
    cli.add_argument("--version", action="version", version=f"omnichannel {__version__}")
    commands = cli.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    run = commands.add_parser(
        "compare",
        help="run a simulated day through several strategies and compare their KPIs",
        description="Generate a seeded retail day, run it through each sourcing strategy "
        "and print the KPIs side by side.",
    )
    _add_generated_day(run, orders=True)
    run.add_argument(
        "--waves",
        type=_count(1, MAX_WAVES),
        default=4,
        help=f"allocation waves, 1 to {MAX_WAVES} (default 4)",
    )
    _add_days(run)
    run.add_argument(
        "--start",
        type=_instant,
        help="date the day: node calendars, transit bands and promises, the day starting "
        "at this ISO 8601 instant with its offset (e.g. 2026-03-02T00:00+00:00); waves "
        "are decided through it and the time KPIs are measured (default: undated)",
    )
    run.add_argument(
        "--parcels",
        action="store_true",
        help="price the day by parcel: a catalogue of every SKU (weights, dimensions) and "
        "two or three carrier services per service level with zone x weight tables; the "
        "parcel KPIs are measured (default: rate cards only)",
    )
    run.add_argument(
        "--stock-accuracy",
        action="store_true",
        help="check stock records against a shelf: records are right with the default "
        "mix per node kind (stores 0.65, dark stores 0.85, DCs 0.97, drop-ship 0.9), "
        "short lines are rejected and re-sourced, the rejection KPIs are measured, and "
        f"a {RISK_AWARE!r} strategy (Weighted shipping=1, handling=1, rejection_risk="
        f"{REJECTION_RISK:g}) runs after the others (default: records are right)",
    )
    run.add_argument(
        "--checkout",
        action="store_true",
        help="customers choose at checkout: each order is placed from the option promise "
        "offers its cart that a simulated customer picks (Checkout's defaults: 30%% prefer "
        "click-and-collect ready today within 10 km, the others the cheapest delivery); "
        "needs --start; adds the checkout rows (default: orders as generated)",
    )
    _add_strategy_options(run, DEFAULT_STRATEGIES)
    run.add_argument(
        "--json", type=Path, help="write the KPIs as JSON to this file (its directory must exist)"
    )
    run.add_argument(
        "--plot",
        type=Path,
        help="draw a comparison chart to this file, in the format its extension names: "
        "png, pdf, svg, ... (needs the plot extra)",
    )
    run.add_argument("--quiet", action="store_true", help="no progress on stderr")
    _add_promise(commands)
    _add_sweep(commands)
    return cli


def _add_generated_day(
    command: Any,
    *,
    orders: bool,
    seed: bool = True,
    nodes: int = 200,
    skus: int = 5_000,
    n_orders: int = 20_000,
) -> None:
    """The sizes (and seed) of the generated day ``command`` runs on."""
    command.add_argument(
        "--nodes",
        type=_count(5, MAX_NODES),
        default=nodes,
        help=f"nodes, 5 to {MAX_NODES} (default {nodes})",
    )
    command.add_argument(
        "--skus",
        type=_count(1, MAX_SKUS),
        default=skus,
        help=f"SKUs, 1 to {MAX_SKUS}, and nodes x SKUs at most {MAX_STOCK_CELLS} (default {skus})",
    )
    if orders:
        command.add_argument(
            "--orders",
            type=_count(1, MAX_ORDERS),
            default=n_orders,
            help=f"orders, 1 to {MAX_ORDERS} (default {n_orders})",
        )
    if seed:
        command.add_argument(
            "--seed",
            type=_count(0, MAX_SEED),
            default=7,
            help="scenario seed, 0 to 2**64-1 (default 7)",
        )


def _add_strategy_options(command: Any, default: Sequence[str]) -> None:
    """``--strategies``, ``--policy`` and ``--returns``."""
    presets = _presets()
    command.add_argument(
        "--strategies",
        default=",".join(default),
        help=f"comma-separated sourcing strategies, of: {', '.join(presets)} "
        f"(default {','.join(default)})",
    )
    command.add_argument(
        "--policy",
        default="sequential",
        help=f"allocation policy, of: {', '.join(allocation.names())} (default sequential)",
    )
    command.add_argument(
        "--returns",
        default="value_recovery",
        help=f"return strategy, of: {', '.join(returns.names())} (default value_recovery)",
    )


def _add_sweep(commands: Any) -> None:
    run = commands.add_parser(
        "sweep",
        help="run strategies over seeds and days, locally or on a Dask cluster, and "
        "summarise their KPIs with confidence intervals",
        description="Simulate each sourcing strategy on each seed's generated world for a "
        "number of days (in this process, on local processes or on a Dask cluster), and "
        "print each KPI's mean over the seeds with its 95% confidence interval.",
    )
    _add_generated_day(
        run,
        orders=True,
        seed=False,
        nodes=SWEEP_SIZES["nodes"],
        skus=SWEEP_SIZES["skus"],
        n_orders=SWEEP_SIZES["orders"],
    )
    run.add_argument(
        "--days",
        type=_count(1, MAX_RUN_DAYS),
        default=14,
        help=f"days each run simulates, 1 to {MAX_RUN_DAYS} (default 14)",
    )
    run.add_argument(
        "--seeds",
        type=_count(1, MAX_SEEDS),
        default=8,
        help=f"seeds (worlds) per strategy, 1 to {MAX_SEEDS} (default 8)",
    )
    run.add_argument(
        "--first-seed",
        type=_count(0, MAX_SEED),
        default=0,
        help="the first seed; the others follow it (default 0: seeds 0, 1, ...)",
    )
    run.add_argument(
        "--waves",
        type=_count(1, MAX_WAVES),
        default=4,
        help=f"allocation waves per day, 1 to {MAX_WAVES} (default 4)",
    )
    _add_stock_world(run)
    _add_strategy_options(run, SWEEP_STRATEGIES)
    run.add_argument(
        "--workers",
        type=_count(1, MAX_WORKERS),
        default=1,
        help=f"local processes running the sweep, 1 to {MAX_WORKERS} (default 1: in this process)",
    )
    run.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run the sweep on the Dask cluster whose scheduler is at this address (e.g. "
        "tcp://10.0.0.5:8786); its workers need the same omnichannel installed (needs the "
        "dask extra)",
    )
    run.add_argument(
        "--json",
        type=Path,
        help="write every row and the summary as JSON to this file (its directory must exist)",
    )
    run.add_argument(
        "--plot",
        type=Path,
        help="draw the main KPIs over the days, a line per strategy (mean over seeds), to "
        "this file in the format its extension names: png, pdf, svg, ... (needs the plot "
        "extra)",
    )
    run.add_argument("--quiet", action="store_true", help="no progress on stderr")


def _add_days(command: Any) -> None:
    """How many days ``command`` runs, with walk-in store sales and replenishment."""
    command.add_argument(
        "--days",
        type=_count(1, MAX_RUN_DAYS),
        help=f"run this many days one after the other, 1 to {MAX_RUN_DAYS}, and compare the "
        "runs' totals; adds the stock-out and inventory-turn rows (default: one day)",
    )
    _add_stock_world(command)


def _add_stock_world(command: Any) -> None:
    """Walk-in store sales and replenishment between days, for ``command``'s world."""
    command.add_argument(
        "--walk-in",
        type=_share(0.0, MAX_WALK_IN),
        default=0.0,
        help="walk-in sales at each store a day, as a multiple of its demand rate, "
        f"0 to {MAX_WALK_IN:g}; adds the lost store sales row (default 0: none)",
    )
    command.add_argument(
        "--replenish",
        action="store_true",
        help="restock stores from their nearest DC and DCs from suppliers between days "
        "(Replenishment's defaults); adds the replenishment rows (default: no restocking)",
    )


def _share(minimum: float, maximum: float) -> Callable[[str], float]:
    """An argparse type: a finite number from ``minimum`` to ``maximum``."""

    def parse(text: str) -> float:
        shown = text if len(text) <= 40 else text[:37] + "..."
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a number, got {shown!r}") from None
        if not minimum <= value <= maximum:  # NaN fails too
            raise argparse.ArgumentTypeError(
                f"must be from {minimum:g} to {maximum:g}, got {shown}"
            )
        return value

    return parse


def _add_promise(commands: Any) -> None:
    offer = commands.add_parser(
        "promise",
        help="print the checkout options of a sample cart on a generated network",
        description="Generate a seeded, dated network and stock, take its first order as a "
        "cart (its channel, lines and destination) and print the fulfilment options "
        "promise() offers it, nothing reserved.",
    )
    _add_generated_day(offer, orders=False)
    offer.add_argument(
        "--now",
        type=_instant,
        default=PROMISE_NOW,
        help="when the cart asks, an ISO 8601 instant with its offset (default "
        f"{PROMISE_NOW.isoformat()}); the network's calendars start that UTC day",
    )
    offer.add_argument(
        "--per-method",
        type=_count(1, MAX_PER_METHOD),
        default=3,
        help=f"most options per method and service level, 1 to {MAX_PER_METHOD} (default 3)",
    )
    offer.add_argument(
        "--json",
        type=Path,
        help="also write the cart and its promise as JSON to this file (its directory must exist)",
    )


def _instant(text: str) -> dt.datetime:
    """An aware datetime from ISO 8601 text with an offset (``Z`` allowed)."""
    shown = text if len(text) <= 40 else text[:37] + "..."
    try:
        found = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be an ISO 8601 instant such as 2026-03-02T00:00+00:00, got {shown!r}"
        ) from None
    if found.utcoffset() is None:
        raise argparse.ArgumentTypeError(f"must give its offset (e.g. +00:00), got {shown!r}")
    return found


def _configs(args: argparse.Namespace) -> list[SimulationConfig]:
    names = [name.strip() for name in args.strategies.split(",") if name.strip()]
    if not names:
        raise UsageError("--strategies: name at least one strategy")
    if len(set(names)) != len(names):
        raise UsageError(f"--strategies: a strategy is named twice in {args.strategies!r}")
    presets = _presets()
    for name in names:
        if name in _NOT_PRESETS:
            raise UsageError(f"--strategies: {name!r} needs configuration; use it from Python")
        if name not in presets:
            raise UsageError(
                f"--strategies: unknown strategy {name!r}; valid: {', '.join(presets)}"
            )
    policy = _named("--policy", allocation.names(), allocation.get, args.policy)
    returns_strategy = _named("--returns", returns.names(), returns.get, args.returns)
    checkout = Checkout() if getattr(args, "checkout", False) else None
    configs = [
        SimulationConfig(
            name=name,
            sourcing=sourcing.get(name)(),
            policy=policy,
            returns=returns_strategy,
            checkout=checkout,
        )
        for name in names
    ]
    if getattr(args, "stock_accuracy", False):
        configs.append(
            SimulationConfig(
                name=RISK_AWARE,
                sourcing=sourcing.Weighted(
                    shipping=1.0, handling=1.0, rejection_risk=REJECTION_RISK
                ),
                policy=policy,
                returns=returns_strategy,
                checkout=checkout,
            )
        )
    return configs


def _named(option: str, valid: Sequence[str], get: Callable[[str], type], name: str) -> Any:
    """The built-in called ``name`` of a registry, built with its defaults."""
    if name not in valid:
        raise UsageError(f"{option}: unknown name {name!r}; valid: {', '.join(valid)}")
    return get(name)()


def _check_sizes(args: argparse.Namespace) -> None:
    """The sizes together fit in memory: each option alone is bounded by its parser."""
    cells = args.nodes * args.skus
    if cells > MAX_STOCK_CELLS:
        raise UsageError(
            f"--nodes x --skus must be <= {MAX_STOCK_CELLS}, "
            f"got {args.nodes} x {args.skus} = {cells}"
        )


def _check_outputs(args: argparse.Namespace) -> str | None:
    """Fail now, not after the day, on an output that cannot be written; returns the
    ``--plot`` image format (None without ``--plot``)."""
    image_format = None
    if args.json is not None:
        _check_writable("--json", args.json)
    if args.plot is not None:
        image_format = _plot_format(args.plot)
        _check_writable("--plot", args.plot)
    if (
        args.json is not None
        and args.plot is not None
        and args.json.resolve() == args.plot.resolve()
    ):
        raise UsageError("--json and --plot name the same file")
    return image_format


def _check_writable(option: str, path: Path) -> None:
    """``path`` can be created or overwritten: it is not a directory, and its
    directory exists and is writable."""
    shown = repr(str(path))
    if path.is_dir():
        raise UsageError(f"{option}: {shown} is a directory")
    parent = path.parent
    if not parent.is_dir():
        problem = "is not a directory" if parent.exists() else "does not exist"
        raise UsageError(f"{option}: {str(parent)!r} {problem}")
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise UsageError(f"{option}: {shown} is not writable")


def _plot_format(path: Path) -> str:
    """The image format ``path``'s extension names, if matplotlib is installed and
    writes it."""
    try:
        from matplotlib.backend_bases import FigureCanvasBase
    except ImportError:
        raise UsageError("--plot needs matplotlib: pip install 'omnichannel[plot]'") from None
    formats = sorted(set(FigureCanvasBase.get_supported_filetypes()) - _NEEDS_TEX)
    extension = path.suffix[1:].lower()
    if not extension:
        raise UsageError(
            f"--plot: {str(path)!r} has no extension to name the image format; "
            f"valid: {', '.join(formats)}"
        )
    if extension not in formats:
        raise UsageError(f"--plot: unknown image format {extension!r}; valid: {', '.join(formats)}")
    return extension


@contextmanager
def _progress(
    total: int, quiet: bool, stream: TextIO
) -> Iterator[Callable[[int, SimulationConfig], None]]:
    """A ``compare`` progress callback drawing on ``stream``: a rich bar on a terminal
    with the ``cli`` extra, a line per run otherwise."""
    with _drawn(quiet, stream, "simulating") as show:
        yield lambda index, config: show(index, total, f"simulating {config.name}", index + 1)
        show(total, total, "simulated", None)


@contextmanager
def _drawn(
    quiet: bool, stream: TextIO, title: str
) -> Iterator[Callable[[int, int, str, int | None], None]]:
    """A progress callback ``show(done, total, label, line)`` on ``stream``: a rich bar
    of ``title`` on a terminal with the ``cli`` extra; otherwise, when ``line`` is
    not None, the line ``[line/total] label``; nothing when ``quiet``."""

    def plain(done: int, total: int, label: str, line: int | None) -> None:
        if line is not None:
            stream.write(f"[{line}/{total}] {label}\n")
            stream.flush()

    if quiet:
        yield lambda done, total, label, line: None
        return
    try:
        from rich.console import Console
        from rich.progress import Progress
    except ImportError:
        stream.write("omnichannel: install the 'cli' extra for progress bars\n")
        yield plain
        return
    if not stream.isatty():
        yield plain
        return
    with Progress(console=Console(file=stream), transient=True) as bar:
        task = bar.add_task(title, total=None)

        def advance(done: int, total: int, label: str, line: int | None) -> None:
            bar.update(task, completed=done, total=total, description=label)

        yield advance


def _write_json(path: Path, args: argparse.Namespace, result: Comparison) -> None:
    document = {
        "omnichannel": __version__,
        "scenario": {
            "nodes": args.nodes,
            "skus": args.skus,
            "orders": args.orders,
            "seed": args.seed,
        },
        "waves": args.waves,
        "days": args.days,
        "walk_in": args.walk_in,
        "replenish": args.replenish,
        "checkout": args.checkout,
        "policy": args.policy,
        "returns": args.returns,
        "kpis": _used_kpis(result.as_dict()),
    }
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def _used_kpis(kpis: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """``kpis`` without the figures that are None for every configuration: a feature
    the day did not use (no dates, say) adds no column of nulls to the document."""
    unused = {
        field
        for field in next(iter(kpis.values()), {})
        if all(figures[field] is None for figures in kpis.values())
    }
    return {
        name: {field: value for field, value in figures.items() if field not in unused}
        for name, figures in kpis.items()
    }


def _plot(path: Path, image_format: str, result: Comparison) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [k.name for k in result.kpis]
    figure, axes = plt.subplots(2, 3, figsize=(12, 6.5), layout="constrained")
    for axis, (field, label) in zip(axes.flat, _PLOTTED, strict=True):
        axis.bar(names, [getattr(k, field) for k in result.kpis], color="#3b6ea5")
        axis.set_title(label)
        axis.tick_params(axis="x", labelrotation=30)
    figure.suptitle("omnichannel: strategies compared on one simulated day")
    figure.savefig(path, format=image_format, dpi=120)
    plt.close(figure)


def run_compare(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """The ``compare`` command."""
    _check_sizes(args)
    if args.checkout and args.start is None:
        raise UsageError("--checkout needs --start: promise dates every option")
    if args.replenish and args.days is None:
        raise UsageError("--replenish needs --days: stock is replenished between days")
    if args.start is not None and args.days is not None:
        try:
            check_run_end(args.start, args.days)
        except OmnichannelError as error:
            raise UsageError(f"--days: {str(error).removeprefix('days: ')}") from None
    configs = _configs(args)
    image_format = _check_outputs(args)
    scenario = Scenario.generate(
        n_nodes=args.nodes,
        n_skus=args.skus,
        n_orders=args.orders,
        rng=args.seed,
        start=args.start,
        parcels=args.parcels,
        stock_accuracy=DEFAULT_STOCK_ACCURACY if args.stock_accuracy else None,
        mix=DayMix(walk_in=args.walk_in),
        replenishment=Replenishment() if args.replenish else None,
    )
    with _progress(len(configs), args.quiet, err) as progress:
        result = compare(
            scenario, configs, waves=args.waves, progress=progress, now=args.start, days=args.days
        )
    period = "A simulated day" if args.days is None else f"{args.days} simulated days"
    out.write(
        f"{period}: {args.nodes} nodes, {args.skus} SKUs, {args.orders} orders a day, "
        f"{len(scenario.returns)} returns{'' if args.days is None else ' on day 0'}, "
        f"seed {args.seed}, {args.waves} waves"
        + ("" if args.start is None else f", dated from {args.start.isoformat()}")
        + (", priced by parcel" if args.parcels else "")
        + (", picked from a shelf of the default accuracy" if args.stock_accuracy else "")
        + ("" if not args.walk_in else f", walk-in sales {args.walk_in:g} x demand")
        + (", replenished between days" if args.replenish else "")
        + (", ordered at checkout" if args.checkout else "")
        + "; "
        f"policy {args.policy}, returns {args.returns}.\n\n"
    )
    out.write(result.table() + "\n")
    if args.json is not None:
        _write_json(args.json, args, result)
    if image_format is not None:
        _plot(args.plot, image_format, result)
    return 0


@contextmanager
def _sweep_progress(quiet: bool, stream: TextIO) -> Iterator[Callable[[int, int], None]]:
    """A ``sweep`` progress callback drawing on ``stream``: a rich bar on a terminal
    with the ``cli`` extra, a line per finished run otherwise."""
    with _drawn(quiet, stream, "sweeping") as show:
        yield lambda done, total: show(done, total, "runs done", done)


def _sweep_executor(
    args: argparse.Namespace, stack: ExitStack
) -> concurrent.futures.Executor | None:
    """The executor ``--workers`` or ``--scheduler`` asks for (None: this process), to be
    shut down (or disconnected) when ``stack`` closes."""
    if args.scheduler is None:
        if args.workers == 1:
            return None
        return stack.enter_context(concurrent.futures.ProcessPoolExecutor(args.workers))
    if args.workers != 1:
        raise UsageError(
            "--workers and --scheduler: give one (the cluster's workers run the sweep)"
        )
    try:
        import distributed
    except ImportError:
        raise UsageError(
            "--scheduler needs the dask extra: pip install 'omnichannel[dask]'"
        ) from None
    try:
        client = distributed.Client(  # type: ignore[no-untyped-call]
            args.scheduler, timeout=CONNECT_TIMEOUT_S
        )
    except Exception as error:  # bad addresses and failed connections raise many kinds
        raise UsageError(
            f"--scheduler: cannot reach a Dask scheduler at {args.scheduler!r}: "
            f"{type(error).__name__}: {_one_line(error)}"
        ) from None
    stack.enter_context(client)
    executor: concurrent.futures.Executor = client.get_executor()  # type: ignore[no-untyped-call]
    return executor


def _check_sweep_size(args: argparse.Namespace, configs: Sequence[SimulationConfig]) -> None:
    """The sweep's seeds exist and its whole work is bounded, before any of it runs."""
    _check_sizes(args)
    last = args.first_seed + args.seeds - 1
    if last > MAX_SEED:
        raise UsageError(
            f"--first-seed + --seeds - 1 must be <= {MAX_SEED}, got {last} (the last seed)"
        )
    orders = args.orders * args.days * args.seeds * len(configs)
    if orders > MAX_SWEEP_ORDERS:
        raise UsageError(
            f"--orders x --days x --seeds x strategies must be <= {MAX_SWEEP_ORDERS}, got "
            f"{args.orders} x {args.days} x {args.seeds} x {len(configs)} = {orders}"
        )


def run_sweep(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """The ``sweep`` command."""
    configs = _configs(args)
    _check_sweep_size(args, configs)
    image_format = _check_outputs(args)
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    world = {
        "n_nodes": args.nodes,
        "n_skus": args.skus,
        "n_orders": args.orders,
        "mix": DayMix(walk_in=args.walk_in),
        "replenishment": Replenishment() if args.replenish else None,
    }
    with ExitStack() as stack:
        executor = _sweep_executor(args, stack)
        with _sweep_progress(args.quiet, err) as progress:
            result = sweep(
                configs,
                seeds,
                days=args.days,
                scenario=world,
                executor=executor,
                waves=args.waves,
                progress=progress,
            )
    where = (
        f"on the Dask cluster at {args.scheduler}"
        if args.scheduler is not None
        else "in one process"
        if args.workers == 1
        else f"on {args.workers} local processes"
    )
    out.write(
        f"A sweep: {len(configs)} strategies x {args.seeds} seeds ({seeds[0]} to {seeds[-1]}) "
        f"x {args.days} days of {args.nodes} nodes, {args.skus} SKUs, {args.orders} orders, "
        f"{args.waves} waves"
        + ("" if not args.walk_in else f", walk-in sales {args.walk_in:g} x demand")
        + (", replenished between days" if args.replenish else "")
        + f"; policy {args.policy}, returns {args.returns}; run {where}.\n\n"
    )
    out.write(result.table() + "\n")
    if args.json is not None:
        document = {
            "omnichannel": __version__,
            "scenario": {
                "nodes": args.nodes,
                "skus": args.skus,
                "orders": args.orders,
            },
            "walk_in": args.walk_in,
            "replenish": args.replenish,
            "waves": args.waves,
            "policy": args.policy,
            "returns": args.returns,
            **result.as_dict(),
        }
        args.json.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    if image_format is not None:
        _plot_sweep(args.plot, image_format, result)
    return 0


_SWEEP_PLOTTED = (
    ("cost_per_order", "cost per order"),
    ("fill_rate", "fill rate"),
    ("lost_store_sales", "lost store sales, units"),
    ("store_stockout_rate", "store stock-outs"),
    ("inventory_turns", "inventory turns"),
)
"""The KPIs ``sweep --plot`` draws over the days, when the sweep measured them."""


def _plot_sweep(path: Path, image_format: str, result: SweepResult) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = []
    for field, label in _SWEEP_PLOTTED:
        series = result.series(field)
        if any(value is not None for line in series.values() for value in line):
            panels.append((label, series))
    columns = min(3, len(panels))
    rows = -(-len(panels) // columns)
    figure, axes = plt.subplots(
        rows,
        columns,
        figsize=(4.5 * columns, 3.5 * rows),
        layout="constrained",
        squeeze=False,
    )
    for axis in axes.flat[len(panels) :]:
        axis.set_visible(False)
    days = list(range(result.days))
    for axis, (label, series) in zip(axes.flat, panels, strict=False):
        for name, line in series.items():
            axis.plot(
                days, [float("nan") if v is None else v for v in line], marker=".", label=name
            )
        axis.set_title(label)
        axis.set_xlabel("day")
    axes.flat[0].legend()
    figure.suptitle(f"omnichannel sweep: mean over {len(result.seeds)} seeds, per day")
    figure.savefig(path, format=image_format, dpi=120)
    plt.close(figure)


def run_promise(args: argparse.Namespace, out: TextIO) -> int:
    """The ``promise`` command."""
    _check_sizes(args)
    if args.json is not None:
        _check_writable("--json", args.json)
    start = args.now.astimezone(dt.timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    scenario = Scenario.generate(
        n_nodes=args.nodes, n_skus=args.skus, n_orders=1, rng=args.seed, start=start
    )
    (order,) = scenario.orders
    destination = order.destination
    if destination is None:
        assert order.pickup_node_id is not None
        destination = scenario.network.node(order.pickup_node_id).location
    cart = Cart(
        id="sample-cart", channel_id=order.channel_id, lines=order.lines, destination=destination
    )
    (found,) = promise(
        [cart], scenario.network, scenario.inventory, now=args.now, per_method=args.per_method
    )
    lines = ", ".join(f"{line.quantity} x {line.sku}" for line in cart.lines)
    out.write(
        f"A sample cart on a generated network ({args.nodes} nodes, {args.skus} SKUs, seed "
        f"{args.seed}): {lines}, channel {cart.channel_id}, to ({destination.lat:.4f}, "
        f"{destination.lon:.4f}), asking at {args.now.isoformat()}.\n\n"
    )
    out.write(_options_table(found) + "\n")
    if args.json is not None:
        document = {"omnichannel": __version__, "cart": to_dict(cart), "promise": to_dict(found)}
        args.json.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return 0


def _options_table(found: Promise) -> str:
    """The options as an aligned text table, delivery times in UTC."""
    if not found.options:
        return "No option: no node can serve any line of the cart."
    header = (
        "method",
        "level",
        "pickup at",
        "ships from",
        "delivered by (UTC)",
        "cost",
        "complete",
    )
    rows = [
        (
            option.method.value,
            option.service_level.value,
            option.pickup_node_id or "-",
            ", ".join(sorted(option.node_ids)),
            option.delivered_by.astimezone(dt.timezone.utc).strftime("%a %Y-%m-%d %H:%M"),
            f"{option.cost:.2f}",
            "yes" if option.complete else "no",
        )
        for option in found.options
    ]
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    right = {5}
    return "\n".join(
        "  ".join(
            cell.rjust(width) if i in right else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in (header, *rows)
    )


def main(
    argv: Sequence[str] | None = None, out: TextIO = sys.stdout, err: TextIO = sys.stderr
) -> int:
    """Run the command line; returns the exit status (2 for a bad command line, an
    input the library refuses or an output that cannot be written)."""
    try:
        args = _parser().parse_args(argv)
        if args.command is None:
            raise UsageError("name a command: compare, promise or sweep (see --help)")
        if args.command == "promise":
            return run_promise(args, out)
        if args.command == "sweep":
            return run_sweep(args, out, err)
        return run_compare(args, out, err)
    except (UsageError, OmnichannelError, OSError, MemoryError) as error:
        err.write(f"python -m omnichannel: error: {_one_line(error)}\n")
        return 2


def _one_line(error: Exception) -> str:
    """``error``'s message on one line: an InvalidInputError has a line per fault."""
    if isinstance(error, MemoryError):
        return "out of memory; try smaller --nodes, --skus or --orders"
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return "; ".join(lines) or type(error).__name__

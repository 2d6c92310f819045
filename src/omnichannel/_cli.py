"""The command line: ``python -m omnichannel compare`` runs a simulated day through
several strategies and prints their KPIs side by side."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn, TextIO

from . import allocation, returns, sourcing
from ._version import __version__
from .simulation import Comparison, Scenario, SimulationConfig, compare

_NOT_PRESETS = frozenset({"lexicographic", "weighted"})
"""Sourcing strategies that need configuration, so cannot be named on the command line."""
DEFAULT_STRATEGIES = ("nearest", "lowest_cost", "stock_protecting")
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


def _count(minimum: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be an integer, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be >= {minimum}, got {value}")
        return value

    return parse


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
    run.add_argument("--nodes", type=_count(5), default=200, help="nodes (default 200)")
    run.add_argument("--skus", type=_count(1), default=5_000, help="SKUs (default 5000)")
    run.add_argument("--orders", type=_count(1), default=20_000, help="orders (default 20000)")
    run.add_argument("--seed", type=_count(0), default=7, help="scenario seed (default 7)")
    run.add_argument("--waves", type=_count(1), default=4, help="allocation waves (default 4)")
    presets = _presets()
    run.add_argument(
        "--strategies",
        default=",".join(DEFAULT_STRATEGIES),
        help=f"comma-separated sourcing strategies, of: {', '.join(presets)} "
        f"(default {','.join(DEFAULT_STRATEGIES)})",
    )
    run.add_argument(
        "--policy",
        default="sequential",
        help=f"allocation policy, of: {', '.join(allocation.names())} (default sequential)",
    )
    run.add_argument(
        "--returns",
        default="value_recovery",
        help=f"return strategy, of: {', '.join(returns.names())} (default value_recovery)",
    )
    run.add_argument("--json", type=Path, help="write the KPIs as JSON to this file")
    run.add_argument("--plot", type=Path, help="draw a comparison chart (needs the plot extra)")
    run.add_argument("--quiet", action="store_true", help="no progress on stderr")
    return cli


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
    return [
        SimulationConfig(
            name=name, sourcing=sourcing.get(name)(), policy=policy, returns=returns_strategy
        )
        for name in names
    ]


def _named(option: str, valid: Sequence[str], get: Callable[[str], type], name: str) -> Any:
    """The built-in called ``name`` of a registry, built with its defaults."""
    if name not in valid:
        raise UsageError(f"{option}: unknown name {name!r}; valid: {', '.join(valid)}")
    return get(name)()


def _check_plot_extra() -> None:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise UsageError("--plot needs matplotlib: pip install 'omnichannel[plot]'") from None


@contextmanager
def _progress(
    total: int, quiet: bool, stream: TextIO
) -> Iterator[Callable[[int, SimulationConfig], None]]:
    """A ``compare`` progress callback drawing on ``stream``: a rich bar on a terminal
    with the ``cli`` extra, a line per run otherwise."""

    def plain(index: int, config: SimulationConfig) -> None:
        stream.write(f"[{index + 1}/{total}] simulating {config.name}\n")
        stream.flush()

    if quiet:
        yield lambda index, config: None
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
        task = bar.add_task("simulating", total=total)

        def advance(index: int, config: SimulationConfig) -> None:
            bar.update(task, completed=index, description=f"simulating {config.name}")

        yield advance
        bar.update(task, completed=total)


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
        "policy": args.policy,
        "returns": args.returns,
        "kpis": result.as_dict(),
    }
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def _plot(path: Path, result: Comparison) -> None:
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
    figure.savefig(path, dpi=120)
    plt.close(figure)


def run_compare(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """The ``compare`` command."""
    configs = _configs(args)
    if args.plot is not None:
        _check_plot_extra()
    scenario = Scenario.generate(
        n_nodes=args.nodes, n_skus=args.skus, n_orders=args.orders, rng=args.seed
    )
    with _progress(len(configs), args.quiet, err) as progress:
        result = compare(scenario, configs, waves=args.waves, progress=progress)
    out.write(
        f"A simulated day: {args.nodes} nodes, {args.skus} SKUs, {args.orders} orders, "
        f"{len(scenario.returns)} returns, seed {args.seed}, {args.waves} waves; "
        f"policy {args.policy}, returns {args.returns}.\n\n"
    )
    out.write(result.table() + "\n")
    if args.json is not None:
        _write_json(args.json, args, result)
    if args.plot is not None:
        _plot(args.plot, result)
    return 0


def main(
    argv: Sequence[str] | None = None, out: TextIO = sys.stdout, err: TextIO = sys.stderr
) -> int:
    """Run the command line; returns the exit status (2 for a bad command line)."""
    try:
        args = _parser().parse_args(argv)
        if args.command is None:
            raise UsageError("name a command: compare (see --help)")
        return run_compare(args, out, err)
    except (UsageError, OSError) as error:
        err.write(f"python -m omnichannel: error: {error}\n")
        return 2

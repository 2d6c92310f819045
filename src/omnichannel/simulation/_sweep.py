"""Sweeps: every configuration on every seed for a number of days, on any executor.

A sweep's tasks are independent simulations, so they can run anywhere a
:class:`concurrent.futures.Executor` runs them: in this process, in a process pool,
or on a Dask ``distributed`` cluster (``Client(...).get_executor()``). Nothing here
imports Dask: the caller brings the executor.
"""

from __future__ import annotations

import concurrent.futures
import functools
import inspect
import math
import pickle
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from .._domain import validators as v
from .._errors import InvalidInputError, Problem
from ._kpis import DayKpis
from ._scenario import Scenario, check_generate
from ._simulate import _TABLE_ROWS, SimulationConfig, _format, aligned, simulate

WALL_TIME_KPIS = frozenset({"decisions_per_second", "engine_seconds"})
"""``DayKpis`` fields that measure wall time: they differ from run to run and from
executor to executor, so sweeps leave them out."""

CONFIDENCE = 0.95
"""The level of the summary's confidence intervals."""

_MAIN_KPIS = (
    "cost_per_order",
    "fill_rate",
    "splits_per_order",
    "service_level_met",
    "mean_distance_km",
    "stores_below_safety",
    "return_net_value",
    "on_time_rate",
    "rejection_rate",
    "lost_store_sales",
    "store_stockout_rate",
    "replenished_units",
    "replenishment_cost",
    "inventory_turns",
)
"""The KPIs :meth:`SweepResult.table` shows, in this order, when the sweep measured them."""

Figures = dict[str, Any]
"""One run's KPIs of a day (or of the whole run) by name, in ``DayKpis`` field order."""
Outcome = tuple[tuple[Figures, ...], Figures]
"""What a task sends back: the figures of each day, day 0 first, and of the whole run."""


@functools.cache
def kpi_names() -> tuple[str, ...]:
    """The KPIs a sweep reports: every ``DayKpis`` field but ``name`` and the wall-time
    ones, in field order."""
    return tuple(
        field.name
        for field in attrs.fields(DayKpis)
        if field.name != "name" and field.name not in WALL_TIME_KPIS
    )


@attrs.frozen(kw_only=True)
class SweepResult:
    """The KPIs of every configuration on every seed, per day, and their summary.

    ``rows`` holds one JSON-safe dict per configuration x seed x day x KPI, ``{"config",
    "seed", "day", "kpi", "value"}``, in configuration order, then seed order, then
    day (0 first), then KPI (``DayKpis`` field order); ``value`` is None (JSON null)
    where the KPI's feature was off. Wall-time KPIs (``decisions_per_second``,
    ``engine_seconds``) are left out, so a sweep gives the same rows on any executor.

    ``summary`` holds one dict per configuration and KPI, ``{"config", "kpi", "mean",
    "ci_low", "ci_high", "n"}``, over the seeds' whole-run figures (each run's
    ``total``): the mean of the ``n`` seeds where the KPI is not None, and a 95%
    confidence interval for it, Student's t with ``n - 1`` degrees of freedom (mean
    ± t x sample standard deviation / sqrt(n)). With one seed there is no spread to
    measure, and the interval is the mean itself. A KPI that is None on every seed
    of a configuration has no summary dict.
    """

    configs: tuple[str, ...] = attrs.field(validator=v.tuple_of(str, min_size=1))
    """The configurations' names, in the order they were given."""
    seeds: tuple[int, ...] = attrs.field(validator=v.tuple_of(int, min_size=1))
    """The seeds, in the order they were given."""
    days: int = attrs.field(validator=v.int_at_least(1))
    """Days each run simulated."""
    rows: tuple[dict[str, Any], ...] = attrs.field(validator=v.tuple_of(dict))
    """One dict per configuration x seed x day x KPI (see above)."""
    summary: tuple[dict[str, Any], ...] = attrs.field(validator=v.tuple_of(dict))
    """One dict per configuration and KPI over the seeds' whole runs (see above)."""

    def as_dict(self) -> dict[str, Any]:
        """The whole result as a JSON-safe dict: ``configs``, ``seeds``, ``days``,
        ``rows`` and ``summary``."""
        return {
            "configs": list(self.configs),
            "seeds": list(self.seeds),
            "days": self.days,
            "rows": [dict(row) for row in self.rows],
            "summary": [dict(item) for item in self.summary],
        }

    def series(self, kpi: str) -> dict[str, tuple[float | None, ...]]:
        """Per configuration, the mean over seeds of ``kpi`` on each day (day 0
        first): a line to plot. A day where every seed has None gives None."""
        if kpi not in kpi_names():
            raise InvalidInputError(
                "kpi", f"must be a KPI of the sweep, got {kpi!r}; valid: {', '.join(kpi_names())}"
            )
        values: dict[tuple[str, int], list[float]] = {}
        for row in self.rows:
            if row["kpi"] == kpi and row["value"] is not None:
                values.setdefault((row["config"], row["day"]), []).append(row["value"])
        return {
            name: tuple(
                _mean(values[(name, day)]) if (name, day) in values else None
                for day in range(self.days)
            )
            for name in self.configs
        }

    def table(self) -> str:
        """A plain-text table of the main KPIs over the whole runs: one row per KPI,
        one column per configuration, each cell the mean over seeds and its 95%
        confidence interval, ``mean [ci_low, ci_high]``."""
        found = {(item["config"], item["kpi"]): item for item in self.summary}
        labels = {field: (label, digits) for label, field, digits in _TABLE_ROWS}
        header = ("KPI", *self.configs)
        rows: list[tuple[str, ...]] = [header]
        for kpi in _MAIN_KPIS:
            if not any((name, kpi) in found for name in self.configs):
                continue  # off in every configuration
            label, digits = labels.get(kpi, (kpi.replace("_", " "), 2))
            cells = []
            for name in self.configs:
                item = found.get((name, kpi))
                if item is None:
                    cells.append("-")
                    continue
                mean, low, high = (
                    _format(item[key], digits) for key in ("mean", "ci_low", "ci_high")
                )
                cells.append(f"{mean} [{low}, {high}]")
            rows.append((label, *cells))
        lines = aligned(rows)
        seeds = len(self.seeds)
        lines.append(
            f"\nWhole runs of {self.days} day(s); mean over {seeds} seed(s) "
            + ("[95% confidence interval, Student's t]" if seeds > 1 else "(one seed: no interval)")
            + "; percentages for the rates."
        )
        return "\n".join(lines)


@attrs.frozen(kw_only=True)
class _Task:
    """One simulation of a sweep: all a worker needs, and nothing big (see :func:`sweep`)."""

    config: SimulationConfig
    seed: int
    days: int
    scenario: dict[str, Any]
    waves: int


def _run(task: _Task) -> Outcome:
    """Generate the task's scenario from its seed and simulate it (in the worker)."""
    world = Scenario.generate(rng=task.seed, **task.scenario)
    run = simulate(
        world,
        sourcing=task.config.sourcing,
        policy=task.config.policy,
        returns_strategy=task.config.returns,
        waves=task.waves,
        name=task.config.name,
        now=task.scenario.get("start"),
        checkout=task.config.checkout,
        days=task.days,
    )
    return tuple(_figures(day) for day in run.days), _figures(run.total)


def _figures(kpis: DayKpis) -> Figures:
    names = kpi_names()
    figures = kpis.as_dict()
    return {name: figures[name] for name in names}


def sweep(
    configs: Sequence[SimulationConfig],
    seeds: Sequence[int],
    *,
    days: int,
    scenario: Mapping[str, Any] | None = None,
    executor: concurrent.futures.Executor | None = None,
    waves: int = 4,
    progress: Callable[[int, int], None] | None = None,
) -> SweepResult:
    """Simulate every configuration on every seed for ``days`` days, and summarise.

    Parameters
    ----------
    configs : sequence of SimulationConfig
        At least one, with different names.
    seeds : sequence of int
        At least one, each an int >= 0, all different: seed ``s`` simulates
        ``Scenario.generate(rng=s, **scenario)``, the same world for every
        configuration.
    days : int
        Days each run simulates, >= 1 (``simulate(..., days=days)``).
    scenario : mapping of str to object, optional
        Keyword arguments of :meth:`Scenario.generate` (``n_nodes``, ``n_skus``,
        ``n_orders``, ``mix``, ``stock_cover_days``, ...); None: its defaults. Not
        ``rng``: the seeds give it. With ``start`` (a dated world), each run is
        simulated from that instant (``now=start``).
    executor : concurrent.futures.Executor, optional
        Where the runs go: None runs them here, one after another, in order; a
        ``ProcessPoolExecutor`` uses this machine's cores; a Dask
        ``distributed.Client(...).get_executor()`` a cluster. With a
        ``ProcessPoolExecutor``, the configurations and the scenario's values must
        pickle (a strategy class defined at module level, not in a function).
    waves : int
        Allocation waves per day, >= 1.
    progress : callable, optional
        ``progress(done, total)`` after each run completes, ``total`` being
        ``len(configs) * len(seeds)``: for a progress bar.

    Returns
    -------
    SweepResult
        The rows and summary, identical whichever executor ran them: results are
        put back in (configuration, seed) order, never in order of completion.

    Notes
    -----
    Each task carries only its configuration, seed, days, waves and the scenario
    mapping; the worker generates its own scenario from the seed. So tasks stay a
    few hundred bytes and no network, stock matrix or day of orders (tens of MB at
    the default sizes) crosses the wire to a process or a cluster node, and since
    generation is deterministic by seed, every worker builds the very same world
    the others, or this process, would. Workers send back only the figures.

    Every argument is checked before any run starts; a run that fails (a
    strategy raising, say) stops the sweep, cancelling the runs not started, and
    its error is raised here.
    """
    found, numbers, world = _checked(configs, seeds, days, scenario, executor, waves, progress)
    tasks = [
        _Task(config=config, seed=seed, days=days, scenario=world, waves=waves)
        for config in found
        for seed in numbers
    ]
    outcomes = _execute(tasks, executor, progress)
    names = tuple(config.name for config in found)
    return _result(names, numbers, days, outcomes)


def _execute(
    tasks: Sequence[_Task],
    executor: concurrent.futures.Executor | None,
    progress: Callable[[int, int], None] | None,
) -> list[Outcome]:
    """Every task's outcome, in task order."""
    total = len(tasks)
    if executor is None:
        outcomes = []
        for done, task in enumerate(tasks, start=1):
            outcomes.append(_run(task))
            if progress is not None:
                progress(done, total)
        return outcomes
    futures = [executor.submit(_run, task) for task in tasks]
    index = {future: position for position, future in enumerate(futures)}
    found: dict[int, Outcome] = {}
    try:
        for done, future in enumerate(concurrent.futures.as_completed(futures), start=1):
            found[index[future]] = future.result()
            if progress is not None:
                progress(done, total)
    except BaseException:
        for future in futures:
            future.cancel()
        raise
    return [found[position] for position in range(total)]


def _result(
    names: tuple[str, ...], seeds: tuple[int, ...], days: int, outcomes: Sequence[Outcome]
) -> SweepResult:
    """The sweep's rows and summary from the outcomes of its tasks, in (configuration,
    seed) order."""
    kpis = kpi_names()
    rows: list[dict[str, Any]] = []
    summary: list[dict[str, Any]] = []
    for at, name in enumerate(names):
        runs = outcomes[at * len(seeds) : (at + 1) * len(seeds)]
        for seed, (daily, _) in zip(seeds, runs, strict=True):
            if len(daily) != days:
                raise AssertionError(f"a run of {days} day(s) reported {len(daily)}")
            for day, figures in enumerate(daily):
                rows.extend(
                    {"config": name, "seed": seed, "day": day, "kpi": kpi, "value": figures[kpi]}
                    for kpi in kpis
                )
        for kpi in kpis:
            values = [float(total[kpi]) for _, total in runs if total[kpi] is not None]
            if values:
                mean, low, high = confidence_interval(values)
                summary.append(
                    {
                        "config": name,
                        "kpi": kpi,
                        "mean": mean,
                        "ci_low": low,
                        "ci_high": high,
                        "n": len(values),
                    }
                )
    return SweepResult(
        configs=names, seeds=seeds, days=days, rows=tuple(rows), summary=tuple(summary)
    )


def _mean(values: Sequence[float]) -> float:
    """The mean, exactly ``values[0]`` when they are all equal (no rounding noise)."""
    if all(value == values[0] for value in values):
        return float(values[0])
    return math.fsum(values) / len(values)


def confidence_interval(values: Sequence[float]) -> tuple[float, float, float]:
    """The mean of ``values`` (at least one) and its 95% confidence interval, Student's
    t with ``n - 1`` degrees of freedom; one value is its own interval."""
    n = len(values)
    mean = _mean(values)
    if n == 1:
        return mean, mean, mean
    spread = math.sqrt(math.fsum((value - mean) ** 2 for value in values) / (n - 1))
    half = t_quantile(n - 1) * spread / math.sqrt(n)
    return mean, mean - half, mean + half


@functools.lru_cache(maxsize=256)
def t_quantile(df: int) -> float:
    """The 97.5% quantile of Student's t with ``df`` >= 1 degrees of freedom: the
    half-width, in standard errors, of a two-sided 95% interval.

    Exact to float precision without scipy: the two-sided probability ``P(|T| < t)``
    of t with an integer ``df`` is a finite sum (Abramowitz and Stegun 26.7.3-4),
    inverted by bisection; beyond 1,000 degrees of freedom the Cornish-Fisher
    expansion in 1/df (error far below 1e-12 there) is used instead.
    """
    if df > 1_000:
        z = 1.959963984540054  # the normal 97.5% quantile
        return (
            z
            + (z**3 + z) / (4 * df)
            + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)
            + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * df**3)
            + (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / (92160 * df**4)
        )
    low, high = 0.0, math.pi / 2
    for _ in range(200):
        middle = (low + high) / 2
        if middle in (low, high):
            break
        if _two_sided(middle, df) < CONFIDENCE:
            low = middle
        else:
            high = middle
    return math.sqrt(df) * math.tan((low + high) / 2)


def _two_sided(theta: float, df: int) -> float:
    """``P(|T| < t)`` for Student's t with ``df`` degrees of freedom, at ``t =
    sqrt(df) tan(theta)`` (``theta`` from 0 to pi/2)."""
    c2 = math.cos(theta) ** 2
    term = total = 1.0
    if df % 2 == 0:
        for k in range(1, df // 2):
            term *= c2 * (2 * k - 1) / (2 * k)
            total += term
        return math.sin(theta) * total
    if df == 1:
        return 2 * theta / math.pi
    for k in range(1, (df - 1) // 2):
        term *= c2 * (2 * k) / (2 * k + 1)
        total += term
    return 2 / math.pi * (theta + math.sin(theta) * math.cos(theta) * total)


def _checked(
    configs: object,
    seeds: object,
    days: object,
    scenario: object,
    executor: object,
    waves: object,
    progress: object,
) -> tuple[tuple[SimulationConfig, ...], tuple[int, ...], dict[str, Any]]:
    """The arguments of :func:`sweep`, checked together: raises one
    :class:`InvalidInputError` naming every fault, before anything runs."""
    problems: list[Problem] = []
    items: tuple[object, ...] = ()
    found: tuple[SimulationConfig, ...] = ()
    try:
        items = v.items(configs, "configs", "SimulationConfig")
    except InvalidInputError as error:
        problems.extend(error.problems)
    else:
        if not items:
            problems.append(("configs", "must hold at least one SimulationConfig, got none"))
        problems.extend(v.unique_item_problems(items, SimulationConfig, "configs", "name"))
        found = tuple(item for item in items if isinstance(item, SimulationConfig))
        if isinstance(executor, concurrent.futures.ProcessPoolExecutor):
            problems.extend(_unpicklable(items, "configs"))
    numbers = _seeds(seeds, problems)
    problems.extend(_count_problem("days", days))
    problems.extend(_count_problem("waves", waves))
    world = _world(scenario, problems)
    if world.get("start") is None:
        problems.extend(
            (f"configs[{index}].checkout", "needs a dated world: give scenario['start']")
            for index, config in enumerate(items)
            if isinstance(config, SimulationConfig) and config.checkout is not None
        )
    if executor is not None and not isinstance(executor, concurrent.futures.Executor):
        problems.append(
            (
                "executor",
                "must be a concurrent.futures.Executor (or None: in this process), "
                f"got {type(executor).__name__}",
            )
        )
    if progress is not None and not callable(progress):
        problems.append(("progress", f"must be callable(done, total) or None, got {progress!r}"))
    if isinstance(executor, concurrent.futures.ProcessPoolExecutor) and world:
        problems.extend(_unpicklable(world, "scenario"))
    if problems:
        raise InvalidInputError.collect(problems)
    return found, numbers, world


def _seeds(seeds: object, problems: list[Problem]) -> tuple[int, ...]:
    try:
        items = v.items(seeds, "seeds", "int")
    except InvalidInputError as error:
        problems.extend(error.problems)
        return ()
    if not items:
        problems.append(("seeds", "must hold at least one int, got none"))
    first: dict[int, int] = {}
    for index, seed in enumerate(items):
        path = f"seeds[{index}]"
        if isinstance(seed, bool) or not isinstance(seed, int):
            problems.append((path, f"must be an int, got {type(seed).__name__} {seed!r}"))
        elif seed < 0:
            problems.append((path, f"must be >= 0, got {seed!r}"))
        elif seed in first:
            problems.append((path, f"duplicate of seeds[{first[seed]}]: {seed!r}"))
        else:
            first[seed] = index
    return tuple(first)


def _count_problem(name: str, value: object) -> list[Problem]:
    if isinstance(value, bool) or not isinstance(value, int):
        return [(name, f"must be an int >= 1, got {value!r}")]
    if value < 1:
        return [(name, f"must be >= 1, got {value!r}")]
    if value > v.MAX_COUNT:
        return [(name, f"must be <= {v.MAX_COUNT}, got {value!r}")]
    return []


@functools.cache
def _generate_keywords() -> tuple[str, ...]:
    """The keyword arguments of :meth:`Scenario.generate`, in its order."""
    return tuple(inspect.signature(Scenario.generate).parameters)


def _world(scenario: object, problems: list[Problem]) -> dict[str, Any]:
    """The scenario mapping as a new dict of ``Scenario.generate`` keywords, its
    problems (unknown keys, ``rng``, values ``generate`` would refuse) added to
    ``problems``."""
    if scenario is None:
        return {}
    if not isinstance(scenario, Mapping):
        problems.append(
            (
                "scenario",
                "must be a mapping of Scenario.generate keyword arguments or None, "
                f"got {type(scenario).__name__}",
            )
        )
        return {}
    valid = [name for name in _generate_keywords() if name != "rng"]
    world: dict[str, Any] = {}
    for key, value in scenario.items():
        path = f"scenario[{key!r}]"
        if key == "rng":
            problems.append((path, "not allowed: the seeds give each run its rng"))
        elif key not in valid:
            problems.append(
                (path, f"not a keyword of Scenario.generate; valid: {', '.join(valid)}")
            )
        else:
            world[key] = value
    defaults = {
        name: parameter.default
        for name, parameter in inspect.signature(Scenario.generate).parameters.items()
        if name != "rng"
    }
    try:
        check_generate(**{**defaults, **world})
    except InvalidInputError as error:
        problems.extend((_in_scenario(path), problem) for path, problem in error.problems)
    return world


def _in_scenario(path: str) -> str:
    """A ``Scenario.generate`` problem's path as a key of the sweep's ``scenario``:
    ``n_nodes`` becomes ``scenario['n_nodes']``, ``mix.walk_in`` ``scenario['mix'].walk_in``."""
    key = path.split(".")[0].split("[")[0]
    return f"scenario[{key!r}]{path[len(key) :]}"


def _unpicklable(values: Sequence[object] | Mapping[str, object], path: str) -> list[Problem]:
    """What a process pool could not send to its workers, of ``values`` (the items of
    a sequence, or of a mapping, at ``path``)."""
    found = (
        [(f"{path}[{key!r}]", value) for key, value in values.items()]
        if isinstance(values, Mapping)
        else [(f"{path}[{index}]", value) for index, value in enumerate(values)]
    )
    problems: list[Problem] = []
    for where, value in found:
        try:
            pickle.dumps(value)
        except Exception as error:  # pickling raises many kinds: report any
            problems.append(
                (
                    where,
                    "cannot be sent to the process pool's workers: "
                    f"{type(error).__name__}: {error}",
                )
            )
    return problems

"""Sweeps: every configuration on every seed, checked before running, summarised
correctly, and identical whichever executor ran them."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import importlib.util
import inspect
import json
import math
import threading
from collections.abc import Iterator
from typing import Any

import attrs
import pytest

from omnichannel import InvalidInputError
from omnichannel.simulation import (
    Checkout,
    DayKpis,
    DayMix,
    Replenishment,
    Scenario,
    SimulationConfig,
    SweepResult,
    simulate,
    sweep,
)
from omnichannel.simulation._scenario import check_generate
from omnichannel.simulation._sweep import (
    WALL_TIME_KPIS,
    _result,
    confidence_interval,
    kpi_names,
    t_quantile,
)
from omnichannel.sourcing import LowestCost, StateUse, StockProtecting

TINY = {
    "n_nodes": 20,
    "n_skus": 100,
    "n_orders": 200,
    "mix": DayMix(walk_in=1.0, weekday_factors=(1, 1, 1, 1, 1.5, 2, 0.5)),
    "replenishment": Replenishment(),
}
"""A world small enough that a sweep of it takes a second or two, with the multi-day
features on: walk-in store sales, seasonality and replenishment."""
DAYS = 2
CONFIGS = (
    SimulationConfig(name="lowest_cost", sourcing=LowestCost()),
    SimulationConfig(name="stock_protecting", sourcing=StockProtecting()),
)
SEEDS = (3, 11)
needs_dask = pytest.mark.skipif(
    importlib.util.find_spec("distributed") is None, reason="needs the dask extra"
)


@pytest.fixture(scope="module")
def in_process() -> SweepResult:
    return sweep(CONFIGS, SEEDS, days=DAYS, scenario=TINY)


# -- checks before anything runs ------------------------------------------------------


class _NeverRun(concurrent.futures.Executor):
    """An executor that fails the test if anything is submitted to it."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> concurrent.futures.Future[Any]:
        raise AssertionError("a task was submitted")


def problems(**overrides: Any) -> list[str]:
    arguments: dict[str, Any] = {
        "configs": CONFIGS,
        "seeds": SEEDS,
        "days": DAYS,
        "scenario": TINY,
        "executor": _NeverRun(),
    }
    arguments.update(overrides)
    configs, seeds = arguments.pop("configs"), arguments.pop("seeds")
    with pytest.raises(InvalidInputError) as raised:
        sweep(configs, seeds, **arguments)
    return [f"{path}: {problem}" for path, problem in raised.value.problems]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"configs": []}, "configs: must hold at least one SimulationConfig, got none"),
        ({"configs": "lowest_cost"}, "configs: must be a collection of SimulationConfig"),
        ({"configs": [CONFIGS[0], "nearest"]}, "configs[1]: must be SimulationConfig, got"),
        (
            {"configs": [CONFIGS[0], attrs.evolve(CONFIGS[1], name="lowest_cost")]},
            "configs[1].name: duplicate of configs[0]: 'lowest_cost'",
        ),
        ({"seeds": []}, "seeds: must hold at least one int, got none"),
        ({"seeds": 7}, "seeds: must be a collection of int, got int 7"),
        ({"seeds": [1, 2.0]}, "seeds[1]: must be an int, got float 2.0"),
        ({"seeds": [True]}, "seeds[0]: must be an int, got bool True"),
        ({"seeds": [1, -1]}, "seeds[1]: must be >= 0, got -1"),
        ({"seeds": [4, 5, 4]}, "seeds[2]: duplicate of seeds[0]: 4"),
        ({"days": 0}, "days: must be >= 1, got 0"),
        ({"days": 1.5}, "days: must be an int >= 1, got 1.5"),
        ({"days": None}, "days: must be an int >= 1, got None"),
        ({"days": 10**13}, "days: must be <= 1000000000000, got 10000000000000"),
        ({"waves": 0}, "waves: must be >= 1, got 0"),
        ({"scenario": [("n_nodes", 5)]}, "scenario: must be a mapping of Scenario.generate"),
        ({"scenario": {"rng": 5}}, "scenario['rng']: not allowed: the seeds give each run"),
        ({"scenario": {"nodes": 5}}, "scenario['nodes']: not a keyword of Scenario.generate"),
        ({"scenario": {"n_nodes": 0}}, "scenario['n_nodes']: must be an int >= 1, got 0"),
        ({"scenario": {"parcels": "yes"}}, "scenario['parcels']: must be a bool, got 'yes'"),
        (
            {"configs": [CONFIGS[0], attrs.evolve(CONFIGS[1], checkout=Checkout())]},
            "configs[1].checkout: needs a dated world: give scenario['start']",
        ),
        ({"executor": "dask"}, "executor: must be a concurrent.futures.Executor"),
        ({"progress": 3}, "progress: must be callable(done, total) or None, got 3"),
    ],
)
def test_each_bad_argument_is_named_with_its_path(overrides: dict[str, Any], expected: str) -> None:
    found = problems(**overrides)
    assert any(problem.startswith(expected) for problem in found), found


def test_every_fault_is_reported_at_once() -> None:
    found = problems(seeds=[-1], days=0, scenario={"rng": 1})
    assert [problem.split(":")[0] for problem in found] == ["seeds[0]", "days", "scenario['rng']"]


def test_unknown_scenario_keywords_list_the_valid_ones() -> None:
    (found,) = problems(scenario={"orders": 5})
    assert "valid: n_nodes, n_skus, n_orders" in found
    assert "rng" not in found.split("valid:")[1]


def _broken_strategy() -> Any:
    """A sourcing strategy that fails when the engine asks it for costs; its class is
    local to this function, so it cannot be pickled."""

    class Broken:
        state_use = StateUse(0)

        def costs(self, batch: Any, /) -> Any:
            raise RuntimeError("broken strategy")

    return Broken()


def test_a_process_pool_gets_only_what_it_can_pickle() -> None:
    config = SimulationConfig(name="local", sourcing=_broken_strategy())

    @attrs.frozen
    class LocalMix(DayMix):
        """A valid mix whose class, local to this test, cannot be pickled."""

    pool = concurrent.futures.ProcessPoolExecutor(1)
    try:
        with pytest.raises(InvalidInputError) as raised:
            sweep(
                [CONFIGS[0], config],
                [1],
                days=1,
                scenario={"mix": LocalMix(), "zipf_exponent": 1.0},
                executor=pool,
            )
    finally:
        pool.shutdown()
    assert [path for path, _ in raised.value.problems] == [
        "configs[1]",
        "scenario['mix']",
    ]
    assert all(
        problem.startswith("cannot be sent to the process pool's workers: ")
        for _, problem in raised.value.problems
    )


def test_the_scenario_check_takes_every_keyword_of_generate_but_rng() -> None:
    generate = inspect.signature(Scenario.generate).parameters
    assert list(inspect.signature(check_generate).parameters) == [
        name for name in generate if name != "rng"
    ]


# -- statistics -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("df", "quantile"),
    [
        (1, 12.706204736174707),
        (2, 4.302652729749464),
        (3, 3.182446305284263),
        (7, 2.364624251592785),
        (30, 2.042272456301238),
        (1000, 1.962339080826),
        (10**6, 1.959966),
    ],
)
def test_the_t_quantile_matches_the_tables(df: int, quantile: float) -> None:
    assert t_quantile(df) == pytest.approx(quantile, rel=1e-6 if df == 10**6 else 1e-12)


def test_the_confidence_interval_by_hand() -> None:
    # 1, 2, 3, 4: mean 2.5, sample variance 5/3, standard error sqrt(5/3)/2, and
    # t(0.975, 3) = 3.182446305284263, so the half-width is 2.054260...
    mean, low, high = confidence_interval([1.0, 2.0, 3.0, 4.0])
    half = 3.182446305284263 * math.sqrt(5 / 3) / 2
    assert mean == 2.5
    assert (low, high) == (pytest.approx(2.5 - half, rel=1e-12), pytest.approx(2.5 + half))
    assert half == pytest.approx(2.0542603, rel=1e-7)


def test_one_seed_is_its_own_interval_and_equal_values_have_no_width() -> None:
    assert confidence_interval([7.25]) == (7.25, 7.25, 7.25)
    assert confidence_interval([0.1, 0.1, 0.1]) == (0.1, 0.1, 0.1)


# -- rows and summary from the tasks' outcomes -----------------------------------------


def _figures(value: float, off: bool = False) -> dict[str, Any]:
    """Every KPI at ``value``, but ``on_time_rate`` None when ``off``."""
    figures: dict[str, Any] = dict.fromkeys(kpi_names(), value)
    if off:
        figures["on_time_rate"] = None
    return figures


def test_rows_and_summary_come_out_in_order_and_skip_what_was_off() -> None:
    outcomes = [
        ((_figures(1.0, off=True), _figures(2.0, off=True)), _figures(10.0, off=True)),
        ((_figures(3.0, off=True), _figures(4.0)), _figures(12.0)),
        ((_figures(5.0, off=True), _figures(6.0, off=True)), _figures(20.0, off=True)),
        ((_figures(7.0, off=True), _figures(8.0, off=True)), _figures(20.0, off=True)),
    ]
    result = _result(("a", "b"), (4, 9), 2, outcomes)
    kpis = kpi_names()
    assert len(result.rows) == 2 * 2 * 2 * len(kpis)
    keys = [(r["config"], r["seed"], r["day"], r["kpi"]) for r in result.rows]
    assert keys == [(c, s, d, k) for c in "ab" for s in (4, 9) for d in (0, 1) for k in kpis]
    first = result.rows[0]
    assert first == {"config": "a", "seed": 4, "day": 0, "kpi": kpis[0], "value": 1.0}
    on_time = [r["value"] for r in result.rows if r["kpi"] == "on_time_rate"]
    assert on_time[:4] == [None, None, None, 4.0]
    summary = {(s["config"], s["kpi"]): s for s in result.summary}
    assert summary[("a", "on_time_rate")] == {
        "config": "a",
        "kpi": "on_time_rate",
        "mean": 12.0,
        "ci_low": 12.0,
        "ci_high": 12.0,
        "n": 1,
    }
    assert ("b", "on_time_rate") not in summary
    mean, low, high = confidence_interval([10.0, 12.0])
    assert summary[("a", "cost_per_order")] == {
        "config": "a",
        "kpi": "cost_per_order",
        "mean": mean,
        "ci_low": low,
        "ci_high": high,
        "n": 2,
    }
    assert (mean, high - low) == (11.0, pytest.approx(2 * 12.706204736174707 * 1 / 1))
    assert summary[("b", "fill_rate")]["ci_low"] == summary[("b", "fill_rate")]["ci_high"] == 20.0
    assert [s["kpi"] for s in result.summary if s["config"] == "b"] == [
        k for k in kpis if k != "on_time_rate"
    ]
    assert result.series("fill_rate") == {"a": (2.0, 3.0), "b": (6.0, 7.0)}
    assert result.series("on_time_rate") == {"a": (None, 4.0), "b": (None, None)}
    with pytest.raises(InvalidInputError, match=r"^kpi: must be a KPI of the sweep"):
        result.series("engine_seconds")


def test_sweep_kpis_leave_out_the_name_and_wall_time() -> None:
    fields = [field.name for field in attrs.fields(DayKpis)]
    assert kpi_names() == tuple(
        name for name in fields if name != "name" and name not in WALL_TIME_KPIS
    )
    assert {"decisions_per_second", "engine_seconds"} == WALL_TIME_KPIS


# -- end to end -----------------------------------------------------------------------


def test_a_sweep_has_a_row_per_config_seed_day_and_kpi(in_process: SweepResult) -> None:
    kpis = kpi_names()
    assert (in_process.configs, in_process.seeds, in_process.days) == (
        ("lowest_cost", "stock_protecting"),
        SEEDS,
        DAYS,
    )
    assert [(r["config"], r["seed"], r["day"], r["kpi"]) for r in in_process.rows] == [
        (c.name, s, d, k) for c in CONFIGS for s in SEEDS for d in range(DAYS) for k in kpis
    ]
    assert json.loads(json.dumps(in_process.as_dict(), allow_nan=False)) == in_process.as_dict()


def test_rows_are_the_days_of_simulate_and_the_summary_its_totals(
    in_process: SweepResult,
) -> None:
    config, seed = CONFIGS[1], SEEDS[1]
    run = simulate(
        Scenario.generate(rng=seed, **TINY),  # type: ignore[arg-type]
        sourcing=config.sourcing,
        policy=config.policy,
        returns_strategy=config.returns,
        name=config.name,
        days=DAYS,
    )
    for day, kpis in enumerate(run.days):
        figures = kpis.as_dict()
        mine = {
            r["kpi"]: r["value"]
            for r in in_process.rows
            if (r["config"], r["seed"], r["day"]) == (config.name, seed, day)
        }
        assert mine == {k: figures[k] for k in kpi_names()}
    totals = [
        simulate(
            Scenario.generate(rng=s, **TINY),  # type: ignore[arg-type]
            sourcing=config.sourcing,
            name=config.name,
            days=DAYS,
        ).total
        for s in SEEDS
    ]
    item = next(
        s for s in in_process.summary if (s["config"], s["kpi"]) == (config.name, "cost_per_order")
    )
    mean, low, high = confidence_interval([t.cost_per_order for t in totals])
    assert (item["mean"], item["ci_low"], item["ci_high"], item["n"]) == (mean, low, high, 2)


def test_progress_counts_every_run_and_the_table_shows_the_intervals(
    in_process: SweepResult,
) -> None:
    calls: list[tuple[int, int]] = []
    again = sweep(
        CONFIGS, SEEDS, days=DAYS, scenario=TINY, progress=lambda d, t: calls.append((d, t))
    )
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert again == in_process
    lines = in_process.table().splitlines()
    assert lines[0].split() == ["KPI", "lowest_cost", "stock_protecting"]
    row = next(line for line in lines if line.startswith("cost per order"))
    assert row.count("[") == 2
    assert "mean over 2 seed(s)" in in_process.table()


def test_a_dated_world_is_simulated_from_its_start() -> None:
    start = dt.datetime(2026, 3, 2, tzinfo=dt.timezone.utc)
    checkout = SimulationConfig(name="checkout", checkout=Checkout())
    found = sweep([CONFIGS[0], checkout], [5], days=1, scenario={**TINY, "start": start})
    world = Scenario.generate(rng=5, start=start, **TINY)  # type: ignore[arg-type]
    runs = {
        "lowest_cost": simulate(world, days=1, now=start, name="lowest_cost"),
        "checkout": simulate(world, days=1, now=start, name="checkout", checkout=Checkout()),
    }
    for name, kpi in (("lowest_cost", "on_time_rate"), ("checkout", "promise_kept")):
        value = next(r["value"] for r in found.rows if (r["config"], r["kpi"]) == (name, kpi))
        assert value is not None
        assert value == getattr(runs[name].days[0], kpi)


class _LastFirst(concurrent.futures.Executor):
    """Holds every task until ``expected`` are submitted, then runs them on a thread
    last first: runs that finish in the reverse of their order."""

    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.pending: list[tuple[concurrent.futures.Future[Any], Any, tuple[Any, ...]]] = []
        self.finished: list[int] = []

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> concurrent.futures.Future[Any]:
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        self.pending.append((future, fn, args))
        if len(self.pending) == self.expected:
            threading.Thread(target=self._run).start()
        return future

    def _run(self) -> None:
        for index in reversed(range(len(self.pending))):
            future, fn, args = self.pending[index]
            future.set_running_or_notify_cancel()
            future.set_result(fn(*args))
            self.finished.append(index)


def test_results_are_filed_by_config_and_seed_not_by_completion(
    in_process: SweepResult,
) -> None:
    executor = _LastFirst(expected=len(CONFIGS) * len(SEEDS))
    calls: list[int] = []
    found = sweep(
        CONFIGS,
        SEEDS,
        days=DAYS,
        scenario=TINY,
        executor=executor,
        progress=lambda done, total: calls.append(done),
    )
    assert executor.finished == [3, 2, 1, 0]
    assert calls == [1, 2, 3, 4]
    assert found == in_process


def test_a_process_pool_gives_the_same_result(in_process: SweepResult) -> None:
    with concurrent.futures.ProcessPoolExecutor(2) as pool:
        assert sweep(CONFIGS, SEEDS, days=DAYS, scenario=TINY, executor=pool) == in_process


@pytest.fixture
def dask_executor() -> Iterator[concurrent.futures.Executor]:
    distributed = pytest.importorskip("distributed", reason="needs the dask extra")
    with (
        distributed.LocalCluster(
            n_workers=2,
            processes=True,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client.get_executor()


@needs_dask
def test_a_dask_cluster_gives_the_same_result(
    in_process: SweepResult, dask_executor: concurrent.futures.Executor
) -> None:
    done: list[int] = []
    found = sweep(
        CONFIGS,
        SEEDS,
        days=DAYS,
        scenario=TINY,
        executor=dask_executor,
        progress=lambda d, t: done.append(d),
    )
    assert found == in_process
    assert done == [1, 2, 3, 4]


def test_a_failing_run_raises_its_error_and_stops_the_sweep() -> None:
    broken = SimulationConfig(name="broken", sourcing=_broken_strategy())
    with pytest.raises(RuntimeError, match="broken strategy"):
        sweep([broken], [1], days=1, scenario=TINY)

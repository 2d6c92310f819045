"""``python -m omnichannel sweep``, run as users run it: in a subprocess."""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path
from typing import Any

import pytest

import omnichannel
from omnichannel.simulation._sweep import kpi_names

from .test_cli import assert_one_line_error, run, without

TINY = ["--nodes", "20", "--skus", "100", "--orders", "200", "--days", "2", "--seeds", "2"]
HUGE = ["--orders", "1000000", "--days", "100", "--seeds", "5"]
"""A valid sweep that takes hours: with it, an error that arrives at all came before the work."""


def sweep_json(tmp_path: Path, name: str, *args: str) -> dict[str, Any]:
    path = tmp_path / name
    done = run("sweep", *TINY, "--quiet", "--json", str(path), *args)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def test_sweep_prints_the_summary_table_and_writes_every_row(tmp_path: Path) -> None:
    path = tmp_path / "sweep.json"
    done = run("sweep", *TINY, "--quiet", "--json", str(path))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith(
        "A sweep: 2 strategies x 2 seeds (0 to 1) x 2 days of 20 nodes, 100 SKUs, 200 orders"
    )
    assert lines[0].endswith("run in one process.")
    assert lines[2].split() == ["KPI", "lowest_cost", "stock_protecting"]
    cost = next(line for line in lines if line.startswith("cost per order"))
    assert cost.count("[") == 2
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["omnichannel"] == omnichannel.__version__
    assert document["scenario"] == {"nodes": 20, "skus": 100, "orders": 200}
    assert (document["walk_in"], document["replenish"]) == (0.0, False)
    assert (document["configs"], document["seeds"], document["days"]) == (
        ["lowest_cost", "stock_protecting"],
        [0, 1],
        2,
    )
    assert len(document["rows"]) == 2 * 2 * 2 * len(kpi_names())
    assert {item["n"] for item in document["summary"]} == {2}


def test_local_processes_give_the_same_rows(tmp_path: Path) -> None:
    here = sweep_json(tmp_path, "here.json")
    there = sweep_json(tmp_path, "there.json", "--workers", "2")
    assert (there["rows"], there["summary"]) == (here["rows"], here["summary"])


@pytest.mark.skipif(importlib.util.find_spec("distributed") is None, reason="needs the dask extra")
def test_a_dask_scheduler_gives_the_same_rows(tmp_path: Path) -> None:
    import distributed

    here = sweep_json(tmp_path, "here.json")
    with distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        path = tmp_path / "there.json"
        done = run(
            "sweep", *TINY, "--quiet", "--scheduler", cluster.scheduler_address, "--json", str(path)
        )
    assert done.returncode == 0, done.stderr
    assert f"run on the Dask cluster at {cluster.scheduler_address}." in done.stdout
    there = json.loads(path.read_text(encoding="utf-8"))
    assert (there["rows"], there["summary"]) == (here["rows"], here["summary"])


def test_walk_ins_and_replenishment_add_their_kpis(tmp_path: Path) -> None:
    off = sweep_json(tmp_path, "off.json")
    assert not {"lost_store_sales", "replenished_units"} & {i["kpi"] for i in off["summary"]}
    path = tmp_path / "on.json"
    done = run("sweep", *TINY, "--quiet", "--walk-in", "1", "--replenish", "--json", str(path))
    assert done.returncode == 0, done.stderr
    assert "walk-in sales 1 x demand, replenished between days" in done.stdout
    assert "lost store sales" in done.stdout
    on = json.loads(path.read_text(encoding="utf-8"))
    assert (on["walk_in"], on["replenish"]) == (1.0, True)
    assert {"lost_store_sales", "replenished_units"} <= {i["kpi"] for i in on["summary"]}


def test_progress_goes_to_stderr() -> None:
    done = run("sweep", *TINY, "--seeds", "1", "--strategies", "nearest")
    assert done.returncode == 0, done.stderr
    assert "[1/1] runs done" in done.stderr
    assert "KPI" not in done.stderr


def test_plot_draws_the_kpis_over_the_days(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib", reason="needs the 'plot' extra: pip install -e '.[plot]'")
    path = tmp_path / "sweep.png"
    done = run("sweep", *TINY, "--quiet", "--plot", str(path))
    assert done.returncode == 0, done.stderr
    assert path.read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--days", "0"], "argument --days: must be >= 1, got 0"),
        (["--days", "367"], "argument --days: must be <= 366, got 367"),
        (["--seeds", "0"], "argument --seeds: must be >= 1, got 0"),
        (["--seeds", "1001"], "argument --seeds: must be <= 1000, got 1001"),
        (["--workers", "0"], "argument --workers: must be >= 1, got 0"),
        (["--first-seed", "-1"], "argument --first-seed: must be >= 0, got -1"),
        (
            ["--first-seed", str(2**64 - 1), "--seeds", "2"],
            f"--first-seed + --seeds - 1 must be <= {2**64 - 1}, got {2**64}",
        ),
        (
            ["--orders", "1000000", "--days", "366", "--seeds", "1000"],
            "--orders x --days x --seeds x strategies must be <= 1000000000, got "
            "1000000 x 366 x 1000 x 2 = 732000000000",
        ),
        (["--nodes", "5000", "--skus", "4001"], "--nodes x --skus must be <= 20000000"),
        (["--strategies", "cheapest"], "--strategies: unknown strategy 'cheapest'"),
        (["--strategies", "nearest,nearest"], "--strategies: a strategy is named twice"),
        (["--policy", "best"], "--policy: unknown name 'best'"),
        (
            ["--workers", "2", "--scheduler", "tcp://127.0.0.1:8786"],
            "--workers and --scheduler: give one",
        ),
        (["--start", "2026-03-02T00:00Z"], "unrecognized arguments: --start"),
        (["--walk-in", "-1"], "argument --walk-in: must be from 0 to 1000, got -1"),
        (["--walk-in", "nan"], "argument --walk-in: must be from 0 to 1000, got nan"),
        (["--walk-in", "lots"], "argument --walk-in: must be a number, got 'lots'"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(args: list[str], message: str) -> None:
    assert_one_line_error(run("sweep", *HUGE, *args), message)


@pytest.mark.skipif(importlib.util.find_spec("distributed") is None, reason="needs the dask extra")
def test_a_bad_scheduler_address_gives_one_line() -> None:
    done = run("sweep", *HUGE, "--scheduler", "nowhere://at-all")
    assert_one_line_error(done, "--scheduler: cannot reach a Dask scheduler at 'nowhere://at-all'")


def test_scheduler_without_dask_fails_before_any_work(tmp_path: Path) -> None:
    done = run(
        "sweep", *HUGE, "--scheduler", "tcp://127.0.0.1:8786", env=without("distributed", tmp_path)
    )
    assert_one_line_error(done, "--scheduler needs the dask extra: pip install 'omnichannel[dask]'")


@pytest.mark.parametrize(
    ("option", "name", "message"),
    [
        ("--json", "missing/sweep.json", "--json: '{tmp}/missing' does not exist"),
        ("--json", ".", "--json: '{tmp}' is a directory"),
        ("--plot", "chart.unknownext", "--plot: unknown image format 'unknownext'; valid: "),
        ("--plot", "noext", "--plot: '{tmp}/noext' has no extension to name the image format"),
    ],
)
def test_outputs_are_checked_before_any_work(
    tmp_path: Path, option: str, name: str, message: str
) -> None:
    if option == "--plot":
        pytest.importorskip("matplotlib", reason="needs the 'plot' extra: pip install -e '.[plot]'")
    path = os.path.normpath(tmp_path / name)
    done = run("sweep", *HUGE, option, path)
    assert_one_line_error(done, message.format(tmp=tmp_path))
    assert not any(tmp_path.iterdir())


def test_help_lists_the_sweep_and_its_limits() -> None:
    assert "sweep" in run("--help").stdout
    text = " ".join(run("sweep", "--help").stdout.split())
    for limit in ("days each run simulates, 1 to 366", "seeds (worlds) per strategy, 1 to 1000"):
        assert limit in text

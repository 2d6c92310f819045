"""``python -m omnichannel``, run as users run it: in a subprocess."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

import omnichannel

SMALL = ["--nodes", "20", "--skus", "150", "--orders", "300", "--quiet"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "omnichannel", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_compare_prints_a_kpi_table_and_writes_json(tmp_path: Path) -> None:
    path = tmp_path / "kpis.json"
    done = run("compare", *SMALL, "--strategies", "nearest,lowest_cost", "--json", str(path))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("A simulated day: 20 nodes, 150 SKUs, 300 orders")
    assert lines[2].split() == ["KPI", "nearest", "lowest_cost"]
    assert any(line.startswith("cost per order") for line in lines)
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["omnichannel"] == omnichannel.__version__
    assert document["scenario"] == {"nodes": 20, "skus": 150, "orders": 300, "seed": 7}
    assert (document["waves"], document["policy"], document["returns"]) == (
        4,
        "sequential",
        "value_recovery",
    )
    assert set(document["kpis"]) == {"nearest", "lowest_cost"}
    assert set(document["kpis"]["nearest"]) == {
        "name",
        "orders",
        "cost_per_order",
        "shipping_cost",
        "handling_cost",
        "splits_per_order",
        "fill_rate",
        "mean_distance_km",
        "service_level_met",
        "stores_below_safety",
        "return_lines",
        "return_value_recovered",
        "return_net_value",
        "decisions_per_second",
        "engine_seconds",
    }
    assert document["kpis"]["nearest"]["orders"] == 300


def test_progress_goes_to_stderr() -> None:
    done = run("compare", *SMALL[:-1], "--strategies", "nearest")
    assert done.returncode == 0
    assert "[1/1] simulating nearest" in done.stderr
    assert "KPI" not in done.stderr
    assert "KPI" in done.stdout


def test_plot_draws_a_png(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    path = tmp_path / "chart.png"
    done = run("compare", *SMALL, "--strategies", "nearest", "--plot", str(path))
    assert done.returncode == 0, done.stderr
    assert path.read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["compare", "--orders", "-3"], "argument --orders: must be >= 1, got -3"),
        (["compare", "--nodes", "many"], "argument --nodes: must be an integer, got 'many'"),
        (["compare", "--strategies", "cheapest"], "--strategies: unknown strategy 'cheapest'"),
        (["compare", "--strategies", "weighted"], "'weighted' needs configuration"),
        (["compare", "--returns", "bin"], "--returns: unknown name 'bin'"),
        (["compare", "--bogus"], "unrecognized arguments: --bogus"),
        ([], "name a command: compare"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(args: list[str], message: str) -> None:
    done = run(*args)
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1
    assert message in done.stderr


def test_version_and_help() -> None:
    version = run("--version")
    assert (version.returncode, version.stdout.strip()) == (
        0,
        f"omnichannel {omnichannel.__version__}",
    )
    assert "compare" in run("--help").stdout
    assert "--strategies" in run("compare", "--help").stdout

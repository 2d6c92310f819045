"""``python -m omnichannel``, run as users run it: in a subprocess."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import omnichannel
from omnichannel.serialization import from_dict

SMALL = ["--nodes", "20", "--skus", "150", "--orders", "300", "--quiet"]
HUGE = ["--orders", "1000000", "--strategies", "nearest"]
"""A valid day that takes minutes: with it, an error that arrives at all came before the work."""


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return python("-m", "omnichannel", *args, env=env)


def python(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )


def without(module: str, tmp_path: Path) -> dict[str, str]:
    """An environment in which ``import module`` fails, as if it were not installed."""
    blocked = tmp_path / "blocked" / module
    blocked.mkdir(parents=True)
    (blocked / "__init__.py").write_text(f"raise ImportError('no {module} here')\n")
    paths = [str(blocked.parent), *filter(None, [os.environ.get("PYTHONPATH")])]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}


def assert_one_line_error(done: subprocess.CompletedProcess[str], message: str) -> None:
    """Exit status 2, nothing on stdout (so no table: no day was run), and one line on
    stderr (so no progress either) that says ``message``."""
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert done.stderr.startswith("python -m omnichannel: error: ")
    assert message in done.stderr


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


def test_a_dated_day_shows_the_time_kpis() -> None:
    done = run(
        "compare", *SMALL, "--strategies", "lowest_cost,fastest", "--start", "2026-03-02T00:00Z"
    )
    assert done.returncode == 0, done.stderr
    assert "dated from 2026-03-02T00:00:00+00:00" in done.stdout
    assert "on time %" in done.stdout
    assert "lead hours ship to home" in done.stdout


def test_progress_goes_to_stderr() -> None:
    done = run("compare", *SMALL[:-1], "--strategies", "nearest")
    assert done.returncode == 0
    assert "[1/1] simulating nearest" in done.stderr
    assert "KPI" not in done.stderr
    assert "KPI" in done.stdout


@pytest.mark.parametrize(
    ("name", "magic"), [("chart.png", b"\x89PNG"), ("chart.pdf", b"%PDF"), ("chart.SVG", b"<?xml")]
)
def test_plot_draws_in_the_format_the_extension_names(
    tmp_path: Path, name: str, magic: bytes
) -> None:
    pytest.importorskip("matplotlib", reason="needs the 'plot' extra: pip install -e '.[plot]'")
    path = tmp_path / name
    done = run("compare", *SMALL, "--strategies", "nearest", "--plot", str(path))
    assert done.returncode == 0, done.stderr
    assert path.read_bytes().startswith(magic)
    assert [p.name for p in tmp_path.iterdir()] == [name]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["compare", "--orders", "-3"], "argument --orders: must be >= 1, got -3"),
        (
            ["compare", "--orders", "10000000000000"],
            "argument --orders: must be <= 1000000, got 10000000000000",
        ),
        (["compare", "--skus", "10000000000"], "argument --skus: must be <= 1000000, got"),
        (["compare", "--nodes", "10000000000"], "argument --nodes: must be <= 5000, got"),
        (["compare", "--waves", "1001"], "argument --waves: must be <= 1000, got 1001"),
        (
            ["compare", "--seed", str(2**64)],
            f"argument --seed: must be <= {2**64 - 1}, got {2**64}",
        ),
        (["compare", "--orders", "9" * 5000], "--orders: must be <= 1000000, got a 5000-digit"),
        (
            ["compare", "--nodes", "5000", "--skus", "4001", *HUGE],
            "--nodes x --skus must be <= 20000000, got 5000 x 4001 = 20005000",
        ),
        (["compare", "--nodes", "many"], "argument --nodes: must be an integer, got 'many'"),
        (["compare", "--strategies", "cheapest"], "--strategies: unknown strategy 'cheapest'"),
        (["compare", "--strategies", "weighted"], "'weighted' needs configuration"),
        (["compare", "--returns", "bin"], "--returns: unknown name 'bin'"),
        (["compare", "--bogus"], "unrecognized arguments: --bogus"),
        (["compare", "--start", "2026-03-02T00:00"], "--start: must give its offset"),
        (["compare", "--start", "monday"], "--start: must be an ISO 8601 instant"),
        (["compare", "--checkout"], "--checkout needs --start: promise dates every option"),
        (["compare", "--replenish"], "--replenish needs --days: stock is replenished between"),
        (
            ["compare", "--start", "9000-10-30T00:00Z", "--days", "30"],
            "--days: a run of 30 days from now ends at 9000-11-29",
        ),
        (["compare", "--days", "0"], "argument --days: must be >= 1, got 0"),
        (["compare", "--days", "367"], "argument --days: must be <= 366, got 367"),
        (["compare", "--walk-in", "nan"], "argument --walk-in: must be from 0 to 1000, got nan"),
        (["compare", "--walk-in", "-1"], "argument --walk-in: must be from 0 to 1000, got -1"),
        (["compare", "--walk-in", "lots"], "argument --walk-in: must be a number, got 'lots'"),
        ([], "name a command: compare"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(args: list[str], message: str) -> None:
    assert_one_line_error(run(*args), message)


def test_the_largest_seed_and_waves_are_accepted() -> None:
    done = run("compare", *SMALL, "--strategies", "nearest", "--seed", str(2**64 - 1))
    assert done.returncode == 0, done.stderr
    done = run("compare", *SMALL, "--strategies", "nearest", "--waves", "1000")
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    ("option", "name", "message"),
    [
        ("--json", "missing/kpis.json", "--json: '{tmp}/missing' does not exist"),
        ("--json", "file.txt/kpis.json", "--json: '{tmp}/file.txt' is not a directory"),
        ("--json", ".", "--json: '{tmp}' is a directory"),
        ("--plot", "chart.unknownext", "--plot: unknown image format 'unknownext'; valid: "),
        ("--plot", "chart.pgf", "--plot: unknown image format 'pgf'"),
        ("--plot", "noext", "--plot: '{tmp}/noext' has no extension to name the image format"),
        ("--plot", "missing/chart.png", "--plot: '{tmp}/missing' does not exist"),
    ],
)
def test_outputs_are_checked_before_any_work(
    tmp_path: Path, option: str, name: str, message: str
) -> None:
    if option == "--plot":
        pytest.importorskip("matplotlib", reason="needs the 'plot' extra: pip install -e '.[plot]'")
    (tmp_path / "file.txt").write_text("not a directory\n")
    path = os.path.normpath(tmp_path / name)
    done = run("compare", *HUGE, option, path)
    assert_one_line_error(done, message.format(tmp=tmp_path))
    assert [p.name for p in tmp_path.iterdir()] == ["file.txt"]


def test_json_and_plot_may_not_name_one_file(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib", reason="needs the 'plot' extra: pip install -e '.[plot]'")
    path = str(tmp_path / "kpis.png")
    done = run("compare", *HUGE, "--json", path, "--plot", path)
    assert_one_line_error(done, "--json and --plot name the same file")
    assert not any(tmp_path.iterdir())


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root may write anywhere"
)
def test_an_unwritable_directory_is_refused(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    done = run("compare", *HUGE, "--json", str(locked / "kpis.json"))
    assert_one_line_error(done, f"--json: '{locked}/kpis.json' is not writable")


def test_plot_without_matplotlib_fails_before_any_work(tmp_path: Path) -> None:
    env = without("matplotlib", tmp_path)
    done = run("compare", *HUGE, "--plot", str(tmp_path / "chart.png"), env=env)
    assert_one_line_error(done, "--plot needs matplotlib: pip install 'omnichannel[plot]'")
    assert not (tmp_path / "chart.png").exists()


def test_a_missing_optional_dependency_gives_one_line(tmp_path: Path) -> None:
    done = run(
        "compare",
        *SMALL,
        "--strategies",
        "nearest",
        "--policy",
        "batch_optimal",
        env=without("scipy", tmp_path),
    )
    assert_one_line_error(done, "pip install 'omnichannel[optimize]'")


def test_an_input_the_library_refuses_gives_one_line() -> None:
    # Every input the command line can express is checked before the library sees it,
    # so make the library refuse one: its errors must still be one line and status 2.
    script = f"""
import sys
from omnichannel import InvalidInputError
from omnichannel._cli import main
from omnichannel.simulation import Scenario

def refuse(cls, **sizes):
    raise InvalidInputError.collect([("n_orders", "too many"), ("n_skus", "too few")])

Scenario.generate = classmethod(refuse)
sys.exit(main(["compare", *{SMALL!r}]))
"""
    done = python("-c", script)
    assert_one_line_error(done, "error: n_orders: too many; n_skus: too few")


def test_version_and_help() -> None:
    version = run("--version")
    assert (version.returncode, version.stdout.strip()) == (
        0,
        f"omnichannel {omnichannel.__version__}",
    )
    assert "compare" in run("--help").stdout
    assert "--strategies" in run("compare", "--help").stdout


def test_help_documents_the_limits() -> None:
    text = " ".join(run("compare", "--help").stdout.split())
    for limit in (
        "nodes, 5 to 5000",
        "SKUs, 1 to 1000000, and nodes x SKUs at most 20000000",
        "orders, 1 to 1000000",
        "seed, 0 to 2**64-1",
        "waves, 1 to 1000",
    ):
        assert limit in text


def test_promise_prints_the_options_and_writes_json(tmp_path: Path) -> None:
    path = tmp_path / "promise.json"
    done = run("promise", "--nodes", "20", "--skus", "150", "--json", str(path))
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "A sample cart on a generated network (20 nodes, 150 SKUs, seed 7)" in done.stdout
    assert "delivered by (UTC)" in done.stdout
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["omnichannel"] == omnichannel.__version__
    found = from_dict(omnichannel.Promise, document["promise"])
    assert found.cart_id == document["cart"]["id"] == "sample-cart"
    assert len(done.stdout.strip().splitlines()) == len(found.options) + 3


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["promise", "--per-method", "0"], "argument --per-method: must be >= 1, got 0"),
        (["promise", "--per-method", "101"], "argument --per-method: must be <= 100, got 101"),
        (["promise", "--now", "2026-03-02T10:00"], "argument --now: must give its offset"),
        (["promise", "--now", "tuesday"], "argument --now: must be an ISO 8601 instant"),
        (["promise", "--nodes", "5000", "--skus", "4001"], "--nodes x --skus must be <="),
        (["promise", "--json", "/nowhere/at/all.json"], "--json: '/nowhere/at' does not exist"),
    ],
)
def test_bad_promise_arguments_print_one_line_and_exit_2(argv: list[str], message: str) -> None:
    done = run(*argv)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert message in done.stderr


def test_compare_with_stock_accuracy_adds_the_risk_aware_strategy_and_rejection_rows() -> None:
    done = run("compare", *SMALL, "--strategies", "lowest_cost", "--stock-accuracy")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "picked from a shelf of the default accuracy" in lines[0]
    assert lines[2].split() == ["KPI", "lowest_cost", "risk_aware"]
    assert any(line.startswith("rejection rate %") for line in lines)
    plain = run("compare", *SMALL, "--strategies", "lowest_cost")
    assert "rejection rate %" not in plain.stdout


def test_compare_over_days_with_walk_ins_and_replenishment_adds_the_stock_rows(
    tmp_path: Path,
) -> None:
    path = tmp_path / "run.json"
    done = run(
        "compare",
        *SMALL,
        "--strategies",
        "nearest,lowest_cost",
        "--days",
        "3",
        "--walk-in",
        "1.5",
        "--replenish",
        "--json",
        str(path),
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("3 simulated days: 20 nodes, 150 SKUs, 300 orders a day")
    assert "walk-in sales 1.5 x demand, replenished between days" in lines[0]
    rows = {line.split("  ")[0] for line in lines[4:]}
    assert {"lost store sales", "store stock-outs %", "replenished units"} <= rows
    document = json.loads(path.read_text())
    assert (document["days"], document["walk_in"], document["replenish"]) == (3, 1.5, True)
    assert document["kpis"]["lowest_cost"]["orders"] == 900
    one_day = run("compare", *SMALL, "--strategies", "nearest")
    assert "store stock-outs %" not in one_day.stdout
    assert "lost store sales" not in one_day.stdout


def test_compare_at_checkout_adds_the_checkout_rows() -> None:
    dated = ["--start", "2026-03-02T00:00Z", "--strategies", "lowest_cost"]
    done = run("compare", *SMALL, *dated, "--checkout")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "ordered at checkout" in lines[0]
    rows = {line.split("  ")[0] for line in lines[4:]}
    assert {"promise kept %", "options per cart", "carts offered nothing %"} <= rows
    assert "promise kept %" not in run("compare", *SMALL, *dated).stdout

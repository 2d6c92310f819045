"""Shared plumbing for the benchmark scripts: timing, peak memory, JSON output.

Benchmarks measure; tests assert. Nothing here is imported by the library.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

import omnichannel

T = TypeVar("T")


def timed(run: Callable[[], T], *, repeat: int = 1) -> tuple[float, T]:
    """The best wall time in seconds over ``repeat`` runs, and the last run's result."""
    best = float("inf")
    result: T | None = None
    for _ in range(max(repeat, 1)):
        gc.collect()
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    assert result is not None
    return best, result


def versus(items: int, unit: str, fast_s: float, reference_s: float) -> dict[str, Any]:
    """Seconds, ``unit`` per second and speed-up of the fast engine against the
    reference over ``items`` decisions."""
    return {
        "fast_s": round(fast_s, 4),
        "reference_s": round(reference_s, 4),
        f"fast_{unit}_per_s": round(items / fast_s),
        f"reference_{unit}_per_s": round(items / reference_s),
        "speedup": round(reference_s / fast_s, 1),
    }


def peak_traced_mb(run: Callable[[], object]) -> float:
    """Peak memory (MiB) allocated by Python and numpy during one run of ``run``."""
    gc.collect()
    tracemalloc.start()
    try:
        run()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def max_rss_mb() -> float:
    """The process's peak resident set size so far (MiB; Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "omnichannel": omnichannel.__version__,
        "platform": platform.platform(),
        "processor": platform.machine(),
    }


def parser(description: str) -> argparse.ArgumentParser:
    """An argument parser with the options every benchmark shares."""
    cli = argparse.ArgumentParser(description=description)
    cli.add_argument("--seed", type=int, default=7, help="scenario seed (default 7)")
    cli.add_argument("--repeat", type=int, default=3, help="timed runs of the fast engine")
    cli.add_argument("--json", type=Path, default=None, help="write the figures here")
    return cli


def report(figures: dict[str, Any], path: Path | None) -> None:
    """Print the figures, and write them as JSON to ``path`` when given."""
    figures = {**figures, "machine": machine()}
    text = json.dumps(figures, indent=2, sort_keys=True)
    sys.stdout.write(text + "\n")
    if path is not None:
        path.write_text(text + "\n", encoding="utf-8")

"""The sweep summary's confidence intervals: ordered, exact under reordering of the
seeds, moving and scaling with the values, and Student's t as scipy computes it."""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from omnichannel.simulation._sweep import confidence_interval, t_quantile

values = st.lists(
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False),
    min_size=1,
    max_size=40,
)


@given(values, st.randoms(use_true_random=False))
def test_the_interval_holds_the_mean_and_ignores_the_order_of_the_seeds(
    found: list[float], shuffler: Any
) -> None:
    mean, low, high = confidence_interval(found)
    assert low <= mean <= high
    assert min(found) <= mean <= max(found)
    shuffled = list(found)
    shuffler.shuffle(shuffled)
    # fsum rounds exactly once, so the order of the seeds changes nothing at all
    assert confidence_interval(shuffled) == (mean, low, high)


@given(values, st.floats(min_value=-1e3, max_value=1e3), st.floats(min_value=0.5, max_value=4))
def test_the_interval_moves_and_scales_with_the_values(
    found: list[float], shift: float, scale: float
) -> None:
    mean, low, high = confidence_interval(found)
    moved = confidence_interval([scale * value + shift for value in found])
    tolerance = 1e-6 * (1 + scale * max(abs(value) for value in found) + abs(shift))
    assert moved[0] == pytest.approx(scale * mean + shift, abs=tolerance)
    assert moved[2] - moved[1] == pytest.approx(scale * (high - low), abs=tolerance * 10)


@pytest.mark.skipif(importlib.util.find_spec("scipy") is None, reason="needs the optimize extra")
@given(st.integers(min_value=1, max_value=5_000))
def test_the_t_quantile_is_scipys(df: int) -> None:
    from scipy import stats

    assert t_quantile(df) == pytest.approx(float(stats.t.ppf(0.975, df)), rel=1e-12)

"""The check every strategy's cost array passes before the engine uses it."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .._errors import InvalidInputError
from .._types import FloatArray


def checked_cost_array(
    costs: object,
    shape: tuple[int, ...],
    *,
    path: str,
    producer: str,
    describe: Callable[[tuple[int, ...]], str],
) -> FloatArray:
    """``costs`` if it is a float64 array of ``shape`` with no NaN and no ``-inf``.

    ``path`` is the argument the strategy was passed as, ``producer`` names the
    method that made the array, and ``describe`` names the cell at an index, so
    that the error says which decision got a bad number.
    """
    if not isinstance(costs, np.ndarray) or costs.shape != shape:
        found = getattr(costs, "shape", type(costs).__name__)
        raise InvalidInputError(
            path, f"{producer} must return an array of shape {shape}, got {found}"
        )
    if costs.dtype != np.float64:
        raise InvalidInputError(path, f"{producer} must return float64 costs, got {costs.dtype}")
    bad = np.isnan(costs) | (costs == -np.inf)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        raise InvalidInputError(
            path,
            f"{producer} returned {costs[index]} for {describe(index)}; costs must be "
            "numbers or +inf",
        )
    return costs

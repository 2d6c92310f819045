"""Distance bands: which band of ascending, inclusive upper bounds (km) a distance is in."""

from __future__ import annotations

import numpy as np

from .._types import FloatArray, IntArray

_COMPARE_UP_TO = 8
"""Bounds up to which counting comparisons beats a binary search per distance."""


def band_index(bounds: FloatArray, km: FloatArray) -> IntArray:
    """Position of the first bound at or above each distance, shape of ``km``;
    ``len(bounds)`` past the last bound (the service cannot serve there). The same as
    ``np.searchsorted(bounds, km, side="left")``: the number of bounds below ``km``."""
    if bounds.size > _COMPARE_UP_TO:
        return np.asarray(np.searchsorted(bounds, km, side="left"), dtype=np.int64)
    index = np.zeros(np.shape(km), dtype=np.int64)
    for bound in bounds.tolist():
        index += km > bound
    return index

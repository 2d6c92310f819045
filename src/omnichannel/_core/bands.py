"""Distance bands: which band of ascending, inclusive upper bounds (km) a distance is in."""

from __future__ import annotations

import numpy as np

from .._types import FloatArray, IntArray


def band_index(bounds: FloatArray, km: FloatArray) -> IntArray:
    """Position of the first bound at or above each distance, shape of ``km``;
    ``len(bounds)`` past the last bound (the service cannot serve there)."""
    return np.asarray(np.searchsorted(bounds, km, side="left"), dtype=np.int64)

"""Great-circle distances."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._types import FloatArray

EARTH_RADIUS_KM = 6371.0088
"""Mean earth radius (IUGG), km."""

_DEG_TO_RAD = np.pi / 180.0


def distance_km(
    lat_a: ArrayLike, lon_a: ArrayLike, lat_b: ArrayLike, lon_b: ArrayLike
) -> FloatArray:
    """Haversine great-circle distance in km between points given in degrees.

    Inputs broadcast together; the result has their broadcast shape. Every
    element is computed the same way whatever the shape, so the engine (whole
    matrices) and the reference (one order at a time) get identical numbers.
    """
    phi_a = np.multiply(lat_a, _DEG_TO_RAD)
    phi_b = np.multiply(lat_b, _DEG_TO_RAD)
    half_dphi = np.sin(np.subtract(lat_b, lat_a) * (_DEG_TO_RAD / 2.0))
    half_dlambda = np.sin(np.subtract(lon_b, lon_a) * (_DEG_TO_RAD / 2.0))
    h = half_dphi * half_dphi + np.cos(phi_a) * np.cos(phi_b) * (half_dlambda * half_dlambda)
    h = np.ascontiguousarray(np.minimum(h, 1.0), dtype=np.float64)
    return np.asarray((2.0 * EARTH_RADIUS_KM) * np.arcsin(np.sqrt(h)), dtype=np.float64)

"""Great-circle distances, from unit vectors computed once per point."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._types import FloatArray

EARTH_RADIUS_KM = 6371.0088
"""Mean earth radius (IUGG), km."""

_DEG_TO_RAD = np.pi / 180.0


def unit_vectors(lat_deg: ArrayLike, lon_deg: ArrayLike) -> FloatArray:
    """Points in degrees as unit vectors on the sphere, components first: shape (3, *shape)."""
    phi = np.multiply(lat_deg, _DEG_TO_RAD)
    lam = np.multiply(lon_deg, _DEG_TO_RAD)
    cos_phi = np.cos(phi)
    return np.stack([cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)])


def chord_distance_km(a: FloatArray, b: FloatArray) -> FloatArray:
    """Great-circle km between unit vectors ``a`` and ``b`` (components first; the
    shapes after the first axis broadcast).

    Every element is computed by the same operations whatever the shapes, so the
    engine (whole matrices) and the reference (one order at a time) get
    identical numbers.
    """
    dx = a[0] - b[0]
    dy = a[1] - b[1]
    dz = a[2] - b[2]
    half_chord = np.ascontiguousarray(np.minimum(np.sqrt(dx * dx + dy * dy + dz * dz) * 0.5, 1.0))
    return np.asarray((2.0 * EARTH_RADIUS_KM) * np.arcsin(half_chord), dtype=np.float64)


def distance_km(
    lat_a: ArrayLike, lon_a: ArrayLike, lat_b: ArrayLike, lon_b: ArrayLike
) -> FloatArray:
    """Great-circle km between points in degrees; inputs broadcast together."""
    return chord_distance_km(unit_vectors(lat_a, lon_a), unit_vectors(lat_b, lon_b))

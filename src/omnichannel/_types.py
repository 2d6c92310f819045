"""Array type aliases used across the package."""

from __future__ import annotations

from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

AnyArray = TypeVar("AnyArray", bound="np.ndarray[Any, Any]")


def read_only(array: AnyArray) -> AnyArray:
    """``array``, made read-only in place (for arrays that are shared, never written)."""
    array.flags.writeable = False
    return array

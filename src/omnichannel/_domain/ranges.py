"""Gathering runs of consecutive indices, shared by the snapshots and the batches."""

from __future__ import annotations

import numpy as np

from .._types import IntArray


def concatenated_ranges(start: IntArray, count: IntArray) -> IntArray:
    """``start[0]:start[0] + count[0]``, then ``start[1]:start[1] + count[1]``, ... as one
    index array, shape (count.sum(),); ``start`` and ``count`` have the same shape."""
    first = np.repeat(start - np.cumsum(count) + count, count)
    return np.asarray(first + np.arange(int(count.sum())), dtype=np.int64)

"""Finding where a run of tentative decisions stops being valid."""

from __future__ import annotations

import numpy as np

from .._types import BoolArray, IntArray


def first_overdraw(
    keys: IntArray,
    amounts: IntArray,
    limits: IntArray | np.ndarray,
    stale: BoolArray,
    *,
    repeat_is_stale: bool,
) -> int:
    """Index of the first item that takes its group past its limit, or -1.

    Items are tentative takes in decision order: item ``i`` takes ``amounts[i]``
    (>= 0) from group ``keys[i]``. It fails when the running total of its group,
    itself included, exceeds ``limits[i]``; when ``stale[i]``; or, with
    ``repeat_is_stale``, when an earlier item took from the same group.
    All arrays have shape (n_items,).
    """
    n_items = keys.size
    if n_items == 0:
        return -1
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    sorted_amounts = amounts[order]
    starts_group = np.ones(n_items, dtype=np.bool_)
    starts_group[1:] = sorted_keys[1:] != sorted_keys[:-1]
    running = np.cumsum(sorted_amounts)
    before_group = np.maximum.accumulate(np.where(starts_group, running - sorted_amounts, 0))
    failed_sorted = (running - before_group) > limits[order]
    if repeat_is_stale:
        failed_sorted |= ~starts_group
    failed = stale.copy()
    failed[order] |= failed_sorted
    found = np.flatnonzero(failed)
    return int(found[0]) if found.size else -1

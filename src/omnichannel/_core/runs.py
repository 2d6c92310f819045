"""Finding where a run of tentative decisions stops being valid."""

from __future__ import annotations

import numpy as np

from .._types import BoolArray, IntArray


def overdrawn(
    keys: IntArray,
    amounts: IntArray,
    limits: IntArray,
    stale: BoolArray,
    repeat_is_stale: BoolArray,
) -> BoolArray:
    """Which tentative takes fail, in decision order, shape (n_items,).

    Item ``i`` takes ``amounts[i]`` (>= 0) from group ``keys[i]``. It fails when
    the running total of its group, itself included, exceeds ``limits[i]``; when
    ``stale[i]``; or, when ``repeat_is_stale[i]``, if an earlier item took from
    the same group. All arrays have shape (n_items,).
    """
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    sorted_amounts = amounts[order]
    starts_group = np.ones(keys.size, dtype=np.bool_)
    starts_group[1:] = sorted_keys[1:] != sorted_keys[:-1]
    running = np.cumsum(sorted_amounts)
    before_group = np.maximum.accumulate(np.where(starts_group, running - sorted_amounts, 0))
    failed_sorted = (running - before_group) > limits[order]
    failed_sorted |= ~starts_group & repeat_is_stale[order]
    failed = stale.copy()
    failed[order] |= failed_sorted
    return np.asarray(failed, dtype=np.bool_)


def between(ascending: IntArray, start: int, stop: int) -> slice:
    """The items of ``ascending`` (sorted item owners) in ``[start, stop)``, as a slice."""
    if not ascending.size:
        return slice(0, 0)
    return slice(*np.searchsorted(ascending, [start, stop]).tolist())

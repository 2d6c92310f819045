"""The time kernel: next open minute, end of processing, next dispatch and delivery
date, for many (calendar, instant) queries at once.

Instants are int64 minutes since the epoch (UTC); days are positions in a table
of consecutive local dates starting at ``base`` (a numpy ``datetime64[D]``).
Every table has one row per calendar, shape (n_calendars, n_days):

``open_at``, ``close_at``
    Each operating day's hours ``[open, close)`` after the overlap rule
    (docs/time.md); a closed day has ``open_at == close_at`` equal to the
    previous day's close, so ``close_at`` never decreases along a row.
``cum_before``
    Open minutes of the row's days before this one.
``cutoff_at``
    The running maximum of open days' collection instants (a closed day
    repeats the day before), so the first day whose cut-off is at or after an
    instant is a ``searchsorted``.
``midnight``
    Local 00:00 of each date, and ``last_minute`` local 23:59.

Nothing here knows a calendar; ``sourcing/_dates.py`` builds the tables.
"""

from __future__ import annotations

import numpy as np

from .._types import BoolArray, IntArray

BEYOND = np.iinfo(np.int64).max // 4
"""An instant past every table: what a query that finds nothing gives."""


class RowTable:
    """A table whose rows are each ascending, laid out once so that one
    ``searchsorted`` answers queries on many rows (``search``)."""

    def __init__(self, table: IntArray) -> None:
        self.table = table
        self.n_days = table.shape[1]
        self._low = int(table.min(initial=0))
        self._span = int(table.max(initial=0)) - self._low + 2
        offsets = np.arange(table.shape[0], dtype=np.int64)[:, None] * self._span
        self._flat = (table - self._low + offsets).reshape(-1)

    def search(self, rows: IntArray, values: IntArray, side: str) -> IntArray:
        """``np.searchsorted(table[rows[i]], values[i], side)`` for every i; positions
        in [0, n_days]."""
        keys = np.clip(values - self._low, -1, self._span - 1) + rows * self._span
        found = np.searchsorted(self._flat, keys, side=side)  # type: ignore[call-overload]
        return np.asarray(found - rows * self.n_days, dtype=np.int64)


def first_start(
    open_at: IntArray,
    close_at: RowTable,
    rows: IntArray,
    at: IntArray,
    blocked: BoolArray | None = None,
) -> tuple[IntArray, IntArray]:
    """Day and instant work may start for each query: the first open day, not
    ``blocked[query, day]`` (a full day), whose hours end after ``at``; the instant is
    ``max(open, at)``. A query that finds none gets day ``n_days`` and ``BEYOND``."""
    n_days = open_at.shape[1]
    day = close_at.search(rows, at, "right")
    closes = close_at.table
    while True:
        inside = day < n_days
        safe = np.minimum(day, n_days - 1)
        shut = inside & (open_at[rows, safe] >= closes[rows, safe])
        if blocked is not None:
            shut |= inside & blocked[np.arange(rows.size), safe]
        if not shut.any():
            break
        day = day + shut
    inside = day < n_days
    safe = np.minimum(day, n_days - 1)
    start = np.where(inside, np.maximum(open_at[rows, safe], at), BEYOND)
    return day, start


def after_work(
    open_at: IntArray,
    cum_before: IntArray,
    cum_end: RowTable,
    rows: IntArray,
    day: IntArray,
    start: IntArray,
    minutes: IntArray,
) -> IntArray:
    """The instant ``minutes`` of open hours after ``start`` (within day ``day``);
    ``BEYOND`` past the table. ``cum_end`` is ``cum_before + close_at - open_at``."""
    n_days = open_at.shape[1]
    inside = day < n_days
    safe = np.minimum(day, n_days - 1)
    target = cum_before[rows, safe] + (start - open_at[rows, safe]) + minutes
    # An instant where one day's hours end and the next day's begin has the same
    # open-time position as both: search from the start day on.
    done = np.maximum(cum_end.search(rows, target, "left"), day)
    ok = inside & (done < n_days)
    done = np.minimum(done, n_days - 1)
    ready = open_at[rows, done] + (target - cum_before[rows, done])
    return np.where(ok, ready, BEYOND)


def dispatch(cutoff_at: RowTable, rows: IntArray, ready: IntArray) -> IntArray:
    """The first collection instant at or after ``ready``; ``BEYOND`` past the table."""
    n_days = cutoff_at.n_days
    day = cutoff_at.search(rows, ready, "left")
    ok = (day < n_days) & (ready < BEYOND)
    return np.where(ok, cutoff_at.table[rows, np.minimum(day, n_days - 1)], BEYOND)


def local_day(midnight: RowTable, rows: IntArray, instant: IntArray) -> IntArray:
    """The table day (position) whose local date holds ``instant``."""
    return midnight.search(rows, instant, "right") - 1


def delivery_day(
    dispatch_day: IntArray, transit_days: IntArray, base: np.datetime64, weekmask: str
) -> IntArray:
    """Table day of delivery: ``transit_days`` carrier delivery days (``weekmask``,
    Monday first, e.g. ``"1111110"``) after the dispatch day; the dispatch day for 0."""
    dates = base + dispatch_day.astype("timedelta64[D]")
    later = np.busday_offset(dates, transit_days, roll="backward", weekmask=weekmask)
    moved = np.where(transit_days > 0, later, dates)
    return np.asarray((moved - base).astype(np.int64))

"""Shipment dates for many (order, node) pairs: calendars turned into the time kernel's
tables once per (calendars, first day), then array look-ups (see ``_core/time.py``
and, for the rules, ``reference/_time.py``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import attrs
import numpy as np

from .._core import time as kernel
from .._domain.calendar import HORIZON_DAYS, MINUTES_PER_DAY, NodeCalendar, local_minute
from .._types import BoolArray, IntArray, read_only

TABLE_DAYS = HORIZON_DAYS + 6
"""Days a table covers from its first day (two days before the UTC date of ``now``):
every instant a shipment within the horizon needs, with room for any time zone."""

_MIDNIGHT = dt.time(0)
_LAST_MINUTE = dt.time(23, 59)


@attrs.frozen(kw_only=True, eq=False)
class TimeTables:
    """The kernel's tables of some calendars from local date ``first`` on, each shape
    (n_calendars, TABLE_DAYS) (see ``_core/time.py``)."""

    first: dt.date
    open_at: IntArray
    close_at: IntArray
    cum_before: IntArray
    cutoff_at: IntArray
    midnight: IntArray
    last_minute: IntArray
    processing: IntArray
    """Processing minutes of each calendar, shape (n_calendars,)."""
    capacity: IntArray
    """Shipments per operating day, -1 for unlimited, shape (n_calendars,)."""

    @property
    def base(self) -> np.datetime64:
        """``first`` as a numpy day."""
        return np.datetime64(self.first, "D")


def _row(calendar: NodeCalendar, first: dt.date) -> list[list[int]]:
    zone = calendar.zone
    days = [first + dt.timedelta(days=j) for j in range(TABLE_DAYS)]
    before = calendar.interval(first - dt.timedelta(days=1))
    opens, closes, cutoffs = [], [], []
    last_close = local_minute(first, _MIDNIGHT, zone)
    last_cutoff = last_close - 1
    for day in days:
        hours = calendar.interval(day)
        start, end = hours if hours is not None else (0, 0)
        if hours is not None and before is not None:
            start = max(start, before[1])
        before = hours
        if hours is not None and end > start:
            cutoff = calendar.cutoff_minute(day)
            assert cutoff is not None
            last_cutoff = max(last_cutoff, cutoff)
            last_close = end
            opens.append(start)
            closes.append(end)
        else:
            opens.append(last_close)
            closes.append(last_close)
        cutoffs.append(last_cutoff)
    lengths = np.subtract(closes, opens)
    cum = np.concatenate([[0], np.cumsum(lengths)[:-1]]).tolist()
    return [
        opens,
        closes,
        cum,
        cutoffs,
        [local_minute(day, _MIDNIGHT, zone) for day in days],
        [local_minute(day, _LAST_MINUTE, zone) for day in days],
    ]


def time_tables(calendars: Sequence[NodeCalendar], first: dt.date) -> TimeTables:
    """Tables of ``calendars`` from local date ``first``."""
    rows = [_row(calendar, first) for calendar in calendars]
    columns = [
        read_only(np.array([row[k] for row in rows], dtype=np.int64).reshape(len(rows), TABLE_DAYS))
        for k in range(6)
    ]
    return TimeTables(
        first=first,
        open_at=columns[0],
        close_at=columns[1],
        cum_before=columns[2],
        cutoff_at=columns[3],
        midnight=columns[4],
        last_minute=columns[5],
        processing=read_only(np.array([c.processing_minutes for c in calendars], dtype=np.int64)),
        capacity=read_only(
            np.array(
                [-1 if c.daily_capacity is None else c.daily_capacity for c in calendars],
                dtype=np.int64,
            )
        ),
    )


@attrs.frozen(kw_only=True, eq=False)
class PairDates:
    """Dates of (order, node) pairs, each shape (n_pairs,); instants in minutes since
    the epoch, ``kernel.BEYOND`` where ``made`` is False."""

    day: IntArray
    """Table day whose daily capacity the shipment uses (its start)."""
    ready_at: IntArray
    delivered_by: IntArray
    made: BoolArray
    """Whether the shipment can be made within the horizon."""
    same_day_ok: BoolArray
    """Dispatched on the local date of ``now`` (what a SAME_DAY level needs)."""


def pair_dates(
    tables: TimeTables,
    now: int,
    node_row: IntArray,
    pickup_row: IntArray,
    in_store: BoolArray,
    via_pickup: BoolArray,
    transit_days: IntArray,
    weekmask: str,
    blocked: BoolArray | None = None,
) -> PairDates:
    """Dates of each pair, as ``reference._time.shipment_dates`` gives them.

    ``node_row`` is the shipping node's calendar row (-1: no calendar, always open
    in UTC); ``pickup_row`` the pickup node's (-1: none or no calendar) for pairs
    ``via_pickup`` (ship to store, pickup point); ``in_store`` marks pickup in store;
    ``transit_days`` are carrier delivery days (-1: beyond the last band);
    ``blocked[pair, day]`` marks full operating days of the shipping node.
    """
    n = node_row.size
    limit = now + HORIZON_DAYS * MINUTES_PER_DAY
    at = np.full(n, now, dtype=np.int64)
    has = node_row >= 0
    rows = np.maximum(node_row, 0)
    day, start = kernel.first_start(tables.open_at, tables.close_at, rows, at, blocked)
    ready = kernel.after_work(
        tables.open_at,
        tables.close_at,
        tables.cum_before,
        rows,
        day,
        start,
        tables.processing[rows],
    )
    gone = kernel.dispatch(tables.cutoff_at, rows, ready)
    utc_day = (now // MINUTES_PER_DAY) - (tables.base - np.datetime64(0, "D")).astype(np.int64)
    ready = np.where(has, ready, now)
    gone = np.where(has, gone, now)
    day = np.where(has, day, utc_day)
    dispatch_day = np.where(has, kernel.local_day(tables.midnight, rows, gone), utc_day)
    now_day = np.where(has, kernel.local_day(tables.midnight, rows, at), utc_day)
    delivery = kernel.delivery_day(
        np.clip(dispatch_day, 0, TABLE_DAYS), np.maximum(transit_days, 0), tables.base, weekmask
    )
    in_table = (delivery >= 0) & (delivery < TABLE_DAYS)
    safe = np.clip(delivery, 0, TABLE_DAYS - 1)
    utc_midnight = (tables.base - np.datetime64(0, "D")).astype(np.int64) * MINUTES_PER_DAY
    home = np.where(
        has, tables.last_minute[rows, safe], utc_midnight + safe * MINUTES_PER_DAY + 1439
    )
    delivered = np.where(in_store, ready, home)
    made = (ready <= limit) & (in_store | ((transit_days >= 0) & (gone <= limit)))
    if via_pickup.any():
        picks = np.flatnonzero(via_pickup)
        p_has = pickup_row[picks] >= 0
        p_rows = np.maximum(pickup_row[picks], 0)
        p_midnight = np.where(
            p_has,
            tables.midnight[p_rows, safe[picks]],
            utc_midnight + safe[picks] * MINUTES_PER_DAY,
        )
        arrival = np.maximum(gone[picks], p_midnight)
        p_day, p_start = kernel.first_start(tables.open_at, tables.close_at, p_rows, arrival)
        collected = kernel.after_work(
            tables.open_at,
            tables.close_at,
            tables.cum_before,
            p_rows,
            p_day,
            p_start,
            tables.processing[p_rows],
        )
        delivered[picks] = np.where(p_has, collected, arrival)
        made[picks] &= arrival <= limit
    made &= (delivered <= limit) & (in_store | in_table)
    return PairDates(
        day=day,
        ready_at=ready,
        delivered_by=delivered,
        made=made,
        same_day_ok=in_store | (dispatch_day == now_day),
    )

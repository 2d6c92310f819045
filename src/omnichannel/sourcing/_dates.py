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
    close_rows: kernel.RowTable
    """``close_at``, searchable."""
    cum_end: kernel.RowTable
    """Open minutes of the row's days up to the end of each, searchable."""
    cutoff_rows: kernel.RowTable
    """``cutoff_at``, searchable."""
    midnight_rows: kernel.RowTable
    """``midnight``, searchable."""
    collected_at_midnight: IntArray
    """When parcels arriving at each local day's 00:00 are ready for collection: the
    calendar's own start and processing from there, (n_calendars, TABLE_DAYS)."""
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
    open_at, close_at, cum_before = columns[0], columns[1], columns[2]
    close_rows = kernel.RowTable(close_at)
    cum_end = kernel.RowTable(read_only(cum_before + (close_at - open_at)))
    processing = read_only(np.array([c.processing_minutes for c in calendars], dtype=np.int64))
    every = np.repeat(np.arange(len(rows), dtype=np.int64), TABLE_DAYS)
    midnight = columns[4].reshape(-1)
    day, start = kernel.first_start(open_at, close_rows, every, midnight)
    done = kernel.after_work(open_at, cum_before, cum_end, every, day, start, processing[every])
    return TimeTables(
        first=first,
        open_at=columns[0],
        close_at=columns[1],
        cum_before=columns[2],
        cutoff_at=columns[3],
        midnight=columns[4],
        last_minute=columns[5],
        processing=processing,
        close_rows=close_rows,
        cum_end=cum_end,
        cutoff_rows=kernel.RowTable(columns[3]),
        midnight_rows=kernel.RowTable(columns[4]),
        collected_at_midnight=read_only(done.reshape(len(rows), TABLE_DAYS)),
        capacity=read_only(
            np.array(
                [-1 if c.daily_capacity is None else c.daily_capacity for c in calendars],
                dtype=np.int64,
            )
        ),
    )


def delivery_table(first: dt.date, weekmask: str, values: IntArray) -> IntArray:
    """Table day of delivery for ``values[v]`` carrier days after each table day of
    dispatch, shape (n_values, TABLE_DAYS); days past the table are ``TABLE_DAYS`` or
    more."""
    days = np.tile(np.arange(TABLE_DAYS, dtype=np.int64), values.size)
    transit = np.repeat(values.astype(np.int64), TABLE_DAYS)
    found = kernel.delivery_day(days, transit, np.datetime64(first, "D"), weekmask)
    return read_only(found.reshape(values.size, TABLE_DAYS))


@attrs.frozen(kw_only=True, eq=False)
class Handover:
    """When shipments are ready and leave their nodes, each shape (n,); instants in
    minutes since the epoch, ``kernel.BEYOND`` when none is found in the table."""

    day: IntArray
    """Table day whose daily capacity the shipment uses (the day work starts)."""
    ready: IntArray
    """Picked and packed."""
    gone: IntArray
    """Collected by the carrier (the dispatch instant)."""
    dispatch_day: IntArray
    """Local table day of ``gone``."""
    same_day: BoolArray
    """Whether ``gone`` falls on the local date of ``now``."""

    def at(self, index: IntArray) -> Handover:
        """The handovers ``index`` picks (one per pair)."""
        return Handover(
            day=self.day[index],
            ready=self.ready[index],
            gone=self.gone[index],
            dispatch_day=self.dispatch_day[index],
            same_day=self.same_day[index],
        )


def _utc_day(tables: TimeTables, instant: int) -> int:
    return instant // MINUTES_PER_DAY - int((tables.base - np.datetime64(0, "D")).astype(np.int64))


def first_days(
    tables: TimeTables, now: int, rows: IntArray, blocked: BoolArray | None = None
) -> IntArray:
    """The table day work may start at each calendar row (-1: no calendar, the UTC
    date of ``now``): its first open day, not ``blocked[query, day]`` (full), whose
    hours end after ``now``; ``TABLE_DAYS`` when there is none."""
    at = np.full(rows.size, now, dtype=np.int64)
    day, _ = kernel.first_start(tables.open_at, tables.close_rows, np.maximum(rows, 0), at, blocked)
    return np.where(rows >= 0, day, _utc_day(tables, now))


def handover(tables: TimeTables, now: int, rows: IntArray, day: IntArray) -> Handover:
    """Ready and dispatch of work starting on table ``day`` (an open day whose hours end
    after ``now``, or ``TABLE_DAYS``) at calendar row ``rows`` (-1: no calendar, ready
    and dispatched at ``now``)."""
    has = rows >= 0
    safe_rows = np.maximum(rows, 0)
    inside = day < TABLE_DAYS
    safe_day = np.minimum(day, TABLE_DAYS - 1)
    start = np.where(inside, np.maximum(tables.open_at[safe_rows, safe_day], now), kernel.BEYOND)
    ready = kernel.after_work(
        tables.open_at,
        tables.cum_before,
        tables.cum_end,
        safe_rows,
        np.where(inside, day, TABLE_DAYS),
        start,
        tables.processing[safe_rows],
    )
    gone = kernel.dispatch(tables.cutoff_rows, safe_rows, ready)
    utc_day = _utc_day(tables, now)
    ready = np.where(has, ready, now)
    gone = np.where(has, gone, now)
    at = np.full(rows.size, now, dtype=np.int64)
    dispatch_day = np.where(has, kernel.local_day(tables.midnight_rows, safe_rows, gone), utc_day)
    now_day = np.where(has, kernel.local_day(tables.midnight_rows, safe_rows, at), utc_day)
    return Handover(
        day=np.where(has, day, utc_day),
        ready=ready,
        gone=gone,
        dispatch_day=dispatch_day,
        same_day=dispatch_day == now_day,
    )


@attrs.frozen(kw_only=True, eq=False)
class PairDates:
    """Dates of (order, node) pairs, each shape (n_pairs,); instants in minutes since
    the epoch, meaningless where ``made`` is False."""

    ready_at: IntArray
    delivered_by: IntArray
    made: BoolArray
    """Whether the shipment can be made within the horizon."""


def pair_dates(
    tables: TimeTables,
    now: int,
    hand: Handover,
    rows: IntArray,
    in_store: BoolArray,
    via_pickup: IntArray,
    delivery: IntArray,
) -> PairDates:
    """Dates of each pair, as ``reference._time.shipment_dates`` gives them.

    ``hand`` is each pair's handover at its shipping node (calendar row ``rows``,
    -1: none); ``in_store`` marks pickup in store; ``via_pickup`` is the pickup
    node's calendar row for ship to store and pickup point (-1: none or no
    calendar, -2: not via a pickup node); ``delivery`` is the table day of
    delivery after transit (``TABLE_DAYS`` or more: past the table, -1: beyond the
    last band).
    """
    limit = now + HORIZON_DAYS * MINUTES_PER_DAY
    has = rows >= 0
    safe_rows = np.maximum(rows, 0)
    in_table = (delivery >= 0) & (delivery < TABLE_DAYS)
    safe = np.clip(delivery, 0, TABLE_DAYS - 1)
    utc_midnight = (tables.base - np.datetime64(0, "D")).astype(np.int64) * MINUTES_PER_DAY
    home = np.where(
        has,
        tables.last_minute[safe_rows, safe],
        utc_midnight + safe * MINUTES_PER_DAY + MINUTES_PER_DAY - 1,
    )
    delivered = np.where(in_store, hand.ready, home)
    made = (hand.ready <= limit) & (in_store | (in_table & (hand.gone <= limit)))
    picks = np.flatnonzero(via_pickup >= -1)
    if picks.size:
        delivered[picks], within = collected_at(
            tables, now, hand.gone[picks], delivery[picks], via_pickup[picks]
        )
        made[picks] &= within
    made &= delivered <= limit
    return PairDates(ready_at=hand.ready, delivered_by=delivered, made=made)


def collected_at(
    tables: TimeTables, now: int, gone: IntArray, delivery: IntArray, pickup_row: IntArray
) -> tuple[IntArray, BoolArray]:
    """When parcels dispatched at ``gone`` (minutes since the epoch) and delivered on
    table day ``delivery`` (in the table) are ready for collection at the pickup node
    of calendar row ``pickup_row`` (-1: none), and whether that and their arrival are
    within the horizon. ``delivery`` and ``pickup_row`` broadcast together to the
    results' shape, and ``gone`` to that (one per pair, or a node's dispatch per
    column and a pickup row per row)."""
    limit = now + HORIZON_DAYS * MINUTES_PER_DAY
    safe = np.clip(delivery, 0, TABLE_DAYS - 1)
    has = pickup_row >= 0
    everywhere = bool(has.all())
    rows = np.maximum(pickup_row, 0)
    midnight = tables.midnight[rows, safe]
    if not everywhere:
        utc_midnight = (tables.base - np.datetime64(0, "D")).astype(np.int64) * MINUTES_PER_DAY
        midnight = np.where(has, midnight, utc_midnight + safe * MINUTES_PER_DAY)
    # Parcels mostly arrive at the pickup node's midnight (transit days > 0): read
    # those from the table; work out the others.
    collected = tables.collected_at_midnight[rows, safe]
    later = np.nonzero(np.broadcast_to(gone, midnight.shape) > midnight)
    if later[0].size:
        arrival = np.broadcast_to(gone, midnight.shape)[later]
        collected[later] = _collected(
            tables,
            np.broadcast_to(rows, midnight.shape)[later],
            np.minimum(arrival, limit + 1),
            now,
        )
    delivered = collected if everywhere else np.where(has, collected, np.maximum(gone, midnight))
    # Ready for collection no sooner than the parcel arrives: within the horizon, so
    # is the arrival.
    return delivered, delivered <= limit


def _collected(tables: TimeTables, rows: IntArray, arrival: IntArray, now: int) -> IntArray:
    """When parcels arriving at ``arrival`` are ready for collection at calendar rows
    ``rows``: the row's own start and processing. Many pairs share a (row, arrival),
    so each distinct one is worked out once. ``arrival`` is at most the horizon's
    end plus one minute, and at least two days before ``now``."""
    offset = arrival - (now - 2 * MINUTES_PER_DAY)
    key, inverse = np.unique((rows << 24) | offset, return_inverse=True)
    distinct_rows, distinct_arrival = key >> 24, (key & ((1 << 24) - 1)) + now - 2 * MINUTES_PER_DAY
    day, start = kernel.first_start(
        tables.open_at, tables.close_rows, distinct_rows, distinct_arrival
    )
    done = kernel.after_work(
        tables.open_at,
        tables.cum_before,
        tables.cum_end,
        distinct_rows,
        day,
        start,
        tables.processing[distinct_rows],
    )
    return np.asarray(done[inverse.reshape(-1)], dtype=np.int64)

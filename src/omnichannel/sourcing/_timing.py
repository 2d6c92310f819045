"""The time of one call given ``now``: each node's next handover as the day's load
grows, and whether each (order, node) pair is on time.

Built once per call from the network's cached tables (``NetworkTimes``, per
network and first table day) and the call's ``daily_used``; the rules are those of
``reference/_time.py`` and docs/time.md.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np

from .._core import time as kernel
from .._core.bands import band_index
from .._domain.calendar import (
    HORIZON_DAYS,
    MINUTES_PER_DAY,
    NodeCalendar,
    from_minute,
    now_minute,
    to_minute,
)
from .._domain.enums import FulfillmentMethod, ServiceLevel
from .._domain.network import Network
from .._domain.orders import Order
from .._types import BoolArray, FloatArray, IntArray, read_only
from ._dates import (
    TABLE_DAYS,
    Handover,
    PairDates,
    TimeTables,
    collected_at,
    delivery_table,
    first_days,
    handover,
    pair_dates,
    time_tables,
)

_LEVELS: tuple[ServiceLevel, ...] = tuple(ServiceLevel)
_METHODS: tuple[FulfillmentMethod, ...] = tuple(FulfillmentMethod)
_VIA_PICKUP = frozenset({FulfillmentMethod.SHIP_TO_STORE, FulfillmentMethod.PICKUP_POINT})
_NOT_VIA_PICKUP = -2
_KEEP_DAYS = 8
"""First table days whose tables a network keeps (a rolling window of recent calls)."""
_ALWAYS = NodeCalendar.every_day("UTC", dt.time(0), dt.time(0))


@attrs.frozen(kw_only=True, eq=False)
class NetworkTimes:
    """What a network's calendars and carriers give from one first table day on."""

    tables: TimeTables
    node_row: IntArray
    """Calendar row of each canonical node, -1 for a node without one, (n_nodes,)."""
    capacity: IntArray
    """Shipments each canonical node starts per operating day, -1 unlimited, (n_nodes,)."""
    delivery: IntArray
    """Table day of delivery by transit value and dispatch day, (n_values, TABLE_DAYS)."""
    band_km: tuple[FloatArray, ...]
    """Each level's band bounds (km, ascending), by position in ``ServiceLevel``."""
    band_value: tuple[IntArray, ...]
    """Each level's transit value (row of ``delivery``) per band, then -1 past the last."""
    reach_km: FloatArray
    """Farthest km each level serves with ``now``: ``max_km`` and its last band."""
    last_start: _LastStart = attrs.field(factory=lambda: _LastStart(), repr=False)
    """The nodes' handovers of the last call's start (see :class:`NodeTimes`)."""


_START_FIELDS = (
    "day",
    "ready",
    "gone",
    "dispatch_day",
    "same_day",
    "home_delivered",
    "home_made",
    "home_day",
    "home_due",
    "home_lead",
    "home_always",
)
"""The per-node arrays of :class:`NodeTimes` besides its loads: what a call starts from
(the same for every call at one minute with the same full days), and what a copy
copies."""


class _LastStart:
    """The last computed start of a network's nodes and its key: calls at one minute
    (a stream of real-time calls, the options of one promise) share it. Thread-safe:
    the pair is replaced in one assignment, and readers get copies."""

    def __init__(self) -> None:
        self._found: tuple[tuple[int, tuple[tuple[int, int], ...]], tuple[Any, ...]] | None = None

    def get(self, key: tuple[int, tuple[tuple[int, int], ...]]) -> tuple[Any, ...] | None:
        found = self._found
        return found[1] if found is not None and found[0] == key else None

    def put(self, key: tuple[int, tuple[tuple[int, int], ...]], start: tuple[Any, ...]) -> None:
        self._found = (key, start)


def _network_times(network: Network, first: dt.date) -> NetworkTimes:
    nodes = [network.node(node_id) for node_id in network.arrays.ids]
    # Nodes that share a calendar share its row: tables are built per distinct one.
    row_of: dict[NodeCalendar, int] = {}
    rows = [-1 if n.calendar is None else row_of.setdefault(n.calendar, len(row_of)) for n in nodes]
    calendars = list(row_of)
    costs = network.costs
    values = sorted({0} | {b.days for card in costs.rates.values() for b in card.transit})
    value_of = {days: index for index, days in enumerate(values)}
    band_km, band_value, reach = [], [], []
    for level in _LEVELS:
        card = costs.rates[level]
        bands = () if level is ServiceLevel.SAME_DAY else card.transit
        band_km.append(read_only(np.array([b.max_km for b in bands], dtype=np.float64)))
        band_value.append(
            read_only(np.array([value_of[b.days] for b in bands] + [-1], dtype=np.int64))
            if bands
            else read_only(np.zeros(1, dtype=np.int64))
        )
        limit = math.inf if card.max_km is None else card.max_km
        reach.append(min(limit, bands[-1].max_km) if bands else limit)
    weekmask = "".join("1" if day in costs.delivery_weekdays else "0" for day in range(7))
    return NetworkTimes(
        tables=time_tables(calendars or [_ALWAYS], first),
        node_row=read_only(np.array(rows, dtype=np.int64)),
        capacity=read_only(
            np.array(
                [
                    -1
                    if n.calendar is None or n.calendar.daily_capacity is None
                    else n.calendar.daily_capacity
                    for n in nodes
                ],
                dtype=np.int64,
            )
        ),
        delivery=delivery_table(first, weekmask, np.array(values, dtype=np.int64)),
        band_km=tuple(band_km),
        band_value=tuple(band_value),
        reach_km=read_only(np.array(reach, dtype=np.float64)),
    )


class _TimesByDay:
    """A network's ``NetworkTimes`` per first table day, the most recently used few
    kept. Thread-safe: each is computed outside the lock, then set once."""

    def __init__(self, network: Network) -> None:
        self._network = network
        self._found: OrderedDict[dt.date, NetworkTimes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, first: dt.date) -> NetworkTimes:
        with self._lock:
            found = self._found.get(first)
            if found is not None:
                self._found.move_to_end(first)
                return found
        made = _network_times(self._network, first)
        with self._lock:
            found = self._found.setdefault(first, made)
            self._found.move_to_end(first)
            while len(self._found) > _KEEP_DAYS:
                self._found.popitem(last=False)
        return found


def network_times(network: Network, now: int) -> NetworkTimes:
    """The network's times for a call at ``now`` (minutes since the epoch), cached."""
    first = from_minute(now).date() - dt.timedelta(days=2)
    return network.derived(_TimesByDay).get(first)


@attrs.frozen(kw_only=True, eq=False)
class Timing:
    """The time context of a call at ``now``, for the orders of its wave."""

    now_at: dt.datetime
    """``now`` as given."""
    now: int
    """Minutes since the epoch (``now`` rounded up to its minute)."""
    net: NetworkTimes
    deliver_by: IntArray
    """Each order's promise in minutes, ``kernel.BEYOND`` for none, (n_orders,)."""
    level: IntArray
    """Each order's service level (position in ``ServiceLevel``), (n_orders,)."""
    same_day: BoolArray
    """Whether the order's level is SAME_DAY (it must dispatch today), (n_orders,)."""
    in_store: BoolArray
    """Whether the order is picked up in store, (n_orders,)."""
    via_pickup: IntArray
    """The pickup node's calendar row for ship to store and pickup point (-1: no
    calendar), -2 for other orders, (n_orders,)."""
    load: IntArray
    """Shipments each node already started per table day (``daily_used``),
    (n_nodes, TABLE_DAYS)."""
    earlier: dict[str, dict[dt.date, int]]
    """The ``daily_used`` given, to carry into the result."""
    full_days: tuple[tuple[int, int], ...]
    """The (canonical node, table day) pairs ``earlier`` already fills (shipments at
    or above a daily capacity), sorted: with ``now``, they decide where each node's
    work starts."""

    @classmethod
    def build(
        cls,
        network: Network,
        orders: Sequence[Order],
        level: IntArray,
        method: IntArray,
        pickup_node: IntArray,
        now: dt.datetime,
        earlier: dict[str, dict[dt.date, int]],
    ) -> Timing:
        """The timing of a wave's orders (their level, method and pickup node codes),
        with ``earlier`` (a checked ``daily_used``) already on the nodes' days."""
        minute = now_minute(now)
        net = network_times(network, minute)
        load = np.zeros((network.arrays.n_nodes, TABLE_DAYS), dtype=np.int64)
        first = net.tables.first
        full: list[tuple[int, int]] = []
        for node_id, days in earlier.items():
            node = network.node_index(node_id)
            capacity = int(net.capacity[node])
            for day, count in days.items():
                offset = (day - first).days
                if 0 <= offset < TABLE_DAYS:
                    load[node, offset] = count
                    if 0 <= capacity <= count:
                        full.append((node, offset))
        # Promises repeat (the end of a day, say): each distinct one is converted once.
        minutes: dict[dt.datetime | None, int] = {None: kernel.BEYOND}
        for i, order in enumerate(orders):
            if order.deliver_by not in minutes:
                minutes[order.deliver_by] = to_minute(
                    order.deliver_by, f"orders[{i}].deliver_by", round_up=False
                )
        deliver_by = np.array([minutes[order.deliver_by] for order in orders], dtype=np.int64)
        via = np.isin(method, [_METHODS.index(m) for m in _VIA_PICKUP])
        pickup_row = (
            net.node_row[np.maximum(pickup_node, 0)]
            if net.node_row.size
            else np.full(pickup_node.size, -1, dtype=np.int64)
        )
        return cls(
            now_at=now,
            now=minute,
            net=net,
            deliver_by=deliver_by,
            level=level,
            same_day=level == _LEVELS.index(ServiceLevel.SAME_DAY),
            in_store=method == _METHODS.index(FulfillmentMethod.PICKUP_IN_STORE),
            via_pickup=np.where(via, pickup_row, _NOT_VIA_PICKUP),
            load=load,
            earlier=earlier,
            full_days=tuple(sorted(full)),
        )

    def start(self) -> NodeTimes:
        """Each node's handover before any order of the call is decided."""
        return NodeTimes(self, self.load.copy(), at_call_start=True)

    def transit_value(self, rows: IntArray, km: FloatArray) -> IntArray:
        """Row of ``net.delivery`` (carrier days) for order ``rows[i]`` shipped ``km[i]``
        by its level's bands; -1 past the last band. ``km`` has shape (n_rows,) or
        (n_rows, n_nodes) (every node of each order), and so has the result."""
        net = self.net
        value = np.zeros(km.shape, dtype=np.int64)
        levels = self.level[rows]
        for level, bounds in enumerate(net.band_km):
            if bounds.size:
                at = np.flatnonzero(levels == level)
                if at.size:
                    value[at] = net.band_value[level][band_index(bounds, km[at])]
        return value

    def delivery_day(self, value: IntArray, dispatch_day: IntArray) -> IntArray:
        """Table day of delivery that ``net.delivery`` row ``value[i]`` gives for a
        dispatch on table day ``dispatch_day[i]``; -1 where ``value[i]`` is -1."""
        safe = np.clip(dispatch_day, 0, TABLE_DAYS - 1)
        return np.where(value >= 0, self.net.delivery[np.maximum(value, 0), safe], -1)

    def pair_dates(
        self, rows: IntArray, nodes: IntArray, km: FloatArray, hand: Handover
    ) -> PairDates:
        """Dates of order ``rows[i]`` from canonical node ``nodes[i]`` at ``km[i]``, whose
        handover is ``hand`` (one per pair)."""
        return pair_dates(
            self.net.tables,
            self.now,
            hand,
            self.net.node_row[nodes],
            self.in_store[rows],
            self.via_pickup[rows],
            self.delivery_day(self.transit_value(rows, km), hand.dispatch_day),
        )

    def on_time(self, rows: IntArray, hand: Handover, dates: PairDates) -> BoolArray:
        """Whether each pair's dates keep its order's promise: made within the horizon,
        dispatched today for a SAME_DAY level, and delivered by ``deliver_by``."""
        same_day_ok = ~self.same_day[rows] | self.in_store[rows] | hand.same_day
        return dates.made & same_day_ok & (dates.delivered_by <= self.deliver_by[rows])

    def stamp(
        self, rows: IntArray, nodes: IntArray, km: FloatArray
    ) -> tuple[IntArray, PairDates, BoolArray]:
        """Dates of shipments given in decision order (order ``rows[i]`` from canonical
        node ``nodes[i]`` at ``km[i]``): each takes the next operating day that is not
        full at its node. Returns each shipment's table day, dates and on-time."""
        net = self.net
        day = np.empty(rows.size, dtype=np.int64)
        node_rows = net.node_row[nodes]
        limited = net.capacity[nodes] >= 0
        free_nodes = np.flatnonzero(~limited)
        if free_nodes.size:
            plain = first_days(net.tables, self.now, node_rows[free_nodes])
            day[free_nodes] = plain
        capped = np.flatnonzero(limited)
        if capped.size:
            order = capped[np.argsort(nodes[capped], kind="stable")]
            sorted_nodes = nodes[order]
            group_start = np.searchsorted(sorted_nodes, sorted_nodes, side="left")
            rank = np.arange(order.size) - group_start
            unique, which = np.unique(sorted_nodes, return_inverse=True)
            tables, calendar_rows = net.tables, net.node_row[unique]
            valid = (tables.close_at[calendar_rows] > self.now) & (
                tables.open_at[calendar_rows] < tables.close_at[calendar_rows]
            )
            left = np.maximum(net.capacity[unique][:, None] - self.load[unique], 0)
            slots = np.cumsum(np.where(valid, left, 0), axis=1)
            found = kernel.RowTable(slots).search(which, rank, "right")
            day[order] = found
        hand = handover(net.tables, self.now, node_rows, day)
        dates = self.pair_dates(rows, nodes, km, hand)
        return hand.day, dates, self.on_time(rows, hand, dates)

    def daily_used(
        self, nodes: IntArray, day: IntArray, ids: tuple[str, ...]
    ) -> dict[str, dict[dt.date, int]]:
        """The ``daily_used`` given plus one shipment on table day ``day[i]`` at canonical
        node ``nodes[i]`` (node ids ``ids``)."""
        counts = {key: dict(days) for key, days in self.earlier.items()}
        if nodes.size:
            keys, found = np.unique(nodes * (TABLE_DAYS + 1) + day, return_counts=True)
            first = self.net.tables.first
            for key, count in zip(keys.tolist(), found.tolist(), strict=True):
                node, offset = divmod(key, TABLE_DAYS + 1)
                date = first + dt.timedelta(days=offset)
                days = counts.setdefault(ids[node], {})
                days[date] = days.get(date, 0) + count
        return counts


class NodeTimes:
    """Each node's next handover as shipments fill its operating days: the part of the
    stock state that time adds (mutable; a policy works on a copy)."""

    def __init__(self, timing: Timing, load: IntArray, *, at_call_start: bool = False) -> None:
        """``load`` as :attr:`load`; ``at_call_start``: it is ``timing.load`` (the call's
        ``daily_used``), so the start may be shared with other calls."""
        self.timing = timing
        self.load = load
        """Shipments started per node and table day, (n_nodes, TABLE_DAYS); kept up to
        date only at nodes with a daily capacity."""
        if not at_call_start:
            self._start()
            return
        net = timing.net
        # At a call's start, where each node's work starts depends only on the
        # network, the minute and the days ``daily_used`` fills (a node whose daily
        # capacity is 0 is full every day, whatever the call): calls at one minute
        # with the same full days share it.
        key = (timing.now, timing.full_days)
        start = net.last_start.get(key)
        if start is None:
            self._start()
            net.last_start.put(key, tuple(value.copy() for value in self._starts()))
        else:
            self._restart(start)

    def _start(self) -> None:
        """Each node's handover before any shipment of the call."""
        net = self.timing.net
        rows = net.node_row
        everyone = np.arange(rows.size)
        self.day = first_days(net.tables, self.timing.now, rows, self._blocked(everyone))
        hand = handover(net.tables, self.timing.now, rows, self.day)
        self.ready, self.gone = hand.ready.copy(), hand.gone.copy()
        self.dispatch_day, self.same_day = hand.dispatch_day.copy(), hand.same_day.copy()
        self.home_delivered, self.home_made, self.home_day = self._home(everyone)
        """Home and same-day delivery from each node by transit value (row of
        ``net.delivery``): the instant delivered, whether it is made, and the table
        day of delivery, each (n_values, n_nodes)."""
        self.home_due, self.home_lead = self._due()
        self.home_always: BoolArray = np.asarray(self.home_made.all(axis=0))
        """Whether home delivery from each node is made at every transit value."""

    def _due(self) -> tuple[IntArray, FloatArray]:
        """From the home tables: the instant delivered where made, else past every
        promise; and the lead days where made, else 0."""
        due = np.where(self.home_made, self.home_delivered, kernel.BEYOND + 1)
        lead = (self.home_delivered - self.timing.now) / MINUTES_PER_DAY
        return due, np.where(self.home_made, lead, 0.0)

    def _home(self, nodes: IntArray) -> tuple[IntArray, BoolArray, IntArray]:
        timing = self.timing
        net = timing.net
        n_values = net.delivery.shape[0]
        every = np.tile(nodes, n_values)
        hand = self.at(every)
        value = np.repeat(np.arange(n_values), nodes.size)
        delivery = timing.delivery_day(value, hand.dispatch_day)
        dates = pair_dates(
            net.tables,
            timing.now,
            hand,
            net.node_row[every],
            np.zeros(every.size, dtype=np.bool_),
            np.full(every.size, _NOT_VIA_PICKUP, dtype=np.int64),
            delivery,
        )
        shape = (n_values, nodes.size)
        return (
            dates.delivered_by.reshape(shape),
            dates.made.reshape(shape),
            delivery.reshape(shape),
        )

    def _blocked(self, nodes: IntArray) -> BoolArray | None:
        capacity = self.timing.net.capacity[nodes]
        if not (capacity >= 0).any():
            return None
        return (capacity[:, None] >= 0) & (self.load[nodes] >= capacity[:, None])

    def _starts(self) -> tuple[Any, ...]:
        """The per-node arrays of ``_START_FIELDS``, in that order (not copies)."""
        return tuple(getattr(self, name) for name in _START_FIELDS)

    def _restart(self, start: tuple[Any, ...]) -> None:
        """Set the per-node arrays of ``_START_FIELDS`` to copies of ``start``."""
        for name, value in zip(_START_FIELDS, start, strict=True):
            setattr(self, name, value.copy())

    def copy(self) -> NodeTimes:
        """An independent copy."""
        found = NodeTimes.__new__(NodeTimes)
        found.timing, found.load = self.timing, self.load.copy()
        found._restart(self._starts())
        return found

    def at(self, nodes: IntArray) -> Handover:
        """The handover at each of ``nodes`` now."""
        return Handover(
            day=self.day[nodes],
            ready=self.ready[nodes],
            gone=self.gone[nodes],
            dispatch_day=self.dispatch_day[nodes],
            same_day=self.same_day[nodes],
        )

    def day_left(self, nodes: IntArray) -> FloatArray:
        """Shipments each node can still start on its current day, ``inf`` unlimited."""
        capacity = self.timing.net.capacity[nodes]
        day = np.minimum(self.day[nodes], TABLE_DAYS - 1)
        left = np.maximum(capacity - self.load[nodes, day], 0).astype(np.float64)
        return np.where((capacity < 0) | (self.day[nodes] >= TABLE_DAYS), np.inf, left)

    def ship(self, nodes: IntArray, counts: IntArray) -> None:
        """Count ``counts[i]`` shipments started at canonical ``nodes[i]`` on its current
        day; a day that fills moves the node's handover to its next open day."""
        capacity = self.timing.net.capacity[nodes]
        day = self.day[nodes]
        # Only limited nodes' loads move their dates (``daily_used`` is counted from
        # the dated shipments).
        limited = np.flatnonzero((capacity >= 0) & (day < TABLE_DAYS))
        if not limited.size:
            return
        nodes, day, capacity = nodes[limited], day[limited], capacity[limited]
        np.add.at(self.load, (nodes, day), counts[limited])
        full = self.load[nodes, day] >= capacity
        if full.any():
            self._refresh(np.unique(nodes[full]))

    def _refresh(self, nodes: IntArray) -> None:
        net = self.timing.net
        rows = net.node_row[nodes]
        found = first_days(net.tables, self.timing.now, rows, self._blocked(nodes))
        hand = handover(net.tables, self.timing.now, rows, found)
        self.day[nodes], self.ready[nodes], self.gone[nodes] = found, hand.ready, hand.gone
        self.dispatch_day[nodes], self.same_day[nodes] = hand.dispatch_day, hand.same_day
        home = self._home(nodes)
        self.home_delivered[:, nodes], self.home_made[:, nodes], self.home_day[:, nodes] = home
        self.home_due, self.home_lead = self._due()
        self.home_always = np.asarray(self.home_made.all(axis=0))

    def pairs(self, rows: IntArray, nodes: IntArray, km: FloatArray) -> tuple[PairDates, BoolArray]:
        """Dates and on-time of order ``rows[i]`` from ``nodes[i]`` at ``km[i]``, now.

        Home and same-day deliveries read the per-node tables ``home_delivered`` and
        ``home_made``; pickups are dated pair by pair; both by the same rules."""
        timing = self.timing
        in_store = timing.in_store[rows]
        home = ~in_store & (timing.via_pickup[rows] == _NOT_VIA_PICKUP)
        delivered = np.empty(rows.size, dtype=np.int64)
        made = np.empty(rows.size, dtype=np.bool_)
        at = np.flatnonzero(home)
        if at.size:
            value = timing.transit_value(rows[at], km[at])
            column, row = nodes[at], np.maximum(value, 0)
            delivered[at] = self.home_delivered[row, column]
            made[at] = (value >= 0) & self.home_made[row, column]
        other = np.flatnonzero(~home)
        if other.size:
            found = timing.pair_dates(rows[other], nodes[other], km[other], self.at(nodes[other]))
            delivered[other], made[other] = found.delivered_by, found.made
        dates = PairDates(ready_at=self.ready[nodes], delivered_by=delivered, made=made)
        same_day_ok = ~timing.same_day[rows] | in_store | self.same_day[nodes]
        return dates, made & same_day_ok & (delivered <= timing.deliver_by[rows])

    def on_time(self, rows: IntArray, nodes: IntArray, km: FloatArray) -> BoolArray:
        """:meth:`pairs`' on-time alone: an order with no promise and no same-day level,
        delivered home, is on time wherever every home delivery is made."""
        timing = self.timing
        plain = np.asarray(
            (timing.deliver_by[rows] == kernel.BEYOND)
            & ~timing.same_day[rows]
            & ~timing.in_store[rows]
            & (timing.via_pickup[rows] == _NOT_VIA_PICKUP)
            & self.home_always[nodes],
            dtype=np.bool_,
        )
        found = np.ones(rows.size, dtype=np.bool_)
        rest = np.flatnonzero(~plain)
        if rest.size:
            found[rest] = self.pairs(rows[rest], nodes[rest], km[rest])[1]
        return found

    def window(
        self, rows: IntArray, km: FloatArray, eligible: BoolArray, *, lead: bool
    ) -> tuple[FloatArray | None, BoolArray]:
        """On-time of orders ``rows`` at every node, and with ``lead`` their lead days
        (0 where not made); ``km`` and ``eligible`` (the pairs that need dates) have
        shape (n_rows, n_nodes). :meth:`pairs` for a window of orders, each order worked
        out as a whole row from the per-node tables (home delivery, a parcel's
        dispatch, readiness); an order with no promise and no same-day level is on
        time wherever every delivery is made."""
        timing = self.timing
        shape = km.shape
        days = np.zeros(shape) if lead else None
        on_time = np.zeros(shape, dtype=np.bool_)
        in_store = timing.in_store[rows]
        via = timing.via_pickup[rows]
        home = ~in_store & (via == _NOT_VIA_PICKUP)
        column = np.arange(shape[1])[None, :]
        at = np.flatnonzero(home)
        promised = (timing.deliver_by[rows[at]] < kernel.BEYOND) | timing.same_day[rows[at]]
        plain = ~promised if not lead and self.home_always.all() else np.zeros(at.size, bool)
        on_time[at[plain]] = True
        at = at[~plain]
        if at.size:
            value = timing.transit_value(rows[at], km[at])
            # Past a level's last band (value -1) a node is beyond its reach and never
            # eligible, so any row of the tables will do there.
            row = np.maximum(value, 0)
            keeps = self.home_due[row, column] <= timing.deliver_by[rows[at]][:, None]
            same_day = timing.same_day[rows[at]]
            keeps[same_day] &= self.same_day[None, :]
            on_time[at] = keeps
            if days is not None:
                days[at] = self.home_lead[row, column]
        at = np.flatnonzero(via != _NOT_VIA_PICKUP)
        if at.size:
            value = timing.transit_value(rows[at], km[at])
            delivery = self.home_day[np.maximum(value, 0), column]
            delivered, within = collected_at(
                timing.net.tables, timing.now, self.gone, delivery, via[at][:, None]
            )
            made = eligible[at] & (value >= 0) & (delivery < TABLE_DAYS) & within
            keeps = made & (delivered <= timing.deliver_by[rows[at]][:, None])
            same_day = timing.same_day[rows[at]]
            keeps[same_day] &= self.same_day[None, :]
            on_time[at] = keeps
            if days is not None:
                days[at] = np.where(made, (delivered - timing.now) / MINUTES_PER_DAY, 0.0)
        at = np.flatnonzero(in_store)
        if at.size:
            # Ready for collection where the order is picked: nothing travels.
            horizon = timing.now + HORIZON_DAYS * MINUTES_PER_DAY
            made = eligible[at] & (self.ready <= horizon)[None, :]
            on_time[at] = made & (self.ready[None, :] <= timing.deliver_by[rows[at]][:, None])
            if days is not None:
                days[at] = np.where(made, (self.ready - timing.now) / MINUTES_PER_DAY, 0.0)
        return days, on_time

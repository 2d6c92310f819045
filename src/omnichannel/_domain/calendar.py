"""Time as values: node calendars, carrier transit bands, and the minute they count in.

Dates inside the library are whole minutes since the Unix epoch in UTC (ints).
Datetimes given by a caller must be aware (a naive one is an
:class:`InvalidInputError` naming the field); ``now`` rounds up to its minute
and a ``deliver_by`` promise rounds down. Dates given back are aware, in UTC.

A node's **operating day** is a local date of its calendar's time zone. It is
open when its weekday has hours and the date is not in ``closed_dates``; its
hours ``(open, close)`` run from ``open`` on that date to ``close`` on the same
date, or on the next date when ``close <= open`` (``(00:00, 00:00)`` is 24
hours). Local wall times become instants as :mod:`zoneinfo` reads them with
``fold=0``: a time skipped by a clock change counts with the offset before the
change (so it falls after the gap), a repeated time is its first occurrence.
An operating day's hours never start before the previous open day's end (a
clock change could make them overlap: they start at that end instead), and
hours of no length count as closed. See docs/time.md for how these make the
dates of a shipment.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from typing import Any

import attrs

from .._errors import InvalidInputError
from . import validators as v

MINUTES_PER_DAY = 1440
HORIZON_DAYS = 60
"""A shipment must be delivered (home and same day) or ready for collection
(pickup methods) within this many days of ``now``; a node that cannot is late."""
MAX_PROCESSING = dt.timedelta(days=30)
"""Longest pick-and-pack time a calendar may declare."""
MAX_TRANSIT_DAYS = 365
"""Most carrier delivery days a transit band may declare."""
FIRST_YEAR, LAST_YEAR = 1900, 9000
"""Datetimes must fall in these years (local), so that every date the engine works
out around them (a horizon of days, time zones) stays a valid datetime."""

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONDAY_TO_SATURDAY: frozenset[int] = frozenset(range(6))
"""Carrier delivery weekdays by default (``date.weekday()`` numbers, Monday = 0)."""

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_UTC = dt.timezone.utc

Hours = tuple[dt.time, dt.time]
"""One weekday's opening hours, local ``(open, close)``."""


def to_minute(value: object, path: str, *, round_up: bool) -> int:
    """An aware datetime as whole minutes since the epoch (UTC); ``round_up`` picks the
    next minute for a time inside one (``now``), else the minute it is in (a promise)."""
    if not isinstance(value, dt.datetime):
        raise InvalidInputError(path, f"must be an aware datetime, got {value!r}")
    try:
        offset = value.utcoffset()
    except (ValueError, TypeError, OverflowError) as error:
        raise InvalidInputError(path, f"has a time zone that gives no offset: {error}") from None
    if value.tzinfo is None or offset is None:
        raise InvalidInputError(path, f"must be timezone-aware, got naive {value.isoformat()}")
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise InvalidInputError(
            path, f"must be in the years {FIRST_YEAR} to {LAST_YEAR}, got {value.isoformat()}"
        )
    return _minute(value, round_up=round_up)


def _minute(value: dt.datetime, *, round_up: bool) -> int:
    """``value`` (aware) as minutes since the epoch, unchecked."""
    seconds, inside = divmod(value - _EPOCH, dt.timedelta(minutes=1))
    minute = int(seconds)
    return minute + 1 if round_up and inside else minute


_FIRST_MINUTE = _minute(dt.datetime(FIRST_YEAR, 1, 1, tzinfo=_UTC), round_up=False)
_LAST_NOW = _minute(dt.datetime(LAST_YEAR + 1, 1, 1, tzinfo=_UTC), round_up=False) - 1
_LAST_NOW -= HORIZON_DAYS * MINUTES_PER_DAY


def now_minute(now: object) -> int:
    """``now`` (an aware datetime, the ``now`` argument of a call) as minutes since the
    epoch, rounded up to its minute.

    Besides :func:`to_minute`'s checks, every date worked out from it (results are in
    UTC and at most ``HORIZON_DAYS`` later) must fall in the years too, so ``now``
    must be from 1900-01-01 00:00 UTC to ``HORIZON_DAYS`` days before the end of
    ``LAST_YEAR``; :class:`InvalidInputError` at ``now`` otherwise.
    """
    minute = to_minute(now, "now", round_up=True)
    assert isinstance(now, dt.datetime)  # to_minute refuses anything else
    if not _FIRST_MINUTE <= minute <= _LAST_NOW:
        raise InvalidInputError(
            "now",
            f"must be from {from_minute(_FIRST_MINUTE).isoformat()} to "
            f"{from_minute(_LAST_NOW).isoformat()}, so that every date worked out from it "
            f"(up to {HORIZON_DAYS} days later, in UTC) falls in the years {FIRST_YEAR} to "
            f"{LAST_YEAR}, got {now.isoformat()}",
        )
    return minute


def from_minute(minute: int) -> dt.datetime:
    """Minutes since the epoch as an aware UTC datetime."""
    return _EPOCH + dt.timedelta(minutes=minute)


def from_minutes(*columns: list[int]) -> tuple[list[dt.datetime], ...]:
    """Each column of minutes since the epoch as aware UTC datetimes, one list per
    column; each distinct minute is converted once and its datetime shared (a
    wave's shipments fall on few distinct minutes)."""
    instants = {minute: from_minute(minute) for column in columns for minute in column}
    return tuple([instants[minute] for minute in column] for column in columns)


def local_minute(day: dt.date, time: dt.time, zone: dt.tzinfo) -> int:
    """The instant of wall time ``time`` on local date ``day`` in ``zone``, read with
    ``fold=0``, in minutes since the epoch.

    Unchecked: the days come from a ``now`` already checked (:func:`now_minute`), and
    the engine's tables may reach a few days before it, or a year of transit days
    after it, past the years a caller's datetime may be in."""
    return _minute(dt.datetime.combine(day, time, tzinfo=zone), round_up=False)


def local_date(minute: int, zone: dt.tzinfo) -> dt.date:
    """The local date of an instant (minutes since the epoch) in ``zone``."""
    return from_minute(minute).astimezone(zone).date()


def aware(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validator: an aware datetime, or None."""
    if value is not None:
        to_minute(value, attribute.name, round_up=False)


def _zone_name(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value:
        raise InvalidInputError(attribute.name, f"must be an IANA time zone name, got {value!r}")
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise InvalidInputError(
            attribute.name, f"unknown IANA time zone {value!r} (e.g. 'Europe/Paris')"
        ) from None


def _whole_minute(path: str, value: object) -> dt.time:
    if not isinstance(value, dt.time) or value.tzinfo is not None:
        raise InvalidInputError(path, f"must be a local datetime.time, got {value!r}")
    if value.second or value.microsecond:
        raise InvalidInputError(path, f"must be a whole minute, got {value.isoformat()}")
    return value


def _to_opening(value: object) -> object:
    if isinstance(value, (list, tuple)):
        return tuple(tuple(day) if isinstance(day, list) else day for day in value)
    return value


def _check_opening(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple) or len(value) != 7:
        raise InvalidInputError(
            attribute.name, f"must give 7 weekdays, Monday first, got {value!r}"
        )
    for index, day in enumerate(value):
        path = f"{attribute.name}[{index}]"
        if day is None:
            continue
        if not isinstance(day, tuple) or len(day) != 2:
            raise InvalidInputError(path, f"must be (open, close) or None, got {day!r}")
        _whole_minute(f"{path}[0]", day[0])
        _whole_minute(f"{path}[1]", day[1])
    for index, day in enumerate(value):
        after = value[(index + 1) % 7]
        if day is not None and day[1] <= day[0] and after is not None and day[1] > after[0]:
            raise InvalidInputError(
                f"{attribute.name}[{index}]",
                f"{WEEKDAYS[index]}'s hours run past midnight into "
                f"{WEEKDAYS[(index + 1) % 7]}'s opening at {after[0].isoformat('minutes')}",
            )


def _to_dates(value: object) -> object:
    """A set of the items of an iterable (not a str), for the validator to check; an
    unhashable item leaves the value as it is, for the validator to reject."""
    if isinstance(value, Iterable) and not isinstance(value, (str, bytes, dt.date)):
        try:
            return frozenset(value)
        except TypeError:
            return value
    return value


def _check_dates(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, frozenset) or not all(
        type(day) is dt.date
        for day in value  # a datetime is a date subclass; refuse it
    ):
        raise InvalidInputError(attribute.name, f"must be a set of datetime.date, got {value!r}")


def _check_processing(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, dt.timedelta):
        raise InvalidInputError(attribute.name, f"must be a datetime.timedelta, got {value!r}")
    if value < dt.timedelta(0) or value > MAX_PROCESSING:
        raise InvalidInputError(attribute.name, f"must be between 0 and 30 days, got {value}")
    if value % dt.timedelta(minutes=1):
        raise InvalidInputError(attribute.name, f"must be whole minutes, got {value}")


def _check_cutoff(calendar: NodeCalendar, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    cutoff = _whole_minute(attribute.name, value)
    for index, day in enumerate(calendar.opening):
        if day is None:
            continue
        start, end = day
        inside = (
            True
            if start == end
            else (start <= cutoff <= end if start < end else cutoff >= start or cutoff <= end)
        )
        if not inside:
            raise InvalidInputError(
                attribute.name,
                f"{cutoff.isoformat('minutes')} is outside {WEEKDAYS[index]}'s hours "
                f"{start.isoformat('minutes')}-{end.isoformat('minutes')}",
            )


@attrs.frozen(kw_only=True)
class NodeCalendar:
    """When a node works: its time zone, weekly hours, holidays, pick-and-pack time,
    carrier cut-off and orders per day.

    ``timezone`` is an IANA name (``"Europe/Paris"``). ``opening`` has 7 entries,
    Monday first, each local ``(open, close)`` whole-minute times or None (closed
    all day); ``close <= open`` closes on the next date (``(22:00, 02:00)``,
    ``(00:00, 00:00)`` for 24 hours), and such hours must end by the next
    weekday's opening. ``closed_dates`` are local dates closed all day.
    ``processing`` (0 to 30 days, whole minutes) is pick-and-pack time counted in
    open hours only. ``cutoff`` is the local time the carrier collects ready
    parcels on each open day (None: at closing); it must lie within every open
    weekday's hours. ``daily_capacity`` is the shipments the node starts per
    operating day (None: unlimited; at most 10**12): a full day pushes processing
    to the next open day.
    """

    timezone: str = attrs.field(validator=_zone_name)
    opening: tuple[Hours | None, ...] = attrs.field(converter=_to_opening, validator=_check_opening)
    closed_dates: frozenset[dt.date] = attrs.field(
        default=frozenset(), converter=_to_dates, validator=_check_dates
    )
    processing: dt.timedelta = attrs.field(default=dt.timedelta(0), validator=_check_processing)
    cutoff: dt.time | None = attrs.field(default=None, validator=_check_cutoff)
    daily_capacity: int | None = attrs.field(default=None, validator=v.optional(v.int_at_least(0)))

    @classmethod
    def every_day(
        cls,
        timezone: str,
        open: dt.time,
        close: dt.time,
        **fields: Any,
    ) -> NodeCalendar:
        """The same hours on all seven weekdays; other fields as keywords."""
        return cls(timezone=timezone, opening=((open, close),) * 7, **fields)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The time zone, from the system or the ``tzdata`` package (cached by zoneinfo)."""
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def processing_minutes(self) -> int:
        """``processing`` in whole minutes."""
        return self.processing // dt.timedelta(minutes=1)

    def hours_on(self, day: dt.date) -> Hours | None:
        """The local hours of operating day ``day``, None when closed."""
        if day in self.closed_dates:
            return None
        return self.opening[day.weekday()]

    def interval(self, day: dt.date) -> tuple[int, int] | None:
        """Operating day ``day``'s hours as instants ``[open, close)`` in minutes since
        the epoch, before the overlap rule of the module docstring; None if closed."""
        hours = self.hours_on(day)
        if hours is None:
            return None
        start, end = hours
        zone = self.zone
        closes_on = day if end > start else day + dt.timedelta(days=1)
        return local_minute(day, start, zone), local_minute(closes_on, end, zone)

    def cutoff_minute(self, day: dt.date) -> int | None:
        """The instant the carrier collects on open operating day ``day``: ``cutoff``
        on that date, or on the next one for hours past midnight when ``cutoff`` is
        before the opening; the closing instant without a ``cutoff``. None if closed."""
        hours = self.hours_on(day)
        if hours is None:
            return None
        if self.cutoff is None:
            found = self.interval(day)
            assert found is not None
            return found[1]
        start, end = hours
        after_midnight = end <= start and self.cutoff < start
        on = day + dt.timedelta(days=1) if after_midnight else day
        return local_minute(on, self.cutoff, self.zone)


def _check_weekdays(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if (
        not isinstance(value, frozenset)
        or not value
        or not all(type(day) is int and 0 <= day <= 6 for day in value)
    ):
        raise InvalidInputError(
            attribute.name, f"must be a non-empty set of weekdays 0-6 (Monday = 0), got {value!r}"
        )


def weekdays_field() -> Any:
    """The ``delivery_weekdays`` field of a cost model."""
    return attrs.field(default=MONDAY_TO_SATURDAY, converter=_to_dates, validator=_check_weekdays)


@attrs.frozen(kw_only=True)
class TransitBand:
    """Carrier delivery days for shipments up to ``max_km`` (inclusive, at most 1e12).

    ``days`` (0 to 365) are counted in the carrier's delivery weekdays after the
    day of dispatch; 0 delivers the day of dispatch.
    """

    max_km: float = attrs.field(converter=v.to_float, validator=v.finite_at_least(0.0))
    days: int = attrs.field(validator=v.int_at_least(0, MAX_TRANSIT_DAYS))


def _check_bands(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    v.tuple_of(TransitBand)(_, attribute, value)
    for index in range(1, len(value)):  # type: ignore[arg-type]
        if value[index].max_km <= value[index - 1].max_km:  # type: ignore[index]
            raise InvalidInputError(
                f"{attribute.name}[{index}].max_km",
                "bands must be in ascending max_km, each farther than the one before",
            )


def transit_field() -> Any:
    """The ``transit`` field of a rate card."""
    return attrs.field(default=(), converter=v.to_tuple, validator=_check_bands)

"""Carrier rate tables as merchants keep them: one row per zone x weight step.

A table has three columns, ``zone_max_km``, ``weight_max_kg`` and ``price``: the
distance band's inclusive upper bound (km), the weight step's inclusive upper bound
(kg of billable weight) and the price of one parcel in that cell (currency; empty in
CSV, null in JSON, for no price). Every zone needs a row for every weight step, and
no cell may appear twice. An optional fourth column, ``transit_days``, gives the
zone's delivery days after dispatch (an int, the same on every row of a zone, on
every row or none). The rest of a :class:`CarrierService` (its name, service
level, surcharges, divisor, limits) is not in the table and is given as keywords.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Literal, TextIO

import attrs

from .._domain import validators as v
from .._domain.calendar import MAX_TRANSIT_DAYS
from .._domain.carriers import MAX_STEPS, CarrierService
from .._domain.catalogue import MAX_WEIGHT_KG
from .._domain.enums import ServiceLevel
from .._errors import InvalidInputError, Problem

__all__ = ["RATE_TABLE_COLUMNS", "read_rate_table", "write_rate_table"]

RATE_TABLE_COLUMNS = ("zone_max_km", "weight_max_kg", "price")
"""The columns of a rate table, in the order :func:`write_rate_table` writes them."""
TRANSIT_COLUMN = "transit_days"
"""The optional column of each zone's transit days, written last when the service has
them."""
_KNOWN = (*RATE_TABLE_COLUMNS, TRANSIT_COLUMN)

MAX_PROBLEMS = 100
"""The most problems one error lists; a last line then says how many more there were."""

Format = Literal["csv", "json"]

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
"""A plain decimal number: no thousands separators, underscores, ``nan`` or ``inf``."""
_SUFFIXES: Mapping[str, Format] = {".csv": "csv", ".json": "json"}

_Cell = tuple[float, float]
"""A table cell: (zone upper bound in km, weight step upper bound in kg)."""


@attrs.frozen
class _Bound:
    """What one numeric column holds: a finite number in [low, high], or above low."""

    low: float
    high: float
    above_low: bool

    def describe(self) -> str:
        sign = ">" if self.above_low else ">="
        return f"must be a finite number {sign} {self.low:g}"

    def problem(self, value: float) -> str | None:
        if not math.isfinite(value) or value < self.low or (self.above_low and value == self.low):
            return self.describe()
        if value > self.high:
            return f"must be at most {self.high:g}"
        return None


_BOUNDS: Mapping[str, _Bound] = {
    "zone_max_km": _Bound(0.0, v.MAX_AMOUNT, above_low=False),
    "weight_max_kg": _Bound(0.0, MAX_WEIGHT_KG, above_low=True),
    "price": _Bound(0.0, v.MAX_AMOUNT, above_low=False),
}


class _Problems:
    """The problems found so far, at most ``MAX_PROBLEMS`` kept, the others counted."""

    def __init__(self) -> None:
        self.kept: list[Problem] = []
        self.more = 0

    def add(self, path: str, problem: str) -> None:
        if len(self.kept) < MAX_PROBLEMS:
            self.kept.append((path, problem))
        else:
            self.more += 1

    def raise_any(self, label: str) -> None:
        if not self.kept:
            return
        found = list(self.kept)
        if self.more:
            found.append((label, f"and {self.more} more problem(s) not listed"))
        raise InvalidInputError.collect(found)


def read_rate_table(
    source: str | os.PathLike[str] | TextIO,
    *,
    name: str,
    service_level: ServiceLevel,
    format: Format | None = None,
    per_kg_beyond: float | None = None,
    dim_divisor_cm3_per_kg: float = 5000.0,
    max_parcel_kg: float = 31.5,
    max_parcel_cm: float | None = None,
    fuel_surcharge: float = 0.0,
    per_parcel_surcharge: float = 0.0,
    max_km: float | None = None,
) -> CarrierService:
    """Read a carrier's zone x weight table (CSV or JSON) into a :class:`CarrierService`.

    ``source`` is a path or a text stream. A CSV table has a header naming the
    columns ``zone_max_km`` (km), ``weight_max_kg`` (kg) and ``price`` (currency per
    parcel; empty: the carrier has no price for that cell), in any order, and one row
    per zone x weight step::

        zone_max_km,weight_max_kg,price
        150,2,4.90
        150,5,6.50
        600,2,5.90
        600,5,

    A JSON table is a list of such rows as objects
    (``{"zone_max_km": 150, "weight_max_kg": 2, "price": 4.9}``, ``price`` null for
    none). A ``transit_days`` column (CSV) or key (JSON), on every row or none, gives
    each zone's delivery days after dispatch (an int from 0 to 365, the same on every
    row of the zone): the service's ``transit_days``; without it they are None.
    ``format`` is ``"csv"`` or ``"json"``; None takes it from a path's suffix
    (``.csv`` or ``.json``), and a stream is read as CSV. Paths are read as UTF-8 (a
    leading byte order mark is skipped).

    The zones and weight steps are the distinct values of their columns, ascending.
    The other keywords are the :class:`CarrierService` fields of the same names and
    defaults: ``per_kg_beyond`` (currency per started kg above the last step; None:
    too heavy), ``dim_divisor_cm3_per_kg`` (cm³ per kg), ``max_parcel_kg`` (kg),
    ``max_parcel_cm`` (cm, longest side), ``fuel_surcharge`` (a fraction of the table
    price), ``per_parcel_surcharge`` (currency) and ``max_km`` (km).

    Raises :class:`InvalidInputError` listing every problem of the file (up to 100),
    each with a path ``FILE:LINE: column`` (lines 1-based, the header is line 1), e.g.
    ``rates.csv:17: price: must be a finite number >= 0, got 'abc'``: unknown,
    missing or repeated columns, rows of the wrong length, cells that are not plain
    decimal numbers in range, a zone x step cell given twice or missing, more than
    1,000 zones or steps. JSON rows are numbered by the line their object starts on.
    A bad keyword is reported by :class:`CarrierService` under its own name.
    """
    label, text = _read_source(source)
    kind = _format_of(source, format, label)
    problems = _Problems()
    csv_text = kind == "csv"
    rows = _csv_rows(text, label, problems) if csv_text else _json_rows(text, label, problems)
    table = _table(rows, label, problems, text=csv_text)
    problems.raise_any(label)
    assert table is not None  # no problems: the rows made a table
    zones, steps, prices, transit = table
    return CarrierService(
        name=name,
        service_level=service_level,
        zones=zones,
        weight_steps_kg=steps,
        prices=prices,
        per_kg_beyond=per_kg_beyond,
        dim_divisor_cm3_per_kg=dim_divisor_cm3_per_kg,
        max_parcel_kg=max_parcel_kg,
        max_parcel_cm=max_parcel_cm,
        fuel_surcharge=fuel_surcharge,
        per_parcel_surcharge=per_parcel_surcharge,
        max_km=max_km,
        transit_days=transit,
    )


def write_rate_table(
    service: CarrierService,
    target: str | os.PathLike[str] | TextIO,
    *,
    format: Format | None = None,
) -> None:
    """Write ``service``'s zone x weight table to ``target`` (a path or a text stream).

    One row per zone x weight step, zone by zone, steps ascending, in the columns of
    ``RATE_TABLE_COLUMNS`` (then ``transit_days`` when the service has them); a cell
    without a price has an empty ``price`` (CSV) or
    null (JSON). Numbers are written exactly (whole numbers without a decimal point,
    others in Python's shortest round-trip form), so :func:`read_rate_table` with the
    service's other fields as keywords gives back an equal service. Only the table
    (and its transit days) is written: name, service level, surcharges and limits
    are not. ``format`` as
    for :func:`read_rate_table` (a stream gets CSV unless ``"json"``).
    """
    if not isinstance(service, CarrierService):
        raise InvalidInputError("service", f"must be CarrierService, got {type(service).__name__}")
    label = _label(target)
    kind = _format_of(target, format, label)
    text = _csv_text(service) if kind == "csv" else _json_text(service)
    if isinstance(target, (str, os.PathLike)):
        Path(target).write_text(text, encoding="utf-8", newline="")
    else:
        target.write(text)


# -- sources, formats ----------------------------------------------------------------------


def _label(source: object) -> str:
    """The file name errors start with: the path as given, a stream's ``name``, or
    ``<stream>``."""
    if isinstance(source, (str, os.PathLike)):
        return os.fsdecode(source)
    name = getattr(source, "name", None)
    return name if isinstance(name, str) and name else "<stream>"


def _read_source(source: object) -> tuple[str, str]:
    """The label and the text of ``source``."""
    label = _label(source)
    if isinstance(source, (str, os.PathLike)):
        try:
            with open(source, encoding="utf-8-sig", newline="") as stream:
                return label, stream.read()
        except OSError as error:
            raise InvalidInputError(label, f"cannot read the file: {error.strerror}") from None
        except UnicodeDecodeError as error:
            raise InvalidInputError(label, f"is not UTF-8 text: {error.reason}") from None
    read = getattr(source, "read", None)
    if not callable(read):
        raise InvalidInputError(
            "source", f"must be a path or a text stream, got {type(source).__name__}"
        )
    text = read()
    if not isinstance(text, str):
        raise InvalidInputError(label, "must be a text stream (open the file in text mode)")
    return label, text.removeprefix("\ufeff")


def _format_of(source: object, format: object, label: str) -> Format:
    if format is not None:
        if format not in ("csv", "json"):
            raise InvalidInputError("format", f"must be 'csv', 'json' or None, got {format!r}")
        return format
    if not isinstance(source, (str, os.PathLike)):
        return "csv"
    suffix = Path(source).suffix.lower()
    if suffix not in _SUFFIXES:
        raise InvalidInputError(
            label, f"must end in .csv or .json (or pass format='csv' or 'json'), got {suffix!r}"
        )
    return _SUFFIXES[suffix]


# -- rows: (line, column -> raw cell) -------------------------------------------------------

_Row = tuple[int, dict[str, object]]
"""A row of the table: its line, and each column's raw value (text in CSV; in JSON
whatever the file holds)."""


def _csv_rows(text: str, label: str, problems: _Problems) -> Iterator[_Row]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            problems.add(f"{label}:1", f"must start with a header: {','.join(RATE_TABLE_COLUMNS)}")
            return
        columns = [cell.strip() for cell in header]
        if not _check_columns(columns, f"{label}:1", problems):
            return
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue  # blank lines (a trailing one, a spreadsheet's ",,") hold no cell
            if len(row) != len(columns):
                problems.add(
                    f"{label}:{line}",
                    f"must have {len(columns)} cells like the header, got {len(row)}",
                )
                continue
            yield line, dict(zip(columns, row, strict=True))
    except csv.Error as error:
        problems.add(f"{label}:{reader.line_num}", f"is not valid CSV: {error}")


def _check_columns(columns: list[str], path: str, problems: _Problems) -> bool:
    """Whether the header names each column once and nothing else (problems added)."""
    ok = True
    seen: set[str] = set()
    for column in columns:
        if column not in _KNOWN:
            problems.add(
                f"{path}: {column}" if column else path,
                f"unknown column {column!r}; the columns are {', '.join(RATE_TABLE_COLUMNS)} "
                f"and optionally {TRANSIT_COLUMN}",
            )
            ok = False
        elif column in seen:
            problems.add(f"{path}: {column}", "column given twice")
            ok = False
        seen.add(column)
    for column in RATE_TABLE_COLUMNS:
        if column not in seen:
            problems.add(f"{path}: {column}", "required column missing")
            ok = False
    return ok


def _json_rows(text: str, label: str, problems: _Problems) -> Iterator[_Row]:
    """The rows of a JSON list, each numbered by the line its value starts on."""
    decoder = json.JSONDecoder(object_pairs_hook=_pairs, parse_constant=_constant)
    at = _skip_space(text, 0)
    if at >= len(text) or text[at] != "[":
        problems.add(f"{label}:{_line(text, at)}", "must be a JSON list of row objects")
        return
    at = _skip_space(text, at + 1)
    first = True
    while True:
        if at < len(text) and text[at] == "]" and first:
            at += 1
            break
        line = _line(text, at)
        try:
            value, at = decoder.raw_decode(text, at)
        except _DuplicateKeyError as error:
            problems.add(f"{label}:{line}: {error.key}", "key given twice in one row")
            return
        except json.JSONDecodeError as error:
            problems.add(f"{label}:{error.lineno}", f"is not valid JSON: {error.msg}")
            return
        yield from _json_row(value, line, label, problems)
        first = False
        at = _skip_space(text, at)
        if at < len(text) and text[at] == ",":
            at = _skip_space(text, at + 1)
            continue
        if at < len(text) and text[at] == "]":
            at += 1
            break
        problems.add(f"{label}:{_line(text, at)}", "is not valid JSON: expecting ',' or ']'")
        return
    if _skip_space(text, at) < len(text):
        problems.add(f"{label}:{_line(text, _skip_space(text, at))}", "extra data after the list")


def _json_row(value: object, line: int, label: str, problems: _Problems) -> Iterator[_Row]:
    if not isinstance(value, dict):
        problems.add(f"{label}:{line}", f"must be a row object, got {_shown(value)}")
        return
    # A row with a wrong key still has its other cells checked: one pass finds all.
    _check_columns(list(value), f"{label}:{line}", problems)
    yield line, {key: cell for key, cell in value.items() if key in _KNOWN}


class _DuplicateKeyError(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _pairs(pairs: list[tuple[str, object]]) -> dict[str, object]:
    found: dict[str, object] = {}
    for key, value in pairs:
        if key in found:
            raise _DuplicateKeyError(key)
        found[key] = value
    return found


def _constant(name: str) -> float:
    """``NaN``, ``Infinity`` and ``-Infinity`` are not JSON: read them as non-finite,
    which every column refuses with its own message."""
    return math.nan if name == "NaN" else (math.inf if name == "Infinity" else -math.inf)


def _skip_space(text: str, at: int) -> int:
    while at < len(text) and text[at] in " \t\n\r":
        at += 1
    return at


def _line(text: str, at: int) -> int:
    return text.count("\n", 0, at) + 1


# -- cells to a table ---------------------------------------------------------------------


def _number(raw: object, column: str, *, text: bool) -> float | str | None:
    """The number in a cell, None for a price of none, or the problem (a str).

    ``text``: the cell is CSV text; otherwise a JSON value, where a number must be a
    JSON number and null is the price of none."""
    bound = _BOUNDS[column]
    if text:
        cell = str(raw).strip()
        if not cell and column == "price":
            return None
        if not _NUMBER.fullmatch(cell):
            return f"{bound.describe()}, got {_shown(raw)}"
        value = float(cell)
    elif raw is None and column == "price":
        return None
    elif v.is_finite(raw) or isinstance(raw, float):
        value = float(raw)  # type: ignore[arg-type]
    else:
        return f"{bound.describe()} (a JSON number), got {_shown(raw)}"
    problem = bound.problem(value)
    return value if problem is None else f"{problem}, got {_shown(raw)}"


_DAYS = f"must be a whole number of days from 0 to {MAX_TRANSIT_DAYS}"


def _days(raw: object, *, text: bool) -> int | str:
    """The transit days in a cell, or the problem (a str)."""
    if text:
        cell = str(raw).strip()
        if cell.isascii() and cell.isdigit() and int(cell) <= MAX_TRANSIT_DAYS:
            return int(cell)
    elif type(raw) is int and 0 <= raw <= MAX_TRANSIT_DAYS:
        return raw
    return f"{_DAYS}, got {_shown(raw)}"


def _shown(raw: object) -> str:
    text = repr(raw)
    return text if len(text) <= 40 else text[:37] + "..."


_Table = tuple[list[float], list[float], list[list[float | None]], tuple[int, ...] | None]
"""Zones, weight steps, prices and each zone's transit days (None: no such column)."""


def _table(rows: Iterator[_Row], label: str, problems: _Problems, *, text: bool) -> _Table | None:
    """The zones, weight steps, prices and transit days of ``rows`` (None when they
    have problems)."""
    cells: dict[_Cell, tuple[int, float | None]] = {}
    zones: set[float] = set()
    steps: set[float] = set()
    transit = _Transit()
    for line, row in rows:
        read: dict[str, float | None] = {}
        for column in RATE_TABLE_COLUMNS:
            if column not in row:
                continue  # a JSON row without it, reported with the row's keys
            value = _number(row[column], column, text=text)
            if isinstance(value, str):
                problems.add(f"{label}:{line}: {column}", value)
            else:
                read[column] = value
        zone, step = read.get("zone_max_km"), read.get("weight_max_kg")
        transit.read(row, line, zone, label, problems, text=text)
        if zone is None or step is None:
            continue
        if (zone, step) in cells:
            problems.add(
                f"{label}:{line}",
                f"zone_max_km {zone:g}, weight_max_kg {step:g} is given twice: "
                f"first on line {cells[zone, step][0]}",
            )
            continue
        cells[zone, step] = (line, read.get("price"))
        zones.add(zone)
        steps.add(step)
    for column, found in (("zone_max_km", zones), ("weight_max_kg", steps)):
        if len(found) > MAX_STEPS:
            problems.add(label, f"has {len(found)} distinct {column}, at most {MAX_STEPS}")
    if problems.kept:
        return None
    if not cells:
        problems.add(label, "has no rows: a table needs at least one zone x weight step")
        return None
    ordered_zones, ordered_steps = sorted(zones), sorted(steps)
    prices: list[list[float | None]] = []
    for zone in ordered_zones:
        prices.append([])
        for step in ordered_steps:
            cell = cells.get((zone, step))
            if cell is None:
                problems.add(
                    label,
                    f"has no row for zone_max_km {zone:g}, weight_max_kg {step:g}: every zone "
                    "needs a row per weight step (an empty price for none)",
                )
                continue
            prices[-1].append(cell[1])
    if problems.kept:
        return None
    return ordered_zones, ordered_steps, prices, transit.by_zone(ordered_zones)


class _Transit:
    """The ``transit_days`` of the rows read so far: each zone's, and which rows had
    the column (every row or none must)."""

    def __init__(self) -> None:
        self.days: dict[float, tuple[int, int]] = {}
        """Each zone's days, and the line that gave them first."""
        self.with_column: int | None = None
        self.without_column: int | None = None
        """The first line with, and without, the column."""

    def read(
        self,
        row: Mapping[str, object],
        line: int,
        zone: float | None,
        label: str,
        problems: _Problems,
        *,
        text: bool,
    ) -> None:
        """Check the row's transit days (problems added) and keep its zone's."""
        if TRANSIT_COLUMN not in row:
            self.without_column = self.without_column or line
            if self.with_column is not None and self.without_column == line:
                problems.add(
                    f"{label}:{line}: {TRANSIT_COLUMN}",
                    f"missing: line {self.with_column} gives it, so every row must",
                )
            return
        self.with_column = self.with_column or line
        if self.without_column is not None and self.with_column == line:
            problems.add(
                f"{label}:{line}: {TRANSIT_COLUMN}",
                f"given here but not on line {self.without_column}: give it on every row or none",
            )
        days = _days(row[TRANSIT_COLUMN], text=text)
        if isinstance(days, str):
            problems.add(f"{label}:{line}: {TRANSIT_COLUMN}", days)
            return
        if zone is None:
            return
        first = self.days.setdefault(zone, (days, line))
        if first[0] != days:
            problems.add(
                f"{label}:{line}: {TRANSIT_COLUMN}",
                f"zone_max_km {zone:g} has {first[0]} transit day(s) on line {first[1]}: "
                f"every row of a zone gives the same, got {days}",
            )

    def by_zone(self, zones: list[float]) -> tuple[int, ...] | None:
        """Each zone's days, ascending zones; None when no row has the column."""
        if self.with_column is None:
            return None
        return tuple(self.days[zone][0] for zone in zones)


# -- writing ----------------------------------------------------------------------------


def _text(value: float | None) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _columns(service: CarrierService) -> tuple[str, ...]:
    return RATE_TABLE_COLUMNS if service.transit_days is None else _KNOWN


def _cells(service: CarrierService) -> Iterator[tuple[float | int | None, ...]]:
    """Each row's cells, in the columns of :func:`_columns`."""
    transit = service.transit_days
    for index, (zone, row) in enumerate(zip(service.zones, service.prices, strict=True)):
        for step, price in zip(service.weight_steps_kg, row, strict=True):
            yield (zone, step, price) if transit is None else (zone, step, price, transit[index])


def _csv_text(service: CarrierService) -> str:
    lines = [",".join(_columns(service))]
    lines.extend(",".join(_text(cell) for cell in cells) for cells in _cells(service))
    return "\n".join(lines) + "\n"


def _json_text(service: CarrierService) -> str:
    columns = _columns(service)
    rows = ("  " + json.dumps(dict(zip(columns, cells, strict=True))) for cells in _cells(service))
    return "[\n" + ",\n".join(rows) + "\n]\n"

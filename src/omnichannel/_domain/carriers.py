"""Carrier services: parcel prices by zone and billable weight, and the parcels they carry."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from .._errors import InvalidInputError
from . import validators as v
from .calendar import MAX_TRANSIT_DAYS, aware
from .catalogue import MAX_SIDE_CM, MAX_WEIGHT_KG
from .enums import ServiceLevel
from .orders import OrderLine

MAX_STEPS = 1000
"""The most zones, or weight steps, one carrier service may have."""
MAX_FUEL_SURCHARGE = 10.0
"""The largest fuel surcharge (a fraction of the table price: 10 = +1,000%)."""


def _floats(value: object) -> object:
    converted = v.to_tuple(value)
    if isinstance(converted, tuple):
        return tuple(v.to_float(item) for item in converted)
    return converted


def _ascending(low: float, high: float, *, above_low: bool) -> v.Validator:
    """A tuple of 1 to ``MAX_STEPS`` finite numbers, each above the one before, in
    (low, high] when ``above_low`` else [low, high]."""

    def check(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, tuple) or not 1 <= len(value) <= MAX_STEPS:
            raise InvalidInputError(
                attribute.name, f"must be a sequence of 1 to {MAX_STEPS} numbers, got {value!r}"
            )
        for index, item in enumerate(value):
            path = f"{attribute.name}[{index}]"
            if not v.is_finite(item) or not (low < item if above_low else low <= item) <= high:
                bounds = f"({low:g}, {high:g}]" if above_low else f"[{low:g}, {high:g}]"
                raise InvalidInputError(path, f"must be a finite number in {bounds}, got {item!r}")
            if index and item <= value[index - 1]:
                raise InvalidInputError(path, "must be above the one before (ascending)")

    return check


def _to_prices(value: object) -> object:
    rows = v.to_tuple(value)
    if not isinstance(rows, tuple):
        return rows
    return tuple(
        tuple(v.to_float(price) for price in row) if isinstance(row, (list, tuple)) else row
        for row in rows
    )


def _positive(maximum: float) -> v.Validator:
    def check(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not v.is_finite(value) or not 0.0 < value <= maximum:  # type: ignore[operator]
            raise InvalidInputError(
                attribute.name, f"must be a finite number in (0, {maximum:g}], got {value!r}"
            )

    return check


@attrs.frozen(kw_only=True)
class CarrierService:
    """One carrier's service for one service level, priced per parcel by zone and weight.

    ``zones`` are ascending distance bands (km from the node to the hand-over
    point, inclusive upper bounds), numbered in order; a node farther than the last
    zone, or than ``max_km`` (km, None: no limit of its own), cannot use this service.
    ``weight_steps_kg`` are ascending upper bounds (kg) of billable weight, and
    ``prices[zone][step]`` the price of one parcel (currency), None where the
    carrier has no price (a parcel of that step cannot go to that zone).
    A parcel's billable weight is the greater of its weight and its volume divided
    by ``dim_divisor_cm3_per_kg`` (cm³ per kg, 5,000 by default), rounded up to the
    next step. Above the last step it costs the last step's price plus
    ``per_kg_beyond`` (currency) for every started kg beyond that step; None means
    the service cannot carry it. The table price (including that part) is raised
    by ``fuel_surcharge`` (a fraction, 0 to 10) and then ``per_parcel_surcharge``
    (currency) is added. The service takes no unit heavier than ``max_parcel_kg``
    (kg) or, when ``max_parcel_cm`` is given and the unit's dimensions are known,
    longer than that on its longest side (cm). Prices and surcharges are at most
    1e12 each.

    ``transit_days[zone]`` are the delivery days after dispatch (0 to 365, counted in
    ``CostModel.delivery_weekdays``) of a parcel sent to that zone, one per zone; they
    replace the level's rate card ``transit`` bands for this service's parcels. None
    (the default): the rate card's bands date its parcels. A SAME_DAY service
    delivers the day it dispatches, so its transit days can only be 0.
    """

    name: str = attrs.field(validator=v.non_empty_str)
    service_level: ServiceLevel = attrs.field(validator=v.instance_of(ServiceLevel))
    zones: tuple[float, ...] = attrs.field(
        converter=_floats, validator=_ascending(0.0, v.MAX_AMOUNT, above_low=False)
    )
    weight_steps_kg: tuple[float, ...] = attrs.field(
        converter=_floats, validator=_ascending(0.0, MAX_WEIGHT_KG, above_low=True)
    )
    prices: tuple[tuple[float | None, ...], ...] = attrs.field(converter=_to_prices)
    per_kg_beyond: float | None = attrs.field(
        default=None, converter=v.to_float, validator=v.optional(v.finite_at_least(0.0))
    )
    dim_divisor_cm3_per_kg: float = attrs.field(
        default=5000.0, converter=v.to_float, validator=_positive(v.MAX_AMOUNT)
    )
    max_parcel_kg: float = attrs.field(
        default=31.5, converter=v.to_float, validator=_positive(MAX_WEIGHT_KG)
    )
    max_parcel_cm: float | None = attrs.field(
        default=None, converter=v.to_float, validator=v.optional(_positive(MAX_SIDE_CM))
    )
    fuel_surcharge: float = attrs.field(
        default=0.0, converter=v.to_float, validator=v.finite_in_range(0.0, MAX_FUEL_SURCHARGE)
    )
    per_parcel_surcharge: float = attrs.field(
        default=0.0, converter=v.to_float, validator=v.finite_at_least(0.0)
    )
    max_km: float | None = attrs.field(
        default=None, converter=v.to_float, validator=v.optional(v.finite_at_least(0.0))
    )
    transit_days: tuple[int, ...] | None = attrs.field(
        default=None,
        converter=v.to_tuple,
        validator=v.optional(v.ints_between(0, MAX_TRANSIT_DAYS)),
    )

    def __attrs_post_init__(self) -> None:
        _check_table(self)
        _check_transit(self)

    @property
    def reach_km(self) -> float:
        """The farthest distance (km) the service delivers: its last zone, or less."""
        last = self.zones[-1]
        return last if self.max_km is None else min(last, self.max_km)


def _check_table(service: CarrierService) -> None:
    prices, zones, steps = service.prices, len(service.zones), len(service.weight_steps_kg)
    if not isinstance(prices, tuple) or len(prices) != zones:
        raise InvalidInputError(
            "prices", f"must hold one row per zone ({zones}), got {_length(prices)}"
        )
    for z, row in enumerate(prices):
        if not isinstance(row, tuple) or len(row) != steps:
            raise InvalidInputError(
                f"prices[{z}]", f"must hold one price per weight step ({steps}), got {_length(row)}"
            )
        for s, price in enumerate(row):
            if price is not None and not (v.is_finite(price) and 0.0 <= price <= v.MAX_AMOUNT):
                raise InvalidInputError(
                    f"prices[{z}][{s}]",
                    f"must be None (no price) or a finite number in [0, 1e12], got {price!r}",
                )


def _check_transit(service: CarrierService) -> None:
    days, zones = service.transit_days, len(service.zones)
    if days is None:
        return
    if len(days) != zones:
        raise InvalidInputError(
            "transit_days", f"must hold one count of days per zone ({zones}), got {len(days)}"
        )
    if service.service_level is ServiceLevel.SAME_DAY:
        for zone, count in enumerate(days):
            if count:
                raise InvalidInputError(
                    f"transit_days[{zone}]",
                    f"must be 0 for a SAME_DAY service (it delivers the day it dispatches), "
                    f"got {count}",
                )


def _length(value: object) -> str:
    return f"{len(value)} item(s)" if isinstance(value, tuple) else repr(value)


@attrs.frozen(kw_only=True)
class Parcel:
    """One parcel of a shipment: the carrier service that takes it (its ``name``),
    its weight and billable weight (kg), the units in it (as lines: sku and
    quantity), and its price (currency, surcharges included)."""

    carrier: str = attrs.field(validator=v.non_empty_str)
    weight_kg: float = attrs.field(validator=v.fast_finite_at_least(0.0, v.MAX_DECISION_AMOUNT))
    billable_kg: float = attrs.field(validator=v.fast_finite_at_least(0.0, v.MAX_DECISION_AMOUNT))
    units: tuple[OrderLine, ...] = attrs.field(
        converter=v.to_tuple, validator=v.fast_tuple_of(OrderLine, min_size=1)
    )
    cost: float = attrs.field(validator=v.fast_finite_at_least(0.0, v.MAX_DECISION_AMOUNT))


@attrs.frozen(kw_only=True)
class CarrierQuote:
    """What one carrier service would charge for one parcel: ``cost`` (currency,
    surcharges included) and the ``billable_kg`` it bills, both None when the
    service does not take the parcel from there; with ``now``, ``delivered_by``, when
    the parcel would be delivered with it (None without ``now``, or where it does not
    take the parcel)."""

    carrier: str = attrs.field(validator=v.non_empty_str)
    cost: float | None = attrs.field(
        validator=v.optional(v.fast_finite_at_least(0.0, v.MAX_DECISION_AMOUNT))
    )
    billable_kg: float | None = attrs.field(
        validator=v.optional(v.fast_finite_at_least(0.0, v.MAX_DECISION_AMOUNT))
    )
    delivered_by: dt.datetime | None = attrs.field(default=None, validator=aware)


@attrs.frozen(kw_only=True)
class ParcelQuotes:
    """One parcel of a shipment (its units as lines, its weight in kg) and the quote
    of every carrier service of the order's level, in ``CostModel.carriers`` order;
    the parcel goes with the cheapest (ties: the first)."""

    units: tuple[OrderLine, ...] = attrs.field(
        converter=v.to_tuple, validator=v.tuple_of(OrderLine, min_size=1)
    )
    weight_kg: float = attrs.field(validator=v.fast_finite_at_least(0.0, v.MAX_DECISION_AMOUNT))
    quotes: tuple[CarrierQuote, ...] = attrs.field(
        converter=v.to_tuple, validator=v.tuple_of(CarrierQuote, min_size=1)
    )

"""The cost formulas of a shipment; every decision prices shipments through these."""

from __future__ import annotations

from typing import TypeVar

from .._types import FloatArray

Number = TypeVar("Number", float, FloatArray)


def shipping_cost(
    base: Number, per_km: Number, distance_km: Number, per_unit: Number, units: Number
) -> Number:
    """Carrier cost (currency): ``base + per_km * distance_km + per_unit * units``."""
    return base + per_km * distance_km + per_unit * units


def handling_cost(per_order: Number, per_unit: Number, units: Number) -> Number:
    """Node handling cost (currency): ``per_order + per_unit * units``."""
    return per_order + per_unit * units


def shipment_cost(shipping: Number, handling: Number) -> Number:
    """Total cost of a shipment (currency): carrier plus handling."""
    return shipping + handling

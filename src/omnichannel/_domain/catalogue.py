"""Products: what a unit of each SKU weighs and measures, and what it is worth."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs

from .._errors import InvalidInputError, UnknownReferenceError
from . import validators as v

MAX_WEIGHT_KG = 1e6
"""The heaviest unit a product may weigh (kg): a thousand tonnes."""
MAX_SIDE_CM = 1e5
"""The longest side a product may measure (cm): a kilometre."""


def _check_dimensions(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    if not isinstance(value, tuple) or len(value) != 3:
        raise InvalidInputError(
            attribute.name, f"must be (length, width, height) in cm, got {value!r}"
        )
    for index, side in enumerate(value):
        if not v.is_finite(side) or not 0.0 < side <= MAX_SIDE_CM:
            raise InvalidInputError(
                f"{attribute.name}[{index}]",
                f"must be a finite number of cm in (0, {MAX_SIDE_CM:g}], got {side!r}",
            )


def _to_dimensions(value: object) -> object:
    converted = v.to_tuple(value)
    if isinstance(converted, tuple):
        return tuple(v.to_float(side) for side in converted)
    return converted


@attrs.frozen(kw_only=True)
class Product:
    """One SKU as carriers see it.

    ``weight_kg`` is one unit's weight (kg, 0 to 1e6). ``dimensions_cm`` is one
    unit's (length, width, height) in cm, each in (0, 1e5], or None when unknown
    (the unit then bills by weight alone and fits any parcel). ``value`` is what one
    unit is worth (currency, at most 1e12). ``ship_alone`` units travel each in a
    parcel of their own (a sofa, a bicycle).
    """

    sku: str = attrs.field(validator=v.non_empty_str)
    weight_kg: float = attrs.field(
        converter=v.to_float, validator=v.finite_at_least(0.0, MAX_WEIGHT_KG)
    )
    dimensions_cm: tuple[float, ...] | None = attrs.field(
        default=None, converter=_to_dimensions, validator=_check_dimensions
    )
    value: float = attrs.field(default=0.0, converter=v.to_float, validator=v.finite_at_least(0.0))
    ship_alone: bool = attrs.field(default=False, validator=v.instance_of(bool))

    @property
    def volume_cm3(self) -> float:
        """One unit's volume (cm³), 0 when its dimensions are unknown."""
        if self.dimensions_cm is None:
            return 0.0
        length, width, height = self.dimensions_cm
        return length * width * height

    @property
    def longest_side_cm(self) -> float:
        """One unit's longest side (cm), 0 when its dimensions are unknown."""
        return 0.0 if self.dimensions_cm is None else max(self.dimensions_cm)


@attrs.frozen(kw_only=True)
class Catalogue:
    """The products of a network, one per SKU (duplicate SKUs are an error).

    With a catalogue on the network, every SKU an order asks for must be in it.
    """

    products: tuple[Product, ...] = attrs.field(
        converter=v.to_tuple, validator=v.tuple_unique_by(Product, "sku")
    )
    _by_sku: Mapping[str, Product] = attrs.field(init=False, eq=False, hash=False, repr=False)

    def __attrs_post_init__(self) -> None:
        by_sku = MappingProxyType({product.sku: product for product in self.products})
        object.__setattr__(self, "_by_sku", by_sku)

    def __getstate__(self) -> dict[str, Any]:
        return {"products": self.products}

    def __setstate__(self, state: dict[str, Any]) -> None:
        object.__setattr__(self, "products", state["products"])
        self.__attrs_post_init__()

    def __contains__(self, sku: object) -> bool:
        return sku in self._by_sku

    def product(self, sku: str) -> Product:
        """The product of ``sku``; :class:`UnknownReferenceError` if there is none."""
        try:
            return self._by_sku[sku]
        except (KeyError, TypeError):
            raise UnknownReferenceError("sku", f"unknown sku {sku!r}") from None

"""Stock positions and the moves that change them."""

from __future__ import annotations

import attrs

from .._errors import InvalidInputError
from . import validators as v


@attrs.frozen(kw_only=True)
class StockPosition:
    """Units of one SKU at one node.

    ``on_hand`` units are physically there; ``reserved`` of them are promised to
    orders (``reserved <= on_hand``); ``safety_stock`` units are held back from
    channels that respect it; ``in_transit`` units are on their way in. Each count
    is at most 10**12.
    """

    node_id: str = attrs.field(validator=v.non_empty_str)
    sku: str = attrs.field(validator=v.non_empty_str)
    on_hand: int = attrs.field(validator=v.int_at_least(0))
    reserved: int = attrs.field(default=0, validator=v.int_at_least(0))
    safety_stock: int = attrs.field(default=0, validator=v.int_at_least(0))
    in_transit: int = attrs.field(default=0, validator=v.int_at_least(0))

    def __attrs_post_init__(self) -> None:
        if self.reserved > self.on_hand:
            raise InvalidInputError(
                "reserved", f"must be <= on_hand ({self.on_hand}), got {self.reserved}"
            )


@attrs.frozen(kw_only=True)
class StockMove:
    """``quantity`` units (1 to 10**12) of one SKU at one node, the argument of inventory
    operations."""

    node_id: str = attrs.field(validator=v.non_empty_str)
    sku: str = attrs.field(validator=v.non_empty_str)
    quantity: int = attrs.field(validator=v.int_at_least(1))

"""Shipments that travel as one parcel, priced together: most of a day's shipments."""

from __future__ import annotations

import attrs
import numpy as np

from .._domain.carriers import Parcel
from .._domain.orders import OrderLine
from .._types import FloatArray, IntArray
from ._batch import OrderArrays
from ._parcel_window import quotes
from ._parcels import GRAMS_PER_KG


@attrs.frozen(kw_only=True, eq=False)
class OneParcel:
    """Quotes of shipments whose units fit in one parcel, shape (n_shipments,) each;
    a shipment that does not (several parcels, a unit alone, no service for the
    packed parcel), or that carriers do not price, has ``who`` -1."""

    cents: FloatArray
    """Price (hundredths of the currency)."""
    who: IntArray
    """The service (position among its level's services) that takes the parcel."""
    billed: FloatArray
    """Billable weight (kg)."""
    grams: FloatArray
    """Weight (g)."""
    level: IntArray
    """Service level (position in ``LEVELS``)."""

    def parcel(self, arrays: OrderArrays, index: int, lines: tuple[OrderLine, ...]) -> Parcel:
        """The one parcel of shipment ``index`` (``who`` >= 0), holding ``lines``."""
        tables = arrays.carrier_tables[int(self.level[index])]
        assert tables is not None
        return Parcel(
            carrier=tables.services[int(self.who[index])].name,
            weight_kg=float(self.grams[index]) / GRAMS_PER_KG,
            billable_kg=float(self.billed[index]),
            units=lines,
            cost=float(self.cents[index]) / 100,
        )


def one_parcel(
    arrays: OrderArrays,
    rows: IntArray,
    km: FloatArray,
    sku: IntArray,
    units: IntArray,
    owner: IntArray,
) -> OneParcel:
    """Quotes of shipments of orders ``rows`` over ``km`` (each shape (n,)) whose lines
    are SKUs ``sku`` (positions in ``arrays.skus``) of ``units`` each, belonging to
    shipment ``owner`` (each shape (n_lines,))."""
    n = rows.size
    level = arrays.level[rows]
    cents, who, billed = np.full(n, np.inf), np.full(n, -1, np.int64), np.zeros(n)
    priced = arrays.parcel_priced[rows]
    if not priced.any():
        return OneParcel(cents=cents, who=who, billed=billed, grams=np.zeros(n), level=level)
    items = arrays.parcel_item_arrays
    weight = units.astype(np.float64)
    grams = np.asarray(
        np.bincount(owner, weights=items.grams[sku] * weight, minlength=n), dtype=np.float64
    )
    volume = np.bincount(owner, weights=items.volume[sku] * weight, minlength=n)
    alone = np.bincount(owner, weights=items.alone[sku], minlength=n) > 0
    side = np.zeros(n)
    np.maximum.at(side, owner, items.side[sku])
    for code in np.unique(level[priced]).tolist():
        tables = arrays.carrier_tables[code]
        assert tables is not None
        one = np.flatnonzero(priced & (level == code) & (grams <= tables.pack_grams) & ~alone)
        found = quotes(
            tables,
            grams[one].astype(np.int64),
            volume[one].astype(np.int64),
            side[one],
            km[one][:, None],
        )
        cents[one], who[one], billed[one] = found[0][:, 0], found[1][:, 0], found[2][:, 0]
    return OneParcel(cents=cents, who=who, billed=billed, grams=grams, level=level)

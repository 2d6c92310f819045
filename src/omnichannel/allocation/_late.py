"""Why units only late nodes hold go unserved, worked out for a window of orders at
once: the reason the sequential rule gives each short line at its order's turn, and
what must still be true then for that reason to stand.

The rule (``_resolve.split_order`` and ``refused_whole``) gives a line it leaves short
NO_CAPACITY when a late node (one only the time rules keep out) holds a unit of it but
has no shipment left, else TOO_LATE when a late node holds a unit, else OUT_OF_STOCK.
For a strategy that reads no state, late nodes stay late, stock and shipments only
shrink, and a node without shipments keeps its units, so NO_CAPACITY and
OUT_OF_STOCK found on the window's starting state stand at any later turn; TOO_LATE
stands while one of those late nodes still holds a unit and every late node holding
one still has a shipment left. Those are the checks.
"""

from __future__ import annotations

import attrs
import numpy as np

from .._core.runs import between
from .._domain.decisions import UnfulfilledReason
from .._types import BoolArray, FloatArray, IntArray

REASONS = (
    UnfulfilledReason.OUT_OF_STOCK,
    UnfulfilledReason.NO_CAPACITY,
    UnfulfilledReason.TOO_LATE,
)
"""Reasons a short line gets from the late nodes, by code (position)."""
_OUT_OF_STOCK, _NO_CAPACITY, _TOO_LATE = range(3)


@attrs.frozen(kw_only=True, eq=False)
class LateReasons:
    """The reasons of a window's short lines, and the checks that keep them."""

    reason: IntArray
    """Code in ``REASONS`` of each line of the window, for its units left short (0,
    OUT_OF_STOCK, for lines of orders not worked out here), shape (n_lines,)."""
    unit_order: IntArray
    """Window position of the order of each units check, ascending."""
    unit_key: IntArray
    """(SKU, node) position each units check reads, as ``sku * n_nodes + node``: a late
    node must still hold a unit there."""
    unit_plane: IntArray
    """Plane of ``StockState.spare`` each units check reads."""
    ship_order: IntArray
    """Window position of the order of each shipments check, ascending."""
    ship_node: IntArray
    """Canonical node each shipments check reads: it must still have a shipment left."""

    @classmethod
    def make(
        cls,
        lines: tuple[IntArray, IntArray, IntArray, BoolArray],
        late: BoolArray,
        available: IntArray,
        capacity_left: FloatArray,
    ) -> LateReasons:
        """Reasons and checks for the window's ``lines`` (order position, SKU row and
        plane of each line, and whether it is left short by a plan worked out here),
        from the nodes only the time rules keep out of each order (``late``, orders x
        nodes), the ``available`` units per line and node, and the shipments each node
        has left (``capacity_left``, ``inf`` unlimited), all on the window's state."""
        owner, sku, plane, short = lines
        n_nodes = available.shape[1]
        reason = np.zeros(owner.size, dtype=np.int64)
        at = np.flatnonzero(short)
        holder = late[owner[at]] & (available[at] >= 1)
        full = (holder & (capacity_left < 1)[None, :]).any(axis=1)
        found = np.where(full, _NO_CAPACITY, np.where(holder.any(axis=1), _TOO_LATE, _OUT_OF_STOCK))
        reason[at] = found
        too_late = found == _TOO_LATE
        at, holder = at[too_late], holder[too_late]
        # One late node holding a unit is enough for TOO_LATE: check the one holding most.
        most = np.argmax(np.where(holder, available[at], -1), axis=1)
        line, node = np.nonzero(holder & np.isfinite(capacity_left)[None, :])
        return cls(
            reason=reason,
            unit_order=owner[at],
            unit_key=sku[at] * n_nodes + most,
            unit_plane=plane[at],
            ship_order=owner[at[line]],
            ship_node=node,
        )

    def units(self, start: int, stop: int) -> slice:
        """The units checks of orders ``start:stop``."""
        return between(self.unit_order, start, stop)

    def shipments(self, start: int, stop: int) -> slice:
        """The shipments checks of orders ``start:stop``."""
        return between(self.ship_order, start, stop)

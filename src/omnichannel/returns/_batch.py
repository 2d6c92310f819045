"""Returned lines as arrays, and the batches return strategies score."""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

import attrs
import numpy as np

from .._core.costs import shipping_cost
from .._core.geo import chord_distance_km, unit_vectors
from .._domain.demand import DemandRates
from .._domain.dispositions import ROUTED, DispositionTable
from .._domain.enums import Capability, Disposition, NodeKind, ReturnCondition, ServiceLevel
from .._domain.inventory import Inventory
from .._domain.network import NODE_KINDS, Network, NodeArrays, RateCard
from .._domain.returns import ReturnLine, ReturnRequest
from .._types import BoolArray, FloatArray, IntArray, read_only
from ..sourcing._batch import node_units

CONDITIONS: tuple[ReturnCondition, ...] = tuple(ReturnCondition)
"""Condition positions used in the arrays."""

RETURN_SERVICE_LEVEL = ServiceLevel.STANDARD
"""Returned units travel by the network's STANDARD rate card."""

_NEEDS = {
    Disposition.RESTOCK: Capability.RESTOCK,
    Disposition.REFURBISH: Capability.REFURBISH,
}
"""Capability a destination needs per disposition; the others go to DCs."""


def destination_accepts(disposition: Disposition, kind: NodeKind, flags: Capability) -> bool:
    """Whether an active node of ``kind`` with ``flags`` may take units as ``disposition``:
    RESTOCK and REFURBISH need that capability, the others need a DC."""
    needs = _NEEDS.get(disposition)
    return kind is NodeKind.DC if needs is None else needs in flags


def _destinations(network: Network) -> BoolArray:
    """Shape (n_routed, n_nodes): nodes that may take units as each routed disposition;
    once per network (read-only)."""
    nodes = network.arrays
    accepts = np.array(
        [
            [
                bool(active)
                and destination_accepts(disposition, NODE_KINDS[kind], Capability(flags))
                for kind, flags, active in zip(
                    nodes.kind.tolist(),
                    nodes.capabilities.tolist(),
                    nodes.active.tolist(),
                    strict=True,
                )
            ]
            for disposition in ROUTED
        ],
        dtype=np.bool_,
    ).reshape(len(ROUTED), nodes.n_nodes)
    return read_only(accepts)


@attrs.frozen(kw_only=True, eq=False)
class ReturnArrays:
    """Every returned line of a call as arrays, in request and line order.

    Nodes are canonical positions in ``network.arrays``; SKUs are positions
    in ``skus``.
    """

    requests: tuple[ReturnRequest, ...]
    network: Network
    card: RateCard
    """The rate card returned units travel by."""
    line_request: IntArray
    """Request of each line (position in ``requests``), shape (n_lines,)."""
    lines: tuple[ReturnLine, ...]
    """The returned lines themselves, shape (n_lines,)."""
    skus: tuple[str, ...]
    """Distinct SKUs returned."""
    line_sku: IntArray
    """SKU of each line (position in ``skus``), shape (n_lines,)."""
    quantity: IntArray
    """Units of each line, shape (n_lines,)."""
    unit_value: FloatArray
    """Value of one unit new (currency), shape (n_lines,)."""
    recovery_rate: FloatArray
    """Share of the value each routed disposition recovers, NaN where it is no option
    for the line's condition, shape (n_routed, n_lines)."""
    handling_per_unit: FloatArray
    """Handling cost per unit of each routed disposition (currency), shape (n_routed,)."""
    start_unit: FloatArray
    """Where each line starts (drop-off node or mail origin) as a unit vector, (3, n_lines)."""
    drop_off: IntArray
    """Canonical drop-off node of each line, -1 for mail, shape (n_lines,)."""
    node_unit: FloatArray
    """Canonical node locations as unit vectors, shape (3, n_nodes)."""
    destination_ok: BoolArray
    """Nodes that may take each routed disposition, shape (n_routed, n_nodes)."""
    available: IntArray
    """Units of each SKU remote channels may promise at each node (safety stock held
    back), shape (n_skus, n_nodes)."""
    demand: FloatArray
    """Units per day of each SKU at each node, shape (n_skus, n_nodes)."""

    @classmethod
    def build(
        cls,
        requests: Sequence[ReturnRequest],
        network: Network,
        inventory: Inventory,
        table: DispositionTable,
        demand: DemandRates | None,
    ) -> ReturnArrays:
        """The arrays of ``requests``, already checked against ``network``."""
        nodes = network.arrays
        lines = [line for request in requests for line in request.lines]
        line_request = np.repeat(
            np.arange(len(requests), dtype=np.int64), [len(r.lines) for r in requests]
        )
        sku_index: dict[str, int] = {}
        line_sku = np.array(
            [sku_index.setdefault(line.sku, len(sku_index)) for line in lines], np.int64
        )
        drop_off = np.array(
            [
                -1 if r.drop_off_node_id is None else network.node_index(r.drop_off_node_id)
                for r in requests
            ],
            np.int64,
        )[line_request]
        origin = [
            (0.0, 0.0) if r.origin is None else (r.origin.lat, r.origin.lon) for r in requests
        ]
        at_node = drop_off >= 0
        lat = np.array([origin[r][0] for r in line_request.tolist()], np.float64)
        lon = np.array([origin[r][1] for r in line_request.tolist()], np.float64)
        lat[at_node] = nodes.lat_deg[drop_off[at_node]]
        lon[at_node] = nodes.lon_deg[drop_off[at_node]]
        rates = np.array(
            [
                [math.nan if (r := table.rate(c, d)) is None else r for c in CONDITIONS]
                for d in ROUTED
            ],
            np.float64,
        ).reshape(len(ROUTED), len(CONDITIONS))
        condition = np.array([CONDITIONS.index(line.condition) for line in lines], np.int64)
        skus = tuple(sku_index)
        stock = inventory.dense(skus, nodes.ids)
        rates_per_day = (
            np.zeros((len(skus), nodes.n_nodes))
            if demand is None
            else demand.dense(skus, nodes.ids)
        )
        return cls(
            requests=tuple(requests),
            network=network,
            card=network.costs.rates[RETURN_SERVICE_LEVEL],
            line_request=line_request,
            lines=tuple(lines),
            skus=skus,
            line_sku=line_sku,
            quantity=np.array([line.quantity for line in lines], np.int64),
            unit_value=np.array([line.unit_value for line in lines], np.float64),
            recovery_rate=rates[:, condition],
            handling_per_unit=np.array([table.handling.get(d, 0.0) for d in ROUTED], np.float64),
            start_unit=unit_vectors(lat, lon),
            drop_off=drop_off,
            node_unit=network.derived(node_units),
            destination_ok=network.derived(_destinations),
            available=np.maximum(stock.on_hand - stock.reserved - stock.safety_stock, 0),
            demand=rates_per_day,
        )

    @property
    def n_lines(self) -> int:
        """Returned lines in the call."""
        return int(self.quantity.size)


class ReturnBatch:
    """A slice of returned lines to score against every node, as every routed disposition.

    Axes: dispositions (``dispositions``, the order that breaks ties), lines of
    the batch, nodes in canonical order (``nodes.ids``). Money is currency for
    the whole line. Everything is computed on first use and cached.
    """

    dispositions: tuple[Disposition, ...] = ROUTED

    def __init__(self, arrays: ReturnArrays, rows: slice) -> None:
        self._arrays = arrays
        self.rows = rows
        """The batch's lines: a slice of the call's lines."""

    @property
    def nodes(self) -> NodeArrays:
        """The network's node arrays, canonical order."""
        return self._arrays.network.arrays

    @property
    def lines(self) -> tuple[ReturnLine, ...]:
        """The batch's returned lines."""
        return self._arrays.lines[self.rows]

    @property
    def return_ids(self) -> list[str]:
        """The id of the request each line belongs to."""
        requests = self._arrays.requests
        return [requests[r].id for r in self._arrays.line_request[self.rows].tolist()]

    @property
    def n_lines(self) -> int:
        """Lines in the batch."""
        return int(self.quantity.size)

    @property
    def n_nodes(self) -> int:
        """Nodes in the network."""
        return self.nodes.n_nodes

    @property
    def n_dispositions(self) -> int:
        """Routed dispositions scored."""
        return len(self.dispositions)

    @property
    def quantity(self) -> IntArray:
        """Units of each line, shape (n_lines,)."""
        return self._arrays.quantity[self.rows]

    @property
    def unit_value(self) -> FloatArray:
        """Value of one unit new (currency), shape (n_lines,)."""
        return self._arrays.unit_value[self.rows]

    @functools.cached_property
    def distance_km(self) -> FloatArray:
        """Km from where each line starts to each node, shape (n_lines, n_nodes)."""
        a = self._arrays
        return chord_distance_km(a.start_unit[:, self.rows, None], a.node_unit[:, None, :])

    @functools.cached_property
    def at_drop_off(self) -> BoolArray:
        """Whether the node is where the line was dropped off, shape (n_lines, n_nodes)."""
        return np.asarray(self._arrays.drop_off[self.rows, None] == np.arange(self.n_nodes))

    @functools.cached_property
    def transport_cost(self) -> FloatArray:
        """Carrier cost to bring the line to each node, 0 where it already is,
        shape (n_lines, n_nodes)."""
        card = self._arrays.card
        cost = shipping_cost(
            np.full((self.n_lines, 1), card.base),
            np.full((self.n_lines, 1), card.per_km),
            self.distance_km,
            np.full((self.n_lines, 1), card.per_unit),
            self.quantity.astype(np.float64)[:, None],
        )
        cost[self.at_drop_off] = 0.0
        return cost

    @functools.cached_property
    def handling_cost(self) -> FloatArray:
        """Handling of each line as each disposition, shape (n_dispositions, n_lines)."""
        return np.asarray(
            self._arrays.handling_per_unit[:, None] * self.quantity.astype(np.float64)[None, :]
        )

    @functools.cached_property
    def recovery_rate(self) -> FloatArray:
        """Share of value recovered, NaN where no option, shape (n_dispositions, n_lines)."""
        return self._arrays.recovery_rate[:, self.rows]

    @functools.cached_property
    def recovered_value(self) -> FloatArray:
        """Value each disposition recovers from the line, 0 where it is no option,
        shape (n_dispositions, n_lines)."""
        value = self.recovery_rate * self.unit_value[None, :] * self.quantity[None, :]
        return np.where(np.isnan(value), 0.0, value)

    @functools.cached_property
    def net_value(self) -> FloatArray:
        """Recovered value minus transport and handling,
        shape (n_dispositions, n_lines, n_nodes)."""
        return np.asarray(
            self.recovered_value[:, :, None]
            - self.transport_cost[None, :, :]
            - self.handling_cost[:, :, None]
        )

    @functools.cached_property
    def eligible(self) -> BoolArray:
        """The hard rules: the disposition is an option for the line's condition, the
        node may take it, and it is within the rate card's ``max_km`` (or is the
        drop-off node), shape (n_dispositions, n_lines, n_nodes)."""
        max_km = math.inf if self._arrays.card.max_km is None else self._arrays.card.max_km
        near = self.at_drop_off | (self.distance_km <= max_km)
        option = ~np.isnan(self.recovery_rate)
        return np.asarray(
            option[:, :, None] & self._arrays.destination_ok[:, None, :] & near[None, :, :]
        )

    @functools.cached_property
    def available(self) -> IntArray:
        """Units of each line's SKU remote channels may promise at each node,
        shape (n_lines, n_nodes)."""
        return self._arrays.available[self._arrays.line_sku[self.rows]]

    @functools.cached_property
    def demand_per_day(self) -> FloatArray:
        """Units per day of each line's SKU sold at each node, shape (n_lines, n_nodes)."""
        return self._arrays.demand[self._arrays.line_sku[self.rows]]

"""Between simulated days: stores restocked from DCs, DCs from suppliers, and the
walk-in sales that drain store shelves."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import attrs
import numpy as np

from .._core.geo import distance_km
from .._domain import validators as v
from .._domain.demand import DemandRates
from .._domain.enums import ChannelKind, NodeKind
from .._domain.inventory import Inventory
from .._domain.network import Channel, Network
from .._domain.stock import StockMove
from .._types import IntArray

_RESTOCKED = frozenset({NodeKind.STORE, NodeKind.DARK_STORE})
Shelf = Mapping[tuple[str, str], int]
"""Per ``(node_id, sku)`` position, the units its record counts that the shelf does
not hold (positions not named hold what the record says)."""
_TILL = Channel(id="walk_in", kind=ChannelKind.STORE, respects_safety_stock=False)
"""Walk-in customers take what is on the shelf, safety stock included."""


@attrs.frozen(kw_only=True)
class Replenishment:
    """How stock moves between simulated days (a world setting of
    :meth:`Scenario.generate`).

    At the end of each day every store and dark-store position with a demand rate
    orders up to ``ceil(cover_days x rate)`` units, counting what it has on hand
    and not reserved plus what is already on its way; its nearest DC sends what it
    can spare (on hand, not reserved, above its safety stock), at most
    ``dc_units_per_day`` units a day over all its stores, nearest store first (an
    inactive DC sends nothing and orders nothing); the
    units travel ``lead_days`` days (``in_transit`` meanwhile) and arrive at the
    start of that day. Each DC then orders from its supplier up to the larger of
    its opening stock and ``dc_cover_days`` times the mean units a day that left
    each of its positions so far (to customers and stores), counting its own units
    on the way; they arrive ``supplier_lead_days`` days later (the supplier has no
    limit).
    """

    cover_days: float = attrs.field(
        default=3.0, converter=v.to_float, validator=v.finite_at_least(0.0, 1_000.0)
    )
    """Days of demand a store or dark store orders up to (0 to 1,000)."""
    lead_days: int = attrs.field(default=1, validator=v.int_at_least(1, 1_000))
    """Days from a DC's dispatch to the store's receipt (1 to 1,000)."""
    dc_units_per_day: int | None = attrs.field(
        default=None, validator=v.optional(v.int_at_least(0))
    )
    """Most units each DC sends to stores a day (None: no limit)."""
    supplier_lead_days: int = attrs.field(default=3, validator=v.int_at_least(1, 1_000))
    """Days from a DC's reorder to its receipt (1 to 1,000)."""
    dc_cover_days: float = attrs.field(
        default=7.0, converter=v.to_float, validator=v.finite_at_least(0.0, 1_000.0)
    )
    """Days of its own outflow a DC orders up to (0 to 1,000)."""
    cost_per_unit: float = attrs.field(
        default=0.15, converter=v.to_float, validator=v.finite_at_least(0.0)
    )
    """Currency per unit sent from a DC to a store."""
    cost_per_transfer: float = attrs.field(
        default=4.0, converter=v.to_float, validator=v.finite_at_least(0.0)
    )
    """Currency per (DC, store) truck a day that carries any units."""


@attrs.frozen(kw_only=True)
class DayMoves:
    """What replenishment did at one day's end."""

    units: int
    """Units sent from DCs to stores and dark stores."""
    cost: float
    """Their transfer cost, currency."""
    reordered: int = 0
    """Units the DCs ordered from their suppliers."""


class Replenisher:
    """Runs a :class:`Replenishment` over the days of one simulation: which DC serves
    each store, and the units still on their way, by day of arrival."""

    def __init__(
        self, policy: Replenishment, network: Network, demand: DemandRates, start: Inventory
    ) -> None:
        self.policy = policy
        dcs = [n for n in network.nodes if n.kind is NodeKind.DC and n.active]
        self.dc_ids = [n.id for n in dcs]
        self.arriving: dict[int, list[StockMove]] = {}
        """Day -> moves announced with ``expect``, received at that day's start."""
        restocked = {n.id: n for n in network.nodes if n.kind in _RESTOCKED}
        targets = sorted(
            (key, rate) for key, rate in demand.items() if rate > 0 and key[0] in restocked
        )
        self.stores = _Positions([key for key, _ in targets])
        """Every restocked position, in (node id, sku) order."""
        self.target = np.array(
            [math.ceil(policy.cover_days * rate) for _, rate in targets], dtype=np.int64
        )
        """Order-up-to units of each restocked position."""
        self.dc_of = np.zeros(len(targets), dtype=np.int64)
        """The DC (a position in ``dc_ids``) that serves each restocked position."""
        self.km = np.zeros(len(targets), dtype=np.float64)
        """Km from that DC to the position's node."""
        if dcs and targets:
            dc_lat = np.array([n.location.lat for n in dcs])
            dc_lon = np.array([n.location.lon for n in dcs])
            nearest = {}
            for node_id, node in restocked.items():
                km = distance_km(node.location.lat, node.location.lon, dc_lat, dc_lon)
                nearest[node_id] = (int(np.argmin(km)), float(np.min(km)))
            for row, ((node_id, _), _) in enumerate(targets):
                self.dc_of[row], self.km[row] = nearest[node_id]
        columns = start.columns()
        dc_set = set(self.dc_ids)
        is_dc = np.array([node_id in dc_set for node_id in start.node_ids], dtype=np.bool_)
        at_dc = np.flatnonzero(is_dc[columns.node]) if is_dc.size else np.array([], np.int64)
        self.dcs = _Positions(
            [(start.node_ids[columns.node[r]], start.skus[columns.sku[r]]) for r in at_dc.tolist()]
        )
        """Every DC position of the opening stock."""
        self.base_stock = columns.on_hand[at_dc].astype(np.int64)
        """Each DC position's opening on-hand units: the least it orders up to."""
        self.dc_on_hand = self.base_stock.copy()
        """Each DC position's units on hand after the last restock (or at the start)."""
        self.dc_outflow = np.zeros(self.base_stock.size, dtype=np.int64)
        """Units that left each DC position since the start."""
        self.dc_arrived = np.zeros(self.base_stock.size, dtype=np.int64)
        """Units received at each DC position since the last restock."""
        self.dc_row = {pair: row for row, pair in enumerate(self.dcs.pairs)}

    def arrive(self, day: int, inventory: Inventory) -> Inventory:
        """``inventory`` with the units due on ``day`` received from transit."""
        moves = self.arriving.pop(day, [])
        for move in moves:
            row = self.dc_row.get((move.node_id, move.sku))
            if row is not None:
                self.dc_arrived[row] += move.quantity
        return inventory.receive(moves, from_transit=True) if moves else inventory

    def restock(
        self, day: int, inventory: Inventory, missing: Shelf | None = None
    ) -> tuple[Inventory, DayMoves]:
        """Send the day-end transfers and supplier orders of ``day``; ``missing``: the
        units the records count and the shelf does not hold (a DC sends real units)."""
        sent: list[StockMove] = []
        out: list[StockMove] = []
        trucks: set[tuple[int, str]] = set()
        if self.dc_ids and self.stores.pairs:
            sent, out, trucks = self._transfers(inventory, missing)
        if out:
            inventory = inventory.reserve(out).fulfil(out).expect(sent)
            self._due(day + self.policy.lead_days, sent)
        inventory, reordered = self._reorder(day, inventory)
        units = sum(m.quantity for m in sent)
        cost = units * self.policy.cost_per_unit + len(trucks) * self.policy.cost_per_transfer
        return inventory, DayMoves(units=units, cost=cost, reordered=reordered)

    def _transfers(
        self, inventory: Inventory, missing: Shelf | None
    ) -> tuple[list[StockMove], list[StockMove], set[tuple[int, str]]]:
        """The units each DC sends: moves into the stores, the same out of the DCs, and
        the (DC, store) trucks that carry them."""
        on_hand, reserved, _, in_transit = self.stores.counts(inventory)
        need = self.target - (on_hand - reserved + in_transit)
        dc_hand, dc_reserved, dc_safety, _ = self.dcs.counts(inventory)
        spare = {
            pair: int(units)
            for pair, units in zip(
                self.dcs.pairs,
                np.maximum(
                    dc_hand - dc_reserved - dc_safety - self.dcs.missing(missing), 0
                ).tolist(),
                strict=True,
            )
        }
        limit = self.policy.dc_units_per_day
        budget = [math.inf if limit is None else float(limit)] * len(self.dc_ids)
        short = np.flatnonzero(need > 0)
        # Nearest store first, then node id and sku: a reproducible order.
        short = short[np.argsort(self.km[short], kind="stable")]
        sent, out, trucks = [], [], set()
        for row in short.tolist():
            node_id, sku = self.stores.pairs[row]
            dc = int(self.dc_of[row])
            source = (self.dc_ids[dc], sku)
            units = int(min(int(need[row]), spare.get(source, 0), budget[dc]))
            if units <= 0:
                continue
            spare[source] -= units
            budget[dc] -= units
            trucks.add((dc, node_id))
            sent.append(StockMove(node_id=node_id, sku=sku, quantity=units))
            out.append(StockMove(node_id=source[0], sku=sku, quantity=units))
        return sent, out, trucks

    def _reorder(self, day: int, inventory: Inventory) -> tuple[Inventory, int]:
        """Each DC's supplier order for what it is below its order-up-to level: the
        stock with the orders on their way, and their units."""
        on_hand, _, _, in_transit = self.dcs.counts(inventory)
        # What left since the last restock: units on hand then, plus arrivals, minus
        # units on hand now (returns restocked at a DC count against it).
        self.dc_outflow += self.dc_on_hand + self.dc_arrived - on_hand
        self.dc_on_hand, self.dc_arrived[:] = on_hand, 0
        rate = self.dc_outflow / (day + 1)
        level = np.maximum(self.base_stock, np.ceil(self.policy.dc_cover_days * rate))
        below = level.astype(np.int64) - (on_hand + in_transit)
        orders = [
            StockMove(node_id=node_id, sku=sku, quantity=units)
            for (node_id, sku), units in zip(self.dcs.pairs, below.tolist(), strict=True)
            if units > 0
        ]
        if not orders:
            return inventory, 0
        self._due(day + self.policy.supplier_lead_days, orders)
        return inventory.expect(orders), sum(move.quantity for move in orders)

    def _due(self, day: int, moves: Sequence[StockMove]) -> None:
        self.arriving.setdefault(day, []).extend(moves)


class _Positions:
    """A fixed list of ``(node_id, sku)`` stock positions, read from snapshots in bulk."""

    def __init__(self, pairs: Sequence[tuple[str, str]]) -> None:
        self.pairs = list(pairs)
        self._node_ids = [node_id for node_id, _ in self.pairs]
        self._skus = [sku for _, sku in self.pairs]

    def missing(self, missing: Shelf | None) -> IntArray:
        """The units of each position the records count and the shelf does not hold."""
        if not missing:
            return np.zeros(len(self.pairs), dtype=np.int64)
        return np.array([missing.get(pair, 0) for pair in self.pairs], dtype=np.int64)

    def counts(self, inventory: Inventory) -> tuple[IntArray, IntArray, IntArray, IntArray]:
        """On hand, reserved, safety stock and in transit of each position in
        ``inventory`` (0 where it has none), in the order of ``pairs``."""
        on_hand, reserved, safety, in_transit = inventory.counts(self._node_ids, self._skus)
        return on_hand, reserved, safety, in_transit


@attrs.frozen(kw_only=True)
class WalkInSales:
    """Walk-in sales of one wave at the stores."""

    sold: int
    """Units sold off the shelf."""
    lost: int
    """Units walk-in customers wanted and could not buy."""


class WalkIn:
    """Walk-in customers at the stores: each store position with a demand rate sells,
    each wave, a Poisson draw of ``share x rate`` units from what it has on hand and
    not reserved (a walk-in customer may take a unit held as safety stock)."""

    def __init__(self, network: Network, demand: DemandRates, share: float) -> None:
        stores = {n.id for n in network.nodes if n.kind is NodeKind.STORE}
        rates = sorted((key, rate) for key, rate in demand.items() if key[0] in stores)
        self.positions = _Positions([key for key, _ in rates])
        self.mean = share * np.array([rate for _, rate in rates], dtype=np.float64)
        """Units wanted per wave at each position, on average."""

    def sell(
        self, inventory: Inventory, rng: np.random.Generator, missing: Shelf | None = None
    ) -> tuple[Inventory, WalkInSales]:
        """One wave's walk-in sales on ``inventory``; ``missing``: the units the records
        count and the shelf does not hold (a customer buys only what is there)."""
        wanted: IntArray = rng.poisson(self.mean)
        on_hand, reserved, _, _ = self.positions.counts(inventory)
        free = np.maximum(on_hand - reserved - self.positions.missing(missing), 0)
        sold = np.minimum(wanted, free)
        moves = [
            StockMove(node_id=node_id, sku=sku, quantity=units)
            for (node_id, sku), units in zip(self.positions.pairs, sold.tolist(), strict=True)
            if units > 0
        ]
        if moves:
            inventory = inventory.reserve(moves, channel=_TILL).fulfil(moves)
        return inventory, WalkInSales(sold=int(sold.sum()), lost=int((wanted - sold).sum()))

"""A user-defined sourcing strategy: carbon-aware sourcing that passes the conformance kit.

Each node kind ships with a different vehicle mix, so a kilometre from a DC (line
haul plus parcel van) emits less per parcel than one from a store (car courier).
The strategy charges a carbon price per kg of CO2 on top of the money cost, so
the engine picks the cheapest node once emissions are priced in.

    python examples/custom_strategy.py
"""

from __future__ import annotations

from typing import final

import attrs
import numpy as np

from omnichannel import NodeKind, allocate
from omnichannel.simulation import Scenario
from omnichannel.sourcing import LowestCost, SourcingBatch, StateUse
from omnichannel.testing.conformance import check_sourcing

KG_CO2_PER_KM = {
    NodeKind.DC: 0.12,
    NodeKind.STORE: 0.25,
    NodeKind.DARK_STORE: 0.18,
    NodeKind.DROP_SHIP: 0.15,
    NodeKind.PICKUP_POINT: 0.25,
}
"""Kg of CO2 per km of one parcel's trip, by the kind of node it leaves from."""


@final
@attrs.frozen(kw_only=True)
class CarbonAware:
    """Money cost (carrier + handling) plus ``price_per_kg`` (currency) per kg of CO2."""

    price_per_kg: float = 0.2

    @property
    def state_use(self) -> StateUse:
        """Reads neither stock nor capacity: costs depend on distance and node only."""
        return StateUse(0)

    def costs(self, batch: SourcingBatch, /) -> np.ndarray:
        """Currency per (order, node); the engine's hard rules apply on top."""
        emissions = batch.distance_km * batch.nodes.by_kind(KG_CO2_PER_KM)[None, :]
        return np.asarray(batch.shipping_cost + batch.handling_cost + self.price_per_kg * emissions)


def main() -> None:
    strategy = CarbonAware(price_per_kg=0.5)
    check_sourcing(strategy)  # raises AssertionError, naming the check, if the contract breaks
    day = Scenario.generate(n_nodes=60, n_skus=800, n_orders=3_000, rng=21)
    for name, sourcing in (("lowest cost", LowestCost()), ("carbon aware", strategy)):
        result = allocate(day.orders, day.network, day.inventory, sourcing=sourcing)
        shipments = [s for a in result.allocations for s in a.shipments]
        kinds = {node.id: node.kind for node in day.network.nodes}
        kg = sum(s.distance_km * KG_CO2_PER_KM[kinds[s.node_id]] for s in shipments)
        print(
            f"{name:>12}: cost {result.total_cost:10,.0f}  CO2 {kg:8,.0f} kg  "
            f"fill {result.fill_rate:.1%}  shipments {len(shipments):,}"
        )


if __name__ == "__main__":
    main()

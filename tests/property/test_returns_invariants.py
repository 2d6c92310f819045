"""What holds for every return routing, whatever the strategy: the hard rules, units
conserved, nothing changed in the input, the same answer twice."""

import math
from collections import Counter

import attrs
import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import omnichannel as oc
from omnichannel.returns import (
    LowestReturnCost,
    NearestReturnNode,
    ReturnBatch,
    ReturnStrategy,
    ValueRecovery,
)
from omnichannel.returns._batch import destination_accepts
from omnichannel.testing import strategies as oms


@attrs.frozen
class RandomScores:
    """A user strategy that scores at random (seeded) and forbids some options."""

    seed: int

    def costs(self, batch: ReturnBatch, /) -> np.ndarray:
        rng = np.random.default_rng(self.seed + batch.rows.start)
        shape = (batch.n_dispositions, batch.n_lines, batch.n_nodes)
        scores = rng.normal(size=shape)
        scores[rng.random(shape) < 0.2] = np.inf
        return scores


def haversine_km(a: oc.GeoPoint, b: oc.GeoPoint) -> float:
    """Great-circle km by the haversine formula, independent of the library's kernel."""
    phi_a, phi_b = math.radians(a.lat), math.radians(b.lat)
    h = (
        math.sin((phi_b - phi_a) / 2) ** 2
        + math.cos(phi_a) * math.cos(phi_b) * math.sin(math.radians(b.lon - a.lon) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


STRATEGIES = st.sampled_from(
    [NearestReturnNode(), LowestReturnCost(), ValueRecovery()]
) | st.builds(RandomScores, st.integers(0, 1000))


@given(
    scenario=oms.scenarios(max_orders=0, max_returns=8),
    strategy=STRATEGIES,
    table=st.none() | oms.disposition_tables(),
)
def test_every_route_keeps_the_hard_rules_and_every_unit_is_accounted_for(
    scenario: oms.Scenario, strategy: ReturnStrategy, table: oc.DispositionTable | None
) -> None:
    dispositions = table or oc.DispositionTable()
    network, before = scenario.network, scenario.inventory
    snapshot = before.positions()
    result = oc.route_returns(
        scenario.returns,
        network,
        before,
        strategy=strategy,
        demand=scenario.demand,
        dispositions=dispositions,
    )
    assert before.positions() == snapshot
    lines = [(r, line) for r in scenario.returns for line in r.lines]
    assert len(result.routes) == len(lines)
    on_hand: Counter[tuple[str, str]] = Counter()
    in_transit: Counter[tuple[str, str]] = Counter()
    card = network.costs.rates[oc.ServiceLevel.STANDARD]
    for route, (request, line) in zip(result.routes, lines, strict=True):
        assert (route.return_id, route.sku, route.quantity, route.condition) == (
            request.id,
            line.sku,
            line.quantity,
            line.condition,
        )
        if route.disposition is oc.Disposition.KEEP:
            assert route.node_id is None
            assert route.net_value == 0.0
            continue
        node = network.node(route.node_id)
        assert node.active
        assert destination_accepts(route.disposition, node.kind, node.capabilities)
        rate = dispositions.rate(line.condition, route.disposition)
        assert rate is not None
        assert math.isclose(route.recovered_value, rate * line.unit_value * line.quantity)
        assert route.net_value > 0
        at_drop_off = node.id == request.drop_off_node_id
        assert (route.transport_cost == 0.0) == at_drop_off
        if not at_drop_off and card.max_km is not None:
            start = request.origin or network.node(request.drop_off_node_id or "").location
            assert haversine_km(start, node.location) <= card.max_km + 1e-6
        if route.disposition is oc.Disposition.RESTOCK:
            (on_hand if at_drop_off else in_transit)[node.id, route.sku] += route.quantity
    after = {(p.node_id, p.sku): p for p in result.inventory.positions()}
    was = {(p.node_id, p.sku): p for p in snapshot}
    for key in set(after) | set(was):
        new = after[key]
        old = was.get(key, oc.StockPosition(node_id=key[0], sku=key[1], on_hand=0))
        assert new.on_hand - old.on_hand == on_hand[key]
        assert new.in_transit - old.in_transit == in_transit[key]
        assert (new.reserved, new.safety_stock) == (old.reserved, old.safety_stock)
    again = oc.route_returns(
        scenario.returns,
        network,
        before,
        strategy=strategy,
        demand=scenario.demand,
        dispositions=dispositions,
    )
    assert again == result

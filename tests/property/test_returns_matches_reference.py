"""Return routing gives exactly the reference's routes, for every built-in strategy."""

from hypothesis import given
from hypothesis import strategies as st

import omnichannel as oc
from omnichannel import reference
from omnichannel.returns import LowestReturnCost, NearestReturnNode, ReturnStrategy, ValueRecovery
from omnichannel.simulation import Scenario
from omnichannel.testing import strategies as oms

STRATEGIES = [
    NearestReturnNode(),
    LowestReturnCost(),
    ValueRecovery(),
    ValueRecovery(scarcity_weight=3.0, cover_days=2.0),
]


@given(
    scenario=oms.scenarios(max_orders=0, max_returns=8),
    strategy=st.sampled_from(STRATEGIES),
    table=st.none() | oms.disposition_tables(),
    with_demand=st.booleans(),
)
def test_engine_routes_every_line_as_the_reference_does(
    scenario: oms.Scenario,
    strategy: ReturnStrategy,
    table: oc.DispositionTable | None,
    with_demand: bool,
) -> None:
    options = {
        "strategy": strategy,
        "demand": scenario.demand if with_demand else None,
        "dispositions": table or oc.DispositionTable(),
    }
    fast = oc.route_returns(scenario.returns, scenario.network, scenario.inventory, **options)
    plain = reference.route_returns(
        scenario.returns, scenario.network, scenario.inventory, **options
    )
    assert fast.routes == plain.routes
    assert fast.inventory == plain.inventory


def test_identical_on_a_generated_day() -> None:
    day = Scenario.generate(n_nodes=40, n_skus=300, n_orders=3_000, rng=11)
    for strategy in STRATEGIES:
        fast = oc.route_returns(
            day.returns, day.network, day.inventory, strategy=strategy, demand=day.demand
        )
        plain = reference.route_returns(
            day.returns, day.network, day.inventory, strategy=strategy, demand=day.demand
        )
        assert fast == plain

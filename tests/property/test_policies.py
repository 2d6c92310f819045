"""The optimizing and rationing policies: bounded by the LP, no worse than greedy,
sparse models, fair shares; and a clear error without scipy."""

import sys

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import omnichannel as oc
from omnichannel import reference
from omnichannel.allocation import (
    BatchOptimal,
    DualPriceLookahead,
    FairShare,
    Sequential,
    lower_bound,
)
from omnichannel.allocation._model import build_model, solve
from omnichannel.allocation._wave import Wave
from omnichannel.simulation import Scenario
from omnichannel.sourcing import LowestCost
from omnichannel.testing import strategies as oms

PENALTY = 100.0
TOLERANCE = 1e-6


def penalized(scenario: oms.Scenario, policy: oc.allocation.AllocationPolicy) -> float:
    result = oc.allocate(scenario.orders, scenario.network, scenario.inventory, policy=policy)
    return result.penalized_cost(PENALTY)


@given(scenario=oms.scenarios(max_orders=25, scarce=True))
def test_batch_optimal_is_between_the_bound_and_the_greedy(scenario: oms.Scenario) -> None:
    bound = lower_bound(
        scenario.orders, scenario.network, scenario.inventory, unserved_penalty=PENALTY
    )
    optimal = penalized(scenario, BatchOptimal(mip_gap=0.0, unserved_penalty=PENALTY))
    pruned = penalized(scenario, BatchOptimal(mip_gap=0.0, nodes_per_order=2))
    greedy = penalized(scenario, Sequential())
    priced = penalized(scenario, DualPriceLookahead(unserved_penalty=PENALTY))
    priced_pruned = penalized(scenario, DualPriceLookahead(nodes_per_order=1))
    fair = penalized(scenario, FairShare())
    scale = max(1.0, abs(greedy))
    assert bound <= optimal + TOLERANCE * scale
    assert optimal <= greedy + TOLERANCE * scale
    assert optimal <= pruned + TOLERANCE * scale
    assert pruned <= greedy + TOLERANCE * scale
    assert bound <= priced + TOLERANCE * scale
    assert bound <= priced_pruned + TOLERANCE * scale
    assert bound <= fair + TOLERANCE * scale


@given(scenario=oms.scenarios(max_orders=25))
def test_the_model_is_sparse(scenario: oms.Scenario) -> None:
    wave, _ = Wave.prepare(
        scenario.orders, scenario.network, scenario.inventory, LowestCost(), None, None
    )
    for relaxed in (False, True):
        model = build_model(wave, PENALTY, relaxed=relaxed)
        n_variables = model.n_y + model.n_x + model.split_orders.size
        assert model.matrix.shape[1] == n_variables
        # Each unit variable sits in at most 4 rows (link, line, two stock planes) and
        # each pair in at most 4 (links counted with the units, capacity, single, credit).
        assert model.matrix.nnz <= 5 * model.n_x + 3 * model.n_pairs + model.split_orders.size
        assert model.n_pairs <= wave.arrays.n_orders * wave.arrays.network.arrays.n_nodes


@given(scenario=oms.scenarios(max_orders=25, scarce=True))
def test_the_relaxed_form_has_the_same_lp_optimum(scenario: oms.Scenario) -> None:
    """Folding single-line pairs' y into their unit variable changes no LP optimum."""
    wave, _ = Wave.prepare(
        scenario.orders, scenario.network, scenario.inventory, LowestCost(), None, None
    )
    full = solve(build_model(wave, PENALTY), relax=True)
    folded = solve(build_model(wave, PENALTY, relaxed=True), relax=True)
    assert full.found
    assert folded.found
    assert abs(full.objective - folded.objective) <= TOLERANCE * max(1.0, abs(full.objective))


ONE_DC = oc.Network(
    nodes=[
        oc.Node(
            id="dc",
            kind=oc.NodeKind.DC,
            location=oc.GeoPoint(lat=50.0, lon=10.0),
            capabilities=oc.Capability.SHIP,
        )
    ],
    channels=[
        oc.Channel(id="web", kind=oc.ChannelKind.WEB),
        oc.Channel(id="app", kind=oc.ChannelKind.MOBILE_APP),
        oc.Channel(id="partner", kind=oc.ChannelKind.PARTNER),
    ],
)


@given(
    supply=st.integers(0, 30),
    wanted=st.lists(st.sampled_from(["web", "app", "partner"]), max_size=40),
    weights=st.fixed_dictionaries({c: st.floats(0.1, 10.0) for c in ("web", "app", "partner")}),
)
def test_fair_share_gives_each_channel_its_share_of_a_short_sku(
    supply: int, wanted: list[str], weights: dict[str, float]
) -> None:
    here = oc.GeoPoint(lat=50.0, lon=10.0)
    orders = [
        oc.Order(
            id=f"o{i}",
            channel_id=channel,
            destination=here,
            lines=[oc.OrderLine(sku="A", quantity=1)],
        )
        for i, channel in enumerate(wanted)
    ]
    stock = oc.Inventory.from_positions([oc.StockPosition(node_id="dc", sku="A", on_hand=supply)])
    result = oc.allocate(orders, ONE_DC, stock, policy=FairShare(weights=weights))
    got = dict.fromkeys(weights, 0)
    for order, allocation in zip(orders, result.allocations, strict=True):
        got[order.channel_id] += allocation.units_allocated
    demand = {c: wanted.count(c) for c in weights}
    assert sum(got.values()) == min(supply, len(wanted))
    if supply < len(wanted):
        total = sum(weights[c] for c in weights if demand[c])
        for channel in weights:
            if demand[channel]:
                share = int(np.floor(supply * weights[channel] / total))
                assert got[channel] >= min(demand[channel], share)


@given(
    supply=st.dictionaries(st.sampled_from("AB"), st.integers(0, 5)),
    wanted=st.lists(
        st.tuples(
            st.sampled_from(["web", "app", "partner"]), st.sampled_from("AB"), st.integers(1, 2)
        ),
        max_size=12,
    ),
    weights=st.dictionaries(
        st.sampled_from(["web", "app", "partner"]), st.sampled_from([0.5, 1.0, 2.0])
    ),
    scale=st.sampled_from([1.0, 4 * 5e-324, 1e-300, 5e307]),
    listed=st.permutations(ONE_DC.channels),
)
def test_fair_share_does_not_depend_on_the_order_channels_are_listed(
    supply: dict[str, int],
    wanted: list[tuple[str, str, int]],
    weights: dict[str, float],
    scale: float,
    listed: list[oc.Channel],
) -> None:
    """Ties (frequent: few weights) go by channel id, not position; and weights of any
    magnitude (unnamed channels weigh 1.0) give the engine the reference's decisions."""
    here = oc.GeoPoint(lat=50.0, lon=10.0)
    orders = [
        oc.Order(
            id=f"o{i}",
            channel_id=channel,
            destination=here,
            lines=[oc.OrderLine(sku=sku, quantity=quantity)],
        )
        for i, (channel, sku, quantity) in enumerate(wanted)
    ]
    stock = oc.Inventory.from_positions(
        [oc.StockPosition(node_id="dc", sku=sku, on_hand=n) for sku, n in supply.items()]
    )
    shuffled = attrs.evolve(ONE_DC, channels=listed)
    policy = FairShare(weights={c: w * scale for c, w in weights.items()})
    results = [
        allocate(orders, network, stock, policy=policy)
        for allocate in (oc.allocate, reference.allocate)
        for network in (ONE_DC, shuffled)
    ]
    decisions = [
        [
            (a.order_id, a.unfulfilled, [(s.node_id, s.lines) for s in a.shipments])
            for a in r.allocations
        ]
        for r in results
    ]
    assert decisions[1:] == decisions[:1] * 3
    assert all(r.inventory == results[0].inventory for r in results)
    engine, permuted = results[:2]
    assert permuted.allocations == engine.allocations


def test_fair_share_on_a_readable_example() -> None:
    here = oc.GeoPoint(lat=50.0, lon=10.0)
    web = [
        oc.Order(
            id=f"w{i}",
            channel_id="web",
            destination=here,
            lines=[oc.OrderLine(sku="A", quantity=1)],
        )
        for i in range(20)
    ]
    app = [
        oc.Order(
            id=f"a{i}",
            channel_id="app",
            destination=here,
            lines=[oc.OrderLine(sku="A", quantity=1)],
        )
        for i in range(5)
    ]
    stock = oc.Inventory.from_positions([oc.StockPosition(node_id="dc", sku="A", on_hand=10)])

    def units(policy: oc.allocation.AllocationPolicy) -> tuple[int, int]:
        result = oc.allocate(web + app, ONE_DC, stock, policy=policy)
        served = [a.units_allocated for a in result.allocations]
        return sum(served[:20]), sum(served[20:])

    assert units(Sequential()) == (10, 0)  # the web's early orders take everything
    assert units(FairShare()) == (5, 5)
    assert units(FairShare(weights={"web": 3.0})) == (8, 2)  # 7.5 : 2.5, the odd unit to web


def test_a_time_limit_is_reported_in_the_notes() -> None:
    day = Scenario.generate(n_nodes=30, n_skus=200, n_orders=1_500, rng=1, stock_cover_days=1.0)
    result = oc.allocate(
        day.orders, day.network, day.inventory, policy=BatchOptimal(time_limit_s=0.0)
    )
    assert len(result.notes) == 1
    assert result.notes[0].startswith("BatchOptimal: the solver")


def test_without_scipy_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "scipy.optimize", None)
    scenario_orders: list[oc.Order] = []
    stock = oc.Inventory.from_positions([])
    with pytest.raises(oc.MissingDependencyError, match=r"omnichannel\[optimize\]"):
        oc.allocate(scenario_orders, ONE_DC, stock, policy=BatchOptimal())
    with pytest.raises(ImportError):
        lower_bound(scenario_orders, ONE_DC, stock)


def test_lower_bound_checks_its_penalty() -> None:
    with pytest.raises(oc.InvalidInputError, match="unserved_penalty: must be a finite number"):
        lower_bound([], ONE_DC, oc.Inventory.from_positions([]), unserved_penalty=-1.0)


def test_dual_price_keeps_a_whole_node_for_an_order_that_may_not_split() -> None:
    """The first order could ship from either DC and the near one is cheaper; the second
    may not split and only the near DC holds both its SKUs."""
    here = oc.GeoPoint(lat=50.0, lon=10.0)
    network = oc.Network(
        nodes=[
            oc.Node(id=node_id, kind=oc.NodeKind.DC, location=at, capabilities=oc.Capability.SHIP)
            for node_id, at in (("near", here), ("far", oc.GeoPoint(lat=51.0, lon=10.0)))
        ],
        channels=[oc.Channel(id="web", kind=oc.ChannelKind.WEB)],
    )
    stock = oc.Inventory.from_positions(
        [
            oc.StockPosition(node_id="near", sku="X", on_hand=1),
            oc.StockPosition(node_id="near", sku="Y", on_hand=1),
            oc.StockPosition(node_id="far", sku="X", on_hand=1),
        ]
    )
    orders = [
        oc.Order(
            id="flexible",
            channel_id="web",
            destination=here,
            lines=[oc.OrderLine(sku="X", quantity=1)],
        ),
        oc.Order(
            id="whole",
            channel_id="web",
            destination=here,
            lines=[oc.OrderLine(sku="X", quantity=1), oc.OrderLine(sku="Y", quantity=1)],
            allow_split=False,
        ),
    ]
    greedy = oc.allocate(orders, network, stock, policy=Sequential())
    assert [a.status for a in greedy.allocations] == [
        oc.AllocationStatus.FULFILLED,
        oc.AllocationStatus.UNFULFILLED,
    ]
    priced = oc.allocate(orders, network, stock, policy=DualPriceLookahead())
    assert [[s.node_id for s in a.shipments] for a in priced.allocations] == [["far"], ["near"]]


def test_dual_price_gives_a_contested_unit_to_the_order_the_lp_serves() -> None:
    """Two orders that may not split want the last unit; prices are the same for both,
    so Sequential's input order would decide, but the LP ships it to the order that
    costs less to serve and DualPriceLookahead keeps it for that order."""
    here = oc.GeoPoint(lat=50.0, lon=10.0)
    network = oc.Network(
        nodes=[
            oc.Node(id="dc", kind=oc.NodeKind.DC, location=here, capabilities=oc.Capability.SHIP)
        ],
        channels=[oc.Channel(id="web", kind=oc.ChannelKind.WEB)],
        costs=oc.CostModel(
            rates={
                oc.ServiceLevel.STANDARD: oc.RateCard(base=5.0, per_km=0.0),
                oc.ServiceLevel.EXPRESS: oc.RateCard(base=1.0, per_km=0.0),
                oc.ServiceLevel.SAME_DAY: oc.RateCard(base=9.0, per_km=0.0),
            }
        ),
    )
    stock = oc.Inventory.from_positions([oc.StockPosition(node_id="dc", sku="X", on_hand=1)])
    orders = [
        oc.Order(
            id=level.name,
            channel_id="web",
            destination=here,
            lines=[oc.OrderLine(sku="X", quantity=1)],
            service_level=level,
            allow_split=False,
        )
        for level in (oc.ServiceLevel.STANDARD, oc.ServiceLevel.EXPRESS)
    ]
    greedy = oc.allocate(orders, network, stock, policy=Sequential())
    priced = oc.allocate(orders, network, stock, policy=DualPriceLookahead())
    assert [a.units_allocated for a in greedy.allocations] == [1, 0]
    assert [a.units_allocated for a in priced.allocations] == [0, 1]


HERE = oc.GeoPoint(lat=50.0, lon=10.0)


def store_and_warehouse(warehouse_at: oc.GeoPoint) -> tuple[oc.Network, oc.Inventory]:
    """A store at ``HERE`` that ships and hands over pickups, a warehouse at
    ``warehouse_at`` that only ships, and one unit of X at each."""
    network = oc.Network(
        nodes=[
            oc.Node(
                id="store",
                kind=oc.NodeKind.STORE,
                location=HERE,
                capabilities=oc.Capability.SHIP | oc.Capability.PICKUP,
            ),
            oc.Node(
                id="warehouse",
                kind=oc.NodeKind.DC,
                location=warehouse_at,
                capabilities=oc.Capability.SHIP,
            ),
        ],
        channels=[oc.Channel(id="web", kind=oc.ChannelKind.WEB)],
    )
    stock = oc.Inventory.from_positions(
        [
            oc.StockPosition(node_id="store", sku="X", on_hand=1),
            oc.StockPosition(node_id="warehouse", sku="X", on_hand=1),
        ]
    )
    return network, stock


DELIVERY = oc.Order(
    id="delivery", channel_id="web", destination=HERE, lines=[oc.OrderLine(sku="X", quantity=1)]
)


def pickup_at_store(*, allow_split: bool) -> oc.Order:
    """One unit of X picked up at the store, which only the store can serve."""
    return oc.Order(
        id="pickup",
        channel_id="web",
        lines=[oc.OrderLine(sku="X", quantity=1)],
        method=oc.FulfillmentMethod.PICKUP_IN_STORE,
        pickup_node_id="store",
        allow_split=allow_split,
    )


def test_dual_price_serves_the_order_with_fewer_options_first() -> None:
    """Both orders may split and the LP prices the store's unit and the warehouse's alike
    for the delivery (same place, same cost), so only the order of turns decides: the
    pickup, which only the store can serve, goes before the delivery, which either
    node can serve, although it comes second."""
    network, stock = store_and_warehouse(HERE)
    orders = [DELIVERY, pickup_at_store(allow_split=True)]
    greedy = oc.allocate(orders, network, stock, policy=Sequential())
    assert [a.units_allocated for a in greedy.allocations] == [1, 0]
    priced = oc.allocate(orders, network, stock, policy=DualPriceLookahead())
    assert [[s.node_id for s in a.shipments] for a in priced.allocations] == [
        ["warehouse"],
        ["store"],
    ]


def test_a_forecast_pickup_keeps_the_store_unit_for_later() -> None:
    """The delivery is cheaper from the store next door than from the far warehouse;
    the forecast says a pickup at that store is coming, which only the store can
    serve, so the delivery ships from the warehouse and the store's unit stays. The
    pickup may not split, like the orders whose LP node is reserved; a forecast order
    never is."""
    network, stock = store_and_warehouse(oc.GeoPoint(lat=51.0, lon=10.0))

    def source(policy: DualPriceLookahead) -> list[str]:
        result = oc.allocate([DELIVERY], network, stock, policy=policy)
        return [s.node_id for s in result.allocations[0].shipments]

    assert source(DualPriceLookahead()) == ["store"]
    assert source(DualPriceLookahead(forecast=[pickup_at_store(allow_split=False)])) == [
        "warehouse"
    ]


def test_a_bad_forecast_is_named_by_its_path() -> None:
    stock = oc.Inventory.from_positions([oc.StockPosition(node_id="dc", sku="A", on_hand=1)])
    wave = [
        oc.Order(
            id="o1",
            channel_id="web",
            destination=oc.GeoPoint(lat=50.0, lon=10.0),
            lines=[oc.OrderLine(sku="A", quantity=1)],
        )
    ]
    with pytest.raises(oc.InvalidInputError, match=r"forecast\[0\]: must be Order"):
        DualPriceLookahead(forecast=["not an order"])  # type: ignore[list-item]
    stranger = oc.Order(
        id="o1",
        channel_id="fax",
        destination=oc.GeoPoint(lat=50.0, lon=10.0),
        lines=[oc.OrderLine(sku="A", quantity=1)],
    )
    with pytest.raises(oc.UnknownReferenceError, match=r"forecast\[0\]\.channel_id"):
        oc.allocate(wave, ONE_DC, stock, policy=DualPriceLookahead(forecast=[stranger]))
    with pytest.raises(oc.InvalidInputError, match=r"forecast\[1\]\.id: duplicate"):
        oc.allocate(wave, ONE_DC, stock, policy=DualPriceLookahead(forecast=[stranger, stranger]))

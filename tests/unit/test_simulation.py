"""Simulated days: generated consistently and reproducibly, and measured correctly."""

import math

import pytest

import omnichannel as oc
from omnichannel import reference
from omnichannel.simulation import (
    DayMix,
    Scenario,
    SimulationConfig,
    compare,
    simulate,
)
from omnichannel.sourcing import LowestCost, Nearest


def small_day(seed: int = 5, **options: object) -> Scenario:
    return Scenario.generate(n_nodes=30, n_skus=200, n_orders=600, rng=seed, **options)


def test_the_same_seed_gives_the_same_day_and_another_seed_another() -> None:
    a, b, c = small_day(5), small_day(5), small_day(6)
    assert (a.network, a.orders, a.returns, a.inventory, a.demand) == (
        b.network,
        b.orders,
        b.returns,
        b.inventory,
        b.demand,
    )
    assert a.orders != c.orders


def test_a_generated_day_references_only_what_exists() -> None:
    day = small_day(9)
    catalogue = {f"SKU{i:06d}" for i in range(200)}
    assert {line.sku for order in day.orders for line in order.lines} <= catalogue
    assert {line.sku for request in day.returns for line in request.lines} <= catalogue
    assert set(day.inventory.node_ids) <= {node.id for node in day.network.nodes}
    # Every order and return passes the engine's checks of ids, methods and drop-offs.
    oc.allocate(day.orders, day.network, day.inventory)
    oc.route_returns(day.returns, day.network, day.inventory)
    kinds = {node.kind for node in day.network.nodes}
    assert kinds == set(oc.NodeKind)
    assert {order.method for order in day.orders} == set(oc.FulfillmentMethod)
    assert {order.channel_id for order in day.orders} == {c.id for c in day.network.channels}
    assert {line.condition for r in day.returns for line in r.lines} == set(oc.ReturnCondition)


def test_the_mix_sets_the_shares_of_the_day() -> None:
    only = DayMix(
        channels={"web": 1.0},
        methods={oc.FulfillmentMethod.PICKUP_POINT: 1.0},
        conditions={oc.ReturnCondition.DAMAGED: 1.0},
        return_methods={oc.ReturnMethod.MAIL: 1.0},
    )
    day = small_day(3, mix=only)
    assert {(o.channel_id, o.method) for o in day.orders} == {
        ("web", oc.FulfillmentMethod.PICKUP_POINT)
    }
    assert {(r.method, r.lines[0].condition) for r in day.returns} == {
        (oc.ReturnMethod.MAIL, oc.ReturnCondition.DAMAGED)
    }


def test_the_mix_sets_the_number_of_lines_per_order() -> None:
    default = small_day(3)
    assert max(len(o.lines) for o in default.orders) <= 6
    same = small_day(3, mix=DayMix(min_lines=1, extra_lines=1.0, max_lines=6))
    assert (same.orders, same.inventory, same.returns) == (
        default.orders,
        default.inventory,
        default.returns,
    )
    big = small_day(3, mix=DayMix(min_lines=12, extra_lines=3.0, max_lines=15))
    sizes = [len(o.lines) for o in big.orders]
    assert max(sizes) <= 15
    assert sum(sizes) / len(sizes) > 8  # repeated draws of one SKU count once
    with pytest.raises(oc.InvalidInputError, match="max_lines: must be >= min_lines"):
        DayMix(min_lines=5, max_lines=4)
    with pytest.raises(oc.InvalidInputError, match="min_lines: must be <= 1000"):
        DayMix(min_lines=10**6, max_lines=10**6)


def test_bad_sizes_and_mixes_are_listed() -> None:
    with pytest.raises(oc.InvalidInputError) as caught:
        Scenario.generate(n_nodes=0, n_skus=1.5, stock_cover_days=-1.0)  # type: ignore[arg-type]
    message = str(caught.value)
    assert "n_nodes: must be an int >= 1, got 0" in message
    assert "n_skus: must be an int >= 1, got 1.5" in message
    assert "stock_cover_days: must be a finite number >= 0, got -1.0" in message
    with pytest.raises(oc.InvalidInputError, match=r"channels\['fax'\]: unknown"):
        DayMix(channels={"fax": 1.0})
    with pytest.raises(oc.InvalidInputError, match="methods: weights must sum to more than 0"):
        DayMix(methods={oc.FulfillmentMethod.SAME_DAY: 0.0})


BERLIN = oc.GeoPoint(lat=52.52, lon=13.40)
CUSTOMER = oc.GeoPoint(lat=52.61, lon=13.40)
HAND_BUILT = Scenario(
    network=oc.Network(
        nodes=[
            oc.Node(
                id="berlin",
                kind=oc.NodeKind.STORE,
                location=BERLIN,
                capabilities=oc.Capability.SHIP
                | oc.Capability.PICKUP
                | oc.Capability.ACCEPT_RETURNS
                | oc.Capability.RESTOCK,
                handling_cost_per_order=1.0,
                handling_cost_per_unit=0.5,
            )
        ],
        channels=[
            oc.Channel(id="web", kind=oc.ChannelKind.WEB),
            oc.Channel(id="till", kind=oc.ChannelKind.STORE, respects_safety_stock=False),
        ],
        costs=oc.CostModel(
            rates={
                level: oc.RateCard(base=5.0, per_km=0.0, per_unit=0.0) for level in oc.ServiceLevel
            }
        ),
    ),
    inventory=oc.Inventory.from_positions(
        [oc.StockPosition(node_id="berlin", sku="A", on_hand=5, safety_stock=3)]
    ),
    demand=oc.DemandRates.from_mapping({}),
    orders=(
        oc.Order(
            id="o1",
            channel_id="web",
            destination=CUSTOMER,
            lines=[oc.OrderLine(sku="A", quantity=2)],
        ),
        oc.Order(
            id="o2",
            channel_id="web",
            destination=CUSTOMER,
            lines=[oc.OrderLine(sku="B", quantity=1)],
        ),
        oc.Order(
            id="o3",
            channel_id="till",
            method=oc.FulfillmentMethod.PICKUP_IN_STORE,
            pickup_node_id="berlin",
            lines=[oc.OrderLine(sku="A", quantity=1)],
        ),
    ),
    returns=(
        oc.ReturnRequest(
            id="r1",
            channel_id="web",
            method=oc.ReturnMethod.IN_STORE,
            drop_off_node_id="berlin",
            lines=[
                oc.ReturnLine(
                    sku="C", quantity=1, condition=oc.ReturnCondition.SELLABLE, unit_value=100.0
                )
            ],
        ),
        oc.ReturnRequest(
            id="r2",
            channel_id="web",
            method=oc.ReturnMethod.MAIL,
            origin=CUSTOMER,
            lines=[
                oc.ReturnLine(
                    sku="A", quantity=1, condition=oc.ReturnCondition.DEFECTIVE, unit_value=1.0
                )
            ],
        ),
    ),
)


def test_kpis_of_a_hand_built_day() -> None:
    kpis = simulate(HAND_BUILT, waves=1, name="by hand")
    # o1 ships 2 x A from Berlin: carrier 5.00, handling 1.00 + 2 x 0.50. o2 finds no B.
    # o3 is picked up in store from the till channel, which may dip into safety stock:
    # handling 1.00 + 0.50, no carrier.
    assert kpis.name == "by hand"
    assert kpis.orders == 3
    assert kpis.shipping_cost == pytest.approx(5.0)
    assert kpis.handling_cost == pytest.approx(3.5)
    assert kpis.cost_per_order == pytest.approx(8.5 / 2)
    assert kpis.splits_per_order == 0.0
    assert kpis.fill_rate == pytest.approx(3 / 4)
    assert kpis.service_level_met == pytest.approx(2 / 3)
    assert kpis.mean_distance_km == pytest.approx(10.0 / 2, abs=0.1)
    # Berlin's A started at 5 on hand against 3 safety and ends at 2.
    assert kpis.stores_below_safety == 1
    # r1 restocks C in Berlin: 0.95 x 100 recovered, 1.50 handling; r2 is kept.
    assert kpis.return_lines == 2
    assert kpis.return_value_recovered == pytest.approx(95.0)
    assert kpis.return_net_value == pytest.approx(93.5)
    assert kpis.decisions_per_second > 0


def test_waves_carry_stock_from_one_to_the_next() -> None:
    one, three = simulate(HAND_BUILT, waves=1), simulate(HAND_BUILT, waves=3)
    assert (one.fill_rate, one.shipping_cost) == (three.fill_rate, three.shipping_cost)


def test_a_day_is_the_engine_day_for_one_wave() -> None:
    day = small_day(4)
    kpis = simulate(day, waves=1)
    result = reference.allocate(day.orders, day.network, day.inventory, demand=day.demand)
    assert kpis.fill_rate == pytest.approx(result.fill_rate)
    assert kpis.cost_per_order * sum(1 for a in result.allocations if a.shipments) == (
        pytest.approx(result.total_cost)
    )


def test_compare_runs_every_config_in_order_and_reports_progress() -> None:
    seen: list[str] = []
    result = compare(
        small_day(2),
        [SimulationConfig(name="near", sourcing=Nearest()), SimulationConfig(name="cheap")],
        waves=2,
        progress=lambda index, config: seen.append(f"{index}:{config.name}"),
    )
    assert seen == ["0:near", "1:cheap"]
    assert [k.name for k in result.kpis] == ["near", "cheap"]
    assert set(result.as_dict()) == {"near", "cheap"}
    table = result.table().splitlines()
    assert table[0].split() == ["KPI", "near", "cheap"]
    assert any(line.startswith("fill rate %") for line in table)
    assert result.kpis[1].cost_per_order <= result.kpis[0].cost_per_order
    assert all(math.isfinite(k.return_net_value) for k in result.kpis)


def test_compare_refuses_duplicate_names_and_simulate_bad_waves() -> None:
    with pytest.raises(oc.InvalidInputError, match="names must be unique"):
        compare(HAND_BUILT, [SimulationConfig(name="x"), SimulationConfig(name="x")])
    with pytest.raises(oc.InvalidInputError, match="waves: must be an int >= 1"):
        simulate(HAND_BUILT, waves=0)
    with pytest.raises(oc.InvalidInputError, match="scenario: must be Scenario"):
        simulate("today", sourcing=LowestCost())  # type: ignore[arg-type]

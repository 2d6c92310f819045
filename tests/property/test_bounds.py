"""Any int beyond 10**12 given to any count field, and any number beyond 1e12 given to
any money or distance field, is an InvalidInputError naming that field (issue 12,
items 4, 9 and 10); counts within the bound are kept exactly."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import omnichannel as oc
from omnichannel.allocation import BatchOptimal, DualPriceLookahead, Sequential, lower_bound
from omnichannel.returns import ValueRecovery
from omnichannel.simulation import DayMix, Scenario, simulate
from omnichannel.sourcing import StockProtecting, Weighted

MAX_COUNT = 10**12
MAX_AMOUNT = 1e12

HERE = oc.GeoPoint(lat=50.0, lon=10.0)
NETWORK = oc.Network(
    nodes=[oc.Node(id="dc", kind=oc.NodeKind.DC, location=HERE, capabilities=oc.Capability.SHIP)],
    channels=[oc.Channel(id="web", kind=oc.ChannelKind.WEB)],
)
INVENTORY = oc.Inventory.from_positions([oc.StockPosition(node_id="dc", sku="A", on_hand=3)])
LINE = oc.OrderLine(sku="A", quantity=1)
ORDER = oc.Order(id="o1", channel_id="web", destination=HERE, lines=[LINE])
DAY = Scenario(
    network=NETWORK,
    inventory=INVENTORY,
    demand=oc.DemandRates.from_mapping({}),
    orders=(ORDER,),
    returns=(),
)


def _node(**fields: Any) -> oc.Node:
    return oc.Node(id="dc", kind=oc.NodeKind.DC, location=HERE, **fields)


def _position(**fields: Any) -> oc.StockPosition:
    return oc.StockPosition(**{"node_id": "dc", "sku": "A", "on_hand": 1, **fields})


def _return_line(**fields: Any) -> oc.ReturnLine:
    values = {"sku": "A", "quantity": 1, "condition": oc.ReturnCondition.SELLABLE}
    return oc.ReturnLine(**{**values, "unit_value": 1.0, **fields})


Field = tuple[str, Callable[[Any], object]]
"""The path an error must name, and a call that puts a value into that field."""

SIGNED_COUNTS: list[Field] = [
    (
        "priority",
        lambda n: oc.Order(id="o", channel_id="web", destination=HERE, lines=[LINE], priority=n),
    ),
    ("priority", lambda n: oc.Channel(id="web", kind=oc.ChannelKind.WEB, priority=n)),
    ("rank", lambda n: _node(rank=n)),
]
COUNTS: list[Field] = [
    *SIGNED_COUNTS,
    ("quantity", lambda n: oc.OrderLine(sku="A", quantity=n)),
    ("order_capacity", lambda n: _node(order_capacity=n)),
    ("on_hand", lambda n: _position(on_hand=n)),
    ("reserved", lambda n: _position(reserved=n)),
    ("safety_stock", lambda n: _position(safety_stock=n)),
    ("in_transit", lambda n: _position(in_transit=n)),
    ("quantity", lambda n: oc.StockMove(node_id="dc", sku="A", quantity=n)),
    ("quantity", lambda n: _return_line(quantity=n)),
    ("window", lambda n: Sequential(window=n)),
    ("nodes_per_order", lambda n: BatchOptimal(nodes_per_order=n)),
    ("nodes_per_order", lambda n: DualPriceLookahead(nodes_per_order=n)),
    (
        "capacity_used['dc']",
        lambda n: oc.allocate([ORDER], NETWORK, INVENTORY, capacity_used={"dc": n}),
    ),
    ("n_nodes", lambda n: Scenario.generate(n_nodes=n)),
    ("n_skus", lambda n: Scenario.generate(n_skus=n)),
    ("n_orders", lambda n: Scenario.generate(n_orders=n)),
    ("n_returns", lambda n: Scenario.generate(n_returns=n)),
    ("waves", lambda n: simulate(DAY, waves=n)),
]
AMOUNTS: list[Field] = [
    ("handling_cost_per_order", lambda x: _node(handling_cost_per_order=x)),
    ("handling_cost_per_unit", lambda x: _node(handling_cost_per_unit=x)),
    ("base", lambda x: oc.RateCard(base=x, per_km=0.0)),
    ("per_km", lambda x: oc.RateCard(base=0.0, per_km=x)),
    ("per_unit", lambda x: oc.RateCard(base=0.0, per_km=0.0, per_unit=x)),
    ("max_km", lambda x: oc.RateCard(base=0.0, per_km=0.0, max_km=x)),
    ("split_penalty", lambda x: oc.CostModel(split_penalty=x)),
    ("unit_value", lambda x: _return_line(unit_value=x)),
    ("distance", lambda x: Weighted(distance=x)),
    ("protection", lambda x: Weighted(protection=x)),
    ("cover_days", lambda x: Weighted(cover_days=x)),
    ("penalty", lambda x: StockProtecting(penalty=x)),
    ("unserved_penalty", lambda x: BatchOptimal(unserved_penalty=x)),
    ("time_limit_s", lambda x: BatchOptimal(time_limit_s=x)),
    ("unserved_penalty", lambda x: DualPriceLookahead(unserved_penalty=x)),
    ("unserved_penalty", lambda x: lower_bound([ORDER], NETWORK, INVENTORY, unserved_penalty=x)),
    ("scarcity_weight", lambda x: ValueRecovery(scarcity_weight=x)),
    ("cover_days", lambda x: ValueRecovery(cover_days=x)),
    ("stock_cover_days", lambda x: Scenario.generate(stock_cover_days=x)),
    ("zipf_exponent", lambda x: Scenario.generate(zipf_exponent=x)),
    ("channels['web']", lambda x: DayMix(channels={"web": x})),
]

ints_beyond_counts = st.one_of(
    st.integers(min_value=MAX_COUNT + 1, max_value=2**64),
    st.integers(min_value=2**64, max_value=2**4096),
)
numbers_beyond_amounts = st.one_of(
    st.floats(min_value=MAX_AMOUNT, exclude_min=True),
    st.integers(min_value=int(MAX_AMOUNT) + 1, max_value=2**4096),
)


def _refused_at(path: str, call: Callable[[], object]) -> None:
    with pytest.raises(oc.InvalidInputError) as caught:
        call()
    assert caught.value.problems[0][0] == path, caught.value.problems


@given(field=st.sampled_from(COUNTS), value=ints_beyond_counts)
def test_an_int_beyond_10_to_the_12_is_refused_by_every_count_field(
    field: Field, value: int
) -> None:
    path, build = field
    _refused_at(path, lambda: build(value))


@given(field=st.sampled_from(SIGNED_COUNTS), value=ints_beyond_counts)
def test_an_int_below_minus_10_to_the_12_is_refused_by_priorities_and_ranks(
    field: Field, value: int
) -> None:
    path, build = field
    _refused_at(path, lambda: build(-value))


@given(field=st.sampled_from(SIGNED_COUNTS), value=st.integers(-MAX_COUNT, MAX_COUNT))
def test_priorities_and_ranks_take_any_int_within_the_bound(field: Field, value: int) -> None:
    _, build = field
    build(value)


@given(field=st.sampled_from(AMOUNTS), value=numbers_beyond_amounts)
def test_a_number_beyond_1e12_is_refused_by_every_money_and_distance_field(
    field: Field, value: float
) -> None:
    path, build = field
    _refused_at(path, lambda: build(value))


@given(used=st.integers(0, MAX_COUNT - 1))
def test_capacity_used_within_the_bound_is_counted_exactly(used: int) -> None:
    result = oc.allocate([ORDER], NETWORK, INVENTORY, capacity_used={"dc": used})
    assert result.capacity_used == {"dc": used + 1}

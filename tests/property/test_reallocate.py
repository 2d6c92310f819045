"""``reallocate`` after random rejections: the engine agrees with the reference, units
are conserved, the rejecting node never serves the order again, untouched shipments
stay exactly as they were, and nothing is half-applied."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

import omnichannel as oc
from omnichannel import reference
from omnichannel.allocation import FairShare, Sequential
from omnichannel.simulation import Scenario
from omnichannel.testing import strategies as oms

from .test_time_matches_reference import assert_same_dates


@st.composite
def busy_days(draw: st.DrawFn, *, timed: bool) -> oms.Scenario:
    """Small seeded simulated days, where most orders ship (the drawn scenarios of
    ``oms.scenarios`` often ship little): many shipments to reject."""
    start = dt.datetime(2026, 3, 2, tzinfo=dt.timezone.utc) if timed else None
    day = Scenario.generate(
        n_nodes=draw(st.integers(8, 16)),
        n_skus=20,
        n_orders=draw(st.integers(5, 25)),
        rng=draw(st.integers(0, 2**32 - 1)),
        stock_cover_days=draw(st.sampled_from([0.5, 3.0])),
        start=start,
    )
    return oms.Scenario(
        network=day.network,
        inventory=day.inventory,
        orders=day.orders,
        returns=(),
        demand=day.demand,
        now=None if start is None else start + dt.timedelta(hours=draw(st.integers(6, 30))),
    )


@st.composite
def rejections(draw: st.DrawFn, result: oc.AllocationResult) -> list[oc.Rejection]:
    """Some of ``result``'s shipment lines rejected, each at most once, by part of
    its units."""
    lines = sorted(
        {
            (a.order_id, s.node_id, line.sku): 0
            for a in result.allocations
            for s in a.shipments
            for line in s.lines
        }
    )
    shipped = Counter[tuple[str, str, str]]()
    for a in result.allocations:
        for s in a.shipments:
            for line in s.lines:
                shipped[a.order_id, s.node_id, line.sku] += line.quantity
    if not lines:
        return []
    chosen = draw(st.lists(st.sampled_from(lines), unique=True, min_size=1, max_size=4))
    return [
        oc.Rejection(
            order_id=order_id,
            node_id=node_id,
            sku=sku,
            quantity=draw(st.integers(1, shipped[order_id, node_id, sku])),
            reason=draw(st.sampled_from(oc.RejectionReason)),
        )
        for order_id, node_id, sku in chosen
    ]


def _units(allocation: oc.Allocation) -> Counter[str]:
    found = Counter[str]()
    for shipment in allocation.shipments:
        for line in shipment.lines:
            found[line.sku] += line.quantity
    for short in allocation.unfulfilled:
        found[short.sku] += short.quantity
    return found


def _totals(inventory: oc.Inventory) -> tuple[int, int]:
    positions = inventory.positions()
    return sum(p.on_hand for p in positions), sum(p.reserved for p in positions)


def _shipped(allocations: tuple[oc.Allocation, ...]) -> int:
    return sum(a.units_allocated for a in allocations)


def check_reallocated(
    scenario: oms.Scenario,
    before: oc.AllocationResult,
    found: list[oc.Rejection],
    after: oc.ReallocationResult,
) -> None:
    """The invariants of one reallocation."""
    rejected = {(r.order_id, r.node_id, r.sku) for r in found}
    at_node = Counter[tuple[str, str]]()
    for r in found:
        at_node[r.order_id, r.node_id] += r.quantity
    for order, old, new, history in zip(
        scenario.orders, before.allocations, after.allocations, after.orders, strict=True
    ):
        # Every unit ordered is still shipped or reported, once.
        assert (
            _units(new) == _units(old) == Counter({line.sku: line.quantity for line in order.lines})
        )
        assert history.excluded_node_ids == order.excluded_node_ids | {
            r.node_id for r in found if r.order_id == order.id
        }
        for shipment in old.shipments:
            touched = any(
                (order.id, shipment.node_id, line.sku) in rejected for line in shipment.lines
            )
            if not touched and order.allow_split:
                assert shipment in new.shipments
        for node_id in {r.node_id for r in found if r.order_id == order.id}:
            units_before = sum(s.units for s in old.shipments if s.node_id == node_id)
            units_after = sum(s.units for s in new.shipments if s.node_id == node_id)
            assert units_after <= units_before - at_node[order.id, node_id]
        if order.method is not oc.FulfillmentMethod.PICKUP_IN_STORE:
            assert all(
                u.reason is not oc.UnfulfilledReason.AWAITING_CUSTOMER for u in new.unfulfilled
            )
    on_hand_before, reserved_before = _totals(before.inventory)
    on_hand_after, reserved_after = _totals(after.inventory)
    written_off = sum(a.quantity for a in after.adjustments)
    assert written_off == sum(
        r.quantity
        for r in found
        if r.reason in (oc.RejectionReason.NOT_FOUND, oc.RejectionReason.DAMAGED)
    )
    assert on_hand_after == on_hand_before - written_off
    shipped_change = _shipped(after.allocations) - _shipped(before.allocations)
    assert reserved_after - reserved_before == shipped_change
    full = {r.node_id for r in found if r.reason is oc.RejectionReason.NO_CAPACITY}
    assert full <= after.full_node_ids
    for count_node, count in before.capacity_used.items():
        assert after.capacity_used.get(count_node, 0) >= count


def _same(fast: oc.ReallocationResult, plain: oc.ReallocationResult) -> None:
    assert_same_dates(fast, plain)
    assert fast.orders == plain.orders
    assert fast.adjustments == plain.adjustments
    assert fast.full_node_ids == plain.full_node_ids
    assert fast.awaiting == plain.awaiting
    assert set(fast.alternatives) == set(plain.alternatives)
    for order_id, options in fast.alternatives.items():
        theirs = plain.alternatives[order_id]
        assert [(o.method, o.pickup_node_id, o.node_ids, o.delivered_by) for o in options] == [
            (o.method, o.pickup_node_id, o.node_ids, o.delivered_by) for o in theirs
        ]


@given(
    data=st.data(),
    scenario=oms.scenarios(max_orders=12, timed=True) | busy_days(timed=True),
)
def test_dated_reallocation_matches_reference(data: st.DataObject, scenario: oms.Scenario) -> None:
    kwargs = {"demand": scenario.demand, "now": scenario.now}
    before = oc.allocate(scenario.orders, scenario.network, scenario.inventory, **kwargs)
    found = data.draw(rejections(before))
    args = (scenario.orders, before.allocations, found, scenario.network, before.inventory)
    call = {**kwargs, "capacity_used": before.capacity_used, "daily_used": before.daily_used}
    fast = oc.reallocate(*args, **call)
    plain = reference.reallocate(*args, **call)
    _same(fast, plain)
    check_reallocated(scenario, before, found, fast)


@pytest.mark.parametrize("policy", ["sequential", "fair_share"])
@given(
    data=st.data(),
    scenario=oms.scenarios(max_orders=15, scarce=True) | busy_days(timed=False),
)
def test_scarce_reallocation_matches_reference(
    policy: str, data: st.DataObject, scenario: oms.Scenario
) -> None:
    chosen = Sequential() if policy == "sequential" else FairShare()
    kwargs = {"demand": scenario.demand, "policy": chosen}
    before = oc.allocate(scenario.orders, scenario.network, scenario.inventory, **kwargs)
    found = data.draw(rejections(before))
    args = (scenario.orders, before.allocations, found, scenario.network, before.inventory)
    call = {**kwargs, "capacity_used": before.capacity_used}
    fast = oc.reallocate(*args, **call)
    plain = reference.reallocate(*args, **call)
    _same(fast, plain)
    check_reallocated(scenario, before, found, fast)


@given(data=st.data(), scenario=busy_days(timed=False))
def test_history_keeps_every_rejecting_node_out(
    data: st.DataObject, scenario: oms.Scenario
) -> None:
    """Two rounds of rejections: the second round's new shipments use neither
    round's rejecting nodes."""
    result = oc.allocate(scenario.orders, scenario.network, scenario.inventory)
    orders, allocations, inventory = scenario.orders, result.allocations, result.inventory
    used = result.capacity_used
    for _ in range(2):
        found = data.draw(
            rejections(
                oc.AllocationResult(
                    allocations=allocations, inventory=inventory, capacity_used=used
                )
            )
        )
        again = oc.reallocate(
            orders, allocations, found, scenario.network, inventory, capacity_used=used
        )
        for order, old, new in zip(again.orders, allocations, again.allocations, strict=True):
            for shipment in new.shipments:
                if shipment not in old.shipments and shipment.node_id in order.excluded_node_ids:
                    # Only a kept shipment (fewer lines) may stay at an excluded node.
                    assert any(
                        s.node_id == shipment.node_id
                        and {line.sku for line in shipment.lines} <= {line.sku for line in s.lines}
                        for s in old.shipments
                    )
        orders, allocations, inventory, used = (
            again.orders,
            again.allocations,
            again.inventory,
            again.capacity_used,
        )


@given(data=st.data(), scenario=oms.scenarios(max_orders=8))
def test_too_many_units_rejected_changes_nothing(
    data: st.DataObject, scenario: oms.Scenario
) -> None:
    """A rejection of more units than the node ships is refused, with its path; the
    inventory given is left as it was."""
    before = oc.allocate(scenario.orders, scenario.network, scenario.inventory)
    found = data.draw(rejections(before))
    if not found:
        return
    shipped = sum(
        line.quantity
        for a in before.allocations
        if a.order_id == found[0].order_id
        for s in a.shipments
        if s.node_id == found[0].node_id
        for line in s.lines
        if line.sku == found[0].sku
    )
    bad = [
        *found[1:],
        oc.Rejection(
            order_id=found[0].order_id,
            node_id=found[0].node_id,
            sku=found[0].sku,
            quantity=shipped + 1,
            reason=found[0].reason,
        ),
    ]
    snapshot = before.inventory.positions()
    with pytest.raises(oc.InvalidInputError, match=rf"rejections\[{len(bad) - 1}\]\.quantity"):
        oc.reallocate(scenario.orders, before.allocations, bad, scenario.network, before.inventory)
    assert before.inventory.positions() == snapshot


@given(data=st.data(), scenario=busy_days(timed=False) | oms.scenarios(max_orders=12))
def test_accuracy_aware_reallocation_matches_reference(
    data: st.DataObject, scenario: oms.Scenario
) -> None:
    """Re-sourcing priced by the expected rejections of an accuracy table."""
    ids = sorted(node.id for node in scenario.network.nodes)
    accuracy = data.draw(oms.accuracies(node_ids=ids))
    sourcing = oc.sourcing.Weighted(
        shipping=1.0, handling=1.0, rejection_risk=data.draw(st.sampled_from([0.0, 5.0, 50.0]))
    )
    kwargs = {"sourcing": sourcing, "accuracy": accuracy, "demand": scenario.demand}
    before = oc.allocate(scenario.orders, scenario.network, scenario.inventory, **kwargs)
    found = data.draw(rejections(before))
    args = (scenario.orders, before.allocations, found, scenario.network, before.inventory)
    fast = oc.reallocate(*args, capacity_used=before.capacity_used, **kwargs)
    plain = reference.reallocate(*args, capacity_used=before.capacity_used, **kwargs)
    _same(fast, plain)
    check_reallocated(scenario, before, found, fast)

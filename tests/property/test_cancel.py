"""``cancel`` on random allocations: the engine agrees with the per-unit reference,
units are conserved, cancelled units never come back and are recorded, any
cancellation is idempotent, cumulative totals give one result in any order, and
allocations no cancellation names stay as they were."""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

import omnichannel as oc
from omnichannel import reference
from omnichannel.testing import strategies as oms


@st.composite
def cancelled(
    draw: st.DrawFn, allocations: tuple[oc.Allocation, ...], *, full: bool = False
) -> list[oc.Cancellation]:
    """Cancellations of some of ``allocations``' orders: whole orders or some units of
    some SKUs (``full``: every unit of each SKU named)."""
    if not allocations:
        return []
    ids = [a.order_id for a in allocations]
    skus = sorted({line.sku for a in allocations for s in a.shipments for line in s.lines})
    skus = skus or ["NONE"]
    quantity = st.just(10**6) if full else st.integers(1, 25)
    line = st.builds(oc.OrderLine, sku=st.sampled_from(skus), quantity=quantity)
    lines = st.just(()) | st.lists(line, max_size=3, unique_by=lambda one: one.sku)
    return draw(
        st.lists(st.builds(oc.Cancellation, order_id=st.sampled_from(ids), lines=lines), max_size=6)
    )


def _allocated(scenario: oms.Scenario) -> oc.AllocationResult:
    return oc.allocate(scenario.orders, scenario.network, scenario.inventory)


def _units(allocation: oc.Allocation) -> Counter[str]:
    units: Counter[str] = Counter()
    for shipment in allocation.shipments:
        for line in shipment.lines:
            units[line.sku] += line.quantity
    for short in allocation.unfulfilled:
        units[short.sku] += short.quantity
    return units


@given(data=st.data(), scenario=oms.scenarios(max_orders=10))
def test_engine_matches_reference(data: st.DataObject, scenario: oms.Scenario) -> None:
    allocated = _allocated(scenario)
    cancellations = data.draw(cancelled(allocated.allocations))
    fast = oc.cancel(allocated.allocations, cancellations, allocated.inventory)
    plain = reference.cancel(allocated.allocations, cancellations, allocated.inventory)
    assert fast == plain


@given(data=st.data(), scenario=oms.scenarios(max_orders=10))
def test_units_are_conserved_and_never_come_back(
    data: st.DataObject, scenario: oms.Scenario
) -> None:
    allocated = _allocated(scenario)
    cancellations = data.draw(cancelled(allocated.allocations))
    result = oc.cancel(allocated.allocations, cancellations, allocated.inventory)
    released: Counter[tuple[str, str]] = Counter()
    for move in result.released:
        released[move.node_id, move.sku] += move.quantity
    before = {(p.node_id, p.sku): p for p in allocated.inventory.positions()}
    for after in result.inventory.positions():
        old = before[after.node_id, after.sku]
        assert after.on_hand == old.on_hand
        assert old.reserved - after.reserved == released[after.node_id, after.sku]
    shipped_before = sum(a.units_allocated for a in allocated.allocations)
    shipped_after = sum(a.units_allocated for a in result.allocations)
    assert shipped_before - shipped_after == sum(released.values())
    named = {c.order_id for c in cancellations}
    for old_allocation, new in zip(allocated.allocations, result.allocations, strict=True):
        assert new.order_id == old_allocation.order_id
        if old_allocation.order_id not in named:
            assert new is old_allocation
            continue
        asked = [c for c in cancellations if c.order_id == old_allocation.order_id]
        expected = _units(old_allocation)
        recorded: Counter[str] = Counter()
        for request in asked:
            if not request.lines:
                recorded += expected
                expected.clear()
            for line in request.lines:
                cut = min(max(line.quantity - recorded[line.sku], 0), expected[line.sku])
                expected[line.sku] -= cut
                recorded[line.sku] += cut
        assert _units(new) == +expected
        assert {line.sku: line.quantity for line in new.cancelled} == dict(+recorded)
        assert [line.sku for line in new.cancelled] == sorted(+recorded)


@given(data=st.data(), scenario=oms.scenarios(max_orders=10), full=st.booleans())
def test_cancelling_twice_releases_once(
    data: st.DataObject, scenario: oms.Scenario, full: bool
) -> None:
    allocated = _allocated(scenario)
    cancellations = data.draw(cancelled(allocated.allocations, full=full))
    once = oc.cancel(allocated.allocations, cancellations, allocated.inventory)
    twice = oc.cancel(once.allocations, cancellations, once.inventory)
    assert twice.released == ()
    assert twice.allocations == once.allocations
    assert twice.inventory == once.inventory


@given(data=st.data(), scenario=oms.scenarios(max_orders=10))
def test_cancellations_in_any_order_leave_the_same_allocations(
    data: st.DataObject, scenario: oms.Scenario
) -> None:
    """Totals only ever grow what is cancelled, so the arrival order does not matter,
    in one call or spread over several."""
    allocated = _allocated(scenario)
    cancellations = data.draw(cancelled(allocated.allocations))
    shuffled = data.draw(st.permutations(cancellations))
    together = oc.cancel(allocated.allocations, cancellations, allocated.inventory)
    in_turn = allocated.allocations, allocated.inventory
    for one in shuffled:
        step = oc.cancel(in_turn[0], [one], in_turn[1])
        in_turn = step.allocations, step.inventory
    assert in_turn[0] == together.allocations
    assert in_turn[1] == together.inventory

"""``cancel``: whole orders, single lines, split orders, repeats, cumulative totals and
bad calls."""

from __future__ import annotations

from collections.abc import Callable

import attrs
import pytest

import omnichannel as oc
from omnichannel import reference

Cancel = Callable[..., oc.CancellationResult]
IMPLEMENTATIONS: list[Cancel] = [oc.cancel, reference.cancel]


def _line(sku: str, quantity: int) -> oc.OrderLine:
    return oc.OrderLine(sku=sku, quantity=quantity)


def _split_order() -> oc.Allocation:
    """Order o1: 3 MUG and 1 CUP from the DC, 2 more MUG from a store, 1 MUG short."""
    return oc.Allocation(
        order_id="o1",
        shipments=[
            oc.Shipment(
                node_id="dc", lines=[_line("MUG", 3), _line("CUP", 1)], distance_km=120.0, cost=7.5
            ),
            oc.Shipment(node_id="store", lines=[_line("MUG", 2)], distance_km=4.0, cost=5.0),
        ],
        unfulfilled=[
            oc.UnfulfilledLine(sku="MUG", quantity=1, reason=oc.UnfulfilledReason.OUT_OF_STOCK)
        ],
        split_penalty=2.0,
    )


def _single_order() -> oc.Allocation:
    return oc.Allocation(
        order_id="o2",
        shipments=[oc.Shipment(node_id="dc", lines=[_line("CUP", 2)], distance_km=9.0, cost=3.0)],
        unfulfilled=[],
    )


def _stock() -> oc.Inventory:
    """Stock holding exactly the reservations of the two orders above."""
    return oc.Inventory.from_positions(
        [
            oc.StockPosition(node_id="dc", sku="MUG", on_hand=10, reserved=3),
            oc.StockPosition(node_id="dc", sku="CUP", on_hand=5, reserved=3),
            oc.StockPosition(node_id="store", sku="MUG", on_hand=2, reserved=2),
        ]
    )


def _reserved(inventory: oc.Inventory, node_id: str, sku: str) -> int:
    position = inventory.position(node_id, sku)
    assert position is not None
    return position.reserved


@pytest.mark.parametrize("cancel", IMPLEMENTATIONS)
def test_whole_order_releases_every_shipment(cancel: Cancel) -> None:
    result = cancel([_split_order(), _single_order()], [oc.Cancellation(order_id="o1")], _stock())
    cancelled, untouched = result.allocations
    assert cancelled == oc.Allocation(
        order_id="o1", shipments=(), unfulfilled=(), cancelled=[_line("CUP", 1), _line("MUG", 6)]
    )
    assert cancelled.status is oc.AllocationStatus.CANCELLED
    assert untouched == _single_order()
    assert result.released == (
        oc.StockMove(node_id="dc", sku="MUG", quantity=3),
        oc.StockMove(node_id="dc", sku="CUP", quantity=1),
        oc.StockMove(node_id="store", sku="MUG", quantity=2),
    )
    assert _reserved(result.inventory, "dc", "MUG") == 0
    assert _reserved(result.inventory, "dc", "CUP") == 2  # o2 keeps its 2
    assert _reserved(result.inventory, "store", "MUG") == 0


@pytest.mark.parametrize("cancel", IMPLEMENTATIONS)
def test_partial_line_takes_unfulfilled_units_first(cancel: Cancel) -> None:
    """One MUG cancelled: the unit that was short anyway, so nothing is released."""
    lines = [_line("MUG", 1)]
    result = cancel([_split_order()], [oc.Cancellation(order_id="o1", lines=lines)], _stock())
    (allocation,) = result.allocations
    assert allocation.unfulfilled == ()
    assert allocation.shipments == _split_order().shipments
    assert allocation.status is oc.AllocationStatus.FULFILLED
    assert allocation.cancelled == (_line("MUG", 1),)
    assert result.released == ()
    assert result.inventory == _stock()


@pytest.mark.parametrize("cancel", IMPLEMENTATIONS)
def test_split_order_releases_from_the_right_node(cancel: Cancel) -> None:
    """Four MUG cancelled: the short one, both from the store (the extra split, which
    disappears with its penalty), then one from the DC."""
    lines = [_line("MUG", 4)]
    result = cancel([_split_order()], [oc.Cancellation(order_id="o1", lines=lines)], _stock())
    (allocation,) = result.allocations
    assert result.released == (
        oc.StockMove(node_id="store", sku="MUG", quantity=2),
        oc.StockMove(node_id="dc", sku="MUG", quantity=1),
    )
    (shipment,) = allocation.shipments
    assert shipment.node_id == "dc"
    assert shipment.lines == (_line("MUG", 2), _line("CUP", 1))
    assert (shipment.distance_km, shipment.cost) == (120.0, 7.5)  # as decided
    assert allocation.split_penalty == 0.0
    assert allocation.cost == 7.5
    assert _reserved(result.inventory, "store", "MUG") == 0
    assert _reserved(result.inventory, "dc", "MUG") == 2


@pytest.mark.parametrize("cancel", IMPLEMENTATIONS)
@pytest.mark.parametrize(
    "lines", [(), (_line("MUG", 6), _line("CUP", 1)), (_line("MUG", 9), _line("CUP", 9))]
)
def test_cancelling_twice_releases_once(cancel: Cancel, lines: tuple[oc.OrderLine, ...]) -> None:
    """A whole order, or every unit of its lines: the second call finds nothing left."""
    cancellations = [oc.Cancellation(order_id="o1", lines=lines)]
    once = cancel([_split_order()], cancellations, _stock())
    twice = cancel(once.allocations, cancellations, once.inventory)
    assert sum(m.quantity for m in once.released) == 6
    assert twice.released == ()
    assert twice.allocations == once.allocations
    assert twice.inventory == once.inventory


def _mugs(total: int) -> oc.Cancellation:
    """The customer has cancelled ``total`` MUG of order o1 in all."""
    return oc.Cancellation(order_id="o1", lines=[_line("MUG", total)])


@pytest.mark.parametrize("cancel", IMPLEMENTATIONS)
def test_a_partial_cancellation_sent_twice_cancels_once(cancel: Cancel) -> None:
    once = cancel([_split_order()], [_mugs(2)], _stock())
    twice = cancel(once.allocations, [_mugs(2)], once.inventory)
    assert once.allocations[0].cancelled == (_line("MUG", 2),)
    assert twice.released == ()
    assert twice.allocations == once.allocations
    assert twice.inventory == once.inventory


@pytest.mark.parametrize("cancel", IMPLEMENTATIONS)
def test_quantities_are_totals_so_later_cancellations_add_the_difference(
    cancel: Cancel,
) -> None:
    """Two MUG cancelled, then four in all: the same as four at once."""
    two = cancel([_split_order()], [_mugs(2)], _stock())
    then_four = cancel(two.allocations, [_mugs(4)], two.inventory)
    four = cancel([_split_order()], [_mugs(4)], _stock())
    assert sum(m.quantity for m in then_four.released) == 2
    assert then_four.allocations == four.allocations
    assert then_four.inventory == four.inventory
    assert four.allocations[0].cancelled == (_line("MUG", 4),)


@pytest.mark.parametrize("cancel", IMPLEMENTATIONS)
def test_a_stale_lower_total_undoes_nothing(cancel: Cancel) -> None:
    """Totals 4 then 2 (the older one arriving late) leave four cancelled: the result
    does not depend on the order the cancellations arrive in."""
    four = cancel([_split_order()], [_mugs(4)], _stock())
    late = cancel(four.allocations, [_mugs(2)], four.inventory)
    assert late.released == ()
    assert late.allocations == four.allocations
    both = cancel([_split_order()], [_mugs(4), _mugs(2)], _stock())
    assert both.allocations == cancel([_split_order()], [_mugs(2), _mugs(4)], _stock()).allocations


@pytest.mark.parametrize("cancel", IMPLEMENTATIONS)
def test_a_whole_order_cancellation_after_a_partial_one_records_every_unit(
    cancel: Cancel,
) -> None:
    two = cancel([_split_order()], [_mugs(2)], _stock())
    whole = cancel(two.allocations, [oc.Cancellation(order_id="o1")], two.inventory)
    (allocation,) = whole.allocations
    assert allocation.cancelled == (_line("CUP", 1), _line("MUG", 6))
    assert allocation.status is oc.AllocationStatus.CANCELLED
    assert (
        whole.inventory
        == cancel([_split_order()], [oc.Cancellation(order_id="o1")], _stock()).inventory
    )


def test_an_allocation_names_each_cancelled_sku_once() -> None:
    with pytest.raises(oc.InvalidInputError, match=r"cancelled\[1\]\.sku"):
        oc.Allocation(
            order_id="o1",
            shipments=(),
            unfulfilled=(),
            cancelled=[_line("MUG", 1), _line("MUG", 2)],
        )


def test_a_cancelled_status_needs_nothing_but_cancelled_units() -> None:
    with pytest.raises(oc.InvalidInputError, match="status: must be 'unfulfilled'"):
        oc.Allocation(
            order_id="o1", shipments=(), unfulfilled=(), status=oc.AllocationStatus.CANCELLED
        )
    partly = oc.Allocation(
        order_id="o1",
        shipments=_single_order().shipments,
        unfulfilled=(),
        cancelled=[_line("CUP", 1)],
    )
    assert partly.status is oc.AllocationStatus.FULFILLED


@pytest.mark.parametrize("cancel", IMPLEMENTATIONS)
def test_several_cancellations_of_one_order_apply_in_order(cancel: Cancel) -> None:
    cancellations = [
        oc.Cancellation(order_id="o1", lines=[_line("MUG", 2)]),
        oc.Cancellation(order_id="o1"),
    ]
    result = cancel([_split_order()], cancellations, _stock())
    assert [(m.node_id, m.sku, m.quantity) for m in result.released] == [
        ("store", "MUG", 1),
        ("dc", "MUG", 3),
        ("dc", "CUP", 1),
        ("store", "MUG", 1),
    ]
    assert result.allocations[0].shipments == ()
    assert result.allocations[0].cancelled == (_line("CUP", 1), _line("MUG", 6))


def test_untouched_allocations_are_the_same_objects() -> None:
    kept = _single_order()
    result = oc.cancel([_split_order(), kept], [oc.Cancellation(order_id="o1")], _stock())
    assert result.allocations[1] is kept


def test_cancel_after_allocate_gives_the_stock_back() -> None:
    network = oc.Network(
        nodes=[
            oc.Node(
                id="dc",
                kind=oc.NodeKind.DC,
                location=oc.GeoPoint(lat=51.34, lon=12.37),
                capabilities=oc.Capability.SHIP,
            )
        ],
        channels=[oc.Channel(id="web", kind=oc.ChannelKind.WEB)],
    )
    inventory = oc.Inventory.from_positions([oc.StockPosition(node_id="dc", sku="MUG", on_hand=5)])
    order = oc.Order(
        id="o1",
        channel_id="web",
        destination=oc.GeoPoint(lat=52.5, lon=13.4),
        lines=[_line("MUG", 2)],
    )
    allocated = oc.allocate([order], network, inventory)
    result = oc.cancel(allocated.allocations, [oc.Cancellation(order_id="o1")], allocated.inventory)
    assert result.inventory == inventory


@pytest.mark.parametrize("cancel", IMPLEMENTATIONS)
def test_unknown_order_id_names_the_cancellation(cancel: Cancel) -> None:
    cancellations = [oc.Cancellation(order_id="o1"), oc.Cancellation(order_id="nope")]
    with pytest.raises(oc.UnknownReferenceError, match=r"cancellations\[1\]\.order_id"):
        cancel([_split_order()], cancellations, _stock())


@pytest.mark.parametrize("cancel", IMPLEMENTATIONS)
@pytest.mark.parametrize(
    ("arguments", "path"),
    [
        ((None, [], "stock"), "allocations"),
        (([_split_order()], "o1", "stock"), "cancellations"),
        (([_split_order()], [], None), "inventory"),
        (([_split_order(), "o2"], [], "stock"), r"allocations\[1\]"),
        (([_split_order()], [{"order_id": "o1"}], "stock"), r"cancellations\[0\]"),
        (([_split_order(), _split_order()], [], "stock"), r"allocations\[1\]\.order_id"),
    ],
)
def test_bad_arguments_are_invalid_input(
    cancel: Cancel, arguments: tuple[object, object, object], path: str
) -> None:
    allocations, cancellations, inventory = arguments
    stock = _stock() if inventory == "stock" else inventory
    with pytest.raises(oc.InvalidInputError, match=path):
        cancel(allocations, cancellations, stock)


def test_every_bad_item_is_reported() -> None:
    with pytest.raises(oc.InvalidInputError) as caught:
        oc.cancel(["a", _split_order(), _split_order()], [3], None)  # type: ignore[list-item]
    assert [path for path, _ in caught.value.problems] == [
        "allocations[0]",
        "allocations[2].order_id",
        "cancellations[0]",
        "inventory",
    ]


@pytest.mark.parametrize("cancel", IMPLEMENTATIONS)
def test_missing_reservations_apply_nothing(cancel: Cancel) -> None:
    """Stock that does not hold the order's reservations: the release fails whole."""
    bare = oc.Inventory.from_positions(
        [
            oc.StockPosition(node_id="dc", sku="MUG", on_hand=10, reserved=3),
            oc.StockPosition(node_id="store", sku="MUG", on_hand=2),
        ]
    )
    with pytest.raises(oc.InsufficientStockError):
        cancel([_split_order()], [oc.Cancellation(order_id="o1")], bare)


def test_a_cut_shipment_drops_its_parcels_and_rescales_the_penalty() -> None:
    """Three shipments, penalty 4.0 (2.0 per extra one): cutting the last leaves 2.0,
    and the DC shipment that loses its CUP keeps its cost but not its parcels."""
    parcel = oc.Parcel(
        carrier="post",
        weight_kg=2.0,
        billable_kg=2.0,
        units=[_line("MUG", 3), _line("CUP", 1)],
        cost=7.5,
    )
    dc, store = _split_order().shipments
    shipments = (
        attrs.evolve(dc, parcels=[parcel]),
        store,
        oc.Shipment(node_id="far", lines=[_line("CUP", 1)], distance_km=300.0, cost=9.0),
    )
    allocation = oc.Allocation(
        order_id="o1", shipments=shipments, unfulfilled=(), split_penalty=4.0
    )
    stock = oc.Inventory.from_positions(
        [
            oc.StockPosition(node_id="dc", sku="MUG", on_hand=3, reserved=3),
            oc.StockPosition(node_id="dc", sku="CUP", on_hand=1, reserved=1),
            oc.StockPosition(node_id="store", sku="MUG", on_hand=2, reserved=2),
            oc.StockPosition(node_id="far", sku="CUP", on_hand=1, reserved=1),
        ]
    )
    one = oc.Cancellation(order_id="o1", lines=[_line("CUP", 1)])
    result = oc.cancel([allocation], [one], stock)
    assert [s.node_id for s in result.allocations[0].shipments] == ["dc", "store"]
    assert result.allocations[0].split_penalty == 2.0
    assert result.allocations[0].shipments[0].parcels == (parcel,)  # untouched so far
    both = oc.Cancellation(order_id="o1", lines=[_line("CUP", 2)])
    result = oc.cancel([allocation], [both], stock)
    cut_dc = result.allocations[0].shipments[0]
    assert (cut_dc.lines, cut_dc.parcels, cut_dc.cost) == ((_line("MUG", 3),), (), 7.5)
    cancellation = both
    assert result == reference.cancel([allocation], [cancellation], stock)

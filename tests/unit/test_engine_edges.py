"""Edges of the engine found by a hostile-input probe (issue 12 items 2, 3 and 12): a
network with no nodes, capacity used beyond a node's capacity, and a solver that
writes to the process's standard output."""

import os

import pytest

import omnichannel as oc
from omnichannel import (
    Capability,
    Channel,
    ChannelKind,
    FulfillmentMethod,
    GeoPoint,
    Inventory,
    Network,
    Node,
    NodeKind,
    Order,
    OrderLine,
    ReturnCondition,
    ReturnLine,
    ReturnMethod,
    ReturnRequest,
    StockPosition,
    UnfulfilledReason,
    reference,
)
from omnichannel.allocation import BatchOptimal, DualPriceLookahead, FairShare, Sequential

HOME = GeoPoint(lat=48.1, lon=11.6)
WEB = Channel(id="web", kind=ChannelKind.WEB)
POLICIES = [Sequential(), FairShare(), BatchOptimal(), DualPriceLookahead()]


def delivery(order_id: str, quantity: int = 1) -> Order:
    return Order(
        id=order_id,
        channel_id="web",
        lines=[OrderLine(sku="A", quantity=quantity), OrderLine(sku="B", quantity=1)],
        method=FulfillmentMethod.SHIP_TO_HOME,
        destination=HOME,
    )


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: type(p).__name__)
def test_a_network_with_no_nodes_leaves_every_line_without_an_eligible_node(
    policy: oc.allocation.AllocationPolicy,
) -> None:
    network = Network(nodes=[], channels=[WEB])
    orders = [delivery("o1"), delivery("o2", 3)]
    stock = Inventory.from_positions([])
    fast = oc.allocate(orders, network, stock, policy=policy)
    plain = reference.allocate(orders, network, stock)
    assert fast.allocations == plain.allocations
    assert {u.reason for a in fast.allocations for u in a.unfulfilled} == {
        UnfulfilledReason.NO_ELIGIBLE_NODE
    }
    assert fast.inventory == stock
    assert fast.capacity_used == {}


def test_explain_and_the_bound_take_a_network_with_no_nodes() -> None:
    network = Network(nodes=[], channels=[WEB])
    stock = Inventory.from_positions([])
    assert oc.explain(delivery("o1"), network, stock).candidates == ()
    bound = oc.allocation.lower_bound([delivery("o1")], network, stock, unserved_penalty=10.0)
    assert bound == pytest.approx(20.0)


def test_returns_to_a_network_with_no_nodes_are_kept() -> None:
    network = Network(nodes=[], channels=[WEB])
    request = ReturnRequest(
        id="r1",
        channel_id="web",
        lines=[ReturnLine(sku="A", quantity=1, condition=ReturnCondition.SELLABLE, unit_value=9.0)],
        method=ReturnMethod.MAIL,
        origin=HOME,
    )
    stock = Inventory.from_positions([])
    fast = oc.route_returns([request], network, stock)
    assert fast == reference.route_returns([request], network, stock)
    assert [route.disposition for route in fast.routes] == [oc.Disposition.KEEP]


def two_dcs() -> tuple[Network, Inventory]:
    """A full DC (capacity 1, already used 3 times this wave) and one with room."""
    nodes = [
        Node(
            id=node_id,
            kind=NodeKind.DC,
            location=GeoPoint(lat=48.0 + offset, lon=11.5),
            capabilities=Capability.SHIP,
            order_capacity=capacity,
        )
        for node_id, offset, capacity in (("full", 0.0, 1), ("roomy", 1.0, None))
    ]
    stock = Inventory.from_positions(
        [StockPosition(node_id=n.id, sku=sku, on_hand=5) for n in nodes for sku in "AB"]
    )
    return Network(nodes=nodes, channels=[WEB]), stock


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: type(p).__name__)
def test_capacity_used_beyond_capacity_means_none_left(
    policy: oc.allocation.AllocationPolicy,
) -> None:
    """A capacity lowered mid-wave made the LP infeasible: lower_bound raised and the
    optimizing policies fell back to Sequential. Now the excess means no shipment left."""
    network, stock = two_dcs()
    orders = [delivery("o1"), delivery("o2")]
    result = oc.allocate(orders, network, stock, policy=policy, capacity_used={"full": 3})
    assert [s.node_id for a in result.allocations for s in a.shipments] == ["roomy", "roomy"]
    assert result.notes == ()  # no fallback note
    assert result.capacity_used == {"full": 3, "roomy": 2}


def test_the_bound_with_capacity_used_beyond_capacity() -> None:
    network, stock = two_dcs()
    orders = [delivery("o1")]
    bound = oc.allocation.lower_bound(orders, network, stock, capacity_used={"full": 3})
    plain = oc.allocate(orders, network, stock, capacity_used={"full": 3})
    assert bound == pytest.approx(plain.total_cost)


def test_solver_chatter_never_reaches_standard_output(
    capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """HiGHS may print from C++ whatever its options say; a library must not. Here the
    solver is made to write to file descriptor 1 as HiGHS does, during each solve."""
    pytest.importorskip("scipy", reason="needs the 'optimize' extra: pip install -e '.[optimize]'")
    import scipy.optimize

    real_milp, real_linprog = scipy.optimize.milp, scipy.optimize.linprog

    def chatty(real):  # type: ignore[no-untyped-def]
        def solve(*args, **kwargs):  # type: ignore[no-untyped-def]
            os.write(1, b"Running HiGHS (chatter)\n")
            return real(*args, **kwargs)

        return solve

    monkeypatch.setattr(scipy.optimize, "milp", chatty(real_milp))
    monkeypatch.setattr(scipy.optimize, "linprog", chatty(real_linprog))
    network, stock = two_dcs()
    orders = [delivery("o1"), delivery("o2", 4)]
    print("before", flush=True)
    for policy in (BatchOptimal(), DualPriceLookahead()):
        oc.allocate(orders, network, stock, policy=policy)
    oc.allocation.lower_bound(orders, network, stock)
    print("after", flush=True)
    out, _ = capfd.readouterr()
    assert out == "before\nafter\n"


def test_stdout_is_restored_and_no_descriptor_leaks_when_devnull_cannot_open(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from omnichannel.allocation import _quiet

    before = len(os.listdir("/proc/self/fd"))

    def refuse(*_: object) -> int:
        raise OSError("too many open files")

    monkeypatch.setattr(_quiet.os, "open", refuse)
    with _quiet.quiet_stdout():
        pass
    monkeypatch.undo()
    assert len(os.listdir("/proc/self/fd")) == before
    assert os.fstat(1).st_ino != os.stat(os.devnull).st_ino


def test_stdout_is_restored_when_the_block_raises() -> None:
    from omnichannel.allocation import _quiet

    with pytest.raises(RuntimeError, match="solver failed"), _quiet.quiet_stdout():
        raise RuntimeError("solver failed")
    assert os.fstat(1).st_ino != os.stat(os.devnull).st_ino

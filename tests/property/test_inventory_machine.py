"""A stateful machine over Inventory operations, checked against a plain dict model."""

from collections.abc import Callable

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from omnichannel import Channel, ChannelKind, InsufficientStockError, Inventory, StockMove
from omnichannel.testing import strategies as oms

NODES = ["dc", "berlin", "paris"]
SKUS = ["A", "B", "C"]
STORE_SALES = Channel(id="pos", kind=ChannelKind.STORE, respects_safety_stock=False)
Model = dict[tuple[str, str], list[int]]


def units(model: Model) -> tuple[int, int]:
    return sum(p[0] for p in model.values()), sum(p[3] for p in model.values())


class InventoryMachine(RuleBasedStateMachine):
    """Each rule applies one operation to the snapshot and to the model; on a refusal
    both stay as they were."""

    def __init__(self) -> None:
        super().__init__()
        self.inventory = Inventory()
        self.model: Model = {}

    @rule(positions=oms.inventories(node_ids=NODES, sku_codes=SKUS))
    def start_over(self, positions: Inventory) -> None:
        self.inventory = positions
        self.model = {
            (p.node_id, p.sku): [p.on_hand, p.reserved, p.safety_stock, p.in_transit]
            for p in positions.positions()
        }

    def apply(
        self,
        moves: list[StockMove],
        operation: Callable[[Inventory], Inventory],
        limit: Callable[[list[int]], int],
        effect: Callable[[list[int], int], None],
        creates: bool = False,
    ) -> None:
        totals: dict[tuple[str, str], int] = {}
        for move in moves:
            totals[(move.node_id, move.sku)] = (
                totals.get((move.node_id, move.sku), 0) + move.quantity
            )
        fits = all(
            (pair in self.model or creates)
            and quantity <= limit(self.model.get(pair, [0, 0, 0, 0]))
            for pair, quantity in totals.items()
        )
        before = self.inventory.positions()
        try:
            result = operation(self.inventory)
        except InsufficientStockError:
            assert not fits
            assert self.inventory.positions() == before
            return
        assert fits
        for pair, quantity in totals.items():
            effect(self.model.setdefault(pair, [0, 0, 0, 0]), quantity)
        self.inventory = result

    @rule(
        moves=st.lists(oms.stock_moves(node_ids=NODES, sku_codes=SKUS), max_size=4),
        store=st.booleans(),
    )
    def reserve(self, moves: list[StockMove], store: bool) -> None:
        channel = STORE_SALES if store else None
        held = 0 if store else 1
        before = units(self.model)
        self.apply(
            moves,
            lambda inv: inv.reserve(moves, channel=channel),
            lambda p: max(p[0] - p[1] - held * p[2], 0),
            lambda p, q: p.__setitem__(1, p[1] + q),
        )
        assert units(self.model) == before

    @rule(moves=st.lists(oms.stock_moves(node_ids=NODES, sku_codes=SKUS), max_size=4))
    def release(self, moves: list[StockMove]) -> None:
        before = units(self.model)
        self.apply(
            moves,
            lambda inv: inv.release(moves),
            lambda p: p[1],
            lambda p, q: p.__setitem__(1, p[1] - q),
        )
        assert units(self.model) == before

    @rule(moves=st.lists(oms.stock_moves(node_ids=NODES, sku_codes=SKUS), max_size=4))
    def fulfil(self, moves: list[StockMove]) -> None:
        def ship(p: list[int], q: int) -> None:
            p[0] -= q
            p[1] -= q

        self.apply(moves, lambda inv: inv.fulfil(moves), lambda p: p[1], ship)

    @rule(moves=st.lists(oms.stock_moves(node_ids=NODES, sku_codes=SKUS), max_size=4))
    def receive(self, moves: list[StockMove]) -> None:
        self.apply(
            moves,
            lambda inv: inv.receive(moves),
            lambda p: 10**9,
            lambda p, q: p.__setitem__(0, p[0] + q),
            creates=True,
        )

    @rule(moves=st.lists(oms.stock_moves(node_ids=NODES, sku_codes=SKUS), max_size=4))
    def expect_then_arrive(self, moves: list[StockMove]) -> None:
        self.apply(
            moves,
            lambda inv: inv.expect(moves),
            lambda p: 10**9,
            lambda p, q: p.__setitem__(3, p[3] + q),
            creates=True,
        )

        def arrive(p: list[int], q: int) -> None:
            p[0] += q
            p[3] -= q

        self.apply(moves, lambda inv: inv.receive(moves, from_transit=True), lambda p: p[3], arrive)

    @precondition(lambda self: bool(self.model))
    @invariant()
    def matches_model(self) -> None:
        got = {
            (p.node_id, p.sku): [p.on_hand, p.reserved, p.safety_stock, p.in_transit]
            for p in self.inventory.positions()
        }
        assert got == self.model

    @invariant()
    def never_negative_and_reserved_within_on_hand(self) -> None:
        for p in self.inventory.positions():
            assert 0 <= p.reserved <= p.on_hand
            assert p.in_transit >= 0
            assert self.inventory.available(p.node_id, p.sku) >= 0

    @invariant()
    def round_trips(self) -> None:
        assert Inventory.from_positions(self.inventory.positions()) == self.inventory


TestInventoryMachine = InventoryMachine.TestCase

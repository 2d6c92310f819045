"""A stateful machine over Inventory operations, checked against a plain dict model.

Every snapshot the machine makes is kept with what it held when it was made, and
read again later (now and then during the run, all of them at the end): snapshots
share chunks and the index, and no change may ever reach an old one. Chunks hold
4 positions here instead of 256, so chains cross chunk boundaries all the time;
a rule switches the storage between its numpy and plain-Python paths; another
goes back to an old snapshot and carries on from there, so histories branch and
the storage must fork what it appends. ``TestLongInventoryChains`` adds bursts of
hundreds of seeded operations per step: thousands of snapshots in one chain.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from omnichannel import (
    Channel,
    ChannelKind,
    InsufficientStockError,
    InvalidInputError,
    Inventory,
    StockMove,
    StockPosition,
)
from omnichannel._domain import _stock_store
from omnichannel._domain.validators import MAX_COUNT
from omnichannel.testing import strategies as oms

NODES = ("dc", "berlin", "paris", "rome", "oslo", "wien", "bern", "riga")
SKUS = ("A", "B", "C", "D", "E", "F", "G", "H", "I", "J")
NEW_NODES = ("lyon", "porto", "gent")
NEW_SKUS = ("K", "L", "M")
"""Ids that only bursts use: positions at nodes and of SKUs a snapshot has not seen."""
ALL_NODES, ALL_SKUS = (*NODES, *NEW_NODES), (*SKUS, *NEW_SKUS)
NOT_THERE = ("nowhere", "Z")
STORE_SALES = Channel(id="pos", kind=ChannelKind.STORE, respects_safety_stock=False)

Pair = tuple[str, str]
Counts = tuple[int, int, int, int]
"""on_hand, reserved, safety_stock, in_transit."""
Model = dict[Pair, list[int]]
Refusal = type[Exception] | None


@contextmanager
def small_chunks() -> Iterator[None]:
    """Snapshots built inside hold 4 positions per chunk, and so do all made from them."""
    saved = _stock_store.CHUNK_SHIFT
    _stock_store.CHUNK_SHIFT = 2
    try:
        yield
    finally:
        _stock_store.CHUNK_SHIFT = saved


def frozen(model: Model) -> dict[Pair, Counts]:
    return {pair: (p[0], p[1], p[2], p[3]) for pair, p in model.items()}


def assert_reads(inventory: Inventory, held: dict[Pair, Counts]) -> None:
    """``inventory`` reads exactly ``held`` through every way of reading it."""
    positions = inventory.positions()
    assert {
        (p.node_id, p.sku): (p.on_hand, p.reserved, p.safety_stock, p.in_transit) for p in positions
    } == held
    assert [(p.sku, p.node_id) for p in positions] == sorted((s, n) for n, s in held)
    assert inventory.n_positions == len(held)
    assert inventory.node_ids == tuple(sorted({n for n, _ in held}))
    assert inventory.skus == tuple(sorted({s for _, s in held}))
    skus, nodes = (*ALL_SKUS, *NOT_THERE), (*ALL_NODES, NOT_THERE[0])
    block = inventory.dense(skus, nodes)
    for field, got in enumerate(block):
        expected = [[held.get((n, s), (0, 0, 0, 0))[field] for n in nodes] for s in skus]
        assert got.tolist() == expected
    some = sorted(held)[::7]
    backwards = list(reversed(ALL_NODES))  # a list: never cached like a tuple
    picked = inventory.dense([s for _, s in some], backwards)
    for row, (node_id, sku) in enumerate(some):
        assert picked.on_hand[row, backwards.index(node_id)] == held[(node_id, sku)][0]
        on_hand, reserved, safety, _ = held[(node_id, sku)]
        assert inventory.available(node_id, sku) == max(on_hand - reserved - safety, 0)
        assert inventory.available(node_id, sku, STORE_SALES) == on_hand - reserved


def _reserve_refusal(safety_held: bool) -> Callable[[list[int] | None, int], Refusal]:
    def refusal(p: list[int] | None, q: int) -> Refusal:
        if p is None or q > max(p[0] - p[1] - (p[2] if safety_held else 0), 0):
            return InsufficientStockError
        return None

    return refusal


def _reserved_refusal(p: list[int] | None, q: int) -> Refusal:
    return InsufficientStockError if p is None or q > p[1] else None


def _bound_refusal(field: int) -> Callable[[list[int] | None, int], Refusal]:
    def refusal(p: list[int] | None, q: int) -> Refusal:
        return InvalidInputError if (0 if p is None else p[field]) + q > MAX_COUNT else None

    return refusal


def _arrive_refusal(p: list[int] | None, q: int) -> Refusal:
    if p is None or q > p[3]:
        return InsufficientStockError
    return InvalidInputError if p[0] + q > MAX_COUNT else None


def _add(*fields: tuple[int, int]) -> Callable[[list[int], int], None]:
    def effect(p: list[int], q: int) -> None:
        for field, sign in fields:
            p[field] += sign * q

    return effect


OPERATIONS: dict[
    str,
    tuple[
        Callable[[Inventory, list[StockMove]], Inventory],
        Callable[[list[int] | None, int], Refusal],
        Callable[[list[int], int], None],
    ],
] = {
    "reserve": (lambda inv, m: inv.reserve(m), _reserve_refusal(True), _add((1, 1))),
    "reserve_in_store": (
        lambda inv, m: inv.reserve(m, channel=STORE_SALES),
        _reserve_refusal(False),
        _add((1, 1)),
    ),
    "release": (lambda inv, m: inv.release(m), _reserved_refusal, _add((1, -1))),
    "fulfil": (lambda inv, m: inv.fulfil(m), _reserved_refusal, _add((0, -1), (1, -1))),
    "receive": (lambda inv, m: inv.receive(m), _bound_refusal(0), _add((0, 1))),
    "expect": (lambda inv, m: inv.expect(m), _bound_refusal(3), _add((3, 1))),
    "arrive": (
        lambda inv, m: inv.receive(m, from_transit=True),
        _arrive_refusal,
        _add((0, 1), (3, -1)),
    ),
}
"""Each operation: the call, when the model refuses a pair's total, and its effect."""

moves_lists = st.lists(oms.stock_moves(node_ids=NODES, sku_codes=SKUS), max_size=5)
many_moves = st.lists(oms.stock_moves(node_ids=NODES, sku_codes=SKUS), min_size=17, max_size=30)


class InventoryMachine(RuleBasedStateMachine):
    """Each rule applies an operation to the snapshot and to the model; on a refusal
    both stay as they were. Every snapshot made is kept in ``kept``."""

    def __init__(self) -> None:
        super().__init__()
        with small_chunks():
            self.inventory = Inventory()
        self.model: Model = {}
        self.kept: list[tuple[Inventory, dict[Pair, Counts]]] = [(self.inventory, {})]
        self.saved_paths = (_stock_store._FEW, _stock_store._MANY_INSERTS)

    def teardown(self) -> None:
        try:
            for inventory, held in self.kept:
                assert_reads(inventory, held)
        finally:
            _stock_store._FEW, _stock_store._MANY_INSERTS = self.saved_paths

    def keep(self) -> None:
        self.kept.append((self.inventory, frozen(self.model)))

    def apply(self, name: str, moves: list[StockMove]) -> None:
        """``name`` on the snapshot and the model: both change, or the snapshot raises
        the error the model expects and neither changes."""
        call, refusal, effect = OPERATIONS[name]
        totals: dict[Pair, int] = {}
        for move in moves:
            pair = (move.node_id, move.sku)
            totals[pair] = totals.get(pair, 0) + move.quantity
        refusals = {refusal(self.model.get(pair), q) for pair, q in totals.items()} - {None}
        expected = (
            InsufficientStockError
            if InsufficientStockError in refusals
            else next(iter(refusals), None)
        )
        raised: type[Exception] | None = None
        try:
            result = call(self.inventory, moves)
        except (InsufficientStockError, InvalidInputError) as error:
            raised = type(error)
        assert raised is expected, (name, totals, raised)
        if raised is not None:
            for pair in totals:  # nothing half-applied
                self._assert_position(self.inventory, pair)
            return
        for pair, q in totals.items():
            effect(self.model.setdefault(pair, [0, 0, 0, 0]), q)
        if not moves:
            assert result is self.inventory
        self.inventory = result
        self.keep()
        for pair in totals:
            self._assert_position(result, pair)

    def _assert_position(self, inventory: Inventory, pair: Pair) -> None:
        position = inventory.position(*pair)
        counts = self.model.get(pair)
        if counts is None:
            assert position is None
        else:
            assert position is not None
            assert [
                position.on_hand,
                position.reserved,
                position.safety_stock,
                position.in_transit,
            ] == counts

    def reserve_arrays(self, lines: list[tuple[str, str, int]]) -> None:
        """``with_reserved`` (the engine's reservation) on the snapshot and the model."""
        totals: dict[Pair, int] = {}
        for node_id, sku, q in lines:
            totals[(node_id, sku)] = totals.get((node_id, sku), 0) + q
        fits = all(
            pair in self.model and q <= self.model[pair][0] - self.model[pair][1]
            for pair, q in totals.items()
        )
        quantities = np.array([q for _, _, q in lines], dtype=np.int64)
        try:
            result = self.inventory.with_reserved(
                [n for n, _, _ in lines], [s for _, s, _ in lines], quantities
            )
        except InsufficientStockError:
            assert not fits
            return
        assert fits
        for pair, q in totals.items():
            self.model[pair][1] += q
        self.inventory = result
        self.keep()

    @rule(
        positions=st.lists(
            oms.stock_positions(node_ids=NODES, sku_codes=SKUS),
            max_size=40,
            unique_by=lambda p: (p.node_id, p.sku),
        ),
        near_the_bound=st.booleans(),
    )
    def start_over(self, positions: list[StockPosition], near_the_bound: bool) -> None:
        if near_the_bound:  # receipts then meet MAX_COUNT
            shift = MAX_COUNT - 12
            positions = [
                StockPosition(
                    node_id=p.node_id,
                    sku=p.sku,
                    on_hand=p.on_hand + shift,
                    reserved=p.reserved,
                    safety_stock=p.safety_stock,
                    in_transit=p.in_transit + shift,
                )
                for p in positions
            ]
        with small_chunks():
            self.inventory = Inventory.from_positions(positions)
        self.model = {
            (p.node_id, p.sku): [p.on_hand, p.reserved, p.safety_stock, p.in_transit]
            for p in positions
        }
        self.keep()

    @rule(moves=moves_lists, store=st.booleans())
    def reserve(self, moves: list[StockMove], store: bool) -> None:
        self.apply("reserve_in_store" if store else "reserve", moves)

    @rule(moves=moves_lists)
    def release(self, moves: list[StockMove]) -> None:
        self.apply("release", moves)

    @rule(moves=moves_lists)
    def fulfil(self, moves: list[StockMove]) -> None:
        self.apply("fulfil", moves)

    @rule(moves=moves_lists)
    def receive(self, moves: list[StockMove]) -> None:
        self.apply("receive", moves)

    @rule(moves=moves_lists)
    def expect_then_arrive(self, moves: list[StockMove]) -> None:
        self.apply("expect", moves)
        self.apply("arrive", moves)

    @rule(name=st.sampled_from(sorted(OPERATIONS)), moves=many_moves)
    def many_at_once(self, name: str, moves: list[StockMove]) -> None:
        self.apply(name, moves)

    @rule(
        lines=st.lists(
            st.tuples(st.sampled_from(NODES), st.sampled_from(SKUS), st.integers(0, 4)),
            max_size=24,
        )
    )
    def with_reserved(self, lines: list[tuple[str, str, int]]) -> None:
        self.reserve_arrays(lines)

    @rule(back=st.integers(0, 10**6))
    def go_back(self, back: int) -> None:
        """Carry on from an older snapshot: history branches."""
        self.inventory, held = self.kept[-1 - back % len(self.kept)]
        self.model = {pair: list(counts) for pair, counts in held.items()}

    @rule(back=st.integers(0, 10**6))
    def read_an_old_snapshot(self, back: int) -> None:
        assert_reads(*self.kept[-1 - back % len(self.kept)])

    @rule(few=st.sampled_from([0, 2, 16]), many=st.sampled_from([0, 3, 512]))
    def switch_paths(self, few: int, many: int) -> None:
        """Up to ``few`` rows or SKUs the storage loops in Python, above that in numpy;
        above ``many`` positions added since the base, ``columns`` scatters them."""
        _stock_store._FEW = few
        _stock_store._MANY_INSERTS = many

    @invariant()
    def matches_model(self) -> None:
        assert_reads(self.inventory, frozen(self.model))

    @invariant()
    def never_negative_and_reserved_within_on_hand(self) -> None:
        for p in self.inventory.positions():
            assert 0 <= p.reserved <= p.on_hand <= MAX_COUNT
            assert 0 <= p.in_transit <= MAX_COUNT

    @invariant()
    def round_trips(self) -> None:
        assert Inventory.from_positions(self.inventory.positions()) == self.inventory


TestInventoryMachine = InventoryMachine.TestCase


class LongChainMachine(InventoryMachine):
    """The same machine with bursts: hundreds of seeded operations in one step, each
    checked against the model and its snapshot kept, over a growing set of ids."""

    @rule(seed=st.integers(0, 2**32 - 1), length=st.integers(100, 600))
    def burst(self, seed: int, length: int) -> None:
        rng = random.Random(seed)
        nodes, skus = ALL_NODES, ALL_SKUS
        names = sorted(OPERATIONS)
        for _ in range(length):
            roll = rng.random()
            if roll < 0.02:
                self.go_back(rng.randrange(10**6))
                continue
            if roll < 0.12:
                lines = [
                    (rng.choice(nodes), rng.choice(skus), rng.randrange(3))
                    for _ in range(rng.randrange(1, 25))
                ]
                self.reserve_arrays(lines)
                continue
            moves = [
                StockMove(
                    node_id=rng.choice(nodes), sku=rng.choice(skus), quantity=rng.randint(1, 6)
                )
                for _ in range(rng.choice((1, 1, 2, 3, 20)))
            ]
            name = rng.choice(("receive", "expect", *names))
            self.apply(name, moves)


TestLongInventoryChains = LongChainMachine.TestCase
TestLongInventoryChains.settings = settings(
    settings(),
    max_examples=4,
    stateful_step_count=30,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example],
)


def test_one_chain_of_thousands_of_snapshots() -> None:
    """A fixed long chain, whatever the profile: 4,000 operations, all re-read."""
    machine = LongChainMachine()
    try:
        machine.burst(seed=13, length=4_000)
        assert len(machine.kept) > 2_000
        assert machine.inventory.n_positions > 40  # many chunks of 4
    finally:
        machine.teardown()

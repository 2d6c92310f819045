"""Embedding omnichannel in a backend: stock and orders in SQLite, decisions in memory.

The database owns the state; omnichannel decides. A wave reads the stock and the
new orders, allocates them, and writes the reservations back in one
transaction that only claims orders still new, so running the same wave twice
never reserves twice. A cancelled order releases its units; a return dropped off
in a store is routed and, when it can be sold again there, restocked.

    python examples/sqlite_backend.py
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from omnichannel import (
    Capability,
    Channel,
    ChannelKind,
    Disposition,
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
    StockMove,
    StockPosition,
    allocate,
    route_returns,
)

NETWORK = Network(
    nodes=[
        Node(
            id="dc",
            kind=NodeKind.DC,
            location=GeoPoint(lat=51.34, lon=12.37),
            capabilities=Capability.SHIP | Capability.RESTOCK,
            handling_cost_per_order=1.5,
        ),
        Node(
            id="berlin",
            kind=NodeKind.STORE,
            location=GeoPoint(lat=52.52, lon=13.40),
            capabilities=Capability.SHIP
            | Capability.PICKUP
            | Capability.ACCEPT_RETURNS
            | Capability.RESTOCK,
            handling_cost_per_order=3.0,
        ),
    ],
    channels=[Channel(id="web", kind=ChannelKind.WEB)],
)
SCHEMA = """
CREATE TABLE stock (node_id TEXT, sku TEXT, on_hand INTEGER, reserved INTEGER,
                    safety_stock INTEGER, in_transit INTEGER, PRIMARY KEY (node_id, sku));
CREATE TABLE orders (id TEXT PRIMARY KEY, channel_id TEXT, lat REAL, lon REAL,
                     status TEXT CHECK (status IN ('new', 'allocated', 'cancelled')));
CREATE TABLE order_lines (order_id TEXT, sku TEXT, quantity INTEGER);
CREATE TABLE reservations (order_id TEXT, node_id TEXT, sku TEXT, quantity INTEGER);
"""


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Everything inside commits together or not at all."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def load_inventory(db: sqlite3.Connection) -> Inventory:
    rows = db.execute("SELECT node_id, sku, on_hand, reserved, safety_stock, in_transit FROM stock")
    return Inventory.from_positions(
        StockPosition(node_id=n, sku=s, on_hand=h, reserved=r, safety_stock=f, in_transit=t)
        for n, s, h, r, f, t in rows
    )


def load_new_orders(db: sqlite3.Connection) -> list[Order]:
    orders = []
    for order_id, channel_id, lat, lon in db.execute(
        "SELECT id, channel_id, lat, lon FROM orders WHERE status = 'new' ORDER BY id"
    ).fetchall():
        lines = db.execute(
            "SELECT sku, quantity FROM order_lines WHERE order_id = ? ORDER BY rowid", (order_id,)
        )
        orders.append(
            Order(
                id=order_id,
                channel_id=channel_id,
                destination=GeoPoint(lat=lat, lon=lon),
                lines=[OrderLine(sku=sku, quantity=q) for sku, q in lines],
            )
        )
    return orders


def run_wave(db: sqlite3.Connection) -> int:
    """Allocate every new order and write the reservations; returns orders allocated."""
    orders = load_new_orders(db)
    result = allocate(orders, NETWORK, load_inventory(db))
    claimed = 0
    with transaction(db):
        for allocation in result.allocations:
            if not allocation.shipments:
                continue
            cursor = db.execute(
                "UPDATE orders SET status = 'allocated' WHERE id = ? AND status = 'new'",
                (allocation.order_id,),
            )
            if cursor.rowcount != 1:
                raise RuntimeError(f"order {allocation.order_id} was claimed by another wave")
            claimed += 1
            for shipment in allocation.shipments:
                for line in shipment.lines:
                    db.execute(
                        "INSERT INTO reservations VALUES (?, ?, ?, ?)",
                        (allocation.order_id, shipment.node_id, line.sku, line.quantity),
                    )
                    db.execute(
                        "UPDATE stock SET reserved = reserved + ? WHERE node_id = ? AND sku = ?",
                        (line.quantity, shipment.node_id, line.sku),
                    )
    return claimed


def cancel(db: sqlite3.Connection, order_id: str) -> None:
    """Release a cancelled order's reservations."""
    moves = [
        StockMove(node_id=node_id, sku=sku, quantity=quantity)
        for node_id, sku, quantity in db.execute(
            "SELECT node_id, sku, quantity FROM reservations WHERE order_id = ?", (order_id,)
        )
    ]
    load_inventory(db).release(moves)  # checks the release is possible before writing it
    with transaction(db):
        for move in moves:
            db.execute(
                "UPDATE stock SET reserved = reserved - ? WHERE node_id = ? AND sku = ?",
                (move.quantity, move.node_id, move.sku),
            )
        db.execute("DELETE FROM reservations WHERE order_id = ?", (order_id,))
        db.execute("UPDATE orders SET status = 'cancelled' WHERE id = ?", (order_id,))


def take_return(db: sqlite3.Connection, request: ReturnRequest) -> Disposition:
    """Route a returned unit; restock it where it was dropped off if that is best."""
    (route,) = route_returns([request], NETWORK, load_inventory(db)).routes
    if route.disposition is Disposition.RESTOCK and route.node_id == request.drop_off_node_id:
        with transaction(db):
            db.execute(
                "INSERT INTO stock VALUES (?, ?, ?, 0, 0, 0) ON CONFLICT (node_id, sku) "
                "DO UPDATE SET on_hand = on_hand + excluded.on_hand",
                (route.node_id, route.sku, route.quantity),
            )
    return route.disposition


def stock_of(db: sqlite3.Connection, node_id: str, sku: str) -> tuple[int, int]:
    row = db.execute(
        "SELECT on_hand, reserved FROM stock WHERE node_id = ? AND sku = ?", (node_id, sku)
    ).fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def main() -> None:
    db = sqlite3.connect(":memory:", isolation_level=None)
    db.executescript(SCHEMA)
    db.executemany(
        "INSERT INTO stock VALUES (?, ?, ?, 0, ?, 0)",
        [("dc", "JACKET", 20, 0), ("berlin", "JACKET", 4, 1), ("berlin", "SCARF", 6, 0)],
    )
    customers = {"A1": (52.50, 13.42), "A2": (52.53, 13.38), "A3": (51.30, 12.40)}
    for order_id, (lat, lon) in customers.items():
        db.execute("INSERT INTO orders VALUES (?, 'web', ?, ?, 'new')", (order_id, lat, lon))
        db.execute("INSERT INTO order_lines VALUES (?, 'JACKET', 2)", (order_id,))
    db.execute("INSERT INTO order_lines VALUES ('A1', 'SCARF', 1)")

    print("wave 1 allocated", run_wave(db), "orders")
    before = db.execute("SELECT * FROM stock ORDER BY node_id, sku").fetchall()
    print("wave 1 again allocated", run_wave(db), "orders")
    assert db.execute("SELECT * FROM stock ORDER BY node_id, sku").fetchall() == before
    for node_id, sku in (("dc", "JACKET"), ("berlin", "JACKET"), ("berlin", "SCARF")):
        print(f"  {node_id:>6} {sku:<6} on hand, reserved: {stock_of(db, node_id, sku)}")

    cancel(db, "A3")
    print("after cancelling A3, dc JACKET on hand, reserved:", stock_of(db, "dc", "JACKET"))

    returned = ReturnRequest(
        id="R1",
        channel_id="web",
        method=ReturnMethod.IN_STORE,
        drop_off_node_id="berlin",
        lines=[
            ReturnLine(sku="SCARF", quantity=1, condition=ReturnCondition.SELLABLE, unit_value=25.0)
        ],
    )
    print(
        "return R1:",
        take_return(db, returned).name,
        "; berlin SCARF on hand, reserved:",
        stock_of(db, "berlin", "SCARF"),
    )


if __name__ == "__main__":
    main()

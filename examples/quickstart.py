"""A small network: two stores and a DC, stock at each, and what each channel may promise."""

from omnichannel import (
    Capability,
    Channel,
    ChannelKind,
    GeoPoint,
    Inventory,
    Network,
    Node,
    NodeKind,
    StockMove,
    StockPosition,
)

SHIPPING_STORE = Capability.SHIP | Capability.PICKUP | Capability.RECEIVE_TRANSFER


def main() -> None:
    network = Network(
        nodes=[
            Node(
                id="dc-leipzig",
                kind=NodeKind.DC,
                location=GeoPoint(lat=51.34, lon=12.37),
                capabilities=Capability.SHIP,
                handling_cost_per_order=1.5,
            ),
            Node(
                id="store-berlin",
                kind=NodeKind.STORE,
                location=GeoPoint(lat=52.52, lon=13.40),
                capabilities=SHIPPING_STORE,
                order_capacity=40,
                handling_cost_per_order=3.0,
            ),
            Node(
                id="store-hamburg",
                kind=NodeKind.STORE,
                location=GeoPoint(lat=53.55, lon=9.99),
                capabilities=SHIPPING_STORE,
                order_capacity=40,
                handling_cost_per_order=3.0,
            ),
        ],
        channels=[
            Channel(id="web", kind=ChannelKind.WEB),
            Channel(id="till", kind=ChannelKind.STORE, respects_safety_stock=False),
        ],
    )
    inventory = Inventory.from_positions(
        [
            StockPosition(node_id="dc-leipzig", sku="TSHIRT-M", on_hand=120),
            StockPosition(node_id="store-berlin", sku="TSHIRT-M", on_hand=6, safety_stock=2),
            StockPosition(node_id="store-hamburg", sku="TSHIRT-M", on_hand=3, safety_stock=2),
        ]
    )
    inventory = inventory.reserve([StockMove(node_id="store-berlin", sku="TSHIRT-M", quantity=1)])
    for node in network.nodes:
        web = inventory.available(node.id, "TSHIRT-M", network.channel("web"))
        till = inventory.available(node.id, "TSHIRT-M", network.channel("till"))
        print(f"{node.id:14s} web may promise {web:3d}, the till may sell {till:3d}")


if __name__ == "__main__":
    main()

"""A small network, a few orders of every fulfilment method, and how they were allocated."""

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
    ServiceLevel,
    StockPosition,
    allocate,
)
from omnichannel.sourcing import LowestCost

STORE = Capability.SHIP | Capability.PICKUP | Capability.RECEIVE_TRANSFER | Capability.SAME_DAY
BERLIN = GeoPoint(lat=52.52, lon=13.40)
HAMBURG = GeoPoint(lat=53.55, lon=9.99)


def network() -> Network:
    """A DC in Leipzig, stores in Berlin and Hamburg, a pickup point in Potsdam."""
    return Network(
        nodes=[
            Node(
                id="dc-leipzig",
                kind=NodeKind.DC,
                location=GeoPoint(lat=51.34, lon=12.37),
                capabilities=Capability.SHIP,
                handling_cost_per_order=1.5,
                handling_cost_per_unit=0.2,
            ),
            Node(
                id="store-berlin",
                kind=NodeKind.STORE,
                location=BERLIN,
                capabilities=STORE,
                order_capacity=40,
                handling_cost_per_order=3.0,
                handling_cost_per_unit=0.5,
            ),
            Node(
                id="store-hamburg",
                kind=NodeKind.STORE,
                location=HAMBURG,
                capabilities=STORE,
                order_capacity=40,
                handling_cost_per_order=3.0,
                handling_cost_per_unit=0.5,
            ),
            Node(
                id="pickup-potsdam",
                kind=NodeKind.PICKUP_POINT,
                location=GeoPoint(lat=52.39, lon=13.06),
                capabilities=Capability.PICKUP,
            ),
        ],
        channels=[
            Channel(id="web", kind=ChannelKind.WEB),
            Channel(id="till", kind=ChannelKind.STORE, respects_safety_stock=False),
        ],
    )


def main() -> None:
    inventory = Inventory.from_positions(
        [
            StockPosition(node_id="dc-leipzig", sku="TSHIRT-M", on_hand=120),
            StockPosition(node_id="dc-leipzig", sku="JEANS-32", on_hand=2),
            StockPosition(node_id="store-berlin", sku="TSHIRT-M", on_hand=6, safety_stock=2),
            StockPosition(node_id="store-berlin", sku="JEANS-32", on_hand=3, safety_stock=1),
            StockPosition(node_id="store-hamburg", sku="TSHIRT-M", on_hand=3, safety_stock=2),
        ]
    )
    orders = [
        Order(
            id="web-1",
            channel_id="web",
            lines=[OrderLine(sku="TSHIRT-M", quantity=2), OrderLine(sku="JEANS-32", quantity=1)],
            destination=GeoPoint(lat=52.50, lon=13.30),
        ),
        Order(
            id="web-2",
            channel_id="web",
            lines=[OrderLine(sku="JEANS-32", quantity=3)],
            destination=HAMBURG,
            service_level=ServiceLevel.EXPRESS,
        ),
        Order(
            id="till-1",
            channel_id="till",
            lines=[OrderLine(sku="TSHIRT-M", quantity=3)],
            method=FulfillmentMethod.PICKUP_IN_STORE,
            pickup_node_id="store-hamburg",
        ),
        Order(
            id="web-3",
            channel_id="web",
            lines=[OrderLine(sku="TSHIRT-M", quantity=1)],
            method=FulfillmentMethod.SHIP_TO_STORE,
            pickup_node_id="store-hamburg",
        ),
        Order(
            id="web-4",
            channel_id="web",
            lines=[OrderLine(sku="TSHIRT-M", quantity=1)],
            method=FulfillmentMethod.PICKUP_POINT,
            pickup_node_id="pickup-potsdam",
        ),
        Order(
            id="web-5",
            channel_id="web",
            lines=[OrderLine(sku="TSHIRT-M", quantity=1)],
            method=FulfillmentMethod.SAME_DAY,
            destination=BERLIN,
            service_level=ServiceLevel.SAME_DAY,
            priority=1,
        ),
    ]
    shop = network()
    result = allocate(orders, shop, inventory, sourcing=LowestCost())
    for allocation in result.allocations:
        print(f"{allocation.order_id:7s} {allocation.status.name}")
        for shipment in allocation.shipments:
            units = ", ".join(f"{line.quantity} x {line.sku}" for line in shipment.lines)
            print(
                f"        {shipment.node_id:14s} {units:28s}"
                f" {shipment.distance_km:6.1f} km  {shipment.cost:6.2f}"
            )
        for line in allocation.unfulfilled:
            print(f"        unfulfilled {line.quantity} x {line.sku}: {line.reason.name}")
    print(
        f"total cost {result.total_cost:.2f}, fill rate {result.fill_rate:.0%},"
        f" split rate {result.split_rate:.0%}"
    )
    left = result.inventory.available("store-berlin", "TSHIRT-M", shop.channel("web"))
    print(f"the web shop may still promise {left} T-shirts from Berlin")


if __name__ == "__main__":
    main()

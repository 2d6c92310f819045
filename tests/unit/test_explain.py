"""explain() says which rule rejects each node, and what each would cost."""

import omnichannel as oc

HERE = oc.GeoPoint(lat=50.0, lon=10.0)


def test_every_node_is_explained() -> None:
    network = oc.Network(
        nodes=[
            oc.Node(
                id="closed",
                kind=oc.NodeKind.DC,
                location=HERE,
                capabilities=oc.Capability.SHIP,
                active=False,
            ),
            oc.Node(
                id="vendor",
                kind=oc.NodeKind.DROP_SHIP,
                location=HERE,
                capabilities=oc.Capability.SHIP,
            ),
            oc.Node(
                id="locker",
                kind=oc.NodeKind.PICKUP_POINT,
                location=HERE,
                capabilities=oc.Capability.PICKUP,
            ),
            oc.Node(
                id="empty", kind=oc.NodeKind.DC, location=HERE, capabilities=oc.Capability.SHIP
            ),
            oc.Node(
                id="full",
                kind=oc.NodeKind.STORE,
                location=HERE,
                capabilities=oc.Capability.SHIP,
                order_capacity=0,
            ),
            oc.Node(
                id="good",
                kind=oc.NodeKind.STORE,
                location=oc.GeoPoint(lat=50.1, lon=10.0),
                capabilities=oc.Capability.SHIP,
                handling_cost_per_order=2.0,
            ),
        ],
        channels=[
            oc.Channel(
                id="web",
                kind=oc.ChannelKind.WEB,
                node_kinds={oc.NodeKind.DC, oc.NodeKind.STORE, oc.NodeKind.PICKUP_POINT},
            )
        ],
    )
    inventory = oc.Inventory.from_positions(
        [oc.StockPosition(node_id=n, sku="A", on_hand=4) for n in ("full", "good", "closed")]
    )
    order = oc.Order(
        id="o", channel_id="web", lines=[oc.OrderLine(sku="A", quantity=2)], destination=HERE
    )
    explanation = oc.explain(order, network, inventory)
    rules = {c.node_id: c.rejected_by for c in explanation.candidates}
    assert rules == {
        "closed": oc.Rule.INACTIVE,
        "vendor": oc.Rule.CHANNEL,
        "locker": oc.Rule.CAPABILITY,
        "empty": oc.Rule.STOCK,
        "full": oc.Rule.CAPACITY,
        "good": None,
    }
    good = explanation.candidate("good")
    assert explanation.chosen_node_id == "good"
    assert good.available == (4,)
    assert good.distance_km > 11
    assert good.score == good.shipping_cost + good.handling_cost
    result = oc.allocate([order], network, inventory)
    assert result.allocations[0].shipments[0].node_id == explanation.chosen_node_id

"""The price of a shipment, written plainly (the engine uses ``omnichannel._core.costs``)."""

from __future__ import annotations

from .._domain.enums import FulfillmentMethod
from .._domain.network import Network, Node
from .._domain.orders import Order


def shipping(order: Order, network: Network, km: float, units: int) -> float:
    """Carrier cost of ``units`` of ``order`` over ``km`` (currency); 0 for pickup in store."""
    if order.method is FulfillmentMethod.PICKUP_IN_STORE:
        return 0.0
    card = network.costs.rates[order.service_level]
    return card.base + card.per_km * km + card.per_unit * units


def handling(node: Node, units: int) -> float:
    """What ``node`` charges to pick and pack ``units`` for one shipment (currency)."""
    return node.handling_cost_per_order + node.handling_cost_per_unit * units

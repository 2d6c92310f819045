"""The price of a shipment, written plainly (the engine uses ``omnichannel._core.costs``)."""

from __future__ import annotations

from collections.abc import Sequence

from .._domain.carriers import CarrierService, Parcel
from .._domain.enums import FulfillmentMethod
from .._domain.network import Network, Node
from .._domain.orders import Order, OrderLine
from ._parcels import carriers_of, parcels


def shipping(
    order: Order,
    network: Network,
    km: float,
    lines: Sequence[OrderLine],
    services: Sequence[CarrierService] | None = None,
) -> tuple[float, tuple[Parcel, ...]]:
    """Carrier cost (currency) of ``lines`` of ``order`` over ``km``, and their parcels
    when carrier services price its level (rate-shopped among ``services``, None:
    all of them); 0 and none for pickup in store."""
    if order.method is FulfillmentMethod.PICKUP_IN_STORE:
        return 0.0, ()
    if carriers_of(network, order):
        return parcels(network, order, lines, km, services)
    card = network.costs.rates[order.service_level]
    units = sum(line.quantity for line in lines)
    return card.base + card.per_km * km + card.per_unit * units, ()


def handling(node: Node, units: int) -> float:
    """What ``node`` charges to pick and pack ``units`` for one shipment (currency)."""
    return node.handling_cost_per_order + node.handling_cost_per_unit * units

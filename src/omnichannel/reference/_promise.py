"""Plain promise and availability: one cart (or SKU and node) at a time, each option
one order decided alone by the plain sequential allocation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import attrs

from .._domain.calendar import from_minute, now_minute, to_minute
from .._domain.call_checks import (
    checked_carts,
    checked_context,
    checked_daily_used,
    checked_full_nodes,
    checked_near,
    checked_per_method,
    checked_skus,
)
from .._domain.enums import DELIVERED_METHODS, Capability, FulfillmentMethod, ServiceLevel
from .._domain.geo import GeoPoint
from .._domain.inventory import Inventory
from .._domain.network import Network, Node
from .._domain.orders import Order, OrderLine
from .._domain.promise import (
    OFFERED,
    Cart,
    FulfillmentOption,
    NodeAvailability,
    Promise,
    SkuAvailability,
)
from ..sourcing._batch import SOURCE_NEEDS, pickup_node_accepts
from ..sourcing._builtin import LowestCost
from ..sourcing._protocol import SourcingStrategy
from ._allocate import allocate
from ._nodes import canonical_nodes, km_to


@attrs.frozen(kw_only=True)
class _Call:
    """What every option of a call is decided on."""

    network: Network
    inventory: Inventory
    now: dt.datetime
    sourcing: SourcingStrategy
    capacity_used: Mapping[str, int] | None
    daily_used: Mapping[str, Mapping[dt.date, int]] | None
    full_node_ids: Iterable[str] | None = None

    def option(self, order: Order) -> FulfillmentOption | None:
        """``order`` allocated alone on the call's state, as an option (None when it
        ships nothing)."""
        result = allocate(
            [order],
            self.network,
            self.inventory,
            sourcing=self.sourcing,
            capacity_used=self.capacity_used,
            daily_used=self.daily_used,
            now=self.now,
            full_node_ids=self.full_node_ids,
        )
        allocation = result.allocations[0]
        if not allocation.shipments:
            return None
        latest = None
        for shipment in allocation.shipments:
            assert shipment.delivered_by is not None
            if latest is None or shipment.delivered_by > latest:
                latest = shipment.delivered_by
        assert latest is not None
        return FulfillmentOption(
            method=order.method,
            service_level=order.service_level,
            pickup_node_id=order.pickup_node_id,
            shipments=allocation.shipments,
            delivered_by=latest,
            cost=allocation.cost,
            complete=not allocation.unfulfilled,
        )


def promise(
    carts: Iterable[Cart],
    network: Network,
    inventory: Inventory,
    *,
    now: dt.datetime,
    sourcing: SourcingStrategy = LowestCost(),  # noqa: B008 (immutable configuration)
    capacity_used: Mapping[str, int] | None = None,
    daily_used: Mapping[str, Mapping[dt.date, int]] | None = None,
    per_method: int = 3,
    full_node_ids: Iterable[str] | None = None,
) -> tuple[Promise, ...]:
    """The plain twin of :func:`omnichannel.promise`: the same options, found cart by
    cart and option by option with :func:`omnichannel.reference.allocate`."""
    now_minute(now)
    per_method = checked_per_method(per_method)
    network, inventory, _ = checked_context(network, inventory, None)
    found = checked_carts(carts, network)
    call = _Call(
        network=network,
        inventory=inventory,
        now=now,
        sourcing=sourcing,
        capacity_used=capacity_used,
        daily_used=daily_used,
        full_node_ids=checked_full_nodes(full_node_ids, network),
    )
    return tuple(
        Promise(cart_id=cart.id, options=_ranked(_options(cart, call, per_method), per_method))
        for cart in found
    )


def _options(cart: Cart, call: _Call, per_method: int) -> list[FulfillmentOption]:
    """Every option found for ``cart``, before ranking."""
    options = []
    for method, level in OFFERED:
        if method in DELIVERED_METHODS:
            if cart.destination is None:
                continue
            order = cart.as_order(
                order_id=cart.id, method=method, service_level=level, pickup_node_id=None
            )
            for _ in range(per_method):
                option = call.option(order)
                if option is None:
                    break
                options.append(option)
                # Next: the cheapest delivered at least one minute earlier.
                minute = to_minute(option.delivered_by, "delivered_by", round_up=False)
                order = attrs.evolve(order, deliver_by=from_minute(minute - 1))
            continue
        for pickup in _pickup_nodes(cart, method, call.network, per_method):
            order = cart.as_order(
                order_id=cart.id, method=method, service_level=level, pickup_node_id=pickup
            )
            option = call.option(order)
            if option is not None:
                options.append(option)
    return options


def _pickup_nodes(
    cart: Cart, method: FulfillmentMethod, network: Network, per_method: int
) -> list[str]:
    """The cart's own pickup nodes, or the ``per_method`` nearest to its destination
    that can hand ``method`` over (ties: rank, then id)."""
    if cart.pickup_node_ids:
        return list(cart.pickup_node_ids)
    if cart.destination is None:
        return []
    channel = network.channel(cart.channel_id)

    def hands_over(node: Node) -> bool:
        if not node.active or not pickup_node_accepts(method, node.kind, node.capabilities):
            return False
        if method is FulfillmentMethod.PICKUP_IN_STORE:
            # The store also serves the order, so the channel must be allowed to use it.
            return node.kind in channel.node_kinds and SOURCE_NEEDS[method] in node.capabilities
        return True

    candidates = [node for node in canonical_nodes(network) if hands_over(node)]
    kms = km_to(cart.destination, candidates)
    nearest = sorted(range(len(candidates)), key=lambda i: (kms[i], i))[:per_method]
    return [candidates[i].id for i in nearest]


def _ranked(options: list[FulfillmentOption], per_method: int) -> tuple[FulfillmentOption, ...]:
    """Earliest first, then cheapest, then by (method, level, pickup node id); at most
    ``per_method`` per (method, service level)."""
    options = sorted(
        options,
        key=lambda o: (
            o.delivered_by,
            o.cost,
            OFFERED.index((o.method, o.service_level)),
            o.pickup_node_id or "",
        ),
    )
    kept: list[FulfillmentOption] = []
    for option in options:
        same = [
            k for k in kept if (k.method, k.service_level) == (option.method, option.service_level)
        ]
        if len(same) < per_method:
            kept.append(option)
    return tuple(kept)


def availability(
    skus: Iterable[str],
    network: Network,
    inventory: Inventory,
    *,
    channel_id: str,
    near: GeoPoint,
    radius_km: float,
    now: dt.datetime,
    daily_used: Mapping[str, Mapping[dt.date, int]] | None = None,
) -> tuple[SkuAvailability, ...]:
    """The plain twin of :func:`omnichannel.availability`: SKU by SKU, node by node,
    one unit for pickup in store through :func:`omnichannel.reference.allocate`."""
    now_minute(now)
    network, inventory, _ = checked_context(network, inventory, None)
    found = checked_skus(skus, network)
    channel_id, near, radius_km = checked_near(network, channel_id, near, radius_km)
    checked_daily_used(daily_used, network)
    channel = network.channel(channel_id)
    stores = [
        node
        for node in canonical_nodes(network)
        if node.active
        and Capability.PICKUP in node.capabilities
        and node.kind in channel.node_kinds
    ]
    nearby = sorted(
        (km, position, node)
        for position, (node, km) in enumerate(zip(stores, km_to(near, stores), strict=True))
        if km <= radius_km
    )
    call = _Call(
        network=network,
        inventory=inventory,
        now=now,
        sourcing=LowestCost(),
        capacity_used=None,
        daily_used=daily_used,
    )
    answers = []
    for sku in found:
        listed = []
        for km, _, node in nearby:
            units = inventory.available(node.id, sku, channel)
            if units < 1:
                continue
            option = call.option(
                Order(
                    id=sku,
                    channel_id=channel_id,
                    lines=(OrderLine(sku=sku, quantity=1),),
                    method=FulfillmentMethod.PICKUP_IN_STORE,
                    pickup_node_id=node.id,
                    service_level=ServiceLevel.STANDARD,
                )
            )
            if option is not None:
                listed.append(
                    NodeAvailability(
                        node_id=node.id,
                        distance_km=km,
                        available=units,
                        ready_at=option.delivered_by,
                    )
                )
        answers.append(SkuAvailability(sku=sku, nodes=tuple(listed)))
    return tuple(answers)

"""Checkout in a simulated day: each order's customer is shown the options ``promise``
offers their cart and places the order from the one they pick."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import attrs
import numpy as np

from .._core.geo import distance_km
from .._domain import validators as v
from .._domain.decisions import Allocation
from .._domain.enums import FulfillmentMethod
from .._domain.network import Network
from .._domain.orders import Order
from .._domain.promise import Cart, FulfillmentOption, Promise

_HOME = frozenset({FulfillmentMethod.SHIP_TO_HOME, FulfillmentMethod.SAME_DAY})


@attrs.frozen(kw_only=True)
class Checkout:
    """How simulated customers choose among a cart's options (a decision setting of
    :class:`SimulationConfig`: the retailer decides what it offers, and this models
    who takes what).

    Customers choose among the complete options (those that serve the whole cart)
    when there is one, else among all. A share ``pickup_share`` of customers (drawn
    per order) prefer click-and-collect: they take the earliest pickup-in-store
    option ready for collection on the local day it is offered, at a store within
    ``pickup_within_km`` of them. Everyone else, and those who find no such option,
    takes the cheapest home delivery (ties: the earliest), else the fastest option
    offered. A cart offered nothing is not ordered.
    """

    pickup_share: float = attrs.field(
        default=0.3, converter=v.to_float, validator=v.finite_in_range(0.0, 1.0)
    )
    """Share of customers who prefer click-and-collect (0 to 1)."""
    pickup_within_km: float = attrs.field(
        default=10.0, converter=v.to_float, validator=v.finite_at_least(0.0, 20_100.0)
    )
    """How far from a store such a customer still collects, km (0 to 20,100)."""
    per_method: int = attrs.field(default=3, validator=v.int_at_least(1, 100))
    """Options per method and service level the checkout shows (1 to 100)."""

    def choose(
        self,
        cart: Cart,
        offered: Promise,
        network: Network,
        at: dt.datetime,
        prefers_pickup: bool,
    ) -> FulfillmentOption | None:
        """The option the customer of ``cart`` picks from ``offered`` at ``at``."""
        options = tuple(o for o in offered.options if o.complete) or offered.options
        if not options:
            return None
        if prefers_pickup and cart.destination is not None:
            for option in options:  # fastest first
                if self._collectable(option, cart, network, at):
                    return option
        home = [o for o in options if o.method in _HOME]
        if home:
            return min(home, key=lambda o: (o.cost, o.delivered_by))
        return options[0]

    def _collectable(
        self, option: FulfillmentOption, cart: Cart, network: Network, at: dt.datetime
    ) -> bool:
        """A pickup in store ready today at a store near the customer."""
        if option.method is not FulfillmentMethod.PICKUP_IN_STORE or option.pickup_node_id is None:
            return False
        assert cart.destination is not None
        store = network.node(option.pickup_node_id)
        here, there = cart.destination, store.location
        km = float(distance_km([here.lat], [here.lon], [there.lat], [there.lon])[0])
        zone = dt.timezone.utc if store.calendar is None else store.calendar.zone
        today = at.astimezone(zone).date()
        return km <= self.pickup_within_km and option.delivered_by.astimezone(zone).date() == today


def cart_of(order: Order, network: Network) -> Cart:
    """The cart behind a generated order: its channel, lines and rules, where its
    customer is (its destination, else its pickup node), and the store it named."""
    destination = order.destination
    if destination is None and order.pickup_node_id is not None:
        destination = network.node(order.pickup_node_id).location
    named = order.method is FulfillmentMethod.PICKUP_IN_STORE and order.pickup_node_id
    return Cart(
        id=order.id,
        channel_id=order.channel_id,
        lines=order.lines,
        destination=destination,
        pickup_node_ids=(order.pickup_node_id,) if named else (),
        priority=order.priority,
        allow_split=order.allow_split,
        excluded_node_ids=order.excluded_node_ids,
    )


@attrs.define
class CheckoutTally:
    """What checkout did over a simulated period."""

    carts: int = 0
    options: int = 0
    """Options offered, over every cart."""
    unoffered: int = 0
    """Carts offered no option (not ordered)."""
    placed: list[Order] = attrs.field(factory=list)
    """The orders placed from an option, in order."""
    chosen: dict[str, FulfillmentOption] = attrs.field(factory=dict)
    """The option each placed order (by id) was placed from."""

    def add(self, other: CheckoutTally) -> None:
        self.carts += other.carts
        self.options += other.options
        self.unoffered += other.unoffered
        self.placed.extend(other.placed)
        self.chosen.update(other.chosen)

    def kept(self, allocations: Sequence[Allocation]) -> float:
        """Share of the placed orders whose allocation (among ``allocations``) ships
        every unit their option promised, each shipment delivered (ready, for pickups)
        by the option's ``delivered_by``; 1.0 with none placed."""
        if not self.chosen:
            return 1.0
        kept = 0
        for allocation in allocations:
            option = self.chosen.get(allocation.order_id)
            if option is None:
                continue
            promised = sum(line.quantity for s in option.shipments for line in s.lines)
            kept += allocation.units_allocated >= promised and all(
                s.delivered_by is not None and s.delivered_by <= option.delivered_by
                for s in allocation.shipments
            )
        return kept / len(self.chosen)


def place(
    checkout: Checkout,
    orders: Sequence[Order],
    promises: Sequence[Promise],
    network: Network,
    at: dt.datetime,
    draws: np.ndarray,
    tally: CheckoutTally,
) -> list[Order]:
    """The orders customers place from ``promises`` (one per order, in order) at ``at``:
    ``draws`` (uniform in [0, 1), one per order) decide who prefers pickup."""
    placed = []
    for order, offered, draw in zip(orders, promises, draws.tolist(), strict=True):
        cart = cart_of(order, network)
        tally.carts += 1
        tally.options += len(offered.options)
        option = checkout.choose(cart, offered, network, at, draw < checkout.pickup_share)
        if option is None:
            tally.unoffered += 1
            continue
        placed.append(
            Order.from_option(cart, option, order_id=order.id, placed_at=order.placed_at or at)
        )
        tally.chosen[order.id] = option
    tally.placed.extend(placed)
    return placed

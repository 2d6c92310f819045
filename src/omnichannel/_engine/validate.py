"""Checks of a call's arguments, shared by the engine and the reference."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, cast

import numpy as np

from .._domain.demand import DemandRates
from .._domain.inventory import Inventory
from .._domain.network import Network
from .._domain.orders import Order
from .._errors import InvalidInputError, Problem, UnknownReferenceError
from .._types import FloatArray


def checked_orders(orders: Iterable[Order], network: Network) -> tuple[Order, ...]:
    """``orders`` as a tuple, each an Order with a unique id that names known ids.

    Raises :class:`InvalidInputError` listing every bad order, or
    :class:`UnknownReferenceError` for the first unknown channel or node.
    """
    if isinstance(orders, (str, bytes, Mapping)) or not isinstance(orders, Iterable):
        raise InvalidInputError("orders", f"must be a sequence of Order, got {orders!r}")
    found: tuple[object, ...] = tuple(orders)
    problems: list[Problem] = []
    first: dict[str, int] = {}
    for index, order in enumerate(found):
        if not isinstance(order, Order):
            problems.append((f"orders[{index}]", f"must be Order, got {order!r}"))
        elif order.id in first:
            problems.append(
                (f"orders[{index}].id", f"duplicate of orders[{first[order.id]}]: {order.id!r}")
            )
        else:
            first[order.id] = index
    if problems:
        raise InvalidInputError.collect(problems)
    checked = cast("tuple[Order, ...]", found)
    for index, order in enumerate(checked):
        if not network.has_channel(order.channel_id):
            raise UnknownReferenceError(
                f"orders[{index}].channel_id",
                f"order {order.id!r} names unknown channel {order.channel_id!r}",
            )
        if order.pickup_node_id is not None and not network.has_node(order.pickup_node_id):
            raise UnknownReferenceError(
                f"orders[{index}].pickup_node_id",
                f"order {order.id!r} names unknown node {order.pickup_node_id!r}",
            )
    return checked


def checked_context(
    network: object, inventory: object, demand: object
) -> tuple[Network, Inventory, DemandRates | None]:
    """The network, inventory and demand of a call, each of its type."""
    problems: list[Problem] = []
    if not isinstance(network, Network):
        problems.append(("network", f"must be Network, got {type(network).__name__}"))
    if not isinstance(inventory, Inventory):
        problems.append(("inventory", f"must be Inventory, got {type(inventory).__name__}"))
    if demand is not None and not isinstance(demand, DemandRates):
        problems.append(("demand", f"must be DemandRates or None, got {type(demand).__name__}"))
    if problems:
        raise InvalidInputError.collect(problems)
    return network, inventory, demand  # type: ignore[return-value]


def checked_strategy(value: object, protocol: Any, path: str) -> None:
    """``value`` implements ``protocol`` (a runtime-checkable Protocol)."""
    if not isinstance(value, protocol):
        raise InvalidInputError(
            path, f"must implement {protocol.__name__}, got {type(value).__name__} {value!r}"
        )


def capacity_vector(capacity_used: Mapping[str, int] | None, network: Network) -> FloatArray:
    """Shipments already taken per canonical node, shape (n_nodes,)."""
    used = np.zeros(network.arrays.n_nodes, dtype=np.float64)
    if capacity_used is None:
        return used
    if not isinstance(capacity_used, Mapping):
        raise InvalidInputError(
            "capacity_used", f"must map node ids to shipments, got {capacity_used!r}"
        )
    problems: list[Problem] = []
    for node_id, count in capacity_used.items():
        if not isinstance(node_id, str) or not network.has_node(node_id):
            raise UnknownReferenceError(f"capacity_used[{node_id!r}]", "unknown node")
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            problems.append((f"capacity_used[{node_id!r}]", f"must be an int >= 0, got {count!r}"))
            continue
        used[network.node_index(node_id)] = count
    if problems:
        raise InvalidInputError.collect(problems)
    return used

"""Checks of a call's arguments (orders, returns, network, stock, strategies), shared by
the engine, the reference and the allocation layer."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar, cast

import numpy as np

from .._errors import InvalidInputError, Problem, UnknownReferenceError
from .._types import FloatArray
from . import validators as v
from .accuracy import Accuracy
from .demand import DemandRates
from .enums import Capability, ServiceLevel
from .geo import GeoPoint
from .inventory import Inventory
from .network import Network, Node
from .orders import Order
from .promise import Cart
from .returns import DROP_OFF_KIND, ReturnRequest
from .validators import MAX_AMOUNT, MAX_COUNT, daily_count_problems

Identified = TypeVar("Identified", Order, ReturnRequest, Cart)
"""A call's items that carry their own id."""


def _unique_items(items: object, kind: type[Identified], path: str) -> tuple[Identified, ...]:
    """``items`` as a tuple, each a ``kind`` with an ``id`` no other item has.

    Raises :class:`InvalidInputError` listing every bad item.
    """
    found = v.items(items, path, kind.__name__)
    if all(isinstance(item, kind) for item in found) and len(
        {item.id for item in cast("tuple[Identified, ...]", found)}
    ) == len(found):
        return cast("tuple[Identified, ...]", found)
    problems = v.unique_item_problems(found, kind, path, "id")
    if problems:
        raise InvalidInputError.collect(problems)
    return cast("tuple[Identified, ...]", found)


def _known_channel(network: Network, channel_id: str, path: str, owner: str) -> None:
    if not network.has_channel(channel_id):
        raise UnknownReferenceError(path, f"{owner} names unknown channel {channel_id!r}")


def _known_node(network: Network, node_id: str, path: str, owner: str) -> Node:
    if not network.has_node(node_id):
        raise UnknownReferenceError(path, f"{owner} names unknown node {node_id!r}")
    return network.node(node_id)


def checked_orders(
    orders: Iterable[Order], network: Network, path: str = "orders"
) -> tuple[Order, ...]:
    """``orders`` (the argument at ``path``) as a tuple, each an Order with a unique id
    that names known ids.

    Raises :class:`InvalidInputError` listing every bad order, or
    :class:`UnknownReferenceError` for the first unknown channel or node.
    """
    checked = _unique_items(orders, Order, path)
    if network.catalogue is not None:
        _check_catalogue(checked, network, path)
    channels = {order.channel_id for order in checked}
    pickups = {order.pickup_node_id for order in checked if order.pickup_node_id is not None}
    pinned = {
        node_id
        for order in checked
        for node_id in (*(order.allowed_node_ids or ()), *order.excluded_node_ids)
    }
    if (
        all(map(network.has_channel, channels))
        and all(map(network.has_node, pickups))
        and all(map(network.has_node, pinned))
    ):
        return checked
    for index, order in enumerate(checked):
        owner = f"order {order.id!r}"
        _known_channel(network, order.channel_id, f"{path}[{index}].channel_id", owner)
        if order.pickup_node_id is not None:
            _known_node(network, order.pickup_node_id, f"{path}[{index}].pickup_node_id", owner)
        for node_id in sorted(order.allowed_node_ids or ()):
            _known_node(network, node_id, f"{path}[{index}].allowed_node_ids", owner)
        for node_id in sorted(order.excluded_node_ids):
            _known_node(network, node_id, f"{path}[{index}].excluded_node_ids", owner)
    return checked


def checked_carts(carts: Iterable[Cart], network: Network) -> tuple[Cart, ...]:
    """``carts`` as a tuple, each a Cart with a unique id that names known channels,
    pickup nodes and (with a catalogue) SKUs.

    Raises :class:`InvalidInputError` listing every bad cart, or
    :class:`UnknownReferenceError` for the first unknown reference.
    """
    checked = _unique_items(carts, Cart, "carts")
    catalogue = network.catalogue
    for index, cart in enumerate(checked):
        owner = f"cart {cart.id!r}"
        _known_channel(network, cart.channel_id, f"carts[{index}].channel_id", owner)
        for position, node_id in enumerate(cart.pickup_node_ids):
            _known_node(network, node_id, f"carts[{index}].pickup_node_ids[{position}]", owner)
        for node_id in sorted(cart.excluded_node_ids):
            _known_node(network, node_id, f"carts[{index}].excluded_node_ids", owner)
        if catalogue is None:
            continue
        for position, line in enumerate(cart.lines):
            if line.sku not in catalogue:
                raise UnknownReferenceError(
                    f"carts[{index}].lines[{position}].sku",
                    f"{owner} holds {line.sku!r}, which is not in the catalogue",
                )
    return checked


def checked_skus(skus: Iterable[str], network: Network) -> tuple[str, ...]:
    """``skus`` as a tuple of distinct non-empty strings, each in the network's
    catalogue when it has one."""
    found = v.items(skus, "skus", "SKUs")
    problems: list[Problem] = []
    first: dict[str, int] = {}
    for index, sku in enumerate(found):
        if not isinstance(sku, str) or not sku:
            problems.append((f"skus[{index}]", f"must be a non-empty string, got {sku!r}"))
        elif sku in first:
            problems.append((f"skus[{index}]", f"{sku!r} already given at skus[{first[sku]}]"))
        else:
            first[sku] = index
    if problems:
        raise InvalidInputError.collect(problems)
    catalogue = network.catalogue
    if catalogue is not None:
        for index, sku in enumerate(found):
            if sku not in catalogue:
                raise UnknownReferenceError(f"skus[{index}]", f"{sku!r} is not in the catalogue")
    return cast("tuple[str, ...]", found)


def checked_near(
    network: Network, channel_id: object, near: object, radius_km: object
) -> tuple[str, GeoPoint, float]:
    """An availability question: a known channel id, a point and a radius (km)."""
    if not isinstance(channel_id, str) or not network.has_channel(channel_id):
        raise UnknownReferenceError("channel_id", f"unknown channel {channel_id!r}")
    problems: list[Problem] = []
    if not isinstance(near, GeoPoint):
        problems.append(("near", f"must be GeoPoint, got {type(near).__name__} {near!r}"))
    problem = amount_problem(radius_km)
    if problem is not None:
        problems.append(("radius_km", problem))
    if problems:
        raise InvalidInputError.collect(problems)
    return channel_id, near, float(radius_km)  # type: ignore[arg-type, return-value]


def checked_per_method(per_method: object) -> int:
    """``per_method``: an int in [1, MAX_COUNT], options per method and service level."""
    if (
        isinstance(per_method, bool)
        or not isinstance(per_method, int)
        or not 1 <= per_method <= MAX_COUNT
    ):
        raise InvalidInputError(
            "per_method", f"must be an int in [1, {MAX_COUNT}], got {per_method!r}"
        )
    return per_method


MAX_PARCEL_UNITS = 10_000
"""The most units one order may hold when carrier services price its parcels."""


def _check_catalogue(orders: tuple[Order, ...], network: Network, path: str) -> None:
    """Every SKU is in the network's catalogue (:class:`UnknownReferenceError`), and an
    order whose parcels carriers price holds at most ``MAX_PARCEL_UNITS`` units."""
    catalogue = network.catalogue
    assert catalogue is not None
    levels = {service.service_level for service in network.costs.carriers}
    skus = {line.sku for order in orders for line in order.lines}
    if all(sku in catalogue for sku in skus) and all(
        order.service_level not in levels or order.units <= MAX_PARCEL_UNITS for order in orders
    ):
        return  # the common case: each SKU looked up once
    for index, order in enumerate(orders):
        for position, line in enumerate(order.lines):
            if line.sku not in catalogue:
                raise UnknownReferenceError(
                    f"{path}[{index}].lines[{position}].sku",
                    f"order {order.id!r} asks for {line.sku!r}, which is not in the catalogue",
                )
        if order.service_level in levels and order.units > MAX_PARCEL_UNITS:
            raise InvalidInputError(
                f"{path}[{index}].lines",
                f"carriers price parcels of at most {MAX_PARCEL_UNITS} units per order, "
                f"got {order.units}",
            )


def checked_requests(
    requests: Iterable[ReturnRequest], network: Network
) -> tuple[ReturnRequest, ...]:
    """``requests`` as a tuple, each a ReturnRequest with a unique id that names known
    ids, dropped off (IN_STORE at a store, PICKUP_POINT at a pickup point) at an active
    node that accepts returns.

    Raises :class:`InvalidInputError` listing every bad request, or
    :class:`UnknownReferenceError` for the first unknown channel or node.
    """
    checked = _unique_items(requests, ReturnRequest, "requests")
    problems: list[Problem] = []
    for index, request in enumerate(checked):
        owner = f"return {request.id!r}"
        _known_channel(network, request.channel_id, f"requests[{index}].channel_id", owner)
        if request.drop_off_node_id is None:
            continue
        path = f"requests[{index}].drop_off_node_id"
        node = _known_node(network, request.drop_off_node_id, path, owner)
        kind = DROP_OFF_KIND[request.method]
        if not node.active:
            problems.append((path, f"node {node.id!r} is not active"))
        elif Capability.ACCEPT_RETURNS not in node.capabilities:
            problems.append((path, f"node {node.id!r} does not ACCEPT_RETURNS"))
        elif node.kind is not kind:
            problems.append(
                (
                    path,
                    f"{request.method.name} returns need a {kind.name} node, "
                    f"{node.id!r} is {node.kind.name}",
                )
            )
    if problems:
        raise InvalidInputError.collect(problems)
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
    """``value`` is an instance (not a class) implementing ``protocol`` (a
    runtime-checkable Protocol)."""
    problem = strategy_problem(value, protocol)
    if problem is not None:
        raise InvalidInputError(path, problem)


def strategy_problem(value: object, protocol: Any) -> str | None:
    """What keeps ``value`` from being an instance implementing ``protocol``, or None.

    A class passes ``isinstance(cls, protocol)`` since it has the protocol's
    attributes (as unbound functions and properties), so classes are refused first.
    """
    kind = type(value)
    if (kind, protocol) in _CONFORMING:
        return None
    if isinstance(value, type):
        return (
            f"must be an instance implementing {protocol.__name__}, got the class "
            f"{value.__name__} (call it: {value.__name__}())"
        )
    if not isinstance(value, protocol):
        return f"must implement {protocol.__name__}, got {kind.__name__} {value!r}"
    if isinstance(kind, protocol):
        # The class itself holds every attribute, so each instance has them: later
        # calls skip the protocol check, which costs tens of microseconds.
        _CONFORMING.add((kind, protocol))
    return None


_CONFORMING: set[tuple[type, Any]] = set()
"""(class, protocol) pairs whose every instance implements the protocol."""


def amount_problem(value: object, least: float = 0.0) -> str | None:
    """What keeps ``value`` from being a real number in ``[least, MAX_AMOUNT]``, or None.

    An int too large for a float is reported as above the bound: it is finite, and
    comparing it with a float is exact, so it never needs converting.
    """
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or value != value
        or value in (math.inf, -math.inf)
        or value < least
    ):
        return f"must be a finite number >= {least:g}, got {value!r}"
    if value > MAX_AMOUNT:
        return f"must be <= {MAX_AMOUNT}, got {value!r}"
    return None


def capacity_vector(capacity_used: Mapping[str, int] | None, network: Network) -> FloatArray:
    """Shipments already taken per canonical node, shape (n_nodes,).

    Each count is an int in [0, MAX_COUNT], so float64 holds it (and the shipments
    a wave adds to it) exactly.
    """
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
        if count > MAX_COUNT:
            problems.append(
                (f"capacity_used[{node_id!r}]", f"must be <= {MAX_COUNT}, got {count!r}")
            )
            continue
        used[network.node_index(node_id)] = count
    if problems:
        raise InvalidInputError.collect(problems)
    return used


def checked_full_nodes(full_node_ids: Iterable[str] | None, network: Network) -> frozenset[str]:
    """``full_node_ids`` (nodes that count as full for the rest of the wave) as a
    frozenset of known node ids; None is none.

    Raises :class:`InvalidInputError` for anything but a collection of strings, or
    :class:`UnknownReferenceError` for an unknown node.
    """
    if full_node_ids is None:
        return frozenset()
    found = v.items(full_node_ids, "full_node_ids", "node ids")
    for node_id in found:
        if not isinstance(node_id, str):
            raise InvalidInputError(
                "full_node_ids",
                f"must hold node ids, got {type(node_id).__name__} {node_id!r}",
            )
        if not network.has_node(node_id):
            raise UnknownReferenceError(f"full_node_ids[{node_id!r}]", "unknown node")
    return frozenset(cast("tuple[str, ...]", found))


def checked_accuracy(accuracy: object, network: Network) -> Accuracy | None:
    """``accuracy``: None, or an :class:`Accuracy` whose node ids are all in ``network``.

    Raises :class:`InvalidInputError` for anything else, or
    :class:`UnknownReferenceError` for the first unknown node (in id order).
    """
    if accuracy is None:
        return None
    if not isinstance(accuracy, Accuracy):
        raise InvalidInputError(
            "accuracy", f"must be Accuracy or None, got {type(accuracy).__name__} {accuracy!r}"
        )
    for field in ("by_node", "by_position"):
        for node_id in sorted(getattr(accuracy, field)):
            if not network.has_node(node_id):
                raise UnknownReferenceError(f"accuracy.{field}[{node_id!r}]", "unknown node")
    return accuracy


def checked_daily_used(
    daily_used: Mapping[str, Mapping[dt.date, int]] | None, network: Network
) -> dict[str, dict[dt.date, int]]:
    """``daily_used`` as new dicts: shipments per known node id and local operating
    day, each an int in [0, MAX_COUNT]; every fault is reported with its path."""
    if daily_used is None:
        return {}
    if not isinstance(daily_used, Mapping):
        raise InvalidInputError(
            "daily_used", f"must map node ids to shipments per date, got {daily_used!r}"
        )
    problems = daily_count_problems("daily_used", daily_used)
    if problems:
        raise InvalidInputError.collect(problems)
    unknown = [node_id for node_id in daily_used if not network.has_node(node_id)]
    if unknown:
        raise UnknownReferenceError(
            f"daily_used[{unknown[0]!r}]",
            f"unknown node{'s' if len(unknown) > 1 else ''}: {', '.join(map(repr, unknown))}",
        )
    return {key: dict(days) for key, days in daily_used.items()}


def reject_carrier_transit(network: Network, now: dt.datetime | None, call: str) -> None:
    """Refuse a dated ``call`` on a network whose carrier services have their own
    ``transit_days``: only ``omnichannel.reference.allocate`` (with the Sequential
    policy) dates parcels by them so far, and deciding by the rate cards' bands
    instead would break promises silently. A SAME_DAY service's days (all 0, as
    the level's) date nothing differently and pass. A ``network`` that is no
    :class:`Network` is left to the call's own checks, which name it."""
    if now is None or not isinstance(network, Network):
        return
    for index, service in enumerate(network.costs.carriers):
        same_day = service.service_level is ServiceLevel.SAME_DAY
        if service.transit_days is not None and not same_day:
            raise InvalidInputError(
                f"network.costs.carriers[{index}].transit_days",
                f"{call} with now does not date parcels by carrier transit days yet: "
                "use omnichannel.reference.allocate, or leave transit_days None "
                "(the rate card's transit bands date the parcels)",
            )

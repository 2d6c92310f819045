"""The vocabularies of the domain: channel and node kinds, capabilities, methods, conditions."""

from __future__ import annotations

import enum


class ChannelKind(enum.Enum):
    """Where an order was placed."""

    WEB = "web"
    MOBILE_APP = "mobile_app"
    STORE = "store"
    MARKETPLACE = "marketplace"
    SOCIAL = "social"
    CALL_CENTER = "call_center"
    PARTNER = "partner"


class NodeKind(enum.Enum):
    """What a fulfilment node is."""

    DC = "dc"
    STORE = "store"
    DARK_STORE = "dark_store"
    DROP_SHIP = "drop_ship"
    PICKUP_POINT = "pickup_point"


class Capability(enum.Flag):
    """What a node can do; combine with ``|``."""

    SHIP = enum.auto()
    PICKUP = enum.auto()
    RECEIVE_TRANSFER = enum.auto()
    SAME_DAY = enum.auto()
    ACCEPT_RETURNS = enum.auto()
    RESTOCK = enum.auto()
    REFURBISH = enum.auto()


NO_CAPABILITY = Capability(0)


class FulfillmentMethod(enum.Enum):
    """How the customer receives the goods."""

    SHIP_TO_HOME = "ship_to_home"
    PICKUP_IN_STORE = "pickup_in_store"
    SHIP_TO_STORE = "ship_to_store"
    PICKUP_POINT = "pickup_point"
    SAME_DAY = "same_day"


DELIVERED_METHODS = frozenset({FulfillmentMethod.SHIP_TO_HOME, FulfillmentMethod.SAME_DAY})
"""Methods that deliver to the order's ``destination``; the others hand over at a pickup node."""


class ServiceLevel(enum.Enum):
    """The promised speed; it picks the rate card and the maximum distance."""

    STANDARD = "standard"
    EXPRESS = "express"
    SAME_DAY = "same_day"


class ReturnCondition(enum.Enum):
    """The state a returned unit arrives in."""

    SELLABLE = "sellable"
    OPEN_BOX = "open_box"
    DAMAGED = "damaged"
    DEFECTIVE = "defective"


class ReturnMethod(enum.Enum):
    """How the customer hands a return over."""

    IN_STORE = "in_store"
    MAIL = "mail"
    PICKUP_POINT = "pickup_point"


class Disposition(enum.Enum):
    """What becomes of a returned unit."""

    RESTOCK = "restock"
    REFURBISH = "refurbish"
    RETURN_TO_VENDOR = "return_to_vendor"
    LIQUIDATE = "liquidate"
    DISPOSE = "dispose"
    KEEP = "keep"

"""omnichannel: the decision core of a distributed order management system.

It decides which fulfilment node serves each order line, at what cost, and
where each returned unit goes, as what. No I/O: call it from your backend.
"""

from ._domain.accuracy import Accuracy as Accuracy
from ._domain.calendar import NodeCalendar as NodeCalendar
from ._domain.calendar import TransitBand as TransitBand
from ._domain.carriers import CarrierQuote as CarrierQuote
from ._domain.carriers import CarrierService as CarrierService
from ._domain.carriers import Parcel as Parcel
from ._domain.carriers import ParcelQuotes as ParcelQuotes
from ._domain.catalogue import Catalogue as Catalogue
from ._domain.catalogue import Product as Product
from ._domain.decisions import Allocation as Allocation
from ._domain.decisions import AllocationResult as AllocationResult
from ._domain.decisions import AllocationStatus as AllocationStatus
from ._domain.decisions import Explanation as Explanation
from ._domain.decisions import NodeCandidate as NodeCandidate
from ._domain.decisions import Rule as Rule
from ._domain.decisions import Shipment as Shipment
from ._domain.decisions import UnfulfilledLine as UnfulfilledLine
from ._domain.decisions import UnfulfilledReason as UnfulfilledReason
from ._domain.demand import DemandRates as DemandRates
from ._domain.dispositions import DispositionTable as DispositionTable
from ._domain.enums import Capability as Capability
from ._domain.enums import ChannelKind as ChannelKind
from ._domain.enums import Disposition as Disposition
from ._domain.enums import FulfillmentMethod as FulfillmentMethod
from ._domain.enums import NodeKind as NodeKind
from ._domain.enums import ReturnCondition as ReturnCondition
from ._domain.enums import ReturnMethod as ReturnMethod
from ._domain.enums import ServiceLevel as ServiceLevel
from ._domain.geo import GeoPoint as GeoPoint
from ._domain.inventory import Inventory as Inventory
from ._domain.inventory import PositionColumns as PositionColumns
from ._domain.inventory import StockBlock as StockBlock
from ._domain.lifecycle import Cancellation as Cancellation
from ._domain.lifecycle import CancellationResult as CancellationResult
from ._domain.lifecycle import ReallocationResult as ReallocationResult
from ._domain.lifecycle import Rejection as Rejection
from ._domain.lifecycle import RejectionReason as RejectionReason
from ._domain.lifecycle import StockAdjustment as StockAdjustment
from ._domain.network import Channel as Channel
from ._domain.network import CostModel as CostModel
from ._domain.network import Network as Network
from ._domain.network import Node as Node
from ._domain.network import NodeArrays as NodeArrays
from ._domain.network import RateCard as RateCard
from ._domain.orders import Order as Order
from ._domain.orders import OrderLine as OrderLine
from ._domain.promise import Cart as Cart
from ._domain.promise import FulfillmentOption as FulfillmentOption
from ._domain.promise import NodeAvailability as NodeAvailability
from ._domain.promise import Promise as Promise
from ._domain.promise import SkuAvailability as SkuAvailability
from ._domain.returns import ReturnLine as ReturnLine
from ._domain.returns import ReturnRequest as ReturnRequest
from ._domain.routes import ReturnResult as ReturnResult
from ._domain.routes import ReturnRoute as ReturnRoute
from ._domain.stock import StockMove as StockMove
from ._domain.stock import StockPosition as StockPosition
from ._engine.allocate import allocate as allocate
from ._engine.availability import availability as availability
from ._engine.cancel import cancel as cancel
from ._engine.explain import explain as explain
from ._engine.promise import promise as promise
from ._engine.reallocate import reallocate as reallocate
from ._engine.returns import route_returns as route_returns
from ._errors import InsufficientStockError as InsufficientStockError
from ._errors import InvalidInputError as InvalidInputError
from ._errors import MissingDependencyError as MissingDependencyError
from ._errors import OmnichannelError as OmnichannelError
from ._errors import UnknownReferenceError as UnknownReferenceError
from ._version import __version__ as __version__

__all__ = [
    "Accuracy",
    "Allocation",
    "AllocationResult",
    "AllocationStatus",
    "Cancellation",
    "CancellationResult",
    "Capability",
    "CarrierQuote",
    "CarrierService",
    "Cart",
    "Catalogue",
    "Channel",
    "ChannelKind",
    "CostModel",
    "DemandRates",
    "Disposition",
    "DispositionTable",
    "Explanation",
    "FulfillmentMethod",
    "FulfillmentOption",
    "GeoPoint",
    "InsufficientStockError",
    "InvalidInputError",
    "Inventory",
    "MissingDependencyError",
    "Network",
    "Node",
    "NodeArrays",
    "NodeAvailability",
    "NodeCalendar",
    "NodeCandidate",
    "NodeKind",
    "OmnichannelError",
    "Order",
    "OrderLine",
    "Parcel",
    "ParcelQuotes",
    "PositionColumns",
    "Product",
    "Promise",
    "RateCard",
    "ReallocationResult",
    "Rejection",
    "RejectionReason",
    "ReturnCondition",
    "ReturnLine",
    "ReturnMethod",
    "ReturnRequest",
    "ReturnResult",
    "ReturnRoute",
    "Rule",
    "ServiceLevel",
    "Shipment",
    "SkuAvailability",
    "StockAdjustment",
    "StockBlock",
    "StockMove",
    "StockPosition",
    "TransitBand",
    "UnfulfilledLine",
    "UnfulfilledReason",
    "UnknownReferenceError",
    "__version__",
    "allocate",
    "availability",
    "cancel",
    "explain",
    "promise",
    "reallocate",
    "route_returns",
]

"""JSON-safe dicts to and from every public type, and carrier rate tables from files.

``to_dict(obj)`` gives plain dicts, lists, strings, numbers, booleans and None
(enums by value, capabilities as a list of flag names); ``from_dict(cls, data)``
builds the value back and, on bad data, raises :class:`InvalidInputError`
naming every faulty field with its path. ``read_rate_table`` reads a carrier's
zone x weight table (CSV or JSON, one row per cell) into a ``CarrierService``, and
``write_rate_table`` writes one back.
"""

from ._converter import from_dict as from_dict
from ._converter import to_dict as to_dict
from ._rate_tables import RATE_TABLE_COLUMNS as RATE_TABLE_COLUMNS
from ._rate_tables import read_rate_table as read_rate_table
from ._rate_tables import write_rate_table as write_rate_table

__all__ = ["RATE_TABLE_COLUMNS", "from_dict", "read_rate_table", "to_dict", "write_rate_table"]

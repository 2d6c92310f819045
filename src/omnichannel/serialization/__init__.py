"""JSON-safe dicts to and from every public type.

``to_dict(obj)`` gives plain dicts, lists, strings, numbers, booleans and None
(enums by value, capabilities as a list of flag names); ``from_dict(cls, data)``
builds the value back and, on bad data, raises :class:`InvalidInputError`
naming every faulty field with its path.
"""

from ._converter import from_dict as from_dict
from ._converter import to_dict as to_dict

__all__ = ["from_dict", "to_dict"]

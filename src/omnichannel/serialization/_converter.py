"""The one cattrs converter behind ``to_dict`` and ``from_dict``."""

from __future__ import annotations

import enum
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.errors import BaseValidationError, ForbiddenExtraKeysError

from .._domain.demand import DemandRates
from .._domain.enums import NO_CAPABILITY, Capability, NodeKind
from .._domain.inventory import Inventory
from .._domain.stock import StockPosition
from .._errors import InvalidInputError, Problem

T = TypeVar("T")

_converter = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)


def _expect(kind: type | tuple[type, ...], name: str) -> Any:
    def structure(value: Any, _: type) -> Any:
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            raise InvalidInputError("", f"must be {name}, got {value!r}")
        return value

    return structure


def _structure_float(value: Any, _: type) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidInputError("", f"must be a number, got {value!r}")
    return float(value)


def _structure_enum(value: Any, kind: type[enum.Enum]) -> enum.Enum:
    try:
        return kind(value)
    except ValueError:
        valid = ", ".join(repr(member.value) for member in kind)
        raise InvalidInputError("", f"must be one of {valid}, got {value!r}") from None


def _unstructure_capability(flags: Capability) -> list[str]:
    return [flag.name for flag in Capability if flag in flags and flag.name]


def _structure_capability(value: Any, _: type) -> Capability:
    if not isinstance(value, (list, tuple)):
        raise InvalidInputError("", f"must be a list of capability names, got {value!r}")
    flags = NO_CAPABILITY
    for index, name in enumerate(value):
        if not isinstance(name, str) or name not in Capability.__members__:
            valid = ", ".join(Capability.__members__)
            raise InvalidInputError(f"[{index}]", f"must be one of {valid}, got {name!r}")
        flags |= Capability[name]
    return flags


def _unstructure_node_kinds(kinds: frozenset[NodeKind]) -> list[str]:
    return [kind.value for kind in NodeKind if kind in kinds]


def _structure_node_kinds(value: Any, _: type) -> frozenset[NodeKind]:
    if not isinstance(value, (list, tuple)):
        raise InvalidInputError("", f"must be a list of node kinds, got {value!r}")
    return frozenset(_structure_enum(item, NodeKind) for item in value)  # type: ignore[misc]


def _unstructure_inventory(inventory: Inventory) -> dict[str, Any]:
    return {"positions": [_converter.unstructure(p) for p in inventory.positions()]}


def _structure_inventory(value: Any, _: type) -> Inventory:
    data = _converter.structure(value, _InventoryData)
    return Inventory.from_positions(data.positions)


def _unstructure_demand(demand: DemandRates) -> dict[str, Any]:
    return {
        "rates": [
            {"node_id": node_id, "sku": sku, "units_per_day": rate}
            for (node_id, sku), rate in demand.items()
        ]
    }


def _structure_demand(value: Any, _: type) -> DemandRates:
    data = _converter.structure(value, _DemandData)
    return DemandRates.from_mapping({(r.node_id, r.sku): r.units_per_day for r in data.rates})


@attrs.frozen(kw_only=True)
class _InventoryData:
    positions: tuple[StockPosition, ...]


@attrs.frozen(kw_only=True)
class _DemandRate:
    node_id: str
    sku: str
    units_per_day: float


@attrs.frozen(kw_only=True)
class _DemandData:
    rates: tuple[_DemandRate, ...]


_converter.register_structure_hook(str, _expect(str, "a string"))
_converter.register_structure_hook(int, _expect(int, "an int"))
_converter.register_structure_hook(bool, _expect(bool, "a boolean"))
_converter.register_structure_hook(float, _structure_float)
_converter.register_structure_hook(Capability, _structure_capability)
_converter.register_unstructure_hook(Capability, _unstructure_capability)
_converter.register_structure_hook_func(
    lambda t: isinstance(t, type) and issubclass(t, enum.Enum) and t is not Capability,
    _structure_enum,
)
_converter.register_structure_hook_func(lambda t: t == frozenset[NodeKind], _structure_node_kinds)
_converter.register_unstructure_hook_func(
    lambda t: t == frozenset[NodeKind], _unstructure_node_kinds
)
_converter.register_structure_hook(Inventory, _structure_inventory)
_converter.register_unstructure_hook(Inventory, _unstructure_inventory)
_converter.register_structure_hook(DemandRates, _structure_demand)
_converter.register_unstructure_hook(DemandRates, _unstructure_demand)
_converter.register_unstructure_hook(
    tuple, lambda items: [_converter.unstructure(i) for i in items]
)


def to_dict(obj: object) -> Any:
    """``obj`` as JSON-safe data: dicts, lists, strings, numbers, booleans and None."""
    return _converter.unstructure(obj)


def from_dict(cls: type[T], data: object) -> T:
    """Build a ``cls`` from data made by :func:`to_dict` (or by hand).

    Raises :class:`InvalidInputError` listing every faulty field with its path,
    e.g. ``lines[0].quantity: must be >= 1, got 0``.
    """
    try:
        return _converter.structure(data, cls)
    except (BaseValidationError, InvalidInputError) as error:
        raise InvalidInputError.collect(_problems(error, "")) from None
    except (TypeError, AttributeError, KeyError, ValueError) as error:
        raise InvalidInputError.collect([("", f"cannot read {cls.__name__}: {error}")]) from None


def _join(path: str, part: str) -> str:
    if not part:
        return path
    if part.startswith("[") or not path:
        return path + part
    return f"{path}.{part}"


def _note_path(error: BaseException) -> str:
    for note in getattr(error, "__notes__", ()):
        if isinstance(note, cattrs.AttributeValidationNote):
            return note.name
        if isinstance(note, cattrs.IterableValidationNote):
            return f"[{note.index!r}]" if isinstance(note.index, str) else f"[{note.index}]"
    return ""


def _problems(error: BaseException, path: str) -> list[Problem]:
    if isinstance(error, BaseValidationError):
        found: list[Problem] = []
        for inner in error.exceptions:
            found.extend(_problems(inner, _join(path, _note_path(inner))))
        return found
    if isinstance(error, InvalidInputError):
        return [(_join(path, inner), problem) for inner, problem in error.problems]
    if isinstance(error, ForbiddenExtraKeysError):
        return [(_join(path, name), "unexpected field") for name in sorted(error.extra_fields)]
    if isinstance(error, KeyError):
        return [(path, "required field missing")]
    if isinstance(error, TypeError) and "not iterable" in str(error):
        return [(path, "must be a list")]
    return [(path, f"invalid value ({error})")]

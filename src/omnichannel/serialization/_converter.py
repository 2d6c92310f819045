"""The one cattrs converter behind ``to_dict`` and ``from_dict``."""

from __future__ import annotations

import datetime as dt
import enum
import math
import types
import typing
from collections.abc import Callable, Mapping
from types import SimpleNamespace
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.errors import (
    BaseValidationError,
    ForbiddenExtraKeysError,
    StructureHandlerNotFoundError,
)

from .._domain import validators as v
from .._domain.demand import DemandRates
from .._domain.dispositions import (
    DispositionTable,
    handling_problems,
    json_key,
    recovery_problems,
)
from .._domain.enums import NO_CAPABILITY, Capability, Disposition, NodeKind, ReturnCondition
from .._domain.inventory import Inventory
from .._domain.stock import StockPosition
from .._errors import InvalidInputError, Problem

T = TypeVar("T")

_converter = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)

_NON_FINITE = {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}
"""Strict JSON has no infinities or NaN: ``to_dict`` writes them as these strings, and
``from_dict`` reads these strings (and no other) where a number is expected."""


def _expect(kind: type | tuple[type, ...], name: str) -> Any:
    def structure(value: Any, _: type) -> Any:
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            raise InvalidInputError("", f"must be {name}, got {value!r}")
        return value

    return structure


def _structure_float(value: Any, _: type) -> float:
    if isinstance(value, str) and value in _NON_FINITE:
        return _NON_FINITE[value]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidInputError("", f"must be a number, got {value!r}")
    if not v.is_finite(value) and isinstance(value, int):
        raise InvalidInputError("", f"must be a finite number, got {value!r}")
    return float(value)


def _unstructure_float(value: float) -> float | str:
    if math.isfinite(value):
        return value
    if math.isnan(value):
        return "nan"
    return "inf" if value > 0 else "-inf"


def _structure_enum(value: Any, kind: type[enum.Enum]) -> enum.Enum:
    try:
        return kind(value)
    except ValueError:
        valid = ", ".join(repr(member.value) for member in kind)
        raise InvalidInputError("", f"must be one of {valid}, got {value!r}") from None


def _unstructure_capability(flags: Capability) -> list[str]:
    return [flag.name for flag in Capability if flag in flags and flag.name]


def _structure_capability(value: Any, _: type) -> Capability:
    flags = NO_CAPABILITY
    for index, name in enumerate(_listed(value, "capability names")):
        if not isinstance(name, str) or name not in Capability.__members__:
            valid = ", ".join(Capability.__members__)
            raise InvalidInputError(f"[{index}]", f"must be one of {valid}, got {name!r}")
        flags |= Capability[name]
    return flags


def _unstructure_node_kinds(kinds: frozenset[NodeKind]) -> list[str]:
    return [kind.value for kind in NodeKind if kind in kinds]


# -- lists: every tuple, frozenset and list field ----------------------------------------

_COLLECTIONS = (tuple, frozenset, list, set)
_PLURALS: Mapping[object, str] = {
    str: "strings",
    int: "ints",
    float: "numbers",
    bool: "booleans",
    dt.datetime: "datetimes",
    dt.date: "dates",
    dt.time: "times",
    dt.timedelta: "durations",
}


def _listed(value: Any, what: str) -> list[Any] | tuple[Any, ...]:
    """``value`` when it is a list (or a tuple, as ``to_dict`` may leave one).

    JSON has no other sequence, and anything else would be iterated into the wrong
    items: a string into its characters, a mapping into its keys, a set in an order
    that changes from run to run.
    """
    if isinstance(value, (list, tuple)):
        return value
    raise InvalidInputError("", f"must be a list of {what}, got {type(value).__name__} {value!r}")


def _is_collection(kind: Any) -> bool:
    return typing.get_origin(kind) in _COLLECTIONS and bool(typing.get_args(kind))


def _plural(kind: Any) -> str:
    """How a message names items of ``kind``."""
    if kind in _PLURALS:
        return _PLURALS[kind]
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        named = [_plural(arg) for arg in typing.get_args(kind) if arg is not type(None)]
        return " or ".join(named) + (" or null" if type(None) in typing.get_args(kind) else "")
    if _is_collection(kind):
        return f"lists of {_items_of(kind)[2]}"
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return f"{kind.__name__} values"
    return _name(kind)


def _items_of(kind: Any) -> tuple[tuple[Any, ...], int | None, str]:
    """The item types of a collection type, its fixed size (a tuple of given length)
    or None, and how a message names its items: ``2 times``, ``OrderLine``."""
    args = typing.get_args(kind)
    if typing.get_origin(kind) is not tuple or (len(args) == 2 and args[1] is Ellipsis):
        return args[:1], None, _plural(args[0])
    names = {_plural(arg) for arg in args}
    what = names.pop() if len(names) == 1 else "items (" + ", ".join(map(_plural, args)) + ")"
    return args, len(args), f"{len(args)} {what}"


def _structure_collection(kind: Any) -> Callable[[Any, type], Any]:
    """Read a tuple, frozenset or list field from a JSON list, every bad item reported
    at its index; anything but a list is one fault at the field itself."""
    item_types, size, what = _items_of(kind)
    build = typing.get_origin(kind)
    hooks = [(t, _converter.get_structure_hook(t)) for t in item_types]

    def structure(value: Any, _: type) -> Any:
        found = _listed(value, what)
        if size is not None and len(found) != size:
            raise InvalidInputError("", f"must hold exactly {size} items, got {len(found)}")
        problems: list[Problem] = []
        read: list[Any] = []
        for index, item in enumerate(found):
            item_type, hook = hooks[index if size is not None else 0]
            try:
                read.append(hook(item, item_type))
            except Exception as error:  # untrusted data: every error is a fault
                problems.extend(_problems(error, f"[{index}]"))
        if problems:
            raise InvalidInputError.collect(problems)
        return build(read)

    return structure


# -- time: ISO 8601 text, timedeltas in whole seconds ------------------------------------


def _unstructure_datetime(value: dt.datetime) -> str:
    return value.isoformat()


def _structure_datetime(value: Any, _: type) -> dt.datetime:
    if not isinstance(value, str):
        raise InvalidInputError("", f"must be an ISO 8601 datetime with an offset, got {value!r}")
    try:
        read = dt.datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInputError(
            "", f"must be an ISO 8601 datetime with an offset, got {value!r}"
        ) from None
    if read.tzinfo is None:
        raise InvalidInputError(
            "", f"must have a UTC offset (naive datetimes are refused), got {value!r}"
        )
    return read


def _structure_date(value: Any, _: type) -> dt.date:
    if isinstance(value, str) and len(value) == 10:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidInputError("", f"must be a date as YYYY-MM-DD, got {value!r}")


def _structure_time(value: Any, _: type) -> dt.time:
    if isinstance(value, str) and len(value) in (5, 8):
        try:
            read = dt.time.fromisoformat(value)
        except ValueError:
            pass
        else:
            if read.tzinfo is None:
                return read
    raise InvalidInputError("", f"must be a local time as HH:MM or HH:MM:SS, got {value!r}")


def _unstructure_timedelta(value: dt.timedelta) -> int | float:
    seconds = value.total_seconds()
    return int(seconds) if seconds.is_integer() else seconds


def _structure_timedelta(value: Any, _: type) -> dt.timedelta:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInputError("", f"must be whole seconds (an int), got {value!r}")
    if abs(value) > 10**12:
        raise InvalidInputError("", f"must be at most 10**12 seconds, got {value!r}")
    return dt.timedelta(seconds=value)


def _unstructure_set(items: frozenset[Any]) -> list[Any]:
    return sorted(_converter.unstructure(item) for item in items)


# -- attrs classes: every fault of the payload, domain rules included -------------------


def _key_path(key: object) -> str:
    """The path of a key of a mapping: a field name as it is, anything else in brackets."""
    return key if isinstance(key, str) else f"[{key!r}]"


def _fields_of(
    data: object, known: Mapping[str, object], problems: list[Problem]
) -> Mapping[Any, Any]:
    """``data`` as a mapping of field names, with every key not in ``known`` reported."""
    if not isinstance(data, Mapping):
        raise InvalidInputError(
            "", f"must be an object (a mapping of field names), got {type(data).__name__} {data!r}"
        )
    for key in data:
        if key not in known:
            reason = "unexpected field" if isinstance(key, str) else "field names must be strings"
            problems.append((_key_path(key), reason))
    return data


@attrs.frozen
class _Field:
    """What reading one attrs field needs, worked out once per class."""

    attribute: attrs.Attribute[Any]
    structure: Callable[[Any, Any], Any]

    @property
    def key(self) -> str:
        """The field's name in the payload (attrs' alias: no leading underscore)."""
        return self.attribute.alias or self.attribute.name

    @property
    def required(self) -> bool:
        return self.attribute.default is attrs.NOTHING


def _structure_attrs_class(cls: type) -> Callable[[Any, type], Any]:
    """Read an attrs class from a mapping and report every fault with its path.

    cattrs alone stops at the constructor: a payload whose fields all have the right
    types but break two domain rules would report only the first. Here, when the
    constructor refuses the values, every field's validator runs on its own, so each
    field's fault is listed; rules across fields (``__attrs_post_init__``) are
    reported once every field passes.
    """
    attrs.resolve_types(cls)
    fields = [
        _Field(attribute=a, structure=_converter.get_structure_hook(a.type))
        for a in attrs.fields(cls)
        if a.init
    ]
    known = {f.key: f for f in fields}

    def structure(data: Any, _: type) -> Any:
        extra: list[Problem] = []
        items = _fields_of(data, known, extra)
        problems: dict[str, list[Problem]] = {}
        values: dict[str, Any] = {}
        for field in fields:
            if field.key not in items:
                if field.required:
                    problems[field.key] = [(field.key, "required field missing")]
                continue
            try:
                values[field.key] = field.structure(items[field.key], field.attribute.type)
            except Exception as error:  # untrusted data: every error is a fault
                problems[field.key] = _problems(error, field.key)
        if not problems and not extra:
            try:
                return cls(**values)
            except InvalidInputError:
                found = _field_faults(fields, values, problems)
                if not found:
                    raise
        else:
            _field_faults(fields, values, problems)
        flat = [p for field in fields for p in problems.get(field.key, ())]
        raise InvalidInputError.collect(flat + extra)

    return structure


def _field_faults(
    fields: list[_Field], values: Mapping[str, Any], problems: dict[str, list[Problem]]
) -> bool:
    """Run the validator of every field read in ``values`` on its own, adding its
    faults to ``problems``; whether there were any. Only on the error path."""
    read = SimpleNamespace()
    for field in fields:
        if field.key in values:
            value = _converted(field.attribute, values[field.key])
            if value is not _UNJUDGED:
                setattr(read, field.attribute.name, value)
    found = False
    for field in fields:
        validator, name = field.attribute.validator, field.attribute.name
        if validator is None or field.key in problems or not hasattr(read, name):
            continue
        try:
            validator(read, field.attribute, getattr(read, name))
        except InvalidInputError as error:
            problems[field.key] = list(error.problems)
            found = True
        except Exception:  # it reads another field, itself at fault or left out
            continue
    return found


_UNJUDGED = object()


def _converted(attribute: attrs.Attribute[Any], value: Any) -> Any:
    """``value`` through the field's converter, or ``_UNJUDGED`` when the converter
    refuses it or needs the instance (an ``attrs.Converter``; none of ours does)."""
    convert = attribute.converter
    if convert is None:
        return value
    try:
        return convert(value)  # type: ignore[operator]
    except Exception:  # its validator cannot judge what the converter refused
        return _UNJUDGED


_converter.register_structure_hook_factory(attrs.has, _structure_attrs_class)


# -- types that are not plain attrs classes -----------------------------------------------


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
    first: dict[tuple[str, str], int] = {}
    problems: list[Problem] = []
    for index, rate in enumerate(data.rates):
        pair = (rate.node_id, rate.sku)
        if pair in first:
            problems.append(
                (
                    f"rates[{index}]",
                    f"duplicate of rates[{first[pair]}] (node {pair[0]!r}, sku {pair[1]!r})",
                )
            )
        else:
            first[pair] = index
    if problems:
        raise InvalidInputError.collect(problems)
    return DemandRates.from_mapping({(r.node_id, r.sku): r.units_per_day for r in data.rates})


@attrs.frozen(kw_only=True)
class _InventoryData:
    positions: tuple[StockPosition, ...]


@attrs.frozen(kw_only=True)
class _DemandRate:
    """One rate as JSON writes it, with the rules of ``DemandRates.from_mapping``, so
    that a fault's path names the JSON keys: ``rates[2].units_per_day``."""

    node_id: str = attrs.field(validator=v.non_empty_str)
    sku: str = attrs.field(validator=v.non_empty_str)
    units_per_day: float = attrs.field(validator=v.finite_at_least(0.0, float(v.MAX_COUNT)))


@attrs.frozen(kw_only=True)
class _DemandData:
    rates: tuple[_DemandRate, ...]


_RECOVERY = dict[ReturnCondition, dict[Disposition, float]]
_HANDLING = dict[Disposition, float]
_TABLE_FIELDS = ("recovery", "handling")
_DEFAULT_TABLE = DispositionTable()


def _structure_dispositions(value: Any, _: type) -> DispositionTable:
    """The table's own rules, with paths that spell keys as the JSON does
    (``recovery['sellable']['restock']``), and every fault listed."""
    extra: list[Problem] = []
    items = _fields_of(value, dict.fromkeys(_TABLE_FIELDS), extra)
    problems: list[Problem] = []
    read: dict[str, Any] = {}
    # The dispositions that need a handling cost: those of the recovery table given,
    # or of the default one; unknown (None) when the one given cannot be read.
    uses: object = _DEFAULT_TABLE.recovery
    if "recovery" in items:
        uses = None
        try:
            read["recovery"] = _converter.structure(items["recovery"], _RECOVERY)
        except Exception as error:  # untrusted data: every error is a fault
            problems.extend(_problems(error, "recovery"))
        else:
            found = recovery_problems(read["recovery"], json_key)
            problems.extend(found)
            uses = None if found else read["recovery"]
    if "handling" in items:
        try:
            read["handling"] = _converter.structure(items["handling"], _HANDLING)
        except Exception as error:  # untrusted data: every error is a fault
            problems.extend(_problems(error, "handling"))
        else:
            problems.extend(handling_problems(read["handling"], uses, json_key))
    if problems or extra:
        raise InvalidInputError.collect(problems + extra)
    return DispositionTable(**read)


_converter.register_structure_hook(str, _expect(str, "a string"))
_converter.register_structure_hook(int, _expect(int, "an int"))
_converter.register_structure_hook(bool, _expect(bool, "a boolean"))
_converter.register_structure_hook(float, _structure_float)
_converter.register_unstructure_hook(float, _unstructure_float)
_converter.register_structure_hook(Capability, _structure_capability)
_converter.register_unstructure_hook(Capability, _unstructure_capability)
_converter.register_structure_hook_func(
    lambda t: isinstance(t, type) and issubclass(t, enum.Enum) and t is not Capability,
    _structure_enum,
)
_converter.register_unstructure_hook_func(
    lambda t: t == frozenset[NodeKind], _unstructure_node_kinds
)
_converter.register_structure_hook_factory(_is_collection, _structure_collection)
_converter.register_structure_hook(Inventory, _structure_inventory)
_converter.register_unstructure_hook(Inventory, _unstructure_inventory)
_converter.register_structure_hook(DemandRates, _structure_demand)
_converter.register_unstructure_hook(DemandRates, _unstructure_demand)
_converter.register_structure_hook(DispositionTable, _structure_dispositions)
_converter.register_unstructure_hook(
    tuple, lambda items: [_converter.unstructure(i) for i in items]
)
_converter.register_structure_hook(dt.datetime, _structure_datetime)
_converter.register_unstructure_hook(dt.datetime, _unstructure_datetime)
_converter.register_structure_hook(dt.date, _structure_date)
_converter.register_unstructure_hook(dt.date, dt.date.isoformat)
_converter.register_structure_hook(dt.time, _structure_time)
_converter.register_unstructure_hook(
    dt.time, lambda value: value.isoformat("minutes" if not value.second else "seconds")
)
_converter.register_structure_hook(dt.timedelta, _structure_timedelta)
_converter.register_unstructure_hook(dt.timedelta, _unstructure_timedelta)
_converter.register_unstructure_hook_func(
    lambda t: t in (frozenset[int], frozenset[str], frozenset[dt.date]), _unstructure_set
)


def to_dict(obj: object) -> Any:
    """``obj`` as strict JSON data: dicts, lists, strings, numbers, booleans and None.

    Infinite and NaN floats (a sourcing score of ``inf`` forbids a node) are written
    as the strings ``"inf"``, ``"-inf"`` and ``"nan"``, so that
    ``json.dumps(to_dict(obj), allow_nan=False)`` always works.
    """
    return _converter.unstructure(obj)


def from_dict(cls: type[T], data: object) -> T:
    """Build a ``cls`` from data made by :func:`to_dict` (or by hand).

    Raises :class:`InvalidInputError` listing every faulty field with its path,
    e.g. ``lines[0].quantity: must be >= 1, got 0``.
    """
    try:
        return _converter.structure(data, cls)
    except (BaseValidationError, InvalidInputError, StructureHandlerNotFoundError) as error:
        raise InvalidInputError.collect(_problems(error, "")) from None
    except (TypeError, AttributeError, KeyError, ValueError) as error:
        raise InvalidInputError.collect([("", f"cannot read {_name(cls)}: {error}")]) from None


def _name(kind: object) -> str:
    name = getattr(kind, "__qualname__", None)
    return name if isinstance(name, str) else repr(kind)


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
    if isinstance(error, StructureHandlerNotFoundError):
        name = _name(error.type_)
        return [(path, f"cannot read {name}: from_dict reads omnichannel's value types only")]
    if isinstance(error, ForbiddenExtraKeysError):
        return [(_join(path, _key_path(name)), "unexpected field") for name in error.extra_fields]
    if isinstance(error, KeyError):
        return [(path, "required field missing")]
    if isinstance(error, TypeError) and "not iterable" in str(error):
        return [(path, "must be a list")]
    return [(path, f"invalid value ({error})")]

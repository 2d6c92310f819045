"""attrs validators that raise :class:`InvalidInputError` with the field's name as path,
the check every call argument holding several items shares (:func:`items`), and the
one test that names in a sequence are unique (:func:`duplicates`)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar, cast

import attrs

from .._errors import InvalidInputError, Problem

Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]

Item = TypeVar("Item")

MAX_COUNT = 10**12
"""The largest count of anything (units, shipments, ranks, priorities) a field may hold.

Every count up to it is exact in float64, and about nine million of them still add up
inside int64, so no sum the engine forms can wrap around."""

MAX_AMOUNT = 1e12
"""The largest money (currency) or distance (km) a field may hold, in absolute value.

Products and sums of such amounts over millions of orders stay far from float64's
overflow, so no cost, score or penalty can become infinite or NaN."""


def items(value: object, path: str, what: str) -> tuple[object, ...]:
    """``value`` as a tuple: any iterable (list, tuple, set, generator) but a single
    string, bytes or mapping, which would silently become their characters or keys.

    Raises :class:`InvalidInputError` at ``path`` saying the items must be ``what``.
    """
    if type(value) is tuple:
        return value
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise InvalidInputError(
            path, f"must be a collection of {what}, got {type(value).__name__} {value!r}"
        )
    return tuple(cast("Iterable[object]", value))


def items_of(value: object, kind: type[Item], path: str) -> tuple[Item, ...]:
    """``value`` as a tuple of ``kind`` (see :func:`items`).

    Raises :class:`InvalidInputError` listing every item of another type, each at
    ``path[index]``.
    """
    found = items(value, path, kind.__name__)
    if all(isinstance(item, kind) for item in found):
        return cast("tuple[Item, ...]", found)
    raise InvalidInputError.collect(
        [
            (f"{path}[{index}]", f"must be {kind.__name__}, got {item!r}")
            for index, item in enumerate(found)
            if not isinstance(item, kind)
        ]
    )


def duplicates(keys: Iterable[str | None], path: str, field: str) -> list[Problem]:
    """One problem at ``path[index].field`` for every key an earlier one repeats,
    naming the first: ``keys`` are the items' ``field`` values in order (None for an
    item that has none, which repeats nothing); with ``field=""`` the keys are the
    items themselves (ids) and the problem is at ``path[index]``."""
    first: dict[str, int] = {}
    problems: list[Problem] = []
    suffix = f".{field}" if field else ""
    for index, key in enumerate(keys):
        if key is None:
            continue
        if key in first:
            problems.append(
                (f"{path}[{index}]{suffix}", f"duplicate of {path}[{first[key]}]: {key!r}")
            )
        else:
            first[key] = index
    return problems


def unique_item_problems(
    found: tuple[object, ...], kind: type, path: str, field: str
) -> list[Problem]:
    """The problems of ``found`` (a call argument's items): one at ``path[index]`` for
    every item that is not a ``kind``, then the :func:`duplicates` of the ``field`` of
    those that are."""
    problems: list[Problem] = [
        (f"{path}[{index}]", f"must be {kind.__name__}, got {item!r}")
        for index, item in enumerate(found)
        if not isinstance(item, kind)
    ]
    keys = (getattr(item, field) if isinstance(item, kind) else None for item in found)
    return problems + duplicates(keys, path, field)


def tuple_unique_by(kind: type, field: str) -> Validator:
    """The value is a tuple of ``kind`` instances (see :func:`tuple_of`) whose
    ``field`` attributes are all different; the usual empty tuple passes at once."""
    general = tuple_of(kind)

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if type(value) is tuple and not value:
            return
        general(instance, attribute, value)
        found = cast("tuple[object, ...]", value)
        problems = duplicates((getattr(item, field) for item in found), attribute.name, field)
        if problems:
            raise InvalidInputError.collect(problems)

    return check


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def non_empty_str(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """The value is a string with at least one non-blank character."""
    if type(value) is str and value and not value[0].isspace():
        return  # the common case, without building a stripped copy
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError(attribute.name, f"must be a non-empty string, got {value!r}")


def int_at_least(minimum: int, maximum: int = MAX_COUNT) -> Validator:
    """The value is an int (not a bool) with ``minimum <= value <= maximum``."""

    def check(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not _is_int(value):
            raise InvalidInputError(attribute.name, f"must be an int, got {value!r}")
        if value < minimum:  # type: ignore[operator]
            raise InvalidInputError(attribute.name, f"must be >= {minimum}, got {value!r}")
        if value > maximum:  # type: ignore[operator]
            raise InvalidInputError(attribute.name, f"must be <= {maximum}, got {value!r}")

    return check


def is_finite(value: object) -> bool:
    """The value is a real number (not a bool) that is finite, however large an int it is."""
    if not _is_number(value):
        return False
    try:
        return math.isfinite(value)  # type: ignore[arg-type]
    except OverflowError:
        return False


def finite_at_least(minimum: float, maximum: float = MAX_AMOUNT) -> Validator:
    """The value is a finite real number with ``minimum <= value <= maximum``."""

    def check(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not is_finite(value):
            raise InvalidInputError(attribute.name, f"must be a finite number, got {value!r}")
        if value < minimum:  # type: ignore[operator]
            raise InvalidInputError(attribute.name, f"must be >= {minimum}, got {value!r}")
        if value > maximum:  # type: ignore[operator]
            raise InvalidInputError(attribute.name, f"must be <= {maximum}, got {value!r}")

    return check


def finite_in_range(low: float, high: float) -> Validator:
    """The value is a finite real number with ``low <= value <= high``."""

    def check(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not is_finite(value):
            raise InvalidInputError(attribute.name, f"must be a finite number, got {value!r}")
        if not low <= value <= high:  # type: ignore[operator]
            raise InvalidInputError(
                attribute.name, f"must be between {low} and {high}, got {value!r}"
            )

    return check


def instance_of(kind: type | tuple[type, ...]) -> Validator:
    """The value is an instance of ``kind`` (bools are not ints here)."""

    def check(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _types(kind)):
            raise InvalidInputError(
                attribute.name, f"must be {_describe(kind)}, got {type(value).__name__} {value!r}"
            )

    return check


def optional(validator: Validator) -> Validator:
    """Apply ``validator`` unless the value is None."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is not None:
            validator(instance, attribute, value)

    return check


def tuple_of(kind: type, *, min_size: int = 0) -> Validator:
    """The value is a tuple of ``kind`` instances with at least ``min_size`` items."""

    def check(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, tuple):
            raise InvalidInputError(attribute.name, f"must be a sequence, got {value!r}")
        if len(value) < min_size:
            raise InvalidInputError(
                attribute.name, f"must hold at least {min_size} item(s), got {len(value)}"
            )
        for index, item in enumerate(value):
            if not isinstance(item, kind):
                raise InvalidInputError(
                    f"{attribute.name}[{index}]",
                    f"must be {kind.__name__}, got {type(item).__name__} {item!r}",
                )

    return check


def to_tuple(value: object) -> object:
    """Converter: a list or other iterable becomes a tuple; strings and scalars pass through."""
    if type(value) is tuple:
        return value
    if isinstance(value, (list, tuple)) or (
        hasattr(value, "__iter__") and not isinstance(value, (str, bytes, dict))
    ):
        return tuple(value)
    return value


def to_ordered_tuple(value: object) -> object:
    """Converter: :func:`to_tuple`, except that a set or frozenset passes through for
    the validator to refuse (see :func:`ordered_ids`)."""
    return value if isinstance(value, (set, frozenset)) else to_tuple(value)


def ordered_ids(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """The value is a tuple of non-empty string ids, none repeated.

    The tuple keeps the order it was given in (its equality and its JSON do), so a
    set, whose order changes from run to run with ``PYTHONHASHSEED``, is refused
    rather than read in hash order; ``sorted(ids)`` gives it one.
    """
    name = attribute.name
    if isinstance(value, (set, frozenset)):
        raise InvalidInputError(
            name,
            f"must be a list or tuple of ids in the order meant, got a {type(value).__name__}, "
            f"whose order changes from run to run; pass sorted(...): "
            f"{sorted(value, key=repr)!r}",
        )
    if not isinstance(value, tuple):
        raise InvalidInputError(name, f"must be a list or tuple of ids, got {value!r}")
    problems: list[Problem] = [
        (f"{name}[{index}]", f"must be a non-empty string, got {item!r}")
        for index, item in enumerate(value)
        if not isinstance(item, str) or not item
    ]
    keys = (item if isinstance(item, str) and item else None for item in value)
    problems.extend(duplicates(keys, name, ""))
    if problems:
        raise InvalidInputError.collect(problems)


def to_id_set(value: object) -> object:
    """Converter: an iterable of ids (not a string) becomes a frozenset; None and
    anything else pass through for the validator to judge."""
    if value is None or isinstance(value, (str, bytes, dict, frozenset)):
        return value
    try:
        return frozenset(value)  # type: ignore[call-overload]
    except TypeError:
        return value


def id_set(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """The value is a frozenset of non-empty strings (ids)."""
    if not isinstance(value, frozenset):
        raise InvalidInputError(attribute.name, f"must be a set of ids, got {value!r}")
    for item in sorted(value, key=repr):
        if not isinstance(item, str) or not item:
            raise InvalidInputError(
                attribute.name, f"must hold non-empty strings, got {type(item).__name__} {item!r}"
            )


def to_float(value: object) -> object:
    """Converter: ints become floats so equal values compare and serialise alike."""
    if _is_int(value):
        try:
            return float(value)  # type: ignore[arg-type]
        except OverflowError:
            return value  # too large for a float: the field's validator rejects it
    return value


def _types(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _describe(kind: type | tuple[type, ...]) -> str:
    return " or ".join(k.__name__ for k in _types(kind))


# Validators for decision values. The engine builds these tens of thousands of times a
# call, so each takes one type test and one comparison for the common case and falls
# back to the general validator above (and its message) only for anything else.

MAX_DECISION_AMOUNT = 1e30
"""The largest money a decision value (a shipment's cost, a route's recovered value) may hold.

The engine multiplies amounts up to :data:`MAX_AMOUNT` per unit by counts up to
:data:`MAX_COUNT`, so its own decisions can pass :data:`MAX_AMOUNT`; 1e30 leaves room
for half a million such lines in one shipment, and sums of a billion such values stay
far from float64's overflow."""


def fast_int_at_least(minimum: int, maximum: int = MAX_COUNT) -> Validator:
    """:func:`int_at_least`, checked in one comparison when the value is a plain int."""
    general = int_at_least(minimum, maximum)

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if type(value) is int and minimum <= value <= maximum:
            return
        general(instance, attribute, value)

    return check


def fast_finite_at_least(minimum: float, maximum: float = MAX_AMOUNT) -> Validator:
    """:func:`finite_at_least`, checked in one comparison when the value is a float
    (NaN and infinities fail the comparison and get the general message)."""
    general = finite_at_least(minimum, maximum)

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if type(value) is float and minimum <= value <= maximum:
            return
        general(instance, attribute, value)

    return check


def fast_instance_of(kind: type) -> Validator:
    """:func:`instance_of`, checked by identity when the value is exactly a ``kind``
    (an enum member, for instance)."""
    general = instance_of(kind)

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if type(value) is not kind:
            general(instance, attribute, value)

    return check


def fast_tuple_of(kind: type, *, min_size: int = 0) -> Validator:
    """:func:`tuple_of`, checked by identity of each item's type for the common case
    (instances of subclasses get the general check)."""
    general = tuple_of(kind, min_size=min_size)

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if type(value) is tuple and len(value) >= min_size:
            for item in value:
                if type(item) is not kind:
                    break
            else:
                return
        general(instance, attribute, value)

    return check


def number_or_inf(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """The value is a real number or ``+inf``, never NaN or ``-inf``: a strategy's cost,
    where ``inf`` forbids."""
    if type(value) is float and value > -math.inf:  # False for NaN and -inf
        return
    if not (is_finite(value) or (_is_number(value) and value == math.inf)):
        raise InvalidInputError(attribute.name, f"must be a number or +inf, got {value!r}")


def ints_between(minimum: int, maximum: int = MAX_COUNT) -> Validator:
    """The value is a tuple of ints (not bools), each ``minimum <= item <= maximum``."""

    def check(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, tuple):
            raise InvalidInputError(attribute.name, f"must be a sequence, got {value!r}")
        for index, item in enumerate(value):
            if type(item) is int and minimum <= item <= maximum:
                continue
            path = f"{attribute.name}[{index}]"
            if not _is_int(item):
                raise InvalidInputError(path, f"must be an int, got {item!r}")
            bound = f">= {minimum}" if item < minimum else f"<= {maximum}"
            raise InvalidInputError(path, f"must be {bound}, got {item!r}")

    return check


def _count_problems(path: str, count: object) -> list[tuple[str, str]]:
    """What is wrong with a count at ``path``: not an int, or outside [0, MAX_COUNT]."""
    if not _is_int(count):
        return [(path, f"must be an int, got {count!r}")]
    if not 0 <= count <= MAX_COUNT:  # type: ignore[operator]
        bound = ">= 0" if count < 0 else f"<= {MAX_COUNT}"  # type: ignore[operator]
        return [(path, f"must be {bound}, got {count!r}")]
    return []


def counts_by_id(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """The value is a mapping of non-empty string ids to ints in ``[0, MAX_COUNT]``;
    a fault's path names the key as JSON writes it: ``capacity_used['n1']``."""
    if not isinstance(value, Mapping):
        raise InvalidInputError(
            attribute.name, f"must be a mapping of ids to counts, got {value!r}"
        )
    problems: list[tuple[str, str]] = []
    for key, count in value.items():
        path = f"{attribute.name}[{key!r}]"
        if not isinstance(key, str) or not key.strip():
            problems.append((path, "key must be a non-empty string"))
        problems.extend(_count_problems(path, count))
    if problems:
        raise InvalidInputError.collect(problems)


def daily_count_problems(name: str, value: object) -> list[tuple[str, str]]:
    """What is wrong with shipments per id and date at ``name``: the value must map
    non-empty string ids to mappings of ``datetime.date`` to ints in ``[0,
    MAX_COUNT]``; a fault's path names both keys: ``daily_used['n1']['2026-03-02']``."""
    if not isinstance(value, Mapping):
        return [(name, f"must map ids to counts per date, got {value!r}")]
    problems: list[tuple[str, str]] = []
    for key, days in value.items():
        path = f"{name}[{key!r}]"
        if not isinstance(key, str) or not key.strip():
            problems.append((path, "key must be a non-empty string"))
        if not isinstance(days, Mapping):
            problems.append((path, f"must map dates to counts, got {days!r}"))
            continue
        for day, count in days.items():
            at = f"{path}[{day.isoformat() if isinstance(day, dt.date) else day!r}]"
            if type(day) is not dt.date:
                problems.append((at, f"key must be a datetime.date, got {day!r}"))
            problems.extend(_count_problems(at, count))
    return problems


def daily_counts(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validator: shipments per id and date (see :func:`daily_count_problems`)."""
    problems = daily_count_problems(attribute.name, value)
    if problems:
        raise InvalidInputError.collect(problems)


def to_daily_copy(value: object) -> object:
    """Converter: a mapping of mappings becomes new dicts at both levels; anything
    else passes through for the validator to reject."""
    if not isinstance(value, Mapping):
        return value
    return {key: dict(days) if isinstance(days, Mapping) else days for key, days in value.items()}


def to_mapping_copy(value: object) -> object:
    """Converter: a mapping becomes a new dict; anything else passes through for the
    field's validator to reject (instead of ``dict()`` raising TypeError)."""
    return dict(value) if isinstance(value, Mapping) else value

"""The disposition table: what each condition of returned unit may become, and what
that recovers and costs."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from .._errors import InvalidInputError, Problem
from .enums import Disposition, ReturnCondition
from .validators import MAX_AMOUNT, is_finite

ROUTED: tuple[Disposition, ...] = tuple(d for d in Disposition if d is not Disposition.KEEP)
"""Dispositions that send the unit to a node, in the order that breaks ties."""

_C, _D = ReturnCondition, Disposition
_DEFAULT_RECOVERY = {
    _C.SELLABLE: {_D.RESTOCK: 0.95},
    _C.OPEN_BOX: {_D.RESTOCK: 0.70, _D.REFURBISH: 0.85},
    _C.DAMAGED: {_D.REFURBISH: 0.50, _D.LIQUIDATE: 0.15},
    _C.DEFECTIVE: {_D.RETURN_TO_VENDOR: 0.40, _D.DISPOSE: 0.0},
}
_DEFAULT_HANDLING = {
    _D.RESTOCK: 1.50,
    _D.REFURBISH: 8.00,
    _D.RETURN_TO_VENDOR: 2.00,
    _D.LIQUIDATE: 0.50,
    _D.DISPOSE: 1.00,
}


def _frozen_recovery(value: object) -> object:
    if not isinstance(value, Mapping):
        return value
    return MappingProxyType(
        {c: MappingProxyType(dict(o)) if isinstance(o, Mapping) else o for c, o in value.items()}
    )


def _frozen_handling(value: object) -> object:
    return MappingProxyType(dict(value)) if isinstance(value, Mapping) else value


Label = Callable[[object], str]
"""How a path spells a key of the table: :func:`python_key` or :func:`json_key`."""


def python_key(key: object) -> str:
    """A key as Python code names it: ``SELLABLE``, so paths read ``recovery[SELLABLE]``."""
    return key.name if isinstance(key, enum.Enum) else repr(key)


def json_key(key: object) -> str:
    """A key as JSON writes it: ``'sellable'``, so paths read ``recovery['sellable']``,
    the way ``from_dict`` names the keys of any other mapping."""
    return repr(key.value) if isinstance(key, enum.Enum) else repr(key)


def _check_rate(path: str, rate: object, problems: list[Problem]) -> None:
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
        problems.append((path, f"must be a number in [0, 1], got {rate!r}"))


def recovery_problems(value: object, label: Label = python_key) -> list[Problem]:
    """Every fault of a recovery table (condition -> disposition -> rate), keys
    spelled by ``label``."""
    if not isinstance(value, Mapping):
        return [("recovery", f"must map ReturnCondition to options, got {value!r}")]
    problems: list[Problem] = []
    missing = [label(c) for c in ReturnCondition if c not in value]
    if missing:
        problems.append(("recovery", f"needs every condition; missing {', '.join(missing)}"))
    for condition, options in value.items():
        path = f"recovery[{label(condition)}]"
        if not isinstance(condition, ReturnCondition):
            problems.append((path, "key must be a ReturnCondition"))
        if not isinstance(options, Mapping):
            problems.append((path, f"must map Disposition to a recovery rate, got {options!r}"))
            continue
        for disposition, rate in options.items():
            where = f"{path}[{label(disposition)}]"
            if not isinstance(disposition, Disposition) or disposition is Disposition.KEEP:
                problems.append((where, "key must be a Disposition other than KEEP"))
            _check_rate(where, rate, problems)
    return problems


def handling_problems(value: object, recovery: object, label: Label = python_key) -> list[Problem]:
    """Every fault of a handling table (disposition -> cost per unit), keys spelled by
    ``label``; ``recovery`` names the dispositions that need a cost (None: unknown)."""
    if not isinstance(value, Mapping):
        return [("handling", f"must map Disposition to a cost, got {value!r}")]
    problems: list[Problem] = []
    for disposition, cost in value.items():
        where = f"handling[{label(disposition)}]"
        if not isinstance(disposition, Disposition) or disposition is Disposition.KEEP:
            problems.append((where, "key must be a Disposition other than KEEP"))
        if not is_finite(cost) or not 0 <= cost <= MAX_AMOUNT:
            problems.append(
                (where, f"must be a finite number between 0 and {MAX_AMOUNT}, got {cost!r}")
            )
    if isinstance(recovery, Mapping):
        used = {
            d
            for options in recovery.values()
            if isinstance(options, Mapping)
            for d in options
            if isinstance(d, Disposition) and d is not Disposition.KEEP
        }
        for disposition in sorted(used - set(value), key=ROUTED.index):
            problems.append(
                (f"handling[{label(disposition)}]", "missing; the recovery table uses it")
            )
    return problems


def _check_recovery(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    problems = recovery_problems(value)
    if problems:
        raise InvalidInputError.collect(problems)


def _check_handling(table: DispositionTable, _: attrs.Attribute[Any], value: object) -> None:
    problems = handling_problems(value, table.recovery)
    if problems:
        raise InvalidInputError.collect(problems)


@attrs.frozen(kw_only=True)
class DispositionTable:
    """What a returned unit of each condition may become, and its economics.

    ``recovery[condition][disposition]`` is the share of the unit's
    ``unit_value`` the disposition recovers (0 to 1); a disposition missing
    for a condition is not an option for it. ``handling[disposition]`` is the
    cost (currency per unit) of processing a unit that way. KEEP (refund
    without return) is never listed: it is what happens when no option
    recovers more than it costs.

    The default, a typical apparel and electronics retailer's:

    ========== ================================= ==========================
    condition  options (recovery rate)           handling, currency per unit
    ========== ================================= ==========================
    SELLABLE   RESTOCK 0.95                      RESTOCK 1.50
    OPEN_BOX   RESTOCK 0.70, REFURBISH 0.85      REFURBISH 8.00
    DAMAGED    REFURBISH 0.50, LIQUIDATE 0.15    LIQUIDATE 0.50
    DEFECTIVE  RETURN_TO_VENDOR 0.40, DISPOSE 0  RETURN_TO_VENDOR 2.00,
                                                 DISPOSE 1.00
    ========== ================================= ==========================
    """

    recovery: Mapping[ReturnCondition, Mapping[Disposition, float]] = attrs.field(
        factory=lambda: _DEFAULT_RECOVERY,
        converter=_frozen_recovery,
        validator=_check_recovery,
        hash=False,
    )
    handling: Mapping[Disposition, float] = attrs.field(
        factory=lambda: _DEFAULT_HANDLING,
        converter=_frozen_handling,
        validator=_check_handling,
        hash=False,
    )

    def rate(self, condition: ReturnCondition, disposition: Disposition) -> float | None:
        """The recovery rate, or None when ``disposition`` is no option for ``condition``."""
        rate = self.recovery[condition].get(disposition)
        return None if rate is None else float(rate)

    def handling_cost(self, disposition: Disposition) -> float:
        """Currency per unit processed as ``disposition``."""
        return float(self.handling[disposition])

"""The disposition table: what each condition of returned unit may become, and what
that recovers and costs."""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs

from .._errors import InvalidInputError, Problem
from .enums import Disposition, ReturnCondition

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


def _check_rate(path: str, rate: object, problems: list[Problem]) -> None:
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
        problems.append((path, f"must be a number in [0, 1], got {rate!r}"))


def _check_recovery(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Mapping):
        raise InvalidInputError("recovery", f"must map ReturnCondition to options, got {value!r}")
    problems: list[Problem] = []
    missing = [c.name for c in ReturnCondition if c not in value]
    if missing:
        problems.append(("recovery", f"needs every condition; missing {', '.join(missing)}"))
    for condition, options in value.items():
        path = f"recovery[{getattr(condition, 'name', repr(condition))}]"
        if not isinstance(condition, ReturnCondition):
            problems.append((path, "key must be a ReturnCondition"))
        if not isinstance(options, Mapping):
            problems.append((path, f"must map Disposition to a recovery rate, got {options!r}"))
            continue
        for disposition, rate in options.items():
            where = f"{path}[{getattr(disposition, 'name', repr(disposition))}]"
            if not isinstance(disposition, Disposition) or disposition is Disposition.KEEP:
                problems.append((where, "key must be a Disposition other than KEEP"))
            _check_rate(where, rate, problems)
    if problems:
        raise InvalidInputError.collect(problems)


def _check_handling(table: DispositionTable, _: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Mapping):
        raise InvalidInputError("handling", f"must map Disposition to a cost, got {value!r}")
    problems: list[Problem] = []
    for disposition, cost in value.items():
        where = f"handling[{getattr(disposition, 'name', repr(disposition))}]"
        if not isinstance(disposition, Disposition) or disposition is Disposition.KEEP:
            problems.append((where, "key must be a Disposition other than KEEP"))
        if (
            isinstance(cost, bool)
            or not isinstance(cost, (int, float))
            or not (math.isfinite(cost) and cost >= 0)
        ):
            problems.append((where, f"must be a finite number >= 0, got {cost!r}"))
    used = {d for options in table.recovery.values() for d in options}
    for disposition in sorted(used - set(value), key=ROUTED.index):
        problems.append((f"handling[{disposition.name}]", "missing; the recovery table uses it"))
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

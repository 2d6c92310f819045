"""Inventory accuracy: how likely a node finds the units it reserved when it picks them."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs

from .._errors import InvalidInputError, Problem
from .validators import is_finite


def _probability_problems(path: str, value: object) -> list[Problem]:
    if not is_finite(value):
        return [(path, f"must be a finite number, got {value!r}")]
    if not 0 <= value <= 1:  # type: ignore[operator]
        return [(path, f"must be in [0, 1], got {value!r}")]
    return []


def _key_problems(path: str, key: object) -> list[Problem]:
    if not isinstance(key, str) or not key.strip():
        return [(path, "key must be a non-empty string")]
    return []


def _check_default(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    problems = _probability_problems(attribute.name, value)
    if problems:
        raise InvalidInputError.collect(problems)


def _frozen_by_node(value: object) -> object:
    return MappingProxyType(dict(value)) if isinstance(value, Mapping) else value


def _frozen_by_position(value: object) -> object:
    if not isinstance(value, Mapping):
        return value
    return MappingProxyType(
        {k: MappingProxyType(dict(s)) if isinstance(s, Mapping) else s for k, s in value.items()}
    )


def _check_by_node(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Mapping):
        raise InvalidInputError(
            attribute.name, f"must map node ids to probabilities, got {value!r}"
        )
    problems: list[Problem] = []
    for node_id, found in value.items():
        path = f"{attribute.name}[{node_id!r}]"
        problems.extend(_key_problems(path, node_id))
        problems.extend(_probability_problems(path, found))
    if problems:
        raise InvalidInputError.collect(problems)


def _check_by_position(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Mapping):
        raise InvalidInputError(
            attribute.name, f"must map node ids to SKUs to probabilities, got {value!r}"
        )
    problems: list[Problem] = []
    for node_id, by_sku in value.items():
        path = f"{attribute.name}[{node_id!r}]"
        problems.extend(_key_problems(path, node_id))
        if not isinstance(by_sku, Mapping):
            problems.append((path, f"must map SKUs to probabilities, got {by_sku!r}"))
            continue
        for sku, found in by_sku.items():
            at = f"{path}[{sku!r}]"
            problems.extend(_key_problems(at, sku))
            problems.extend(_probability_problems(at, found))
    if problems:
        raise InvalidInputError.collect(problems)


def _to_float(value: object) -> object:
    return float(value) if isinstance(value, int) and not isinstance(value, bool) else value


@attrs.frozen(kw_only=True)
class Accuracy:
    """The probability (0 to 1) that the units a node reserves for an order line are
    found when the line is picked; the most specific entry wins.

    ``by_position[node_id][sku]`` overrides ``by_node[node_id]``, which overrides
    ``default``. Store inventory accuracy of 60-70% is common; a DC's is often
    above 95%. Pass it as ``accuracy=`` to :func:`omnichannel.allocate` and
    :func:`omnichannel.explain`, where ``Weighted(rejection_risk=...)`` prices the
    expected rejected lines. Node ids are checked against the network at call time
    (:class:`UnknownReferenceError`); SKUs are not, since a SKU no order names
    changes nothing.
    """

    default: float = attrs.field(default=1.0, converter=_to_float, validator=_check_default)
    by_node: Mapping[str, float] = attrs.field(
        factory=dict, converter=_frozen_by_node, validator=_check_by_node, hash=False
    )
    by_position: Mapping[str, Mapping[str, float]] = attrs.field(
        factory=dict, converter=_frozen_by_position, validator=_check_by_position, hash=False
    )

    def found(self, node_id: str, sku: str) -> float:
        """Probability that reserved units of ``sku`` are found at ``node_id`` (0 to 1)."""
        by_sku = self.by_position.get(node_id)
        if by_sku is not None and sku in by_sku:
            return float(by_sku[sku])
        return float(self.by_node.get(node_id, self.default))

    @property
    def node_ids(self) -> frozenset[str]:
        """Every node id the table names."""
        return frozenset((*self.by_node, *self.by_position))

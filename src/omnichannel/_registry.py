"""Look-up of built-in strategies by name, one registry per kind of strategy."""

from __future__ import annotations

from collections.abc import Mapping

from ._errors import InvalidInputError


class Registry:
    """Names of built-in strategy classes of one kind (sourcing, policy, returns)."""

    def __init__(self, kind: str, entries: Mapping[str, type]) -> None:
        self._kind = kind
        self._entries = dict(entries)

    def names(self) -> tuple[str, ...]:
        """Every registered name, sorted."""
        return tuple(sorted(self._entries))

    def classes(self) -> tuple[type, ...]:
        """Every registered class, in name order."""
        return tuple(self._entries[name] for name in self.names())

    def get(self, name: str) -> type:
        """The class registered as ``name``; an unknown name lists the valid ones."""
        try:
            return self._entries[name]
        except (KeyError, TypeError):
            raise InvalidInputError(
                self._kind, f"unknown name {name!r}; valid names: {', '.join(self.names())}"
            ) from None

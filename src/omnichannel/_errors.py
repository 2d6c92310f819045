"""The exception hierarchy: one root, each error also a matching built-in."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "InsufficientStockError",
    "InvalidInputError",
    "MissingDependencyError",
    "OmnichannelError",
    "Problem",
    "UnknownReferenceError",
]

Problem = tuple[str, str]
"""A fault in the input: the path of the field (``orders[3].lines[0].quantity``)
and what was wrong with it (``must be >= 1, got 0``)."""


def _join_path(prefix: str, path: str) -> str:
    if not prefix:
        return path
    if not path:
        return prefix
    if path.startswith("["):
        return prefix + path
    return f"{prefix}.{path}"


class OmnichannelError(Exception):
    """Root of every error this library raises on purpose."""


class InvalidInputError(OmnichannelError, ValueError):
    """A field of the input breaks a rule; ``problems`` lists every fault with its path.

    ``str(error)`` reads ``orders[3].lines[0].quantity: must be >= 1, got 0``; when
    several fields are wrong, one such line per field.
    """

    problems: tuple[Problem, ...]

    def __init__(self, path: str, problem: str) -> None:
        self.problems = ((path, problem),)
        super().__init__(self._message())

    @classmethod
    def collect(cls, problems: Iterable[Problem]) -> InvalidInputError:
        """Build one error that reports all ``problems`` (at least one)."""
        found = tuple(problems)
        if not found:
            raise ValueError("InvalidInputError.collect needs at least one problem")
        error = cls(*found[0])
        error.problems = found
        error.args = (error._message(),)
        return error

    def under(self, prefix: str) -> InvalidInputError:
        """The same faults with ``prefix`` put in front of every path."""
        return type(self).collect((_join_path(prefix, p), m) for p, m in self.problems)

    def _message(self) -> str:
        return "\n".join(
            f"{path}: {problem}" if path else problem for path, problem in self.problems
        )

    def __str__(self) -> str:
        return self._message()

    def __reduce__(self) -> tuple[object, ...]:
        # Rebuilt from its problems and attributes, so it crosses process boundaries
        # (an executor's worker) intact, subclasses included.
        return (_rebuilt, (type(self), self.problems, self.__dict__))


def _rebuilt(
    kind: type[InvalidInputError], problems: tuple[Problem, ...], state: dict[str, object]
) -> InvalidInputError:
    error = kind.__new__(kind)
    InvalidInputError.__init__(error, *problems[0])
    error.problems = problems
    error.args = (error._message(),)
    error.__dict__.update(state)
    return error


class UnknownReferenceError(OmnichannelError, KeyError):
    """An input names a channel, node or SKU that the network or inventory does not know."""

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}")

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.path, self.problem))


class InsufficientStockError(OmnichannelError, ValueError):
    """An inventory operation would take more units than a stock position holds."""


class MissingDependencyError(OmnichannelError, ImportError):
    """A feature needs an optional package; the message names the extra to install."""

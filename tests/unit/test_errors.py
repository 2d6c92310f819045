import pytest

from omnichannel import (
    InsufficientStockError,
    InvalidInputError,
    OmnichannelError,
    UnknownReferenceError,
)


def test_each_error_is_also_the_matching_builtin() -> None:
    assert issubclass(InvalidInputError, OmnichannelError)
    assert issubclass(InvalidInputError, ValueError)
    assert issubclass(UnknownReferenceError, KeyError)
    assert issubclass(InsufficientStockError, ValueError)


def test_message_names_path_rule_and_value() -> None:
    error = InvalidInputError("quantity", "must be >= 1, got 0").under("orders[3].lines[0]")
    assert str(error) == "orders[3].lines[0].quantity: must be >= 1, got 0"
    assert error.problems == (("orders[3].lines[0].quantity", "must be >= 1, got 0"),)


def test_collect_reports_every_problem() -> None:
    error = InvalidInputError.collect([("a", "bad"), ("b[1]", "worse")]).under("x")
    assert str(error).splitlines() == ["x.a: bad", "x.b[1]: worse"]


def test_unknown_reference_str_is_not_quoted_like_key_error() -> None:
    assert str(UnknownReferenceError("orders[0].channel_id", "unknown channel 'x'")) == (
        "orders[0].channel_id: unknown channel 'x'"
    )


def test_collect_needs_a_problem() -> None:
    with pytest.raises(ValueError, match="at least one"):
        InvalidInputError.collect([])

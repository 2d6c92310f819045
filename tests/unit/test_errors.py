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


def test_errors_survive_pickling_with_their_paths() -> None:
    """Errors cross process boundaries (an executor's worker) intact."""
    import pickle

    from omnichannel._engine.verify import PolicyRuleError

    invalid = InvalidInputError.collect([("a.b", "must be >= 1, got 0"), ("c", "bad")])
    unknown = UnknownReferenceError("orders[0].channel_id", "unknown channel 'x'")
    broke = PolicyRuleError.broke("Mine", "STOCK", "order 'o1' ships from node 'dc': 3 units")
    for error in (invalid, unknown, broke, broke.under("wave")):
        again = pickle.loads(pickle.dumps(error))
        assert type(again) is type(error)
        assert str(again) == str(error)
    assert pickle.loads(pickle.dumps(invalid)).problems == invalid.problems
    assert (pickle.loads(pickle.dumps(broke)).rule, broke.rule) == ("STOCK", "STOCK")

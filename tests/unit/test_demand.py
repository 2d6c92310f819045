"""DemandRates.from_mapping refuses bad input with InvalidInputError, never a raw error."""

from typing import Any

import pytest

from omnichannel import DemandRates, InvalidInputError


@pytest.mark.parametrize("rates", [None, [(("n", "a"), 1.0)], "n,a,1"])
def test_not_a_mapping_is_invalid_input_with_a_path(rates: Any) -> None:
    with pytest.raises(InvalidInputError) as caught:
        DemandRates.from_mapping(rates)
    assert [path for path, _ in caught.value.problems] == ["rates"]
    assert "must be a mapping of (node_id, sku) to units per day" in str(caught.value)


def test_every_bad_rate_is_listed_and_huge_ones_are_bounded() -> None:
    with pytest.raises(InvalidInputError) as caught:
        DemandRates.from_mapping(
            {("n", "a"): 10**400, ("n", "b"): 2e12, ("n", "c"): True, ("n", "d"): 1.0}
        )
    bound = "must be a finite number between 0 and 1000000000000"
    assert caught.value.problems == (
        ("rates[('n', 'a')]", f"{bound}, got {10**400!r}"),
        ("rates[('n', 'b')]", f"{bound}, got 2000000000000.0"),
        ("rates[('n', 'c')]", f"{bound}, got True"),
    )


def test_a_rate_at_the_bound_is_kept() -> None:
    assert DemandRates.from_mapping({("n", "a"): 10**12}).rate("n", "a") == 1e12

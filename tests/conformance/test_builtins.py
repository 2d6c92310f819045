"""Every built-in strategy and policy passes the conformance kit, check by check."""

from typing import Any

from omnichannel.allocation import BatchOptimal, DualPriceLookahead, FairShare, Sequential
from omnichannel.returns import LowestReturnCost, NearestReturnNode, ValueRecovery
from omnichannel.sourcing import (
    Fastest,
    Lexicographic,
    LowestCost,
    MostStock,
    Nearest,
    Ranked,
    StockProtecting,
    Weighted,
)
from omnichannel.testing.conformance import Check, parametrize_with_checks

BUILT_INS = [
    Nearest(),
    LowestCost(),
    Ranked(),
    MostStock(),
    StockProtecting(),
    Weighted(distance=0.1, shipping=1.0, depletion=2.0, utilisation=1.0),
    Lexicographic(Ranked(), MostStock()),
    Fastest(),
    Weighted(shipping=1.0, lead_days=5.0),
    Sequential(),
    FairShare(weights={"web": 2.0}),
    DualPriceLookahead(),
    BatchOptimal(time_limit_s=20.0),
    NearestReturnNode(),
    LowestReturnCost(),
    ValueRecovery(),
]


@parametrize_with_checks(BUILT_INS)
def test_built_in_conforms(subject: Any, check: Check) -> None:
    check(subject)

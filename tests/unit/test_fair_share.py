"""FairShare on readable examples: weights of any magnitude, their checks, and ties
broken by channel id whatever order the network lists its channels in."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

import omnichannel as oc
from omnichannel import reference
from omnichannel.allocation import FairShare

HERE = oc.GeoPoint(lat=50.0, lon=10.0)
Allocate = Callable[..., oc.AllocationResult]
IMPLEMENTATIONS: list[Allocate] = [oc.allocate, reference.allocate]
IDS = ["engine", "reference"]


def network(channel_ids: Sequence[str]) -> oc.Network:
    """One DC that ships to every channel, listed in the order given."""
    return oc.Network(
        nodes=[
            oc.Node(id="dc", kind=oc.NodeKind.DC, location=HERE, capabilities=oc.Capability.SHIP)
        ],
        channels=[oc.Channel(id=c, kind=oc.ChannelKind.WEB) for c in channel_ids],
    )


def served(
    allocate: Allocate,
    wanted: dict[str, int],
    on_hand: int,
    policy: FairShare,
    channel_ids: Sequence[str] | None = None,
) -> dict[str, int]:
    """Units each channel gets when its ``wanted`` one-unit orders (channel by channel)
    compete for ``on_hand`` units of one SKU."""
    orders = [
        oc.Order(
            id=f"{channel}-{i}",
            channel_id=channel,
            destination=HERE,
            lines=[oc.OrderLine(sku="A", quantity=1)],
        )
        for channel, count in wanted.items()
        for i in range(count)
    ]
    stock = oc.Inventory.from_positions([oc.StockPosition(node_id="dc", sku="A", on_hand=on_hand)])
    result = allocate(orders, network(channel_ids or list(wanted)), stock, policy=policy)
    got = dict.fromkeys(wanted, 0)
    for order, allocation in zip(orders, result.allocations, strict=True):
        got[order.channel_id] += allocation.units_allocated
    return got


@pytest.mark.parametrize("allocate", IMPLEMENTATIONS, ids=IDS)
@pytest.mark.parametrize("weight", [5e-324, 1e-300, 1.0, 1e12, 1e300, 1e308])
def test_equal_weights_get_equal_shares_whatever_their_magnitude(
    allocate: Allocate, weight: float
) -> None:
    policy = FairShare(weights={"web": weight, "app": weight})
    assert served(allocate, {"web": 20, "app": 5}, 10, policy) == {"web": 5, "app": 5}


@pytest.mark.parametrize("allocate", IMPLEMENTATIONS, ids=IDS)
@pytest.mark.parametrize("scale", [2.0**-1070, 2.0**-1000, 1.0, 2.0**1000, 2.0**1022])
def test_only_the_ratio_of_the_weights_counts(allocate: Allocate, scale: float) -> None:
    """3 : 1 gives 7.5 : 2.5 of 10 units, the odd unit to the heavier web, at any scale."""
    policy = FairShare(weights={"web": 3 * scale, "app": scale})
    assert served(allocate, {"web": 20, "app": 5}, 10, policy) == {"web": 8, "app": 2}


@pytest.mark.parametrize("allocate", IMPLEMENTATIONS, ids=IDS)
def test_a_tiny_weight_next_to_huge_ones_gets_its_tiny_share(allocate: Allocate) -> None:
    """web and app split what the partner leaves; the partner's share rounds to nothing."""
    policy = FairShare(weights={"web": 1e308, "app": 1e308, "partner": 1e-300})
    got = served(allocate, {"web": 9, "app": 9, "partner": 9}, 10, policy)
    assert got == {"web": 5, "app": 5, "partner": 0}


@pytest.mark.parametrize(
    "weight",
    [0, 0.0, -1.0, float("nan"), float("inf"), -float("inf"), True, "2", None, 10**400],
    ids=repr,
)
def test_a_weight_that_is_not_a_finite_positive_number_is_rejected(weight: object) -> None:
    with pytest.raises(oc.InvalidInputError) as raised:
        FairShare(weights={"web": 1.0, "app": weight})
    assert raised.value.problems == (
        ("weights['app']", f"must be a finite number > 0, got {weight!r}"),
    )


def test_every_bad_weight_is_reported() -> None:
    with pytest.raises(oc.InvalidInputError) as raised:
        FairShare(weights={"web": float("nan"), "app": -2.0})
    assert [path for path, _ in raised.value.problems] == ["weights['web']", "weights['app']"]


@pytest.mark.parametrize("allocate", IMPLEMENTATIONS, ids=IDS)
@pytest.mark.parametrize("channel_ids", [["web", "app"], ["app", "web"]], ids="-".join)
def test_a_tie_goes_to_the_lower_channel_id_however_channels_are_listed(
    allocate: Allocate, channel_ids: list[str]
) -> None:
    """One unit, one web and one app order of equal weight: "app" < "web"."""
    got = served(allocate, {"web": 1, "app": 1}, 1, FairShare(), channel_ids)
    assert got == {"web": 0, "app": 1}


@pytest.mark.parametrize("allocate", IMPLEMENTATIONS, ids=IDS)
@pytest.mark.parametrize(
    "channel_ids",
    [["b", "c", "a"], ["c", "a", "b"], ["a", "b", "c"], ["c", "b", "a"]],
    ids="-".join,
)
def test_odd_units_go_by_weight_then_by_channel_id(
    allocate: Allocate, channel_ids: list[str]
) -> None:
    """Two odd units among three channels: the heavier c first, then a before b."""
    policy = FairShare(weights={"c": 1.5})
    got = served(allocate, {"a": 3, "b": 3, "c": 3}, 2, policy, channel_ids)
    assert got == {"a": 1, "b": 0, "c": 1}

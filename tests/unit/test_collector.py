"""The engine holds the garbage collector off during a call and leaves it as found."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

import omnichannel as oc
from omnichannel._engine.collector import collector_paused

from .test_allocate import network, order, stock


@pytest.fixture(autouse=True)
def _collector_restored() -> Iterator[None]:
    was = gc.isenabled()
    yield
    if was:
        gc.enable()
    else:
        gc.disable()


def test_the_collector_is_off_inside_and_on_again_after() -> None:
    gc.enable()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_the_caller_turned_off_stays_off() -> None:
    gc.disable()
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_the_collector_is_on_again_when_the_call_raises() -> None:
    gc.enable()
    with pytest.raises(oc.UnknownReferenceError):
        oc.allocate([order("o1", ("A", 1), channel_id="nope")], network(), stock(dc_A=1))
    assert gc.isenabled()


def test_allocate_and_route_returns_leave_the_collector_on() -> None:
    gc.enable()
    result = oc.allocate([order("o1", ("A", 1))], network(), stock(dc_A=1))
    assert result.allocations[0].status is oc.AllocationStatus.FULFILLED
    assert gc.isenabled()
    oc.route_returns([], network(), result.inventory)
    assert gc.isenabled()
